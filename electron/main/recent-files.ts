// Recently opened files: newest first, no duplicates, at most 10, kept as JSON in userData and
// written atomically so a crash never leaves a half-written list.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../engine/fs/atomic-write.ts';

export const MAX_RECENT_FILES = 10;

const stored = z.object({ files: z.array(z.string().min(1).max(4096)) });

/** Pure: `path` moved (or added) to the front, duplicates removed, capped. */
export function addRecent(list: readonly string[], path: string, cap = MAX_RECENT_FILES): string[] {
  const key = normalize(path);
  return [path, ...list.filter((p) => normalize(p) !== key)].slice(0, cap);
}

function normalize(path: string): string {
  const absolute = resolve(path);
  // Windows and default macOS volumes are case-insensitive.
  return process.platform === 'win32' || process.platform === 'darwin' ? absolute.toLowerCase() : absolute;
}

export class RecentFiles {
  private files: string[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storeFile: string,
    private readonly cap = MAX_RECENT_FILES,
  ) {}

  /** Reads the stored list; a missing or corrupt file is an empty list (never an error). */
  async load(): Promise<string[]> {
    try {
      const parsed = stored.safeParse(JSON.parse(await readFile(this.storeFile, 'utf8')));
      if (parsed.success)
        this.files = parsed.data.files.reduceRight<string[]>((acc, p) => addRecent(acc, p, this.cap), []);
    } catch {
      this.files = [];
    }
    return this.list();
  }

  list(): string[] {
    return [...this.files];
  }

  async add(path: string): Promise<string[]> {
    this.files = addRecent(this.files, path, this.cap);
    await this.persist();
    return this.list();
  }

  async clear(): Promise<void> {
    this.files = [];
    await this.persist();
  }

  /** Writes are serialized so the file always ends with the latest list. */
  private persist(): Promise<void> {
    const snapshot = JSON.stringify({ files: this.files }, null, 2);
    this.writing = this.writing
      .catch(() => undefined)
      .then(() => writeFileAtomic(this.storeFile, snapshot, { mkdirs: true }));
    return this.writing;
  }
}
