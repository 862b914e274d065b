// The file list follows the disk: the folders clients listed are watched (fs.watch, one folder deep,
// the way the list shows them) so a file added, renamed or deleted by another program is told to the
// clients at once, over the channel they already have (serve's WebSocket, Electron's IPC push).
// Pushed rather than polled on focus: a run's file.write or an editor beside the app changes the folder
// while the window has focus, and a poll would re-read every folder on every focus change. Bounded: the
// most recently listed MAX_WATCHED_FOLDERS folders only, each folder's notices throttled.
import { watch, type FSWatcher } from 'node:fs';
import { basename } from 'node:path';
import { FOLDER_CHANGE_THROTTLE_MS, MAX_WATCHED_FOLDERS } from '../limits.ts';
import type { FolderChange } from './types.ts';

export interface FolderWatchOptions {
  max?: number;
  throttleMs?: number;
  /** fs.watch, replaceable in tests that need a watch to fail. */
  watchFolder?: (abs: string, onEvent: (name: string | null) => void) => FSWatcher;
}

interface Watched {
  shown: string;
  watcher: FSWatcher;
  timer: NodeJS.Timeout | null;
}

const defaultWatch = (abs: string, onEvent: (name: string | null) => void): FSWatcher =>
  // persistent: false — a watch never keeps a host's process alive.
  watch(abs, { persistent: false }, (_type, name) => onEvent(typeof name === 'string' ? name : null));

export class FolderWatches {
  /** By real absolute path, in listing order (a Map keeps insertion order: the first is the oldest). */
  private readonly folders = new Map<string, Watched>();
  private readonly max: number;
  private readonly throttleMs: number;
  private readonly watchFolder: NonNullable<FolderWatchOptions['watchFolder']>;
  private closed = false;

  constructor(
    private readonly onChange: (change: FolderChange) => void,
    options: FolderWatchOptions = {},
  ) {
    this.max = options.max ?? MAX_WATCHED_FOLDERS;
    this.throttleMs = options.throttleMs ?? FOLDER_CHANGE_THROTTLE_MS;
    this.watchFolder = options.watchFolder ?? defaultWatch;
  }

  /** Watches a folder a client just listed (again: it becomes the most recent). Never throws. */
  watch(abs: string, shown: string): void {
    if (this.closed) return;
    const known = this.folders.get(abs);
    if (known) {
      this.folders.delete(abs);
      this.folders.set(abs, known);
      return;
    }
    let watched: Watched;
    try {
      const watcher = this.watchFolder(abs, (name) => this.changed(abs, name));
      watched = { shown, watcher, timer: null };
    } catch {
      // No watch here (inotify limit, a file system without events): the client still re-lists on
      // focus and after its own file actions.
      return;
    }
    // The folder itself removed or unreadable: say so once (the list then shows why) and stop.
    watched.watcher.on('error', () => {
      this.unwatch(abs);
      this.onChange({ dir: shown });
    });
    this.folders.set(abs, watched);
    while (this.folders.size > this.max) this.unwatch(this.folders.keys().next().value!);
  }

  /** Folders watched now, oldest first (tests, diagnostics). */
  watched(): string[] {
    return [...this.folders.values()].map((w) => w.shown);
  }

  close(): void {
    this.closed = true;
    for (const abs of [...this.folders.keys()]) this.unwatch(abs);
  }

  private changed(abs: string, name: string | null): void {
    // Dot files are never listed; a save's own temp file (.<name>.fanout-….tmp) is one of them.
    if (name !== null && name.startsWith('.')) return;
    const watched = this.folders.get(abs);
    if (!watched) return;
    if (name === basename(abs)) {
      // Linux tells a watched folder's own removal or rename by its name, and the watch is dead after
      // it: drop it, so the next listing watches whatever folder is there now.
      this.unwatch(abs);
      this.onChange({ dir: watched.shown });
      return;
    }
    if (watched.timer) return;
    // Throttled, not debounced: a steady stream of writes still gets a notice every throttleMs.
    watched.timer = setTimeout(() => {
      watched.timer = null;
      if (this.folders.get(abs) === watched) this.onChange({ dir: watched.shown });
    }, this.throttleMs);
    watched.timer.unref();
  }

  private unwatch(abs: string): void {
    const watched = this.folders.get(abs);
    if (!watched) return;
    this.folders.delete(abs);
    if (watched.timer) clearTimeout(watched.timer);
    watched.watcher.close();
  }
}
