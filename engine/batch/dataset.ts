// Datasets: the rows a batch runs, read from a JSONL file, a CSV file or a folder (one row per text
// file). Each row's id is stable across runs (the line a row starts on, or the file's relative path), so
// a resumed batch can tell finished rows from new ones. Every bound is in engine/limits.ts.
import { stat } from 'node:fs/promises';
import type { JsonObject } from '../run/types.ts';

/** One input of a batch. */
export interface DatasetRow {
  /** 1-based position in the dataset (the order rows are listed and written in). */
  row: number;
  /** Stable id: "12" for line 12 of a JSONL or CSV file, "sub/a.txt" for a folder's file. */
  id: string;
  /** Merged into the run's initial state. */
  input: JsonObject;
}

export interface Dataset {
  kind: 'jsonl' | 'csv' | 'folder';
  /** The path as given. */
  source: string;
  rows: DatasetRow[];
  /** Folder datasets: files not used (binary, too large, not UTF-8), by reason. */
  skipped?: { binary: number; tooLarge: number };
}

/** Unusable dataset: the message names the file (and line / column where known). */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

export interface DatasetOptions {
  /** CSV: turn numbers and true/false into JSON numbers and booleans (otherwise every value is a string). */
  csvTypes?: boolean;
}

/** Reads `path` by its kind: a folder, `.csv`, or anything else as JSONL. */
export async function readDataset(path: string, options: DatasetOptions = {}): Promise<Dataset> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new DatasetError(`${path}: cannot read the dataset (${error.code ?? error.message})`);
  });
  if (info.isDirectory()) {
    const { readFolderDataset } = await import('./datasets/folder.ts');
    return readFolderDataset(path);
  }
  if (/\.csv$/i.test(path)) {
    const { readCsvDataset } = await import('./datasets/csv.ts');
    return readCsvDataset(path, options);
  }
  const { readJsonlDataset } = await import('./datasets/jsonl.ts');
  return readJsonlDataset(path);
}
