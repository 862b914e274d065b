// File operations of the serve API, all confined to the root folder (paths.ts).
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import type { FileEntry, OpenedFile, SavedFile } from '../host/types.ts';
import { writeFileAtomic } from '../cli/export.ts';
import { HostFailure } from './errors.ts';
import { isInside, resolveInRoot } from './paths.ts';

/** Largest file `open` returns and `save` writes; the request body limit is the same. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

function join(rel: string, name: string): string {
  return rel === '' ? name : `${rel}/${name}`;
}

/**
 * Entries of a folder, folders first, by name. Dot files are hidden (editor temp files, .git), and so
 * are symlinks whose target is outside the root or missing.
 */
export async function listFiles(root: string, dir = ''): Promise<FileEntry[]> {
  const folder = await resolveInRoot(root, dir);
  let names: string[];
  try {
    names = await readdir(folder.abs);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new HostFailure('BAD_REQUEST', `'${folder.rel}' is not a folder`);
    }
    throw error;
  }
  const entries: FileEntry[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const abs = `${folder.abs}/${name}`;
    try {
      if (!isInside(root, await realpath(abs))) continue;
      const info = await stat(abs);
      const path = join(folder.rel, name);
      if (info.isDirectory()) entries.push({ path, name, kind: 'dir', mtimeMs: info.mtimeMs });
      else if (info.isFile())
        entries.push({ path, name, kind: 'file', size: info.size, mtimeMs: info.mtimeMs });
    } catch {
      // Vanished or dangling since readdir: not listed.
    }
  }
  return entries.sort((a, b) =>
    a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1,
  );
}

export async function openFile(root: string, path: string): Promise<OpenedFile> {
  const file = await resolveInRoot(root, path);
  const info = await stat(file.abs);
  if (!info.isFile()) throw new HostFailure('BAD_REQUEST', `'${file.rel}' is not a file`);
  if (info.size > MAX_FILE_BYTES) {
    throw new HostFailure('TOO_LARGE', `'${file.rel}' is larger than ${MAX_FILE_BYTES} bytes`);
  }
  const text = await readFile(file.abs, 'utf8');
  return { path: file.rel, text, mtimeMs: info.mtimeMs };
}

/**
 * Writes atomically (temp file in the same folder, fsync, rename). With `expectedMtimeMs`, a file whose
 * modification time differs (changed on disk since it was opened) is a CONFLICT and is left alone.
 */
export async function saveFile(
  root: string,
  path: string,
  text: string,
  expectedMtimeMs?: number,
): Promise<SavedFile> {
  if (Buffer.byteLength(text, 'utf8') > MAX_FILE_BYTES) {
    throw new HostFailure('TOO_LARGE', `the text is larger than ${MAX_FILE_BYTES} bytes`);
  }
  const file = await resolveInRoot(root, path, { allowMissing: true });
  const before = await stat(file.abs).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (before && !before.isFile()) throw new HostFailure('BAD_REQUEST', `'${file.rel}' is not a file`);
  if (expectedMtimeMs !== undefined) {
    if (!before) throw new HostFailure('CONFLICT', `'${file.rel}' was deleted since it was opened`);
    if (before.mtimeMs !== expectedMtimeMs) {
      throw new HostFailure('CONFLICT', `'${file.rel}' changed on disk since it was opened`);
    }
  }
  await writeFileAtomic(file.abs, text);
  const after = await stat(file.abs);
  return { path: file.rel, mtimeMs: after.mtimeMs };
}
