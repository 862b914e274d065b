// The canvas's run status per node, published a slice of nodes at a time. A 200-branch fan-out turns
// 200 nodes queued, then running, then done within a few tenths of a second; updating all of them in
// one task (one React render of 200 overlays, then their style and paint) made the frames over 50 ms
// of issue #15. Here the run store is followed at most every `intervalMs` (as deferred-runs.ts did),
// each catch-up works out which nodes' views changed (cheap: one index per run, a lookup per node) and
// hands them to React in slices sized to `sliceBudgetMs`, one slice per animation frame. Slices run in
// the frame (requestAnimationFrame), beside the run store's flush: the canvas then repaints in frames
// that render anyway, where a task of its own would add a frame's style, layerize and paint (~3 ms
// whatever changed) per slice. Nodes subscribe to their own entry, so a slice re-renders exactly the
// nodes in it. When a document is run again, a node keeps the previous run's status until the new run
// reaches it (or RUN_SWITCH_HOLD_MS pass): clearing 200 badges in a re-run's first frames, to show
// most of them again a tenth of a second later, was ~40 % of a 200-branch re-run's canvas updates.
// Pure TypeScript: no React (components read it with useSyncExternalStore).
import type { StoreApi } from 'zustand/vanilla';
import type { RunRecord } from '../../run/run-store.ts';
import type { RunView } from '../../run/run-context.ts';
import { hasOutput } from './output-preview.ts';
import { nodeRunView, type NodeRunView } from './run-status.ts';

/** What one canvas node shows of the canvas run: its status view and whether it has an output tab. */
export interface NodeRunEntry {
  view: NodeRunView | null;
  output: boolean;
}

export interface NodeRunFeed {
  /** The node's published entry (the same object until it changes: a useSyncExternalStore snapshot). */
  get(node: string): NodeRunEntry;
  subscribe(node: string, listener: () => void): () => void;
  /** Nodes whose new entry waits for a slice. */
  pending(): number;
  dispose(): void;
}

interface RunsSource {
  getState(): { runs: Record<string, RunRecord> };
  subscribe(listener: (state: { runs: Record<string, RunRecord> }) => void): () => void;
}

export interface FeedOptions {
  /** Catch-ups at most this often (the ticking times run on their own clock). */
  intervalMs?: number;
  /** Work per slice: notifying its nodes plus React's render and commit of them. */
  sliceBudgetMs?: number;
  /** How long after the canvas moves from one run to another its nodes may keep the first run's status. */
  holdMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  /** Runs `fn` in the next animation frame. */
  inFrame?: (fn: () => void) => void;
  now?: () => number;
}

/** Canvas status updates 10 times a second at most. */
export const CANVAS_RUNS_INTERVAL_MS = 100;
/** A slice's share of a 16.7 ms frame: the run panel's flush and the frame's paint need the rest. */
export const SLICE_BUDGET_MS = 4;
/**
 * After the canvas moves to another run, nodes the new run has not reached keep the old run's status
 * this long at most (three catch-ups): long enough for a fast run's branches to go from their old status
 * straight to their new one, short enough that nobody reads the old status as the new run's.
 */
export const RUN_SWITCH_HOLD_MS = 300;
/** Slice sizes stay within these bounds whatever one slow or fast slice measured. */
const MIN_SLICE = 8;
const MAX_SLICE = 256;
const FIRST_SLICE = 32;
/** User timing of each slice (e2e/run-bench.spec.ts reads it): detail.nodes = nodes in the slice. */
export const SLICE_MEASURE = 'fanout:canvas-slice';

const NOTHING: NodeRunEntry = Object.freeze({ view: null, output: false });

function sameView(a: NodeRunView | null, b: NodeRunView | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  for (const key of Object.keys(a) as (keyof NodeRunView)[]) if (a[key] !== b[key]) return false;
  return true;
}

const sameEntry = (a: NodeRunEntry, b: NodeRunEntry) => a.output === b.output && sameView(a.view, b.view);

function entryOf(run: RunRecord | undefined, node: string): NodeRunEntry {
  const view = nodeRunView(run, node);
  const output = hasOutput(run, node);
  return view === null && !output ? NOTHING : { view, output };
}

const defaultInFrame = (fn: () => void) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => fn());
  else setTimeout(fn, 16);
};

function measureSlice(start: number, end: number, nodes: number): void {
  if (typeof performance === 'undefined' || typeof performance.measure !== 'function') return;
  performance.measure(SLICE_MEASURE, { start, end, detail: { nodes } });
  performance.clearMeasures(SLICE_MEASURE);
}

