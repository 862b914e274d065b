// The batch runner: runs each row not yet done through a RunExecutor, at most `concurrency` at once,
// checks each row's expect, and appends its result before counting it done. Cancelling (the signal)
// stops launching rows and cancels those in flight; a cancelled row is not written, so a resume redoes
// it. Nothing here knows where rows run (executor.ts) or where results go (results-file.ts).
import { setMaxListeners } from 'node:events';
import type { RunEvent } from '../run/types.ts';
import { MAX_BATCH_CONCURRENCY } from '../limits.ts';
import type { DatasetRow } from './dataset.ts';
import type { RunExecutor } from './executor.ts';
import { evaluateExpect } from './expect.ts';
import { rowOk } from './result-line.ts';
import type { BatchRowResult, RowVerdict } from './result-line.ts';
import type { ResultsSink } from './results-file.ts';

export interface BatchRequest {
  rows: DatasetRow[];
  executor: RunExecutor;
  sink: ResultsSink;
  concurrency: number;
  /** Rows already written by an earlier run of this batch (--resume): skipped, counted in the summary. */
  previous?: RowVerdict[];
  expect?: string;
  signal?: AbortSignal;
  /** Each row's result once it is durable. */
  onRow?: (result: BatchRowResult, progress: BatchProgress) => void;
  /** A row's events (for hosts that show a row's run). */
  onRowEvent?: (row: DatasetRow, event: RunEvent) => void;
  /** A row started. */
  onRowStarted?: (row: DatasetRow) => void;
}

export interface BatchProgress {
  /** Rows in the dataset. */
  total: number;
  /** Rows done, including those from an earlier run. */
  done: number;
  /** Rows done by this run (the rate is over these). */
  doneNow: number;
  /** Rows not ok (failed run or failed expect), including earlier ones. */
  failed: number;
  /** ms since this run started. */
  elapsedMs: number;
}

export interface BatchSummary extends BatchProgress {
  succeeded: number;
  /** Runs that did not succeed. */
  runFailed: number;
  expectPassed: number;
  expectFailed: number;
  /** Rows done by an earlier run (--resume). */
  resumed: number;
  /** Rows neither done earlier nor now (cancelled, or the batch stopped). */
  notRun: number;
  cancelled: boolean;
  /** Why the batch stopped early (executor or results file unusable). */
  error?: string;
  /** Rows per second done by this run. */
  rate: number;
}

export async function runBatch(request: BatchRequest): Promise<BatchSummary> {
  const { rows, executor, sink, expect, signal } = request;
  // Reset once the executor is ready: the rate and ETA are of rows, not of starting the pool.
  let started = performance.now();
  const previous = new Map((request.previous ?? []).map((v) => [v.id, v]));
  const counts = {
    succeeded: 0,
    runFailed: 0,
    expectPassed: 0,
    expectFailed: 0,
    failed: 0,
    resumed: 0,
    doneNow: 0,
  };
  const count = (v: Pick<RowVerdict, 'status' | 'expect'>) => {
    if (v.status === 'succeeded') counts.succeeded++;
    else counts.runFailed++;
    if (v.expect === 'pass') counts.expectPassed++;
    if (v.expect === 'fail') counts.expectFailed++;
    if (!rowOk(v)) counts.failed++;
  };
  const todo: DatasetRow[] = [];
  for (const row of rows) {
    const earlier = previous.get(row.id);
    if (earlier) {
      counts.resumed++;
      count(earlier);
    } else todo.push(row);
  }
  const progress = (): BatchProgress => ({
    total: rows.length,
    done: counts.resumed + counts.doneNow,
    doneNow: counts.doneNow,
    failed: counts.failed,
    elapsedMs: performance.now() - started,
  });

  // One controller for every in-flight row: the caller's cancel, or a stop on an executor failure.
  const stop = new AbortController();
  setMaxListeners(MAX_BATCH_CONCURRENCY + 8, stop.signal); // one listener per row in flight
  const onAbort = () => stop.abort();
  if (signal?.aborted) stop.abort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  let error: string | undefined;
  let next = 0;

  const runOne = async (row: DatasetRow): Promise<void> => {
    request.onRowStarted?.(row);
    const onEvent = request.onRowEvent ? (event: RunEvent) => request.onRowEvent!(row, event) : undefined;
    // A signal per row, linked to the batch's and unlinked when the row ends: the engine's listener on
    // it then goes with the row instead of piling up on one signal for the whole batch.
    const rowStop = new AbortController();
    const cancelRow = () => rowStop.abort();
    stop.signal.addEventListener('abort', cancelRow, { once: true });
    let outcome;
    try {
      outcome = await executor.run({
        id: row.id,
        input: row.input,
        signal: rowStop.signal,
        ...(onEvent ? { onEvent } : {}),
      });
    } finally {
      stop.signal.removeEventListener('abort', cancelRow);
    }
    if (stop.signal.aborted && outcome.status === 'cancelled') return; // not written: resume redoes it
    // A failed run has failed already: its (partial) state is not judged.
    const verdict =
      expect === undefined || outcome.status !== 'succeeded'
        ? undefined
        : evaluateExpect(expect, outcome.state, row.input);
    const result: BatchRowResult = {
      row: row.row,
      id: row.id,
      input: row.input,
      status: outcome.status,
      state: outcome.state,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      ...(outcome.node !== undefined ? { node: outcome.node } : {}),
      ms: Math.round(outcome.ms * 10) / 10,
      ...(outcome.llm ? { llm: outcome.llm } : {}),
      ...(verdict ? { expect: verdict.pass ? 'pass' : 'fail' } : {}),
      ...(verdict?.error ? { expectError: verdict.error } : {}),
      ...(outcome.worker ? { worker: outcome.worker } : {}),
    };
    await sink.append(result);
    counts.doneNow++;
    count(result);
    request.onRow?.(result, progress());
  };

  const lane = async (): Promise<void> => {
    while (!stop.signal.aborted && next < todo.length) {
      const row = todo[next++]!;
      try {
        await runOne(row);
      } catch (e) {
        // The executor or the results file cannot go on: stop the batch, keep what is durable.
        error ??= (e as Error).message;
        stop.abort();
      }
    }
  };
  try {
    await executor.start();
    started = performance.now();
    const lanes = Math.max(1, Math.min(request.concurrency, MAX_BATCH_CONCURRENCY, todo.length));
    await Promise.all(Array.from({ length: lanes }, lane));
  } catch (e) {
    error ??= (e as Error).message;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const end = progress();
  return {
    ...end,
    succeeded: counts.succeeded,
    runFailed: counts.runFailed,
    expectPassed: counts.expectPassed,
    expectFailed: counts.expectFailed,
    resumed: counts.resumed,
    notRun: rows.length - end.done,
    cancelled: signal?.aborted ?? false,
    ...(error !== undefined ? { error } : {}),
    rate: end.elapsedMs > 0 ? (counts.doneNow * 1000) / end.elapsedMs : 0,
  };
}
