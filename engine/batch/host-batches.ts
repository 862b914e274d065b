// The app's batches: a host (serve, Electron main) starts a batch for a window, the Batch tab polls its
// status (rows changed since a cursor, a page at a time), opens a row's run from the events kept for
// it, cancels it and exports its results. Rows run through LocalRunExecutor on the host's engine, so
// they share its warm pool with ordinary runs. Full results go to a results file in the host's temp
// folder (what export reads); memory holds the table's small row views and the rows' events, bounded
// (limits.ts, "Batch runs").
// Opening a row shows the events it really produced (not a re-run: a model call would answer
// differently and cost again); a row whose events were not kept says so and the tab offers a re-run.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BATCH_EXCERPT_CHARS,
  MAX_BATCH_CONCURRENCY,
  MAX_BATCH_EVENT_BYTES,
  MAX_BATCH_ROW_EVENTS,
  MAX_BATCH_STATUS_ROWS,
  MAX_KEPT_BATCHES,
  truncateText,
} from '../limits.ts';
import type { RunEvent, RunOptions } from '../run/types.ts';
import type { LoadResult } from '../workflow/types.ts';
import { DatasetError, readDataset } from './dataset.ts';
import type { DatasetRow } from './dataset.ts';
import { expectProblem, workflowExpect } from './expect.ts';
import { exportResults, type ExportFormat } from './export-results.ts';
import { LocalRunExecutor, type RowEngine } from './local-executor.ts';
import type { BatchRowResult } from './result-line.ts';
import { ResultsFile } from './results-file.ts';
import { runBatch, type BatchSummary } from './runner.ts';
import type { BatchPhase, BatchRowRun, BatchRowView, BatchStarted, BatchStatus } from './view-types.ts';

/** A batch request the host refuses: BAD_REQUEST (bad dataset, expect) or NOT_FOUND (unknown batch). */
export class BatchError extends Error {
  constructor(
    readonly code: 'BAD_REQUEST' | 'NOT_FOUND',
    message: string,
  ) {
    super(message);
    this.name = 'BatchError';
  }
}

export interface StartBatch {
  /** The workflow as edited (loaded by the host, path confined). */
  load: LoadResult;
  /** The dataset's absolute path (confined by the host) and the path the user sees. */
  dataset: string;
  datasetShown: string;
  concurrency?: number;
  expect?: string;
  csvTypes?: boolean;
  /** Every row's actions folder and model-call options (stored keys). */
  runOptions: Pick<RunOptions, 'baseDir' | 'llm'>;
}

interface KeptEvents {
  events: RunEvent[];
  bytes: number;
  /** Over the per-row bound: dropped, and nothing more is kept for the row. */
  dropped: boolean;
}

class Batch {
  readonly views: BatchRowView[];
  readonly index = new Map<string, number>();
  /** Row indexes in the order they changed: `seq` is a position in it. */
  readonly changes: number[];
  readonly events = new Map<number, KeptEvents>();
  /** Rows whose events are complete, oldest first: what the byte budget drops first. */
  readonly finishedOrder: number[] = [];
  eventBytes = 0;
  running = 0;
  phase: BatchPhase = 'running';
  summary: BatchSummary | null = null;
  /** Why the batch could not go on (a failure outside any row). */
  error?: string;
  progress = { done: 0, failed: 0, expectPassed: 0, expectFailed: 0 };
  readonly started = performance.now();
  readonly controller = new AbortController();
  ended: Promise<void> = Promise.resolve();

  constructor(
    readonly id: string,
    readonly rows: DatasetRow[],
    readonly resultsPath: string,
  ) {
    this.views = rows.map((r) => ({ row: r.row, id: r.id, status: 'queued' }));
    rows.forEach((r, i) => this.index.set(r.id, i));
    this.changes = rows.map((_, i) => i);
  }

  touch(index: number): void {
    this.changes.push(index);
  }
}

export class BatchHost {
  private readonly batches = new Map<string, Batch>();

  constructor(
    private readonly engine: RowEngine,
    /** Rows at once by default: the host's pool size. */
    private readonly capacity: number,
    /** Where results files go (created on first use, removed with the batches). */
    private readonly tempDir: string,
  ) {}