export function createNodeRunFeed(
  runs: RunsSource,
  view: Pick<StoreApi<RunView>, 'getState' | 'subscribe'>,
  options: FeedOptions = {},
): NodeRunFeed {
  const interval = options.intervalMs ?? CANVAS_RUNS_INTERVAL_MS;
  const budget = options.sliceBudgetMs ?? SLICE_BUDGET_MS;
  const holdMs = options.holdMs ?? RUN_SWITCH_HOLD_MS;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const inFrame = options.inFrame ?? defaultInFrame;
  const now = options.now ?? (() => performance.now());

  const listeners = new Map<string, Set<() => void>>();
  /** What each subscribed node shows now. */
  const published = new Map<string, NodeRunEntry>();
  /** Entries worked out by the last catch-up and not yet published, in the order they will be. */
  const queue = new Map<string, NodeRunEntry>();
  let seen: { run: RunRecord | undefined; runId: string | null } = { run: undefined, runId: null };
  let catchUpDue = false;
  let sliceDue = false;
  let last = -Infinity;
  let sliceSize = FIRST_SLICE;
  let disposed = false;
  /** When the canvas last moved from one run of its document to another (not from or to no run). */
  let switchedAt = -Infinity;

  const current = () => {
    const runId = view.getState().canvasRunId;
    return { runId, run: runId ? runs.getState().runs[runId] : undefined };
  };

  const catchUp = () => {
    catchUpDue = false;
    if (disposed) return;
    last = now();
    seen = current();
    // Only for a run under way (or whose first events have not arrived yet: the host answers a launch
    // with the run's id, its events come separately); one picked from the history shows as it ended.
    const underWay = seen.runId !== null && (seen.run === undefined || seen.run.status === 'running');
    const holding = underWay && last - switchedAt < holdMs;
    let held = 0;
    for (const node of listeners.keys()) {
      const next = entryOf(seen.run, node);
      const shown = published.get(node) ?? NOTHING;
      if (holding && next === NOTHING && shown !== NOTHING) {
        // Not reached by the new run yet: keep the old status a moment rather than clear it now.
        queue.delete(node);
        held++;
      } else if (sameEntry(next, shown)) queue.delete(node);
      else queue.set(node, next);
    }
    if (queue.size > 0) requestSlice();
    // Come back when the hold is over, even if the run sends nothing more.
    if (held > 0) schedule();
  };

  const requestSlice = () => {
    if (sliceDue) return;
    sliceDue = true;
    inFrame(slice);
  };

  const slice = () => {
    sliceDue = false;
    if (disposed || queue.size === 0) return;
    const start = now();
    let count = 0;
    for (const [node, entry] of queue) {
      if (count === sliceSize) break;
      queue.delete(node);
      published.set(node, entry);
      for (const listener of listeners.get(node) ?? []) listener();
      count++;
    }
    // React renders the notified nodes in a microtask queued by the first notification: one queued
    // now runs after it, so the slice's measured cost includes their render and commit.
    queueMicrotask(() => {
      const end = now();
      measureSlice(start, end, count);
      const perNode = Math.max(0.001, (end - start) / count);
      sliceSize = Math.min(MAX_SLICE, Math.max(MIN_SLICE, Math.floor(budget / perNode)));
    });
    if (queue.size > 0) requestSlice();
  };

  const schedule = () => {
    if (catchUpDue || disposed) return;
    catchUpDue = true;
    // Never in the task that changed the store: at the earliest on the next turn.
    setTimer(catchUp, Math.max(0, last + interval - now()));
  };

  const stopRuns = runs.subscribe((state) => {
    const runId = view.getState().canvasRunId;
    if (runId && state.runs[runId] !== seen.run) schedule();
  });
  const stopView = view.subscribe((state, previous) => {
    if (state.canvasRunId === previous.canvasRunId) return;
    // Another document's run never inherits this one's statuses, even on nodes of the same name.
    const rerun =
      state.canvasRunId !== null && previous.canvasRunId !== null && state.fileKey === previous.fileKey;
    switchedAt = rerun ? now() : -Infinity;
    schedule();
  });

  return {
    get(node) {
      let entry = published.get(node);
      if (!entry) {
        // A node that mounts now shows the run as the last catch-up saw it, like its neighbours.
        entry = entryOf(seen.runId === view.getState().canvasRunId ? seen.run : current().run, node);
        published.set(node, entry);
      }
      return entry;
    },
    subscribe(node, listener) {
      let set = listeners.get(node);
      if (!set) listeners.set(node, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size > 0) return;
        // Scrolled out of view or removed: forget it; it is worked out afresh if it comes back.
        listeners.delete(node);
        published.delete(node);
        queue.delete(node);
      };
    },
    pending: () => queue.size,
    dispose() {
      disposed = true;
      stopRuns();
      stopView();
      queue.clear();
    },
  };
}

const feeds = new WeakMap<RunsSource, WeakMap<StoreApi<RunView>, NodeRunFeed>>();

/**
 * The one feed of a bridge's run store and canvas view (created on first use). Keyed by the stores,
 * not the bridge object: a bridge rebuilt over the same stores must not add a second subscriber.
 */
export function nodeRunFeedOf(bridge: { runs: RunsSource; view: StoreApi<RunView> }): NodeRunFeed {
  let byView = feeds.get(bridge.runs);
  if (!byView) feeds.set(bridge.runs, (byView = new WeakMap()));
  let feed = byView.get(bridge.view);
  if (!feed) byView.set(bridge.view, (feed = createNodeRunFeed(bridge.runs, bridge.view)));
  return feed;
}
