// Runs a `type: dynamic_parallel` node with TEA Python's semantics (yaml_nodes.py,
// _create_dynamic_parallel_function): one branch per item of `items`, each on a deep copy of the state
// with the item and its index under item_var / index_var, like every other branch (a fresh VM on a
// leased worker once it needs Lua; action-only items hold no worker); at most max_concurrency at once; with fail_fast, items not started yet after a failure
// are skipped. The node's update is `{parallel_results: [...]}` (TEA Python's ParallelFlowResult
// shape, item order); routing then follows the node's edges, as in TEA.
import { stat } from 'node:fs/promises';
import { resolveConfined } from '../actions/paths.ts';
import { ExpressionBudgetError, renderTemplate } from '../expr/index.ts';
import {
  MAX_DYNAMIC_PARALLEL_ITEMS,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_FILE_BYTES,
  MAX_STATE_BYTES,
  formatBytes,
  jsonObjectBoundsProblem,
  truncateText,
} from '../limits.ts';
import { loadWorkflowFile } from '../workflow/load-file.ts';
import { END } from '../workflow/types.ts';
import type { VmLimits } from '../lua/types.ts';
import type { DynamicParallelSpec, NodeSpec } from '../workflow/types.ts';
import { validateWorkflow } from '../workflow/validate.ts';
import { findInLoopBodies } from './breakpoints.ts';
import { compilePlan } from './plan.ts';
import { nextNode } from './route.ts';
import { callAction } from './action-exec.ts';
import type { ActionCall } from './action-exec.ts';
import type { EventStamper } from './events.ts';
import { round } from './events.ts';
import { isPlainObject, mergeState } from './merge.ts';
import { runNamedNode, runNode } from './node-exec.ts';
import type { LuaHost, NodeBodyOutcome, NodeExecContext, NodeFailure } from './node-exec.ts';
import type { WorkerPool } from './pool.ts';
import type { BranchStatus, DynamicParallelResult, JsonObject, Where } from './types.ts';
import { BranchVm } from './vm-hosts.ts';
import { startBranch } from './branch-start.ts';

/** TEA Python's default worker count: min(32, items). */
const DEFAULT_CONCURRENCY = 32;

export interface DynamicParallelDeps {
  pool: WorkerPool;
  events: EventStamper;
  runId: string;
  vmLimits: VmLimits;
  /** The run's signal: cancelling the run cancels every branch. */
  signal: AbortSignal;
  variables: JsonObject;
  /** The main VM gives its worker back while branches run. */
  suspendMain(): void;
  /** Maps a branch VM to its place, for memory samples (null = forget it). */
  trackVm(vmId: string, where: Where | null): void;
  /** Folder a subgraph path is relative to and confined to (the workflow's folder). */
  baseDir: string;
  /** Action names the engine has, to validate a subgraph as a run validates its workflow. */
  knownActions(): string[];
  /** A node context for a branch running in `vm` (no nested dynamic_parallel: it holds a worker). */
  branchContext(vm: LuaHost, where: Where, signal: AbortSignal): NodeExecContext;
}

/** What one branch runs; `luaFirst` when its first step is Lua (its VM is created at once). */
interface Body {
  run(
    state: JsonObject,
    ctx: NodeExecContext,
  ): Promise<{ ok: true; state: JsonObject } | { ok: false; failure: NodeFailure }>;
  luaFirst: boolean;
}