  /** Reads the dataset, checks expect and the workflow, and starts. Throws BatchError / WorkflowInvalidError. */
  async start(request: StartBatch): Promise<BatchStarted> {
    const expect = request.expect?.trim()
      ? request.expect
      : request.load.model
        ? workflowExpect(request.load.model)
        : undefined;
    const problem = expect === undefined ? null : expectProblem(expect);
    if (problem) throw new BatchError('BAD_REQUEST', problem);
    let dataset;
    try {
      dataset = await readDataset(request.dataset, { csvTypes: request.csvTypes === true });
    } catch (error) {
      if (error instanceof DatasetError) {
        // Name the file as the user knows it, never the host's absolute path.
        throw new BatchError('BAD_REQUEST', error.message.split(request.dataset).join(request.datasetShown));
      }
      throw error;
    }
    if (dataset.rows.length === 0)
      throw new BatchError('BAD_REQUEST', `${request.datasetShown}: the dataset has no rows`);
    const executor = new LocalRunExecutor(request.load, {
      engine: this.engine,
      capacity: this.capacity,
      runOptions: request.runOptions,
    });
    await mkdir(this.tempDir, { recursive: true, mode: 0o700 });
    const id = randomUUID();
    const batch = new Batch(id, dataset.rows, join(this.tempDir, `batch-${id}.jsonl`));
    const { file } = await ResultsFile.open(batch.resultsPath, false);
    this.keep(batch);
    const concurrency = Math.min(MAX_BATCH_CONCURRENCY, request.concurrency ?? executor.capacity);
    batch.ended = runBatch({
      rows: dataset.rows,
      executor,
      sink: file,
      concurrency,
      ...(expect !== undefined ? { expect } : {}),
      signal: batch.controller.signal,
      onRowStarted: (row) => this.rowStarted(batch, row),
      onRowEvent: (row, event) => this.rowEvent(batch, row, event),
      onRow: (result, progress) => this.rowFinished(batch, result, progress.done, progress.failed),
    })
      .then((summary) => {
        batch.summary = summary;
        batch.phase = summary.cancelled ? 'cancelled' : summary.error ? 'stopped' : 'finished';
        // Rows cancelled in flight go back to queued: they were not run (a resume would run them).
        batch.views.forEach((v, i) => {
          if (v.status === 'running') {
            batch.views[i] = { row: v.row, id: v.id, status: 'queued' };
            batch.touch(i);
          }
        });
        batch.running = 0;
      })
      .catch((error: Error) => {
        batch.phase = 'stopped';
        batch.error = error.message;
      })
      .finally(() => Promise.all([file.close(), executor.close()]).then(() => undefined));
    return {
      batchId: id,
      total: dataset.rows.length,
      ...(dataset.skipped ? { skipped: dataset.skipped } : {}),
      ...(expect !== undefined ? { expect } : {}),
    };
  }

  status(batchId: string, since: number): BatchStatus {
    const batch = this.get(batchId);
    const from = Math.max(0, Math.min(since, batch.changes.length));
    const to = Math.min(batch.changes.length, from + MAX_BATCH_STATUS_ROWS);
    const seen = new Set<number>();
    const rows: BatchRowView[] = [];
    for (let i = from; i < to; i++) {
      const index = batch.changes[i]!;
      if (!seen.has(index)) {
        seen.add(index);
        rows.push(batch.views[index]!);
      }
    }
    const elapsedMs = batch.summary?.elapsedMs ?? performance.now() - batch.started;
    const rate = elapsedMs > 0 ? (batch.progress.done * 1000) / elapsedMs : 0;
    const left = batch.rows.length - batch.progress.done;
    const error = batch.summary?.error ?? batch.error;
    return {
      batchId,
      phase: batch.phase,
      total: batch.rows.length,
      done: batch.progress.done,
      running: batch.running,
      failed: batch.progress.failed,
      expectPassed: batch.progress.expectPassed,
      expectFailed: batch.progress.expectFailed,
      rate,
      etaMs: batch.phase === 'running' && rate > 0 ? (left / rate) * 1000 : null,
      elapsedMs,
      ...(error !== undefined ? { error } : {}),
      seq: to,
      rows,
      more: to < batch.changes.length,
    };
  }

  /** The row's input and kept events (null when they were not kept or the row has not finished). */
  row(batchId: string, rowId: string): BatchRowRun {
    const batch = this.get(batchId);
    const index = batch.index.get(rowId);
    if (index === undefined)
      throw new BatchError('NOT_FOUND', `the batch has no row '${truncateText(rowId, 80)}'`);
    const kept = batch.events.get(index);
    const view = batch.views[index]!;
    const complete = kept && !kept.dropped && (view.status === 'succeeded' || view.status === 'failed');
    return { id: rowId, input: batch.rows[index]!.input, events: complete ? kept.events : null };
  }

  cancel(batchId: string): boolean {
    const batch = this.get(batchId);
    if (batch.phase !== 'running') return false;
    batch.controller.abort();
    return true;
  }

