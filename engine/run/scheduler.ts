// Runs a compiled plan: the main line node by node in one main VM, each fan-out's branches at once
// (each in a fresh VM on a pooled worker once it needs Lua; action-only branches run in the host),
// then the fan-in with `parallel_results`.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { ActionRegistry } from '../actions/registry.ts';
import { END, START } from '../workflow/types.ts';
import type { NodeSpec, WorkflowModel } from '../workflow/types.ts';
import { jsonObjectBoundsProblem } from '../limits.ts';
import { LlmSession } from '../llm/session.ts';
import { RunLimits, callerCeilings } from './ceilings.ts';
import { MainVm, BranchVm } from './vm-hosts.ts';
import { startBranch } from './branch-start.ts';
import { hostBranchSlots } from './branch-slots.ts';
import { PauseGate, checkBreakpoints, findInLoopBodies, startRefusal } from './breakpoints.ts';
import { EventStamper, round } from './events.ts';
import { mergeState } from './merge.ts';
import { runNode } from './node-exec.ts';
import { nextNode } from './route.ts';
import { runDynamicParallel } from './dynamic-parallel.ts';
import type { DynamicParallelDeps } from './dynamic-parallel.ts';
import type { NodeExecContext, NodeFailure } from './node-exec.ts';
import { compilePlan } from './plan.ts';
import type { PlannedFanOut, RunPlan } from './plan.ts';
import type { WorkerPool } from './pool.ts';
import type { RemoteBranchRunner } from './branch-runner.ts';
import type {
  BranchStatus,
  JsonObject,
  ParallelResult,
  RunEvent,
  RunMode,
  RunOptions,
  RunResult,
  RunStatus,
  Where,
} from './types.ts';

export interface SchedulerDeps {
  pool: WorkerPool;
  registry: ActionRegistry;
  /** Queue mode: static fan-out branches run on `fanout worker`s (engine/queue/); absent = here. */
  remoteBranches?: RemoteBranchRunner;
}

export interface ScheduleRequest {
  model: WorkflowModel;
  options: RunOptions;
  onEvent?: (event: RunEvent) => void;
  runId?: string;
  /** Where the run waits at breakpoints; the caller keeps it to resume (RunService.resume). */
  gate?: PauseGate;
}

type Route = { ok: true; target: string } | { ok: false; message: string };
type Failure = { message: string; node?: string };
type Outcome = { state: JsonObject; failure?: Failure };

