// RunExecutor: the port a batch runs its rows through — one input in, one run's outcome out.
// The batch runner (rows, concurrency, results file, resume, expect) knows nothing of where a row runs:
// LocalRunExecutor runs it on this process's Engine (one warm pool shared by every row); a queue
// executor (engine/queue/) sends it as a job to workers on other machines. Both honour the same contract.
// Type-only module (no runtime imports): hosts and the renderer's types may import it.
import type { LlmTotals } from '../llm/types.ts';
import type { JsonObject, RunEvent, RunResult, RunStatus } from '../run/types.ts';

/** The workflow a batch runs, as its text: what a remote executor ships to its workers. */
export interface BatchWorkflow {
  /** The YAML text exactly as read. */
  text: string;
  /** Its path, for messages and as the actions' base folder (file.read …); absent for an unsaved text. */
  file?: string;
}

/** Caller ceilings applied to every row's run (the file can only lower them, as in `fanout run`). */
export interface RowLimits {
  /** Most Lua time per node execution in ms. */
  timeoutMs?: number;
  /** Most Lua heap per VM in bytes. */
  memoryBytes?: number;
  /** Most node executions per run. */
  maxSteps?: number;
  /** Overrides `settings.parallel.fail_fast`. */
  failFast?: boolean;
}

/** One row to run. */
export interface RowRun {
  /** The row's stable id ("12" = line 12 of a JSONL/CSV file, a relative path for a folder). */
  id: string;
  /** Merged over the workflow's `initial_state`, input winning (TEA's `--input`). */
  input: JsonObject;
  /** Aborted when the batch is cancelled: the run stops and resolves with status 'cancelled'. */
  signal: AbortSignal;
  /**
   * The row's RunEvents, for hosts that show a row's run. Optional for an executor to honour: a
   * remote one may deliver none (the row's outcome is what the batch needs).
   */
  onEvent?: (event: RunEvent) => void;
}

/** What one row's run came to. Every value is bounded by the engine (state within STATE_BOUNDS). */
export interface RowOutcome {
  status: RunStatus;
  /** The final state ({} when the run never started). */
  state: JsonObject;
  /** Why it failed or was cancelled (secrets never included: the engine's errors are scrubbed). */
  error?: string;
  /** The node it failed at. */
  node?: string;
  /** Wall time of the run, in ms. */
  ms: number;
  /** Model-call totals (tokens, cost); absent when the run called no model. */
  llm?: LlmTotals;
  /** Where it ran: 'local', or a queue worker's id. */
  worker?: string;
}

/** The totals a row keeps from a run's `run-finished.llm` (not its per-node and per-branch maps). */
export function rowLlmTotals(totals: LlmTotals): LlmTotals {
  const { calls, failedCalls, promptTokens, completionTokens, costUsd } = totals;
  return { calls, failedCalls, promptTokens, completionTokens, costUsd };
}

/** A finished run as a row's outcome, the same from every executor. */
export function rowOutcomeOf(result: RunResult, llm: LlmTotals | undefined, worker: string): RowOutcome {
  return {
    status: result.status,
    state: result.state,
    ...(result.error !== undefined ? { error: result.error } : {}),
    ...(result.node !== undefined ? { node: result.node } : {}),
    ms: result.ms,
    ...(llm ? { llm } : {}),
    worker,
  };
}

/**
 * Runs rows of one workflow. `run` resolves for anything the run itself does (failed, timed out,
 * cancelled through `signal`: all are outcomes). It rejects only when the executor cannot run rows at
 * all (closed, its queue unreachable): the batch then stops launching and does not write that row, so
 * a resume redoes it. `run` may be called `capacity` times at once, or more (extra rows wait).
 */
export interface RunExecutor {
  /** How many rows it runs at once at best: the batch's default concurrency. */
  readonly capacity: number;
  /** Prepares (warm pool, connection) before the first row; rows call it themselves otherwise. */
  start(): Promise<void>;
  run(row: RowRun): Promise<RowOutcome>;
  /** Stops in-flight rows and frees what the executor owns. */
  close(): Promise<void>;
}