export async function runDynamicParallel(
  node: NodeSpec,
  state: JsonObject,
  deps: DynamicParallelDeps,
): Promise<NodeBodyOutcome> {
  const spec = node.dynamicParallel as DynamicParallelSpec;
  const failure = (message: string, errorType = 'ExecutionError'): NodeBodyOutcome => ({
    ok: false,
    failure: { node: node.name, message, errorType, timeout: false },
  });
  const body = spec.mode === 'subgraph' ? await subgraphBody(node, spec, deps) : branchBody(node, spec);
  if (typeof body === 'string') return failure(body);
  let items: unknown[];
  let limit: number;
  try {
    items = evaluateItems(node, state, deps.variables);
    limit = concurrency(node, spec, state, deps.variables, items.length);
  } catch (error) {
    const type = error instanceof ExpressionBudgetError ? 'LimitError' : 'ExecutionError';
    return failure(truncateText((error as Error).message, MAX_ERROR_MESSAGE_CHARS), type);
  }
  const names = items.map((_, i) => `${node.name}[${i}]`);
  deps.events.emit({
    type: 'fan-out-started',
    fanOut: node.name,
    branches: names,
    fanIn: spec.fanIn ?? null,
  });
  deps.suspendMain();
  const results: DynamicParallelResult[] = new Array(items.length);
  let next = 0;
  let failed = false;
  // Every result holds a branch's whole state, so thousands of items could hold gigabytes before the
  // final check: results are measured as they arrive and no new item starts once the state bound is
  // passed (running ones finish; the node then fails).
  let bytes = JSON.stringify(state).length;
  let finished = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && bytes <= MAX_STATE_BYTES) {
      const index = next++;
      // TEA Python checks the fail_fast token before a branch starts; running branches finish.
      const result =
        spec.failFast && failed
          ? skipped(node, deps, names[index]!)
          : await runItem(node, spec, body, state, items[index], index, deps);
      results[index] = result;
      bytes += JSON.stringify(result).length;
      finished++;
      if (!result.success) failed = true;
    }
  });
  await Promise.all(runners);
  if (bytes > MAX_STATE_BYTES) {
    return failure(
      `the state after dynamic_parallel '${node.name}' (with parallel_results) is larger than ${formatBytes(MAX_STATE_BYTES)} ` +
        `after ${finished} of ${items.length} items; the rest were not started`,
      'LimitError',
    );
  }
  const problem = jsonObjectBoundsProblem(
    { ...state, parallel_results: results },
    `the state after dynamic_parallel '${node.name}' (with parallel_results)`,
  );
  if (problem) return failure(problem, 'LimitError');
  deps.events.emit({ type: 'fan-in', fanOut: node.name, fanIn: spec.fanIn ?? '', results });
  if (deps.signal.aborted) return failure('cancelled', 'Cancelled');
  const update = { parallel_results: results };
  return { ok: true, state: mergeState(state, update), update };
}

/** What one branch runs, by mode; a string says why the node cannot run. */
function branchBody(node: NodeSpec, spec: DynamicParallelSpec): Body | string {
  const where = `dynamic_parallel node '${node.name}'`;
  if (spec.mode === null) {
    return spec.modes.length === 0
      ? `${where}: missing branch-body key (one of 'action', 'steps', 'subgraph')`
      : `${where}: conflicting branch-body keys (${spec.modes.join(', ')}); exactly one is allowed`;
  }
  if (spec.mode === 'action') {
    const action = spec.action ?? {};
    if (!action.uses) return `${where}: action requires 'uses'`;
    const call: ActionCall = { uses: action.uses };
    if (action.with) call.with = action.with;
    if (action.output !== undefined) call.output = action.output;
    // TEA Python: the branch's state is what the action returns (not merged into the copied state).
    return { run: (state, ctx) => runBranchAction(node, call, state, ctx), luaFirst: false };
  }
  const steps = (spec.steps ?? []).map((raw, i) => stepSpec(node, raw, i));
  // TEA Python's steps: run in order on a copy of the state, each mapping result merged.
  return {
    run: async (state, ctx) => {
      let current = state;
      for (const step of steps) {
        const run = await runNode(step, current, ctx);
        if (!run.ok) return run;
        current = run.state;
      }
      return { ok: true, state: current };
    },
    luaFirst: steps[0]?.kind === 'lua',
  };
}

