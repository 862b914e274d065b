// Folder datasets: one row per text file under the folder, `{path, name, text}`, in path order. Text
// means valid UTF-8 without NUL bytes and at most MAX_BATCH_ROW_BYTES; other files are skipped and
// counted. Dot-files and dot-folders are left out (.git, .DS_Store); symbolic links are not followed,
// so a walk never leaves the folder or loops.
import { readdir, readFile, lstat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { MAX_BATCH_DIR_FILES, MAX_BATCH_ROW_BYTES } from '../../limits.ts';
import { DatasetError } from '../dataset.ts';
import type { Dataset, DatasetRow } from '../dataset.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function readFolderDataset(root: string): Promise<Dataset> {
  const files = await listFiles(root);
  const rows: DatasetRow[] = [];
  const skipped = { binary: 0, tooLarge: 0 };
  for (const file of files) {
    const path = relative(root, file).split(sep).join('/');
    const info = await lstat(file);
    // The row's JSON holds the text plus its path and name; keep the whole row under the bound.
    if (info.size > MAX_BATCH_ROW_BYTES - 2 * path.length - 64) {
      skipped.tooLarge++;
      continue;
    }
    const text = decodeText(await readFile(file));
    if (text === null) {
      skipped.binary++;
      continue;
    }
    const name = path.slice(path.lastIndexOf('/') + 1);
    rows.push({ row: rows.length + 1, id: path, input: { path, name, text } });
  }
  return { kind: 'folder', source: root, rows, skipped };
}

/** The file's text, or null when it is not text (a NUL byte, or not UTF-8). */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    const text = utf8.decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return null;
  }
}

/** Regular files under `root`, sorted by path, breadth-bounded by MAX_BATCH_DIR_FILES. */
async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      throw new DatasetError(
        `${dir}: cannot list the folder (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) {
        out.push(path);
        if (out.length > MAX_BATCH_DIR_FILES) {
          throw new DatasetError(
            `${root}: more than ${MAX_BATCH_DIR_FILES} files (a folder dataset lists at most that many)`,
          );
        }
      }
    }
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
