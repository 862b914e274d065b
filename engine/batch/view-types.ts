// What the app's Batch tab sees of a batch the host runs: types only (the renderer imports this file).
import type { FileEntry, HostResult } from '../host/types.ts';
import type { RunEvent } from '../run/types.ts';

export type BatchRowStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** One row of the live table: small (the full input and state stay on the host). */
export interface BatchRowView {
  row: number;
  id: string;
  status: BatchRowStatus;
  ms?: number;
  expect?: 'pass' | 'fail';
  /** The error, or the expect's evaluation error, in one short line. */
  error?: string;
  /** The final state as one line of JSON, cut to a few hundred characters. */
  excerpt?: string;
  /** Model-call tokens (prompt + completion) and cost, when the run called a model. */
  tokens?: number;
  costUsd?: number;
}

export type BatchPhase = 'running' | 'finished' | 'cancelled' | 'stopped';

export interface BatchStarted {
  batchId: string;
  total: number;
  /** Folder datasets: files not used. */
  skipped?: { binary: number; tooLarge: number };
  /** The expect expression in force (the request's, else the workflow's metadata.fanout.batch.expect). */
  expect?: string;
}

/** The batch now, and the rows that changed after `since` (at most a page: `more` says poll again). */
export interface BatchStatus {
  batchId: string;
  phase: BatchPhase;
  total: number;
  done: number;
  running: number;
  /** Rows not ok (failed run or failed expect). */
  failed: number;
  expectPassed: number;
  expectFailed: number;
  /** Rows per second so far, and the time left at that rate (null before a rate exists). */
  rate: number;
  etaMs: number | null;
  elapsedMs: number;
  /** Why the batch stopped early. */
  error?: string;
  /** Pass as `since` next time. */
  seq: number;
  rows: BatchRowView[];
  more: boolean;
}

/** One row's run for the run view: its events as they were (bounded), or null when not kept. */
export interface BatchRowRun {
  id: string;
  input: Record<string, unknown>;
  events: RunEvent[] | null;
}

/** The batch operations a host offers (both transports); absent on a host without them. */
export interface BatchApi {
  /** Folders and dataset files (.jsonl, .ndjson, .csv) in `dir` (default: the root). */
  list(dir?: string): Promise<HostResult<FileEntry[]>>;
  start(request: BatchStartRequest): Promise<HostResult<BatchStarted>>;
  status(batchId: string, since: number): Promise<HostResult<BatchStatus>>;
  row(batchId: string, rowId: string): Promise<HostResult<BatchRowRun>>;
  cancel(batchId: string): Promise<HostResult<boolean>>;
  /** Writes the results so far; `overwrite: false` (default) answers EXISTS for a taken name. */
  export(
    batchId: string,
    path: string,
    format: 'jsonl' | 'csv',
    overwrite?: boolean,
  ): Promise<HostResult<{ path: string }>>;
}

export interface BatchStartRequest {
  /** The document as edited, and its path (the actions' folder). */
  text: string;
  path?: string;
  /** A .jsonl / .csv file or a folder, as the host lists it. */
  dataset: string;
  concurrency?: number;
  expect?: string;
  csvTypes?: boolean;
}
