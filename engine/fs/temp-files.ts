// Start-up sweep for the debris of saves that died mid-write (SIGKILL, power loss): a stale `.tmp` is
// an unfinished temp file and is deleted; a stale `.redo` is the complete journal of an in-place write
// (atomic-write.ts) and is copied over its target again before it is deleted. Stale = the process that
// wrote it is gone, or it is older than STALE_TEMP_FILE_MS (a pid can be reused). Never throws.
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { STALE_TEMP_FILE_MS, TEMP_SWEEP_MAX_DEPTH, TEMP_SWEEP_MAX_ENTRIES } from '../limits.ts';
import { TEMP_PATTERN, overwrite } from './atomic-write.ts';

/** Temp files of earlier versions: `.<name>.<pid>.<12 hex>.tmp` (never a journal). */
const LEGACY_TEMP_PATTERN = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.(tmp)$/;

export interface SweepReport {
  removed: string[];
  /** Targets rewritten from a journal. */
  replayed: string[];
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, but not ours
  }
}

/** Sweeps `folders` (and their subfolders, bounded); dot folders such as .git are not entered. */
export async function sweepStaleTempFiles(
  folders: readonly string[],
  options: { now?: number; maxDepth?: number } = {},
): Promise<SweepReport> {
  const now = options.now ?? Date.now();
  const report: SweepReport = { removed: [], replayed: [] };
  const queue = folders.map((dir) => ({ dir, depth: 0 }));
  const seen = new Set<string>();
  let budget = TEMP_SWEEP_MAX_ENTRIES;
  while (queue.length > 0 && budget > 0) {
    const { dir, depth } = queue.shift()!;
    if (seen.has(dir)) continue;
    seen.add(dir);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (--budget <= 0) break;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && depth < (options.maxDepth ?? TEMP_SWEEP_MAX_DEPTH)) {
          queue.push({ dir: path, depth: depth + 1 });
        }
        continue;
      }
      const match = entry.isFile()
        ? (TEMP_PATTERN.exec(entry.name) ?? LEGACY_TEMP_PATTERN.exec(entry.name))
        : null;
      if (!match) continue;
      const info = await stat(path).catch(() => null);
      if (!info) continue;
      if (processAlive(Number(match[2])) && now - info.mtimeMs < STALE_TEMP_FILE_MS) continue;
      try {
        if (match[3] === 'redo') {
          const target = join(dir, match[1]!);
          const targetInfo = await stat(target).catch(() => null);
          if (targetInfo?.isFile()) {
            await overwrite(target, await readFile(path));
            report.replayed.push(target);
          }
        }
        await unlink(path);
        report.removed.push(path);
      } catch {
        // Not ours to fix (permissions, a file that vanished): the next start tries again.
      }
    }
  }
  return report;
}