async function runBranchAction(
  node: NodeSpec,
  call: ActionCall,
  state: JsonObject,
  ctx: NodeExecContext,
): Promise<{ ok: true; state: JsonObject } | { ok: false; failure: NodeFailure }> {
  const started = ctx.events.now();
  ctx.events.emit({ type: 'node-started', node: node.name, ...ctx.where });
  const outcome = ctx.step()
    ? await callAction(node, call, state, ctx, (name, s) => runNamedNode(name, s, ctx))
    : ({
        ok: false,
        errorType: 'ActionError',
        message: `step limit exceeded at node '${node.name}' (settings.max_iterations)`,
      } as const);
  const ms = round(ctx.events.now() - started);
  if (outcome.ok) {
    ctx.events.emit({ type: 'node-finished', node: node.name, ms, update: outcome.update, ...ctx.where });
    return { ok: true, state: outcome.update };
  }
  const message = ctx.cancelled() ? 'cancelled' : outcome.message;
  const errorType = ctx.cancelled() ? 'Cancelled' : outcome.errorType;
  ctx.events.emit({
    type: 'node-failed',
    node: node.name,
    ms,
    error: message,
    errorType,
    timeout: false,
    ...ctx.where,
  });
  return { ok: false, failure: { node: node.name, message, errorType, timeout: false } };
}

/**
 * Subgraph mode (TEA Python's _create_dynamic_parallel_subgraph_branch): a local workflow file, loaded
 * and validated once per node run, runs per item in the branch's VM from the state its `input`
 * mapping renders (strings are templates over the branch state; nothing else is passed), and its
 * final state is the branch's state. Remote paths (s3://, https://…) need an outside service: refused.
 */
async function subgraphBody(
  node: NodeSpec,
  spec: DynamicParallelSpec,
  deps: DynamicParallelDeps,
): Promise<Body | string> {
  const given = spec.subgraph ?? '';
  const where = `dynamic_parallel node '${node.name}': subgraph '${given}'`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(given) && !given.startsWith('file://')) {
    return `${where} is not a local file; Fanout Studio runs local subgraphs only`;
  }
  let path: string;
  try {
    const ctx = {
      baseDir: deps.baseDir,
      node: node.name,
      runId: deps.runId,
      memory: new Map<string, unknown>(),
    };
    path = await resolveConfined(given, ctx, 'dynamic_parallel');
    const size = (await stat(path)).size;
    if (size > MAX_FILE_BYTES) return `${where} is larger than ${MAX_FILE_BYTES} bytes`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `${where}: ${code === 'ENOENT' ? 'file not found' : (error as Error).message}`;
  }
  const load = await loadWorkflowFile(path);
  const first = [...load.problems, ...validateWorkflow(load, { knownActions: deps.knownActions() })].find(
    (p) => p.severity === 'error',
  );
  if (!load.model || first) {
    return `${where} is not a runnable workflow: ${first ? `${first.line}:${first.col}: ${first.code} ${first.message}` : 'no model'}`;
  }
  const plan = compilePlan(load.model);
  if (plan.fanOuts.size > 0) {
    return `${where} has parallel edges; a dynamic_parallel branch runs a subgraph in its one VM, sequentially`;
  }
  const variables = (load.model.variables ?? {}) as JsonObject;
  const input = spec.input ?? {};
  const head = plan.entry === null ? undefined : plan.nodes.get(plan.entry);
  return {
    run: async (state, ctx) => {
      const failed = (message: string) => ({
        ok: false as const,
        failure: { node: node.name, message, errorType: 'ExecutionError', timeout: false },
      });
      let current: JsonObject = {};
      try {
        for (const [key, value] of Object.entries(input)) {
          current[key] =
            typeof value === 'string' ? renderTemplate(value, { state, variables: ctx.variables }) : value;
        }
      } catch (error) {
        return failed(`${where}: input: ${(error as Error).message}`);
      }
      const subCtx: NodeExecContext = {
        ...ctx,
        variables,
        findNode: (name) => plan.nodes.get(name) ?? findInLoopBodies(plan, name)?.node,
      };
      let name = plan.entry;
      while (name !== null && name !== END) {
        if (ctx.cancelled()) return failed('cancelled');
        const subNode = plan.nodes.get(name);
        if (!subNode) return failed(`${where}: no node named '${name}'`);
        const run = await runNode(subNode, current, subCtx);
        if (!run.ok) return run;
        current = run.state;
        const next = nextNode(plan, name, current, variables, (message) =>
          ctx.events.emit({ type: 'log', level: 'warn', node: name ?? '', message, ...ctx.where }),
        );
        if (!next.ok) return failed(`${where}: ${next.message}`);
        name = next.target;
      }
      return { ok: true, state: current };
    },
    luaFirst: head?.kind === 'lua',
  };
}