  /** The batch's results so far as JSONL or CSV text, in dataset order. */
  async exportText(batchId: string, format: ExportFormat): Promise<string> {
    const batch = this.get(batchId);
    const text = await readFile(batch.resultsPath, 'utf8').catch(() => '');
    // Only whole lines: a write may be under way at the end.
    const lines = text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((l) => l !== '');
    return exportResults(
      lines.map((l) => JSON.parse(l) as BatchRowResult),
      format,
    );
  }

  /** Cancels every batch and removes the results files (host shutdown). */
  async closeAll(): Promise<void> {
    const all = [...this.batches.values()];
    for (const batch of all) batch.controller.abort();
    await Promise.all(all.map((b) => b.ended));
    await Promise.all(all.map((b) => rm(b.resultsPath, { force: true })));
    this.batches.clear();
  }

  private get(batchId: string): Batch {
    const batch = this.batches.get(batchId);
    if (!batch)
      throw new BatchError('NOT_FOUND', 'no such batch (it ended and was dropped, or the host restarted)');
    return batch;
  }

  /** Keeps the batch; past MAX_KEPT_BATCHES the oldest that has ended is dropped with its results. */
  private keep(batch: Batch): void {
    this.batches.set(batch.id, batch);
    if (this.batches.size <= MAX_KEPT_BATCHES) return;
    for (const [id, old] of this.batches) {
      if (old.phase !== 'running') {
        this.batches.delete(id);
        void rm(old.resultsPath, { force: true });
        return;
      }
    }
  }

  private rowStarted(batch: Batch, row: DatasetRow): void {
    const index = batch.index.get(row.id)!;
    batch.views[index] = { row: row.row, id: row.id, status: 'running' };
    batch.running++;
    batch.touch(index);
  }

  private rowEvent(batch: Batch, row: DatasetRow, event: RunEvent): void {
    const index = batch.index.get(row.id)!;
    let kept = batch.events.get(index);
    if (!kept) batch.events.set(index, (kept = { events: [], bytes: 0, dropped: false }));
    if (kept.dropped) return;
    if (kept.events.length >= MAX_BATCH_ROW_EVENTS) {
      batch.eventBytes -= kept.bytes;
      batch.events.set(index, { events: [], bytes: 0, dropped: true });
      return;
    }
    const bytes = JSON.stringify(event).length;
    kept.events.push(event);
    kept.bytes += bytes;
    batch.eventBytes += bytes;
    if (batch.eventBytes > MAX_BATCH_EVENT_BYTES) this.dropOldEvents(batch);
  }

  /** Frees event bytes: finished rows' events, the oldest succeeded first, then the oldest failed. */
  private dropOldEvents(batch: Batch): void {
    for (const wanted of ['succeeded', 'failed'] as const) {
      for (let i = 0; i < batch.finishedOrder.length && batch.eventBytes > MAX_BATCH_EVENT_BYTES * 0.9; i++) {
        const index = batch.finishedOrder[i]!;
        const kept = batch.events.get(index);
        if (!kept || kept.dropped || batch.views[index]!.status !== wanted) continue;
        batch.eventBytes -= kept.bytes;
        batch.events.set(index, { events: [], bytes: 0, dropped: true });
      }
    }
  }

  private rowFinished(batch: Batch, result: BatchRowResult, done: number, failed: number): void {
    const index = batch.index.get(result.id)!;
    const tokens = result.llm ? result.llm.promptTokens + result.llm.completionTokens : undefined;
    const error = result.error ?? result.expectError;
    batch.views[index] = {
      row: result.row,
      id: result.id,
      status: result.status === 'succeeded' ? 'succeeded' : 'failed',
      ms: result.ms,
      ...(result.expect ? { expect: result.expect } : {}),
      ...(error ? { error: short(error.split('\n')[0]!) } : {}),
      excerpt: short(JSON.stringify(result.state)),
      ...(tokens !== undefined ? { tokens, costUsd: result.llm!.costUsd } : {}),
    };
    batch.running = Math.max(0, batch.running - 1);
    batch.progress.done = done;
    batch.progress.failed = failed;
    if (result.expect === 'pass') batch.progress.expectPassed++;
    if (result.expect === 'fail') batch.progress.expectFailed++;
    batch.finishedOrder.push(index);
    batch.touch(index);
  }
}

/** A table cell's text: cut with an ellipsis (the whole value is in the results and the run view). */
function short(text: string): string {
  return text.length > BATCH_EXCERPT_CHARS ? `${text.slice(0, BATCH_EXCERPT_CHARS - 1)}…` : text;
}
