// LocalRunExecutor: rows run on this process's Engine, one warm worker pool shared by every row (and,
// in a host, by its ordinary runs). The workflow is loaded and validated once, not per row.
import { Engine, WorkflowInvalidError } from '../index.ts';
import { loadWorkflow } from '../workflow/load.ts';
import { validateWorkflow } from '../workflow/validate.ts';
import type { LoadResult } from '../workflow/types.ts';
import type { LlmTotals } from '../llm/types.ts';
import type { RunEvent, RunOptions } from '../run/types.ts';
import { rowLlmTotals, rowOutcomeOf } from './executor.ts';
import type { BatchWorkflow, RowLimits, RowOutcome, RowRun, RunExecutor } from './executor.ts';

/** What rows need of an engine: a host's may be narrower than Engine (HostService's is a Pick). */
export type RowEngine = Pick<Engine, 'run'> & Partial<Pick<Engine, 'start' | 'close' | 'service'>>;

export interface LocalExecutorOptions {
  /**
   * The engine to run on (a host's: its warm pool serves rows and ordinary runs alike). Without one, the
   * executor makes its own (`workers` wide) and closes it.
   */
  engine?: RowEngine;
  /** Pool size of the engine it makes (default: the pool's default). */
  workers?: number;
  /** Rows run at once at best with a given engine (default: its pool's size, else 4). */
  capacity?: number;
  limits?: RowLimits;
  /** Local-only run options every row gets: the actions' folder, model-call options (stored keys). */
  runOptions?: Pick<RunOptions, 'baseDir' | 'llm'>;
}

export class LocalRunExecutor implements RunExecutor {
  readonly capacity: number;
  private readonly engine: RowEngine;
  private readonly ownsEngine: boolean;
  private readonly load: LoadResult;
  private readonly limits: RowLimits & Pick<RunOptions, 'baseDir' | 'llm'>;
  private closed = false;

  /** Throws a WorkflowInvalidError (with every error) when the workflow cannot run. */
  constructor(workflow: BatchWorkflow | LoadResult, options: LocalExecutorOptions = {}) {
    this.load = 'text' in workflow ? loadWorkflow(workflow.text, workflow.file) : workflow;
    this.engine = options.engine ?? new Engine(options.workers ? { size: options.workers } : {});
    this.ownsEngine = options.engine === undefined;
    // Without the registry (a host's narrow engine) unknown actions are the engine's to report per row.
    const registry = this.engine.service?.registry;
    const errors = validateWorkflow(this.load, registry ? { knownActions: registry.names() } : {}).filter(
      (p) => p.severity === 'error',
    );
    if (!this.load.model || errors.length > 0) {
      if (this.ownsEngine) void this.engine.close?.();
      throw new WorkflowInvalidError(errors);
    }
    this.limits = { ...options.limits, ...options.runOptions };
    this.capacity = options.capacity ?? this.engine.service?.pool.size ?? 4;
  }

  async start(): Promise<void> {
    await this.engine.start?.();
  }

  async run(row: RowRun): Promise<RowOutcome> {
    if (this.closed) throw new Error('the batch executor is closed');
    if (row.signal.aborted) return { status: 'cancelled', state: {}, error: 'cancelled', ms: 0 };
    let llm: LlmTotals | undefined;
    const onEvent = (event: RunEvent) => {
      if (event.type === 'run-finished' && event.llm) llm = rowLlmTotals(event.llm);
      row.onEvent?.(event);
    };
    const started = performance.now();
    try {
      const handle = this.engine.run(this.load, {
        ...this.limits,
        input: row.input,
        signal: row.signal,
        onEvent,
      });
      return rowOutcomeOf(await handle.result, llm, 'local');
    } catch (error) {
      // A row the engine refuses (input too deep or too large): that row's failure, not the batch's.
      if (error instanceof TypeError) {
        return {
          status: 'failed',
          state: {},
          error: error.message,
          ms: performance.now() - started,
          worker: 'local',
        };
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.ownsEngine) await this.engine.close?.();
  }
}
