// Executes one node of any kind against a state, in whichever Lua VM the caller provides (the run's
// main VM or a branch's fresh VM). Shared by the main line and by parallel branches.
import type { ActionRegistry } from '../actions/registry.ts';
import type { LlmSession } from '../llm/session.ts';
import { ExpressionBudgetError, evaluateCondition } from '../expr/index.ts';
import type { ConditionResult } from '../expr/index.ts';
import type { ExecOutcome, LuaFailureKind } from '../lua/types.ts';
import { MAX_ERROR_MESSAGE_CHARS, truncateText } from '../limits.ts';
import type { NodeSpec } from '../workflow/types.ts';
import { callAction } from './action-exec.ts';
import type { ActionCall } from './action-exec.ts';
import { interpretReturn, mergeState } from './merge.ts';
import { round } from './events.ts';
import type { EventStamper } from './events.ts';
import type { JsonObject, Where } from './types.ts';

/** Something that can run Lua code: a VM on a worker. */
export interface LuaHost {
  exec(node: string, code: string, state: JsonObject, timeoutMs: number): Promise<ExecOutcome>;
}

export interface NodeFailure {
  node: string;
  message: string;
  /** LuaError, TimeoutError, MemoryError, LimitError, ActionError, WorkerCrashed, Cancelled, ExecutionError. */
  errorType: string;
  line?: number;
  timeout: boolean;
}

export type NodeRun = { ok: true; state: JsonObject } | { ok: false; failure: NodeFailure };

export interface NodeExecContext {
  events: EventStamper;
  registry: ActionRegistry;
  lua: LuaHost;
  where: Where;
  variables: JsonObject;
  timeoutFor(node: NodeSpec): number;
  /** Iterations a while_loop may run: its max_iterations under the run's ceilings. */
  whileIterations(node: NodeSpec): number;
  baseDir: string;
  memory: Map<string, unknown>;
  signal: AbortSignal;
  /** Counts node executions against the step limit; returns false once the limit is exceeded. */
  step(): boolean;
  /** True once the run (or this fan-out) was cancelled, so failures are reported as cancellations. */
  cancelled(): boolean;
  /** A node of the workflow by name (top-level or in a while-loop body), for actions that run one. */
  findNode(name: string): NodeSpec | undefined;
  /**
   * Runs a `dynamic_parallel` node (branches in fresh VMs, on the scheduler's pool). Absent where
   * a fan-out cannot start (inside a branch, which may hold a worker).
   */
  dynamicParallel?: (node: NodeSpec, state: JsonObject) => Promise<NodeBodyOutcome>;
  /** The run's model-call session (settings.llm, keys, cassette), handed to llm.* actions. */
  llm?: LlmSession;
}

const ERROR_TYPES: Record<LuaFailureKind, string> = {
  error: 'LuaError',
  syntax: 'LuaError',
  conversion: 'LuaError',
  timeout: 'TimeoutError',
  memory: 'MemoryError',
  limit: 'LimitError',
};

export async function runNode(node: NodeSpec, state: JsonObject, ctx: NodeExecContext): Promise<NodeRun> {
  const started = ctx.events.now();
  ctx.events.emit({ type: 'node-started', node: node.name, ...ctx.where });
  const outcome = await runNodeBody(node, state, ctx);
  const ms = round(ctx.events.now() - started);
  if (outcome.ok) {
    ctx.events.emit({
      type: 'node-finished',
      node: node.name,
      ms,
      update: outcome.update,
      ...(outcome.heapBytes !== undefined ? { heapBytes: outcome.heapBytes } : {}),
      ...ctx.where,
    });
    return { ok: true, state: outcome.state };
  }
  // Messages are cut where they are made: they travel on in parallel_results, events and stdout.
  const failure = ctx.cancelled()
    ? { ...outcome.failure, errorType: 'Cancelled', message: 'cancelled', timeout: false }
    : { ...outcome.failure, message: truncateText(outcome.failure.message, MAX_ERROR_MESSAGE_CHARS) };
  ctx.events.emit({
    type: 'node-failed',
    node: node.name,
    ms,
    error: failure.message,
    errorType: failure.errorType,
    timeout: failure.timeout,
    ...(failure.line !== undefined ? { line: failure.line } : {}),
    ...ctx.where,
  });
  return { ok: false, failure };
}

export type NodeBodyOutcome =
  | { ok: true; state: JsonObject; update: JsonObject; heapBytes?: number }
  | { ok: false; failure: NodeFailure };
type BodyOutcome = NodeBodyOutcome;

