// RunService: owns the warm worker pool and the action registry a host uses, starts runs and
// cancels them. Hosts (CLI, serve, Electron main) each keep one.
import { randomUUID } from 'node:crypto';
import type { ActionRegistry } from '../actions/registry.ts';
import { sharedRegistry } from '../actions/index.ts';
import type { WorkflowModel } from '../workflow/types.ts';
import { WorkerPool } from './pool.ts';
import type { PoolOptions } from './pool.ts';
import { schedule } from './scheduler.ts';
import type { RunEvent, RunOptions, RunResult } from './types.ts';

export interface RunServiceOptions extends PoolOptions {
  registry?: ActionRegistry;
}

export interface RunHandle {
  runId: string;
  result: Promise<RunResult>;
  cancel(): void;
}

export class RunService {
  readonly pool: WorkerPool;
  readonly registry: ActionRegistry;
  private started: Promise<void> | null = null;
  private readonly active = new Map<string, AbortController>();

  constructor(options: RunServiceOptions = {}) {
    const { registry, ...poolOptions } = options;
    this.pool = new WorkerPool(poolOptions);
    this.registry = registry ?? sharedRegistry;
  }

  /** Pre-starts and warms the workers; runs call it themselves, hosts call it early to hide the cost. */
  start(): Promise<void> {
    this.started ??= this.pool.start();
    return this.started;
  }

  run(model: WorkflowModel, options: RunOptions = {}, onEvent?: (event: RunEvent) => void): RunHandle {
    const runId = randomUUID();
    const controller = new AbortController();
    if (options.signal) {
      if (options.signal.aborted) controller.abort();
      else options.signal.addEventListener('abort', () => controller.abort(), { once: true });
    }
    this.active.set(runId, controller);
    const result = (async () => {
      try {
        await this.start();
        return await schedule(
          { pool: this.pool, registry: this.registry },
          {
            model,
            options: { ...options, signal: controller.signal },
            runId,
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
    const controller = this.active.get(runId);
    controller?.abort();
    return controller !== undefined;
  }

  activeRuns(): string[] {
    return [...this.active.keys()];
  }

  async close(): Promise<void> {
    for (const controller of this.active.values()) controller.abort();
    await this.pool.close();
  }
}
