// A copy of the run store's `runs` that follows it in a task of its own, at most every `intervalMs`.
// A node's unfolded output panel reads this one, so it never adds work to the task handling events.
// (The canvas nodes' status comes from designer/canvas/node-run-feed.ts, which also slices it.)
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { RunRecord } from './run-store.ts';

export interface DeferredRuns {
  runs: Record<string, RunRecord>;
}

interface Source {
  getState(): { runs: Record<string, RunRecord> };
  subscribe(listener: (state: { runs: Record<string, RunRecord> }) => void): () => void;
}

export interface DeferOptions {
  intervalMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  now?: () => number;
}

/** Canvas status updates 10 times a second at most; the ticking times run on their own clock. */
export const CANVAS_RUNS_INTERVAL_MS = 100;

export function deferRuns(source: Source, options: DeferOptions = {}): StoreApi<DeferredRuns> {
  const interval = options.intervalMs ?? CANVAS_RUNS_INTERVAL_MS;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const now = options.now ?? (() => performance.now());
  const store = createStore<DeferredRuns>()(() => ({ runs: source.getState().runs }));
  let pending = false;
  let last = -Infinity;
  const sync = () => {
    pending = false;
    last = now();
    const runs = source.getState().runs;
    if (runs !== store.getState().runs) store.setState({ runs });
  };
  source.subscribe((state) => {
    if (pending || state.runs === store.getState().runs) return;
    pending = true;
    // Never in the task that changed the source: at the earliest on the next turn.
    setTimer(sync, Math.max(0, last + interval - now()));
  });
  return store;
}

const mirrors = new WeakMap<Source, StoreApi<DeferredRuns>>();

/** The one deferred copy of `source` (created on first use). */
export function deferredRunsOf(source: Source): StoreApi<DeferredRuns> {
  let mirror = mirrors.get(source);
  if (!mirror) mirrors.set(source, (mirror = deferRuns(source)));
  return mirror;
}
