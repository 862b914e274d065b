// CSV datasets (csv-parse: RFC 4180 quoting, BOM): the header row gives the keys, each record is a row
// with string values, or with numbers and booleans parsed when asked (`--csv-types`). A record's id is
// the line it starts on. Errors name file:line.
import { parse } from 'csv-parse/sync';
import { CsvError } from 'csv-parse';
import { MAX_BATCH_ROWS } from '../../limits.ts';
import { DatasetError } from '../dataset.ts';
import type { Dataset, DatasetOptions, DatasetRow } from '../dataset.ts';
import { readDatasetText } from './read-bounded.ts';
import { checkRowCount, rowProblem } from './row-bounds.ts';

export async function readCsvDataset(path: string, options: DatasetOptions = {}): Promise<Dataset> {
  return { kind: 'csv', source: path, rows: parseCsv(await readDatasetText(path), path, options) };
}

interface Parsed {
  record: Record<string, string>;
  info: { lines: number; raw?: string };
}

/** Parses CSV text with a header row; `file` names it in errors. */
export function parseCsv(text: string, file: string, options: DatasetOptions = {}): DatasetRow[] {
  let records: Parsed[];
  try {
    records = parse(text, {
      columns: (header: string[]) => checkHeader(header, file),
      bom: true,
      info: true,
      raw: true,
      skip_empty_lines: true,
      relax_column_count: false,
      // One past the bound, so "more than N rows" is reported rather than a silent cut.
      to: MAX_BATCH_ROWS + 1,
    }) as Parsed[];
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new DatasetError(`${file}${line ? `:${line}` : ''}: ${firstSentence(error.message)}`);
    }
    throw error;
  }
  checkRowCount(records.length, file);
  return records.map(({ record, info }, index) => {
    // info.lines is the record's last line; a quoted value may span lines, so count back from it.
    const startLine = info.lines - countNewlines(info.raw ?? '');
    const where = `${file}:${startLine}`;
    const input = options.csvTypes ? typedRecord(record) : record;
    const problem = rowProblem(input, where);
    if (problem) throw new DatasetError(problem);
    return { row: index + 1, id: String(startLine), input };
  });
}

function checkHeader(header: string[], file: string): string[] {
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name.trim() === '') throw new DatasetError(`${file}:1: column ${i + 1} of the header has no name`);
    if (seen.has(name)) throw new DatasetError(`${file}:1: the header names '${name}' twice`);
    seen.add(name);
  });
  return header;
}

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** "12" -> 12, "-1.5e3" -> -1500, "true"/"false" -> booleans; anything else (and "") stays a string. */
export function typedValue(text: string): string | number | boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (NUMBER.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n)) return n;
  }
  return text;
}

function typedRecord(record: Record<string, string>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(record)) out[key] = typedValue(value);
  return out;
}

function countNewlines(text: string): number {
  let n = 0;
  // The raw text carries the blank lines skipped before the record and its own line end: not its lines.
  for (const ch of text.replace(/^(\r?\n)+/, '').replace(/\r?\n$/, '')) if (ch === '\n') n++;
  return n;
}

function firstSentence(message: string): string {
  return message.replace(/^Invalid /, 'invalid ').split(/\.(\s|$)/)[0]!;
}
