// One line of a results file: what a row came to. Written as JSON, one object per line.
import type { LlmTotals } from '../llm/types.ts';
import type { JsonObject, RunStatus } from '../run/types.ts';

export interface BatchRowResult {
  /** 1-based position in the dataset. */
  row: number;
  /** The row's stable id (what --resume matches on). */
  id: string;
  input: JsonObject;
  status: RunStatus;
  state: JsonObject;
  error?: string;
  /** The node it failed at. */
  node?: string;
  ms: number;
  /** Model-call totals (tokens, cost), when the run called a model. */
  llm?: LlmTotals;
  /** The expect assertion's verdict, when there is one. */
  expect?: 'pass' | 'fail';
  /** Why the expect failed to evaluate. */
  expectError?: string;
  /** Where the row ran ('local' or a queue worker's id). */
  worker?: string;
}

/** What resume and the summary need of a written row. */
export interface RowVerdict {
  id: string;
  status: RunStatus;
  expect?: 'pass' | 'fail';
}

/** A row is ok when its run succeeded and its expect (if any) passed. */
export function rowOk(verdict: Pick<RowVerdict, 'status' | 'expect'>): boolean {
  return verdict.status === 'succeeded' && verdict.expect !== 'fail';
}
