// RunService: owns the warm worker pool and the action registry a host uses, starts runs and
// cancels them. Hosts (CLI, serve, Electron main) each keep one.
import { randomUUID } from 'node:crypto';
import type { ActionRegistry } from '../actions/registry.ts';
import { sharedRegistry } from '../actions/index.ts';
import type { WorkflowModel } from '../workflow/types.ts';
import { WorkerPool } from './pool.ts';
import type { PoolOptions } from './pool.ts';
import { schedule } from './scheduler.ts';
import { PauseGate } from './breakpoints.ts';
import { checkResumeState, checkRunRequest } from './run-request.ts';
import type { JsonObject, RunEvent, RunOptions, RunResult } from './types.ts';
import type { RemoteBranchRunner } from './branch-runner.ts';

export interface RunServiceOptions extends PoolOptions {
  registry?: ActionRegistry;
  /** Queue mode: run static fan-out branches on `fanout worker`s (engine/queue/remote-branches.ts). */
  remoteBranches?: RemoteBranchRunner;
}

export interface RunHandle {
  runId: string;
  result: Promise<RunResult>;
  cancel(): void;
}

export class RunService {
  readonly pool: WorkerPool;
  readonly registry: ActionRegistry;
  private readonly remoteBranches: RemoteBranchRunner | undefined;
  private started: Promise<void> | null = null;
  private readonly active = new Map<string, { controller: AbortController; gate: PauseGate }>();

  constructor(options: RunServiceOptions = {}) {
    const { registry, remoteBranches, ...poolOptions } = options;
    this.pool = new WorkerPool(poolOptions);
    this.remoteBranches = remoteBranches;
    this.registry = registry ?? sharedRegistry;
  }

  /** Pre-starts and warms every worker; hosts call it early to hide the cost (runs start workers lazily). */
  start(): Promise<void> {
    this.started ??= this.pool.start();
    return this.started;
  }

  /** Starts a run; throws a RunRequestError (before anything starts) when `options` are unusable. */
  run(model: WorkflowModel, options: RunOptions = {}, onEvent?: (event: RunEvent) => void): RunHandle {
    checkRunRequest(options);
    const runId = randomUUID();
    const controller = new AbortController();
    if (options.signal) {
      if (options.signal.aborted) controller.abort();
      else options.signal.addEventListener('abort', () => controller.abort(), { once: true });
    }
    const gate = new PauseGate();
    this.active.set(runId, { controller, gate });
    const result = (async () => {
      try {
        // No waiting for the whole pool: each lease goes to the first worker that is ready.
        return await schedule(
          {
            pool: this.pool,
            registry: this.registry,
            ...(this.remoteBranches ? { remoteBranches: this.remoteBranches } : {}),
          },
          {
            model,
            options: { ...options, signal: controller.signal },
            runId,
            gate,
            ...(onEvent ? { onEvent } : {}),
          },
        );
      } finally {
        this.active.delete(runId);
      }
    })();
    return { runId, result, cancel: () => controller.abort() };
  }

  cancel(runId: string): boolean {
    const run = this.active.get(runId);
    run?.controller.abort();
    return run !== undefined;
  }

  /**
   * Continues a run paused at a breakpoint, with `state` replacing the run's state when given.
   * False when the run is unknown, finished or not paused. Throws a RunRequestError (a TypeError) when
   * `state` is not a plain JSON object within the state bounds (depth, size).
   */
  resume(runId: string, state?: JsonObject): boolean {
    if (state !== undefined) checkResumeState(state);
    return this.active.get(runId)?.gate.resume(state) ?? false;
  }

  /** True while the run waits at a breakpoint. */
  isPaused(runId: string): boolean {
    return this.active.get(runId)?.gate.paused ?? false;
  }

  activeRuns(): string[] {
    return [...this.active.keys()];
  }

  async close(): Promise<void> {
    for (const { controller } of this.active.values()) controller.abort();
    await this.pool.close();
  }
}