/** A step of steps mode as a node: `run:` Lua (or other code), or `uses:` an action. */
function stepSpec(parent: NodeSpec, raw: unknown, index: number): NodeSpec {
  const step = isPlainObject(raw) ? raw : {};
  const name = typeof step['name'] === 'string' ? step['name'] : `step_${index}`;
  const spec: NodeSpec = {
    name,
    span: parent.span,
    nameSpan: parent.nameSpan,
    kind: 'passthrough',
    raw: step,
  };
  const language = typeof step['language'] === 'string' ? step['language'] : undefined;
  if (language !== undefined) spec.language = language;
  if (typeof step['uses'] === 'string') {
    spec.kind = 'action';
    spec.uses = step['uses'];
    if (isPlainObject(step['with'])) spec.with = step['with'];
    if (typeof step['output'] === 'string') spec.output = step['output'];
    else if (isPlainObject(step['output'])) spec.outputMap = step['output'];
  } else if (typeof step['run'] === 'string') {
    spec.run = step['run'];
    const lang = language?.toLowerCase();
    spec.kind =
      lang === undefined || lang === 'lua' || /^\s*--\s?lua\b/.test(spec.run) ? 'lua' : 'other-code';
  } else if (step['run'] !== undefined) {
    spec.kind = 'unsupported';
  }
  if (typeof step['timeout_ms'] === 'number') spec.timeoutMs = step['timeout_ms'];
  return spec;
}

