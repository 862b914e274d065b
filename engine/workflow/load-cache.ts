// The loads an Engine keeps: re-running an unchanged document (the app's Run, Re-run, run from here,
// a batch's rows) skips the YAML parse, ~20-60 ms for a 600-line file. Keyed by the exact text and the
// file name (problems name the file). A kept load is deep-frozen, so no run, action or caller can change
// what the next run of the same text gets: a mutation throws instead of leaking into later runs.
import { MAX_CACHED_LOAD_CHARS, MAX_CACHED_LOADS } from '../limits.ts';
import { loadWorkflow } from './load.ts';
import type { LoadResult } from './types.ts';

export interface LoadCacheOptions {
  maxEntries?: number;
  maxChars?: number;
}

export class LoadCache {
  /** Key -> load, least recently used first (a Map keeps insertion order). */
  private readonly entries = new Map<string, LoadResult>();
  private chars = 0;
  private readonly maxEntries: number;
  private readonly maxChars: number;
  /** Texts parsed by this cache (tests count them: a hit parses nothing). */
  parses = 0;

  constructor(options: LoadCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? MAX_CACHED_LOADS;
    this.maxChars = options.maxChars ?? MAX_CACHED_LOAD_CHARS;
  }

  /** The load of `text` (as loadWorkflow(text, file)), frozen; parsed only when not kept. */
  load(text: string, file?: string): LoadResult {
    const key = `${file ?? ''}\0${text}`;
    const kept = this.entries.get(key);
    if (kept) {
      this.entries.delete(key);
      this.entries.set(key, kept);
      return kept;
    }
    this.parses++;
    const loaded = deepFreeze(loadWorkflow(text, file));
    if (text.length > this.maxChars) return loaded;
    this.entries.set(key, loaded);
    this.chars += text.length;
    while (this.entries.size > this.maxEntries || this.chars > this.maxChars) {
      const [oldest, load] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      this.chars -= load.text.length;
    }
    return loaded;
  }

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }
}

/** Freezes plain objects and arrays all the way down (a model is JSON-like data plus spans). */
function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === null || typeof next !== 'object' || Object.isFrozen(next)) continue;
    Object.freeze(next);
    for (const child of Object.values(next)) stack.push(child);
  }
  return value;
}