class Run {
  readonly runId: string;
  readonly events: EventStamper;
  readonly plan: RunPlan;
  private readonly abort = new AbortController();
  private readonly main: MainVm;
  private readonly memory = new Map<string, unknown>();
  private readonly vmWhere = new Map<string, Where>();
  private mainSteps = 0;
  /** Main-line breakpoints that apply (branch and unknown names are dropped with a warning). */
  private readonly pauseBefore: Set<string>;
  private readonly pauseAfter: Set<string>;
  private readonly breakpointWarnings: string[];
  /** Time, memory and step limits: the caller's are ceilings, the file can only lower them. */
  private readonly limits: RunLimits;
  /** Model calls of this run share settings.llm, keys, rate limiters and the cassette. */
  private readonly llm: LlmSession;

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly model: WorkflowModel,
    private readonly options: RunOptions,
    onEvent: (event: RunEvent) => void,
    runId: string,
    private readonly gate: PauseGate,
  ) {
    this.runId = runId;
    this.limits = new RunLimits(model, callerCeilings(options));
    this.llm = new LlmSession({
      settings: model.raw['settings'],
      baseDir: options.baseDir ?? process.cwd(),
      ...(options.llm ? { options: options.llm } : {}),
    });
    // Every branch and pending lease listens to the run's signal; there may be hundreds.
    setMaxListeners(0, this.abort.signal);
    this.events = new EventStamper(runId, onEvent);
    this.plan = compilePlan(model);
    const breakpoints = checkBreakpoints(
      this.plan,
      options.interruptBefore ?? [],
      options.interruptAfter ?? [],
    );
    this.pauseBefore = breakpoints.before;
    this.pauseAfter = breakpoints.after;
    this.breakpointWarnings = breakpoints.warnings;
    this.main = new MainVm(deps.pool, `${runId}/main`, this.vmLimits(), this.abort.signal, (message) =>
      this.events.emit({ type: 'log', level: 'warn', message }),
    );
    this.vmWhere.set(`${runId}/main`, {});
    if (options.signal) {
      if (options.signal.aborted) this.abort.abort();
      else options.signal.addEventListener('abort', () => this.abort.abort(), { once: true });
    }
  }

  private vmLimits() {
    return { memoryBytes: this.limits.memoryBytes };
  }

  private maxSteps(): number {
    return this.limits.maxSteps;
  }

  private context(
    lua: NodeExecContext['lua'],
    where: Where,
    signal: AbortSignal,
    steps: () => boolean,
  ): NodeExecContext {
    const ctx: NodeExecContext = {
      events: this.events,
      registry: this.deps.registry,
      lua,
      where,
      variables: (this.model.variables ?? {}) as JsonObject,
      timeoutFor: (node: NodeSpec) => this.limits.timeoutFor(node),
      whileIterations: (node: NodeSpec) => this.limits.whileIterations(node),
      baseDir: this.options.baseDir ?? process.cwd(),
      memory: this.memory,
      llm: this.llm,
      signal,
      step: steps,
      cancelled: () => signal.aborted,
      findNode: (name: string) => this.plan.nodes.get(name) ?? findInLoopBodies(this.plan, name)?.node,
    };
    // Only the main line fans out over a dynamic_parallel list: a branch may hold a worker already.
    if (where.branch === undefined) {
      ctx.dynamicParallel = (node, state) => runDynamicParallel(node, state, this.dynamicDeps());
    }
    return ctx;
  }

  private dynamicDeps(): DynamicParallelDeps {
    return {
      pool: this.deps.pool,
      events: this.events,
      runId: this.runId,
      vmLimits: this.vmLimits(),
      signal: this.abort.signal,
      variables: (this.model.variables ?? {}) as JsonObject,
      suspendMain: () => this.main.suspend(),
      baseDir: this.options.baseDir ?? process.cwd(),
      knownActions: () => this.deps.registry.names(),
      trackVm: (vmId, where) => {
        if (where) this.vmWhere.set(vmId, where);
        else this.vmWhere.delete(vmId);
      },
      branchContext: (vm, where, signal) => {
        let steps = 0;
        return this.context(vm, where, signal, () => ++steps <= this.maxSteps());
      },
    };
  }

  private mode(): RunMode {
    if (this.options.only !== undefined) return 'node';
    return this.options.startAt !== undefined ? 'from' : 'full';
  }

  async execute(): Promise<RunResult> {
    const mode = this.mode();
    const startAt = mode === 'node' ? this.options.only : mode === 'from' ? this.options.startAt : undefined;
    // "Run from here" and "run this node alone" take the input as the whole state (usually the state
    // recorded before that node), not as an overlay on initial_state.
    const input =
      mode === 'full'
        ? ({ ...(this.model.initialState ?? {}), ...(this.options.input ?? {}) } as JsonObject)
        : { ...(this.options.input ?? {}) };
    this.events.emit({
      type: 'run-started',
      workflow: this.model.name ?? '',
      input,
      workers: this.deps.pool.size,
      mode,
      ...(startAt !== undefined ? { startAt } : {}),
    });
    // A single-node run never pauses, so its breakpoints need no warning either.
    if (mode !== 'node') {
      for (const message of this.breakpointWarnings)
        this.events.emit({ type: 'log', level: 'warn', message });
    }
    for (const message of this.limits.warnings) this.events.emit({ type: 'log', level: 'warn', message });
    const unsubscribe = this.deps.pool.onSample((s) => {
      if (!s.vmId || !s.vmId.startsWith(this.runId)) return;
      const where = this.vmWhere.get(s.vmId) ?? {};
      this.events.emit({
        type: 'memory-sample',
        worker: s.worker,
        rssBytes: s.rssBytes,
        ...(s.luaHeapBytes !== undefined ? { luaHeapBytes: s.luaHeapBytes } : {}),
        ...where,
      });
    });
    let state = input;
    let failure: Failure | undefined;
    try {
      const outcome = await this.launch(mode, state, startAt);
      state = outcome.state;
      failure = outcome.failure;
    } finally {
      unsubscribe();
      // Closing the main VM may have to wait for its worker (busy with another run, or being
      // re-spawned); the result does not depend on it, so it happens after the run is reported.
      void this.main.close();
    }
    const status: RunStatus = this.abort.signal.aborted ? 'cancelled' : failure ? 'failed' : 'succeeded';
    const ms = round(this.events.now());
    const dropped = this.events.logBudget.dropped;
    const ending = {
      status,
      ms,
      state,
      ...(failure ? { error: failure.message } : {}),
      ...(failure?.node ? { node: failure.node } : {}),
      ...(dropped > 0 ? { logsDropped: dropped } : {}),
    };
    this.events.emit({ type: 'run-finished', ...ending });
    return { runId: this.runId, ...ending };
  }

  private async launch(mode: RunMode, state: JsonObject, startAt: string | undefined): Promise<Outcome> {
    if (this.options.only !== undefined && this.options.startAt !== undefined) {
      return { state, failure: { message: 'startAt and only cannot be combined' } };
    }
    return mode === 'node' ? this.runOnly(startAt!, state) : this.mainLoop(state, startAt);
  }

  private async mainLoop(initial: JsonObject, startAt?: string): Promise<Outcome> {
    let state = initial;
    let current = startAt ?? this.plan.entry;
    const ctx = this.mainContext();
    if (startAt !== undefined) {
      const refusal = startRefusal(this.plan, startAt);
      if (refusal) return { state, failure: { message: refusal, node: startAt } };
    } else {
      // TEA Rust accepts a fan-out straight from __start__: the branches get the input state.
      const startFanOut = this.plan.fanOuts.get(START);
      if (startFanOut) {
        const joined = await this.runFanOut(startFanOut, state);
        if (joined.failure) return { state: joined.state, failure: joined.failure };
        state = joined.state;
        current = startFanOut.fanIn;
      }
    }
    while (current && current !== END) {
      if (this.abort.signal.aborted) return { state, failure: { message: 'cancelled', node: current } };
      const node = this.plan.nodes.get(current);
      if (!node) return { state, failure: { message: `no node named '${current}'`, node: current } };
      if (this.pauseBefore.has(current)) {
        const resumed = await this.pause(current, 'before', state);
        if (!resumed) return { state, failure: { message: 'cancelled', node: current } };
        state = resumed;
      }
      const run = await runNode(node, state, ctx);
      if (!run.ok) return { state, failure: describe(run.failure) };
      state = run.state;
      if (this.pauseAfter.has(current)) {
        const resumed = await this.pause(current, 'after', state);
        if (!resumed) return { state, failure: { message: 'cancelled', node: current } };
        state = resumed;
      }
      const fanOut = this.plan.fanOuts.get(current);
      if (fanOut) {
        const joined = await this.runFanOut(fanOut, state);
        if (joined.failure) return { state: joined.state, failure: joined.failure };
        state = joined.state;
        if (!fanOut.fanIn)
          return { state, failure: { message: `fan-out '${current}' has no fan-in node`, node: current } };
        current = fanOut.fanIn;
        continue;
      }
      const next = this.route(current, state);
      if (!next.ok) return { state, failure: { message: next.message, node: current } };
      current = next.target;
    }
    return { state };
  }

  private mainContext(): NodeExecContext {
    return this.context(this.main, {}, this.abort.signal, () => ++this.mainSteps <= this.maxSteps());
  }

  /** "Run this node alone": one node (branch and loop-body nodes too) on the main VM, no routing. */
  private async runOnly(name: string, state: JsonObject): Promise<Outcome> {
    const node = this.plan.nodes.get(name) ?? findInLoopBodies(this.plan, name)?.node;
    if (!node) {
      return {
        state,
        failure: { message: `cannot run '${name}': the workflow has no node named '${name}'`, node: name },
      };
    }
    const run = await runNode(node, state, this.mainContext());
    return run.ok ? { state: run.state } : { state, failure: describe(run.failure) };
  }

  /**
   * Stops at a breakpoint until resume() or cancel. The main VM's worker goes back to the pool
   * meanwhile (the VM and its globals stay resident there, as during a fan-out). Returns the state
   * to continue with, or null when the run was cancelled.
   */
  private async pause(node: string, when: 'before' | 'after', state: JsonObject): Promise<JsonObject | null> {
    this.main.suspend();
    // Wait first, then tell: a listener may resume from inside its 'paused' handler.
    const waiting = this.gate.wait(this.abort.signal);
    this.events.emit({ type: 'paused', node, when, state });
    const resumed = await waiting;
    if (!resumed) return null;
    if (!resumed.edited) {
      this.events.emit({ type: 'resumed', node, when, edited: false });
      return state;
    }
    this.events.emit({ type: 'resumed', node, when, edited: true, state: resumed.state });
    return resumed.state;
  }

  /** First matching route wins (goto rule order); conditions use TEA's Jinja rules. */
  route(name: string, state: JsonObject, where: Where = {}): Route {
    return nextNode(this.plan, name, state, (this.model.variables ?? {}) as JsonObject, (message) =>
      this.events.emit({ type: 'log', level: 'warn', node: name, message, ...where }),
    );
  }

  private async runFanOut(fanOut: PlannedFanOut, state: JsonObject): Promise<Outcome> {
    this.events.emit({
      type: 'fan-out-started',
      fanOut: fanOut.source,
      branches: fanOut.branches,
      fanIn: fanOut.fanIn,
    });
    // The main VM stays open on its worker but frees the worker for branches while they run.
    this.main.suspend();
    const failFast = this.options.failFast ?? this.model.settings.failFast ?? false;
    const remote = this.deps.remoteBranches?.wants(this.model.raw as JsonObject)
      ? this.deps.remoteBranches
      : null;
    const fanOutAbort = new AbortController();
    setMaxListeners(0, fanOutAbort.signal);
    const onRunAbort = () => fanOutAbort.abort();
    this.abort.signal.addEventListener('abort', onRunAbort, { once: true });
    try {
      const results = await Promise.all(
        fanOut.branches.map(async (branch, index) => {
          const result = remote
            ? await this.runRemoteBranch(remote, fanOut, branch, index, state, fanOutAbort.signal)
            : await this.runBranch(fanOut, branch, index, state, fanOutAbort.signal);
          if (!result.success && failFast) fanOutAbort.abort();
          return result;
        }),
      );
      // The one place the host deepens and grows a state by itself: parallel_results holds every
      // branch's whole state. Bounded before it is sent anywhere (events, the fan-in's worker).
      const problem = jsonObjectBoundsProblem(
        { ...state, parallel_results: results },
        `the state after the fan-out of '${fanOut.source}' (with parallel_results)`,
      );
      if (problem) return { state, failure: { message: problem, node: fanOut.source } };
      this.events.emit({ type: 'fan-in', fanOut: fanOut.source, fanIn: fanOut.fanIn ?? '', results });
      if (this.abort.signal.aborted) return { state, failure: { message: 'cancelled', node: fanOut.source } };
      const firstFailure = results.find((r) => !r.success);
      if (failFast && firstFailure) {
        return {
          state: mergeState(state, { parallel_results: results }),
          failure: {
            message: `branch '${firstFailure.branch}' failed and settings.parallel.fail_fast is on: ${firstFailure.error}`,
            node: firstFailure.branch,
          },
        };
      }
      return { state: mergeState(state, { parallel_results: results }) };
    } finally {
      this.abort.signal.removeEventListener('abort', onRunAbort);
    }
  }

  /**
   * One branch as a queue job: the branch's own events stream back confined to it; the host keeps the
   * host branch slot (so a fan-out's width is bounded as locally) and emits branch-finished itself.
   */
  private async runRemoteBranch(
    runner: RemoteBranchRunner,
    fanOut: PlannedFanOut,
    branch: string,
    index: number,
    sourceState: JsonObject,
    signal: AbortSignal,
  ): Promise<ParallelResult> {
    const started = this.events.now();
    const slot = await hostBranchSlots.acquire(signal).catch(() => null);
    const outcome = slot
      ? await runner
          .runBranch(
            {
              runId: this.runId,
              workflow: this.model.raw as JsonObject,
              fanOut: fanOut.source,
              branch,
              index,
              state: sourceState,
              limits: {
                ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
                ...(this.options.memoryBytes !== undefined ? { memoryBytes: this.options.memoryBytes } : {}),
                ...(this.options.maxSteps !== undefined ? { maxSteps: this.options.maxSteps } : {}),
              },
              idempotent: this.plan.nodes.get(branch)?.raw['idempotent'] === true,
            },
            signal,
            (event) => this.events.emit(event),
          )
          .finally(slot)
      : null;
    const result: ParallelResult = outcome
      ? { ...outcome.result, branch, timing_ms: round(this.events.now() - started) }
      : {
          branch,
          success: false,
          state: null,
          error: 'Cancelled',
          error_type: 'Cancelled',
          timeout: false,
          timing_ms: round(this.events.now() - started),
        };
    this.events.emit({
      type: 'branch-finished',
      fanOut: fanOut.source,
      branch,
      status: outcome?.status ?? 'cancelled',
      result,
      ...(outcome?.peakHeapBytes !== undefined ? { peakHeapBytes: outcome.peakHeapBytes } : {}),
      ...(outcome?.remoteWorker !== undefined ? { remoteWorker: outcome.remoteWorker } : {}),
    });
    return result;
  }

  /**
   * Queue worker side: runs one branch of this run's plan alone, as runBranch does within a fan-out
   * (its branch-finished event carries the status; the host re-reports it where the run lives).
   */
  async branchAlone(
    fanOutSource: string,
    branch: string,
    index: number,
    state: JsonObject,
  ): Promise<ParallelResult> {
    const fanOut = this.plan.fanOuts.get(fanOutSource);
    if (!fanOut || !fanOut.branches.includes(branch)) {
      const error = `the workflow has no branch '${branch}' of a fan-out from '${fanOutSource}'`;
      this.events.emit({
        type: 'branch-finished',
        fanOut: fanOutSource,
        branch,
        status: 'failed',
        result: {
          branch,
          success: false,
          state: null,
          error,
          error_type: 'ExecutionError',
          timeout: false,
          timing_ms: 0,
        },
      });
      return {
        branch,
        success: false,
        state: null,
        error,
        error_type: 'ExecutionError',
        timeout: false,
        timing_ms: 0,
      };
    }
    try {
      return await this.runBranch(fanOut, branch, index, state, this.abort.signal);
    } finally {
      void this.main.close();
    }
  }

  private async runBranch(
    fanOut: PlannedFanOut,
    branch: string,
    index: number,
    sourceState: JsonObject,
    signal: AbortSignal,
  ): Promise<ParallelResult> {
    const started = this.events.now();
    const where: Where = { fanOut: fanOut.source, branch };
    const vmId = `${this.runId}/${fanOut.source}/${index}/${branch}`;
    this.vmWhere.set(vmId, where);
    const vm = new BranchVm(this.deps.pool, vmId, this.vmLimits(), signal);
    let steps = 0;
    const ctx = this.context(vm, where, signal, () => ++steps <= this.maxSteps());
    const finish = (
      status: BranchStatus,
      result: Omit<ParallelResult, 'branch' | 'timing_ms'>,
      peak?: number,
    ) => {
      const full: ParallelResult = { branch, ...result, timing_ms: round(this.events.now() - started) };
      this.events.emit({
        type: 'branch-finished',
        fanOut: fanOut.source,
        branch,
        status,
        result: full,
        ...(peak !== undefined ? { peakHeapBytes: peak } : {}),
      });
      this.vmWhere.delete(vmId);
      return full;
    };
    const failed = (f: NodeFailure, peak?: number) =>
      finish(
        signal.aborted ? 'cancelled' : f.timeout ? 'timed-out' : 'failed',
        {
          success: false,
          state: null,
          error: signal.aborted ? 'Cancelled' : f.message,
          error_type: signal.aborted ? 'Cancelled' : f.errorType,
          timeout: f.timeout,
        },
        peak,
      );
    const head = this.plan.nodes.get(branch);
    const luaFirst = head?.kind === 'lua' && !head.dynamicParallel;
    // Each branch works on its own deep copy of the source state.
    let state = structuredClone(sourceState);
    // A Lua head's exec travels with the VM's opening: one round trip per branch, not two. When the
    // branch surely ends after it (its one route, unconditional, leads to the fan-in), the worker
    // closes the VM with that exec too.
    if (luaFirst) {
      const routes = this.plan.routes.get(branch) ?? [];
      const only = routes.length === 1 && routes[0]!.condition === undefined ? routes[0]!.target : null;
      const last = only !== null && (only === fanOut.fanIn || only === END);
      vm.sendFirstExecWithOpen(branch, head.run ?? '', state, this.limits.timeoutFor(head), { last });
    }
    const start = await startBranch({
      events: this.events,
      fanOut: fanOut.source,
      branch,
      vm,
      signal,
      luaFirst,
    });
    try {
      if (start.failure) return failed({ node: branch, ...start.failure }, vm.close());
      let current: string = branch;
      while (current !== fanOut.fanIn && current !== END) {
        const node = this.plan.nodes.get(current);
        if (!node) return failed(nodeFailure(current, `no node named '${current}'`));
        const run = await runNode(node, state, ctx);
        if (!run.ok) return failed(run.failure, vm.close());
        state = run.state;
        const next = this.route(current, state, where);
        if (!next.ok) return failed(nodeFailure(current, next.message), vm.close());
        current = next.target;
      }
      const peak = vm.close();
      return finish(
        'succeeded',
        { success: true, state, error: null, error_type: null, timeout: false },
        peak,
      );
    } finally {
      vm.close();
      start.release();
    }
  }
}

