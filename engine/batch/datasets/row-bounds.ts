// One bound check for every reader: a row is a plain JSON object within the row bounds.
import {
  jsonObjectBoundsProblem,
  MAX_BATCH_ROW_BYTES,
  MAX_BATCH_ROWS,
  MAX_VALUE_DEPTH,
} from '../../limits.ts';
import { DatasetError } from '../dataset.ts';

const ROW_BOUNDS = { maxDepth: MAX_VALUE_DEPTH, maxBytes: MAX_BATCH_ROW_BYTES };

/** Null when `value` can be a row, else why not (`where` names the file and line). */
export function rowProblem(value: unknown, where: string): string | null {
  const problem = jsonObjectBoundsProblem(value, 'the row', ROW_BOUNDS);
  return problem ? `${where}: ${problem}` : null;
}

/** Throws when one more row would pass MAX_BATCH_ROWS. */
export function checkRowCount(count: number, source: string): void {
  if (count > MAX_BATCH_ROWS) {
    throw new DatasetError(`${source}: more than ${MAX_BATCH_ROWS} rows (a batch runs at most that many)`);
  }
}
