// Runs one action call for a node (a `uses:` node, or a dynamic_parallel branch in action mode) the way
// TEA Python's node factory does: render `with:` against the state, call the action with the engine
// hooks (state, runLua in the run's worker VM, runNode), then shape its result by `output:`.
import { ActionError } from '../actions/registry.ts';
import type { ActionContext, LuaRunOutcome } from '../actions/registry.ts';
import { renderTemplate } from '../expr/index.ts';
import { MAX_ERROR_MESSAGE_CHARS, jsonBoundsProblem, truncateText } from '../limits.ts';
import type { NodeSpec } from '../workflow/types.ts';
import { isPlainObject } from './merge.ts';
import type { NodeExecContext } from './node-exec.ts';
import type { JsonObject } from './types.ts';

/** What an action call needs: the action, its parameters and where its result goes. */
export interface ActionCall {
  uses: string;
  with?: Record<string, unknown>;
  /** A key name (the result goes there) or TEA Python's mapping of templates rendered with `result`. */
  output?: string | Record<string, unknown>;
}

export type ActionOutcome =
  { ok: true; update: JsonObject } | { ok: false; errorType: 'ActionError' | 'LimitError'; message: string };

/** Runs a named node of the workflow on a state (retry.loop's correction node); rejects with its failure. */
export type NodeRunner = (name: string, state: JsonObject) => Promise<JsonObject>;

/**
 * Calls the action and returns the update TEA Python's run_action returns: without `output:` a
 * mapping result as it is (anything else as `result`), with a key name `{key: result}`, with a
 * mapping each template rendered with `result` in context (a template yielding null becomes "", as
 * TEA does; non-string values are kept as written). The caller merges the update.
 */
export async function callAction(
  node: NodeSpec,
  call: ActionCall,
  state: JsonObject,
  ctx: NodeExecContext,
  runNodeNamed: NodeRunner,
): Promise<ActionOutcome> {
  const name = call.uses;
  let result: unknown;
  try {
    const params = renderTemplate(call.with ?? {}, { state, variables: ctx.variables });
    result = await ctx.registry.call(
      name,
      isPlainObject(params) ? params : {},
      actionContext(node, state, ctx, runNodeNamed),
    );
  } catch (error) {
    return { ok: false, errorType: 'ActionError', message: actionFailure(name, error) };
  }
  // Actions may return any JS value: make it plain JSON (V8's JSON.stringify throws, never crashes, on
  // a value too deep for it), then bound it before it joins the state sent to workers and hosts.
  let value: unknown;
  const what = `result of node '${node.name}'`;
  try {
    value = toJson(result);
  } catch (error) {
    const problem = jsonBoundsProblem(result, what) ?? `${what} is not JSON: ${errorText(error)}`;
    return { ok: false, errorType: 'LimitError', message: problem };
  }
  const problem = jsonBoundsProblem(value, what);
  if (problem) return { ok: false, errorType: 'LimitError', message: problem };
  if (typeof call.output === 'string') return { ok: true, update: { [call.output]: value } };
  if (call.output !== undefined) return renderOutputMap(name, call.output, value, state, ctx);
  return { ok: true, update: isPlainObject(value) ? value : { result: value } };
}

function renderOutputMap(
  name: string,
  output: Record<string, unknown>,
  result: unknown,
  state: JsonObject,
  ctx: NodeExecContext,
): ActionOutcome {
  const update: JsonObject = {};
  try {
    for (const [key, template] of Object.entries(output)) {
      if (typeof template !== 'string') {
        update[key] = template;
        continue;
      }
      const value = renderTemplate(template, { state, variables: ctx.variables, result });
      update[key] = value === null || value === undefined ? '' : value;
    }
  } catch (error) {
    return { ok: false, errorType: 'ActionError', message: `action '${name}': output: ${errorText(error)}` };
  }
  return { ok: true, update };
}

/** The context an action gets: the run's folder and memory, and the engine hooks TEA's actions need. */
function actionContext(
  node: NodeSpec,
  state: JsonObject,
  ctx: NodeExecContext,
  runNodeNamed: NodeRunner,
): ActionContext {
  return {
    baseDir: ctx.baseDir,
    node: node.name,
    runId: ctx.events.runId,
    memory: ctx.memory,
    signal: ctx.signal,
    state,
    // In the VM this node runs in (main VM or the branch's), under the node's timeout; never in the host.
    runLua: async (code: string, luaState: Record<string, unknown>): Promise<LuaRunOutcome> => {
      const outcome = await ctx.lua.exec(node.name, code, luaState, ctx.timeoutFor(node));
      for (const line of outcome.logs) {
        ctx.events.emit({ type: 'log', level: 'info', node: node.name, message: line, ...ctx.where });
      }
      return outcome;
    },
    runNode: (target: string, nodeState: Record<string, unknown>) => runNodeNamed(target, nodeState),
    // Model calls report themselves (llm.* actions) at this node's place: main line or branch.
    emit: (event) => ctx.events.emit({ ...event, ...ctx.where }),
    ...(ctx.llm ? { llm: ctx.llm } : {}),
  };
}

/**
 * One readable line per failure. The registry's own messages already name the action (and, for an
 * unavailable one, the node), so they are not wrapped again; other errors (a template that fails to
 * render, a handler's plain Error) are prefixed with the action's name.
 */
function actionFailure(name: string, error: unknown): string {
  if (error instanceof ActionError) {
    // The registry wraps a handler's plain Error as "Action 'x' failed in node 'y': …": keep the cause.
    if (error.cause !== undefined) return `action '${name}' failed: ${errorText(error.cause)}`;
    return errorText(error);
  }
  return `action '${name}' failed: ${errorText(error)}`;
}

function errorText(error: unknown): string {
  return truncateText(error instanceof Error ? error.message : String(error), MAX_ERROR_MESSAGE_CHARS);
}

function toJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