/** `items` rendered against the state: a list (a mapping gives its keys, null none), as TEA iterates it. */
function evaluateItems(node: NodeSpec, state: JsonObject, variables: JsonObject): unknown[] {
  const raw = node.raw['items'];
  let items: unknown;
  try {
    items = typeof raw === 'string' ? renderTemplate(raw, { state, variables }) : raw;
  } catch (error) {
    if (error instanceof ExpressionBudgetError) throw error;
    throw new Error(
      `dynamic_parallel node '${node.name}': failed to evaluate items expression '${String(raw)}': ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (items === null || items === undefined) return [];
  const list = Array.isArray(items) ? items : isPlainObject(items) ? Object.keys(items) : null;
  if (list === null) {
    throw new Error(
      `dynamic_parallel node '${node.name}': items expression must return a list, got ${typeName(items)}`,
    );
  }
  if (list.length > MAX_DYNAMIC_PARALLEL_ITEMS) {
    throw new Error(
      `dynamic_parallel node '${node.name}': ${list.length} items, more than the ${MAX_DYNAMIC_PARALLEL_ITEMS} one node may fan out over`,
    );
  }
  return list;
}

/** max_concurrency as TEA Python resolves it (a template is rendered, then int()); default min(32, items). */
function concurrency(
  node: NodeSpec,
  spec: DynamicParallelSpec,
  state: JsonObject,
  variables: JsonObject,
  count: number,
): number {
  let value: unknown = spec.maxConcurrency;
  if (typeof value === 'string') {
    const rendered = renderTemplate(value, { state, variables });
    // Python's int(): an integer or integer text; anything else means "no limit" there too.
    const text = typeof rendered === 'number' ? String(Math.trunc(rendered)) : String(rendered).trim();
    value = /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
  }
  if (value === undefined) return Math.max(1, Math.min(DEFAULT_CONCURRENCY, count));
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(
      `dynamic_parallel node '${node.name}': max_concurrency must be a positive integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function typeName(value: unknown): string {
  return typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : typeof value;
}

function entry(
  branch: string,
  fields: Pick<DynamicParallelResult, 'success' | 'state' | 'error' | 'error_type' | 'timeout' | 'timing_ms'>,
): DynamicParallelResult {
  return {
    branch,
    ...fields,
    traceback: null,
    retry_count: 0,
    circuit_state: null,
    attempt_errors: [],
    exit_code: null,
  };
}

function skipped(node: NodeSpec, deps: DynamicParallelDeps, branch: string): DynamicParallelResult {
  const result = entry(branch, {
    success: false,
    state: {},
    error: 'Cancelled due to fail_fast',
    error_type: null,
    timeout: false,
    timing_ms: 0,
  });
  deps.events.emit({ type: 'branch-finished', fanOut: node.name, branch, status: 'cancelled', result });
  return result;
}

async function runItem(
  node: NodeSpec,
  spec: DynamicParallelSpec,
  body: Body,
  source: JsonObject,
  item: unknown,
  index: number,
  deps: DynamicParallelDeps,
): Promise<DynamicParallelResult> {
  const branch = `${node.name}[${index}]`;
  const where: Where = { fanOut: node.name, branch };
  const started = deps.events.now();
  const vmId = `${deps.runId}/${node.name}/${index}`;
  deps.trackVm(vmId, where);
  const vm = new BranchVm(deps.pool, vmId, deps.vmLimits, deps.signal);
  const ids = { [spec.itemVar]: item, [spec.indexVar]: index };
  const finish = (status: BranchStatus, fields: Parameters<typeof entry>[1], peak?: number) => {
    const result = entry(branch, fields);
    deps.events.emit({
      type: 'branch-finished',
      fanOut: node.name,
      branch,
      status,
      result,
      ...(peak !== undefined ? { peakHeapBytes: peak } : {}),
    });
    deps.trackVm(vmId, null);
    return result;
  };
  const failed = (f: { message: string; errorType: string; timeout: boolean }, peak?: number) => {
    const cancelled = deps.signal.aborted;
    return finish(
      cancelled ? 'cancelled' : f.timeout ? 'timed-out' : 'failed',
      {
        success: false,
        // TEA Python keeps the item and index of a failed branch.
        state: { ...ids },
        error: cancelled ? 'Cancelled' : f.message,
        // TEA Python leaves error_type unset for these branches; the branch-finished event has the kind.
        error_type: null,
        timeout: f.timeout,
        timing_ms: ms(deps, started),
      },
      peak,
    );
  };
  const start = await startBranch({
    events: deps.events,
    fanOut: node.name,
    branch,
    vm,
    signal: deps.signal,
    luaFirst: body.luaFirst,
  });
  try {
    if (start.failure) return failed(start.failure, vm.close());
    const ctx = deps.branchContext(vm, where, deps.signal);
    const run = await body.run(mergeState(structuredClone(source), ids), ctx);
    if (!run.ok) return failed(run.failure, vm.close());
    const peak = vm.close();
    // TEA Python adds the item and index to the branch's result so the fan-in can tell them apart.
    return finish(
      'succeeded',
      {
        success: true,
        state: { ...run.state, ...ids },
        error: null,
        error_type: null,
        timeout: false,
        timing_ms: ms(deps, started),
      },
      peak,
    );
  } finally {
    vm.close();
    start.release();
  }
}

function ms(deps: DynamicParallelDeps, started: number): number {
  return Math.round(deps.events.now() - started);
}