function nodeFailure(node: string, message: string): NodeFailure {
  return { node, message, errorType: 'ExecutionError', timeout: false };
}

function describe(failure: NodeFailure): { message: string; node: string } {
  // Some messages already start with the node ("node 'x': action 'y' is not available…"): name it once.
  const named = failure.message.startsWith(`node '${failure.node}'`);
  return {
    message: named ? failure.message : `node '${failure.node}' failed: ${failure.message}`,
    node: failure.node,
  };
}

/** Queue worker side: one branch of a fan-out alone (engine/queue/worker-jobs.ts). */
export function scheduleBranch(
  deps: SchedulerDeps,
  request: ScheduleRequest & { fanOut: string; branch: string; index: number; state: JsonObject },
): Promise<ParallelResult> {
  const run = new Run(
    deps,
    request.model,
    request.options,
    request.onEvent ?? (() => {}),
    request.runId ?? randomUUID(),
    new PauseGate(),
  );
  return run.branchAlone(request.fanOut, request.branch, request.index, request.state);
}

/** Runs a workflow model to completion. Events are delivered synchronously to `onEvent` as they happen. */
export async function schedule(deps: SchedulerDeps, request: ScheduleRequest): Promise<RunResult> {
  const run = new Run(
    deps,
    request.model,
    request.options,
    request.onEvent ?? (() => {}),
    request.runId ?? randomUUID(),
    request.gate ?? new PauseGate(),
  );
  return run.execute();
}
