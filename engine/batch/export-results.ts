// A batch's results as a file to keep: JSONL (the results lines, in dataset order) or CSV (one record
// per row; input and state as JSON text in their cells, so nothing is lost to flattening).
import type { BatchRowResult } from './result-line.ts';

export type ExportFormat = 'jsonl' | 'csv';

const CSV_COLUMNS = [
  'row',
  'id',
  'status',
  'ms',
  'expect',
  'expect_error',
  'error',
  'node',
  'prompt_tokens',
  'completion_tokens',
  'cost_usd',
  'input',
  'state',
] as const;

export function exportResults(results: BatchRowResult[], format: ExportFormat): string {
  const sorted = [...results].sort((a, b) => a.row - b.row);
  if (format === 'jsonl') return sorted.map((r) => JSON.stringify(r) + '\n').join('');
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of sorted) {
    const cells: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      row: r.row,
      id: r.id,
      status: r.status,
      ms: r.ms,
      expect: r.expect,
      expect_error: r.expectError,
      error: r.error,
      node: r.node,
      prompt_tokens: r.llm?.promptTokens,
      completion_tokens: r.llm?.completionTokens,
      cost_usd: r.llm?.costUsd,
      input: JSON.stringify(r.input),
      state: JSON.stringify(r.state),
    };
    lines.push(CSV_COLUMNS.map((c) => csvCell(cells[c])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
