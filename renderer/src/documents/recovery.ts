// Crash recovery: while a document has unsaved changes, a copy of its text is kept in localStorage
// (debounced), one entry per file path (or 'untitled'). On start, or when that file is opened again, a
// copy that differs from the file on disk is offered back. Saving or discarding removes it.
// Pure logic over a Storage-like object, so tests use a fake storage and fake timers.

/** The subset of the DOM Storage API used here (localStorage satisfies it). */
export interface RecoveryStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface RecoveryEntry {
  /** File path, or null for a document that was never saved. */
  path: string | null;
  /** The edited text. */
  text: string;
  /** The text on disk when the entry was written (the template's text for an untitled document). */
  savedText: string;
  /** Epoch milliseconds of the write. */
  at: number;
}

const PREFIX = 'fanout-studio:recovery:v1:';
export const UNTITLED = 'untitled';
export const AUTOSAVE_DELAY_MS = 1000;

/**
 * Storage key of a document. `scope` separates hosts whose relative paths could collide (the browser
 * host's served root); Electron paths are absolute and use the empty scope.
 */
export function recoveryKey(path: string | null, scope = ''): string {
  return `${PREFIX}${encodeURIComponent(scope)}:${path ?? UNTITLED}`;
}

function parseEntry(raw: string | null): RecoveryEntry | null {
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as Partial<RecoveryEntry>;
    if (
      typeof value.text !== 'string' ||
      typeof value.savedText !== 'string' ||
      typeof value.at !== 'number' ||
      (value.path !== null && typeof value.path !== 'string')
    ) {
      return null;
    }
    return { path: value.path, text: value.text, savedText: value.savedText, at: value.at };
  } catch {
    return null; // a corrupt entry is ignored, never a crash on start
  }
}

/** Writes the entry; false when storage refuses (quota, private mode) — recovery is best effort. */
export function writeRecovery(storage: RecoveryStorage, entry: RecoveryEntry, scope = ''): boolean {
  try {
    storage.setItem(recoveryKey(entry.path, scope), JSON.stringify(entry));
    return true;
  } catch {
    return false;
  }
}

export function readRecovery(
  storage: RecoveryStorage,
  path: string | null,
  scope = '',
): RecoveryEntry | null {
  try {
    return parseEntry(storage.getItem(recoveryKey(path, scope)));
  } catch {
    return null;
  }
}

export function clearRecovery(storage: RecoveryStorage, path: string | null, scope = ''): void {
  try {
    storage.removeItem(recoveryKey(path, scope));
  } catch {
    // nothing to clean up when storage is unavailable
  }
}

/** Every valid entry of `scope`, newest first. */
export function listRecoveries(storage: RecoveryStorage, scope = ''): RecoveryEntry[] {
  const prefix = `${PREFIX}${encodeURIComponent(scope)}:`;
  const found: RecoveryEntry[] = [];
  try {
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (!key?.startsWith(prefix)) continue;
      const entry = parseEntry(storage.getItem(key));
      if (entry) found.push(entry);
    }
  } catch {
    return [];
  }
  return found.sort((a, b) => b.at - a.at);
}

/**
 * Whether to offer `entry` back, given the file's current text on disk (null: no such file, or an
 * untitled document). A copy equal to the disk holds nothing unsaved; for an untitled document, a copy
 * still equal to its starting text neither.
 */
export function shouldOfferRecovery(entry: RecoveryEntry, diskText: string | null): boolean {
  if (diskText !== null) return entry.text !== diskText;
  if (entry.path !== null) return true; // the file is gone: the copy is all that is left
  return entry.text !== entry.savedText;
}

/** The document fields autosave looks at (a DocumentStore state satisfies it). */
export interface DocumentSnapshot {
  path: string | null;
  text: string;
  savedText: string;
  past: readonly unknown[];
  future: readonly unknown[];
}

export type AutosaveDecision =
  | { kind: 'none' }
  /** A document was just opened: drop any pending write of the previous one, touch no entry. */
  | { kind: 'opened' }
  | { kind: 'write'; path: string | null }
  /** Nothing unsaved any more (saved, or undone back to the saved text): remove these entries. */
  | { kind: 'clear'; paths: (string | null)[] };

/** What a document change means for its recovery copy. */
export function autosaveDecision(previous: DocumentSnapshot, next: DocumentSnapshot): AutosaveDecision {
  if (previous.text === next.text && previous.savedText === next.savedText && previous.path === next.path) {
    return { kind: 'none' };
  }
  // open(): fresh history and clean. Must not clear: its recovery copy may be about to be offered.
  if (next.past.length === 0 && next.future.length === 0 && next.text === next.savedText) {
    return { kind: 'opened' };
  }
  if (next.text !== next.savedText) return { kind: 'write', path: next.path };
  const paths = previous.path === next.path ? [next.path] : [previous.path, next.path];
  return { kind: 'clear', paths };
}

export interface AutosaverOptions {
  storage: RecoveryStorage;
  /** Read at every write, so the host's scope can arrive after the autosaver is made. */
  scope: () => string;
  delayMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface Autosaver {
  /** Feed every document change (a zustand subscribe listener fits). */
  onChange(next: DocumentSnapshot, previous: DocumentSnapshot): void;
  /** Writes a pending copy now (page hide). */
  flush(): void;
  /** Drops a pending write and removes the entry of `path` (discard, or saved elsewhere). */
  discard(path: string | null): void;
}

/** Debounced writer: the latest text is written `delayMs` after the last change. */
export function createAutosaver(options: AutosaverOptions): Autosaver {
  const delay = options.delayMs ?? AUTOSAVE_DELAY_MS;
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let timer: unknown = null;
  let pending: Omit<RecoveryEntry, 'at'> | null = null;

  const cancel = () => {
    if (timer !== null) clearTimer(timer);
    timer = null;
    pending = null;
  };
  const flush = () => {
    const entry = pending;
    cancel();
    if (entry) writeRecovery(options.storage, { ...entry, at: now() }, options.scope());
  };

  return {
    onChange(next, previous) {
      const decision = autosaveDecision(previous, next);
      switch (decision.kind) {
        case 'none':
          return;
        case 'opened':
          cancel();
          return;
        case 'write':
          // A pending copy of another path (renamed by Save As) is written first, not lost.
          if (pending && pending.path !== decision.path) flush();
          pending = { path: decision.path, text: next.text, savedText: next.savedText };
          if (timer !== null) clearTimer(timer);
          timer = setTimer(flush, delay);
          return;
        case 'clear':
          cancel();
          for (const path of decision.paths) clearRecovery(options.storage, path, options.scope());
          return;
      }
    },
    flush,
    discard(path) {
      cancel();
      clearRecovery(options.storage, path, options.scope());
    },
  };
}

/** "14:05" today, else "25 Nov 14:05": when the copy was written, for the restore prompt. */
export function describeRecoveryTime(at: number, reference: number = Date.now()): string {
  const when = new Date(at);
  const time = when.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return when.toDateString() === new Date(reference).toDateString()
    ? time
    : `${when.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} ${time}`;
}
