// The one atomic file write every save path uses (hosts, CLI export, the file.write action): write a
// temp file in the same folder, fsync it, rename it over the target, then fsync the folder. Readers and
// a crash never see a partial file; the temp file is removed on any failure.
//
// The target keeps what a rename would lose: its permission bits and (when we are root) its owner. A
// file with other hard links is rewritten in place, so every link sees the new text; the complete new
// text is first made durable in a journal file beside it, which the start-up sweep (temp-files.ts)
// replays if the process dies mid-write.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Temp files are `.<name>.fanout-<pid>-<rand>.tmp`; a journal of an in-place write ends in `.redo`. */
export const TEMP_PATTERN = /^\.(.+)\.fanout-(\d+)-[0-9a-f]+\.(tmp|redo)$/;

export function tempNameFor(target: string, kind: 'tmp' | 'redo' = 'tmp'): string {
  const suffix = `fanout-${process.pid}-${randomBytes(6).toString('hex')}.${kind}`;
  return join(dirname(target), `.${basename(target)}.${suffix}`);
}

export interface AtomicWriteOptions {
  /** Create missing parent folders. */
  mkdirs?: boolean;
  /** Permission bits of a new file (default 0o666, minus the umask). An existing file keeps its own. */
  mode?: number;
}

export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(target);
  if (options.mkdirs) await mkdir(dir, { recursive: true });
  const before = await stat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (before?.isFile() && before.nlink > 1) return writeInPlace(target, bytes, before);

  const temp = tempNameFor(target);
  try {
    await writeDurably(temp, bytes, before, options.mode);
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncFolder(dir);
}

/** Writes `bytes` to a new file `path`, with the mode (and owner) of `like` when given, and fsyncs. */
async function writeDurably(
  path: string,
  bytes: Uint8Array,
  like: Stats | null,
  mode = 0o666,
): Promise<void> {
  const handle = await open(path, 'wx', like ? 0o600 : mode);
  try {
    if (like) await copyOwnershipAndMode(handle, like);
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function copyOwnershipAndMode(handle: FileHandle, like: Stats): Promise<void> {
  // Only root may give a file away; chown first, as it can clear set-id bits that chmod then restores.
  if (process.getuid?.() === 0) await handle.chown(like.uid, like.gid);
  // chmod is exact (the umask applies only when a file is created).
  await handle.chmod(like.mode & 0o7777);
}

/**
 * Hard-linked target: a rename would detach this name from the others. The journal (complete, fsynced,
 * then renamed to its `.redo` name so its presence means "complete") survives a crash in the middle of
 * the in-place write; the start-up sweep copies it over the target again.
 */
async function writeInPlace(target: string, bytes: Uint8Array, before: Stats): Promise<void> {
  const staging = tempNameFor(target);
  const journal = tempNameFor(target, 'redo');
  try {
    await writeDurably(staging, bytes, before);
    await rename(staging, journal);
    await syncFolder(dirname(target));
  } catch (error) {
    await unlink(staging).catch(() => undefined);
    throw error;
  }
  await overwrite(target, bytes);
  await unlink(journal);
  await syncFolder(dirname(target));
}

/** Replaces the contents of an existing file in place (same inode, mode and owner) and fsyncs it. */
export async function overwrite(target: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(target, 'r+');
  try {
    await handle.truncate(0);
    await handle.writeFile(bytes); // from position 0: the handle was just opened
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Persists renames in `dir`; not every platform allows fsync on a folder, so best effort. */
async function syncFolder(dir: string): Promise<void> {
  const folder = await open(dir, 'r').catch(() => null);
  await folder?.sync().catch(() => undefined);
  await folder?.close();
}
