// JSONL datasets: one JSON object per line; blank lines are skipped (the next row keeps its own line
// number as id). A line that is not a JSON object is an error naming file:line.
import { MAX_BATCH_ROW_BYTES } from '../../limits.ts';
import { DatasetError } from '../dataset.ts';
import type { Dataset, DatasetRow } from '../dataset.ts';
import { readDatasetText } from './read-bounded.ts';
import { checkRowCount, rowProblem } from './row-bounds.ts';

export async function readJsonlDataset(path: string): Promise<Dataset> {
  return { kind: 'jsonl', source: path, rows: parseJsonl(await readDatasetText(path), path) };
}

/** Parses JSONL text; `file` names it in errors. */
export function parseJsonl(text: string, file: string): DatasetRow[] {
  const rows: DatasetRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line.trim() === '') continue;
    const where = `${file}:${i + 1}`;
    if (line.length > MAX_BATCH_ROW_BYTES) {
      throw new DatasetError(`${where}: the line is longer than ${MAX_BATCH_ROW_BYTES} characters`);
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DatasetError(`${where}: not JSON (${(error as Error).message})`);
    }
    const problem = rowProblem(value, where);
    if (problem) throw new DatasetError(problem);
    checkRowCount(rows.length + 1, file);
    rows.push({ row: rows.length + 1, id: String(i + 1), input: value as DatasetRow['input'] });
  }
  return rows;
}