async function runNodeBody(node: NodeSpec, state: JsonObject, ctx: NodeExecContext): Promise<BodyOutcome> {
  if (!ctx.step()) {
    return fail(
      node,
      'ExecutionError',
      `step limit exceeded at node '${node.name}' (settings.max_iterations)`,
    );
  }
  if (node.dynamicParallel) {
    if (!ctx.dynamicParallel) {
      return fail(
        node,
        'ExecutionError',
        `dynamic_parallel node '${node.name}' cannot run inside a parallel branch (it would need more workers while it may hold one)`,
      );
    }
    return ctx.dynamicParallel(node, state);
  }
  switch (node.kind) {
    case 'lua':
      return runLua(node, state, ctx);
    case 'action':
      return runAction(node, state, ctx);
    case 'while_loop':
      return runWhileLoop(node, state, ctx);
    case 'passthrough':
      return { ok: true, state, update: {} };
    case 'other-code':
      return fail(
        node,
        'ExecutionError',
        `node '${node.name}' has ${node.language ?? 'non-Lua'} code; Fanout Studio runs Lua only ` +
          `(mark Lua code with 'language: lua')`,
      );
    case 'unsupported':
      return fail(
        node,
        'ExecutionError',
        `node '${node.name}' uses '${node.type ?? 'an unsupported form'}', which Fanout Studio does not run`,
      );
  }
}

function fail(
  node: NodeSpec,
  errorType: string,
  message: string,
  line?: number,
  timeout = false,
): BodyOutcome {
  return {
    ok: false,
    failure: { node: node.name, errorType, message, timeout, ...(line !== undefined ? { line } : {}) },
  };
}

async function runLua(node: NodeSpec, state: JsonObject, ctx: NodeExecContext): Promise<BodyOutcome> {
  const outcome = await ctx.lua.exec(node.name, node.run ?? '', state, ctx.timeoutFor(node));
  for (const line of outcome.logs) {
    ctx.events.emit({ type: 'log', level: 'info', node: node.name, message: line, ...ctx.where });
  }
  if (!outcome.ok) {
    const crashed = /^worker (crashed|exited)/.test(outcome.error.message);
    const errorType = crashed ? 'WorkerCrashed' : ERROR_TYPES[outcome.error.kind];
    const prefix = errorType === 'LuaError' ? 'Lua error: ' : '';
    return fail(
      node,
      errorType,
      prefix + outcome.error.message,
      outcome.error.line,
      outcome.error.kind === 'timeout',
    );
  }
  const { update, warning } = interpretReturn(node.name, outcome.value);
  if (warning)
    ctx.events.emit({ type: 'log', level: 'warn', node: node.name, message: warning, ...ctx.where });
  const heap = (outcome as { memory?: { heapBytes: number } }).memory?.heapBytes;
  return {
    ok: true,
    state: mergeState(state, update),
    update,
    ...(heap !== undefined ? { heapBytes: heap } : {}),
  };
}

async function runAction(node: NodeSpec, state: JsonObject, ctx: NodeExecContext): Promise<BodyOutcome> {
  const call: ActionCall = { uses: node.uses ?? '' };
  if (node.with) call.with = node.with;
  const output = node.outputMap ?? node.output;
  if (output !== undefined) call.output = output;
  const outcome = await callAction(node, call, state, ctx, (name, s) => runNamedNode(name, s, ctx));
  if (!outcome.ok) return fail(node, outcome.errorType, outcome.message);
  return { ok: true, state: mergeState(state, outcome.update), update: outcome.update };
}

/**
 * Runs another node of the workflow by name, as retry.loop's correction node: in the same VM, with
 * its own node events and step count. Rejects with the node's failure message.
 */
export async function runNamedNode(
  name: string,
  state: JsonObject,
  ctx: NodeExecContext,
): Promise<JsonObject> {
  const target = ctx.findNode(name);
  if (!target) throw new Error(`the workflow has no node named '${name}'`);
  const run = await runNode(target, state, ctx);
  if (!run.ok) throw new Error(run.failure.message);
  return run.state;
}

async function runWhileLoop(node: NodeSpec, state: JsonObject, ctx: NodeExecContext): Promise<BodyOutcome> {
  const max = ctx.whileIterations(node);
  let current = state;
  const before = state;
  for (let i = 0; i < max; i++) {
    let cond: ConditionResult;
    try {
      cond = evaluateCondition(
        node.condition ?? 'false',
        { state: current, variables: ctx.variables },
        'while',
      );
    } catch (error) {
      // A runaway condition fails the loop; an ordinary evaluation error counts as true (below).
      if (error instanceof ExpressionBudgetError) return fail(node, 'LimitError', error.message);
      throw error;
    }
    if (cond.error) {
      ctx.events.emit({
        type: 'log',
        level: 'warn',
        node: node.name,
        message: `while_loop condition '${node.condition}' failed (${cond.error}); treated as ${cond.value} like TEA Python`,
        ...ctx.where,
      });
    }
    if (!cond.value) return { ok: true, state: current, update: diff(before, current) };
    for (const bodyNode of node.body ?? []) {
      const run = await runNode(bodyNode, current, ctx);
      if (!run.ok) return { ok: false, failure: run.failure };
      current = run.state;
    }
  }
  // TEA Python ends the loop normally at max_iterations (TEA Rust errors); we follow Python and say so.
  ctx.events.emit({
    type: 'log',
    level: 'warn',
    node: node.name,
    message: `while_loop '${node.name}' stopped at max_iterations (${max})`,
    ...ctx.where,
  });
  return { ok: true, state: current, update: diff(before, current) };
}

function diff(before: JsonObject, after: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(after)) if (before[k] !== v) out[k] = v;
  return out;
}
