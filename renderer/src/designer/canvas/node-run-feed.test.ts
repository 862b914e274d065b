import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { RunEvent } from '../../../../engine/run/types.ts';
import type { RunView } from '../../run/run-context.ts';
import { applyEvents, emptyRuns, type RunsState } from '../../run/run-store.ts';
import { syntheticFanOut } from '../../run/synthetic-events.ts';
import { createNodeRunFeed, nodeRunFeedOf, RUN_SWITCH_HOLD_MS, type FeedOptions } from './node-run-feed.ts';
import { hasOutput } from './output-preview.ts';
import { nodeRunView } from './run-status.ts';

const BRANCHES = 200;
const NODES = ['prepare', ...Array.from({ length: BRANCHES }, (_, i) => `b${i}`), 'join'];

/**
 * A run store and a canvas view with a fake clock: timers fire on `advance`, frames on `frame`, and
 * every notification costs `perNotifyMs` of clock (what React's render of that node would cost).
 */
function harness(options: { perNotifyMs?: number; budgetMs?: number } = {}) {
  let clock = 0;
  let timersSet = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const frames: (() => void)[] = [];
  const runs = createStore<RunsState>()(() => emptyRuns());
  const view = createStore<RunView>()(() => ({ fileKey: 'f.yaml', canvasRunId: 'r1' }));
  const feedOptions: FeedOptions = {
    intervalMs: 100,
    sliceBudgetMs: options.budgetMs ?? 4,
    now: () => clock,
    setTimer: (fn, ms) => void (timersSet++, timers.push({ at: clock + ms, fn })),
    inFrame: (fn) => void frames.push(fn),
  };
  const feed = createNodeRunFeed(runs, view, feedOptions);
  /** Notifications per node, and the nodes notified in each slice (one list per task). */
  const notified = new Map<string, number>();
  const slices: string[][] = [[]];
  for (const node of NODES) {
    feed.subscribe(node, () => {
      clock += options.perNotifyMs ?? 0;
      notified.set(node, (notified.get(node) ?? 0) + 1);
      slices[slices.length - 1]!.push(node);
    });
  }
  const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0)); // the slice's microtask
  const advance = async (ms: number) => {
    clock += ms;
    for (const t of timers.splice(0).sort((a, b) => a.at - b.at)) {
      if (t.at > clock) timers.push(t);
      else {
        slices.push([]);
        t.fn();
        await settle();
      }
    }
  };
  const frame = async () => {
    const due = frames.splice(0);
    for (const fn of due) {
      slices.push([]);
      fn();
      await settle();
    }
    return due.length;
  };
  const drain = async () => {
    let count = 0;
    while ((await frame()) > 0) count++;
    return count;
  };
  const apply = (events: RunEvent[]) => runs.setState(applyEvents(runs.getState(), events));
  const nonEmpty = () => slices.filter((s) => s.length > 0);
  const catchUps = () => timersSet;
  return { feed, runs, view, notified, slices: nonEmpty, advance, frame, drain, apply, catchUps };
}

const finalRun = (h: ReturnType<typeof harness>, runId = 'r1') => h.runs.getState().runs[runId]!;

describe('node run feed', () => {
  it('hands a 200-branch run to the nodes a slice per frame, never all in one task, ending on the final state', async () => {
    const h = harness({ perNotifyMs: 0.25, budgetMs: 4 });
    h.apply(syntheticFanOut('r1', BRANCHES));
    // Nothing in the task that changed the store.
    expect(h.notified.size).toBe(0);
    await h.advance(0);
    // The catch-up's own task only works out what changed; slices wait for frames.
    expect(h.slices()).toHaveLength(0);
    expect(h.feed.pending()).toBe(NODES.length);
    await h.frame();
    expect(h.slices()).toHaveLength(1);
    expect(h.slices()[0]!.length).toBe(32);
    expect(h.feed.pending()).toBe(NODES.length - 32);
    const frames = await h.drain();
    // 0.25 ms per node and a 4 ms budget: the following slices hold 16 nodes each, one per frame.
    expect(
      h
        .slices()
        .slice(1)
        .every((s) => s.length === 16 || s === h.slices().at(-1)),
    ).toBe(true);
    expect(frames).toBe(Math.ceil((NODES.length - 32) / 16));
    expect(h.feed.pending()).toBe(0);
    const run = finalRun(h);
    for (const node of NODES) {
      expect(h.notified.get(node)).toBe(1);
      expect(h.feed.get(node).view).toEqual(nodeRunView(run, node));
      expect(h.feed.get(node).output).toBe(hasOutput(run, node));
    }
    expect(h.feed.get('b7').view).toMatchObject({ status: 'succeeded' });
  });

  it('grows its slices when nodes are cheap and never goes beyond its bounds', async () => {
    const h = harness({ perNotifyMs: 0.001, budgetMs: 4 });
    h.apply(syntheticFanOut('r1', BRANCHES));
    await h.advance(0);
    await h.drain();
    const sizes = h.slices().map((s) => s.length);
    expect(sizes[0]).toBe(32);
    // The second slice takes every node left (fewer than the 256 cap).
    expect(sizes.slice(1)).toEqual([NODES.length - 32]);

    const slow = harness({ perNotifyMs: 10, budgetMs: 4 });
    slow.apply(syntheticFanOut('r1', BRANCHES));
    await slow.advance(0);
    await slow.drain();
    // 10 ms per node would mean slices of 0: they stay at 8 nodes.
    expect(
      slow
        .slices()
        .slice(1, -1)
        .every((s) => s.length === 8),
    ).toBe(true);
  });

  it('notifies only the nodes whose view changed', async () => {
    const h = harness();
    const events = syntheticFanOut('r1', 3);
    // Up to b1's finish: prepare done, b0 and b1 finished, b2 queued.
    const cut = events.findIndex((e) => e.type === 'branch-started' && e.branch === 'b2');
    h.apply(events.slice(0, cut));
    await h.advance(0);
    await h.drain();
    const before = new Map(h.notified);
    const b0 = h.feed.get('b0');
    const prepare = h.feed.get('prepare');
    h.apply(events.slice(cut, cut + 2)); // b2 starts: branch-started, node-started
    await h.advance(100);
    await h.drain();
    const changed = NODES.filter((n) => (h.notified.get(n) ?? 0) !== (before.get(n) ?? 0));
    expect(changed).toEqual(['b2']);
    expect(h.feed.get('b2').view).toMatchObject({ status: 'running' });
    // Unchanged nodes keep their entry object (a stable useSyncExternalStore snapshot).
    expect(h.feed.get('b0')).toBe(b0);
    expect(h.feed.get('prepare')).toBe(prepare);
  });

  it('catches up at most once per interval, on the latest state', async () => {
    const h = harness();
    const events = syntheticFanOut('r1', BRANCHES);
    let batches = 0;
    for (let i = 0; i < events.length; i += 40, batches++) {
      h.apply(events.slice(i, i + 40));
      await h.advance(10);
      await h.drain();
    }
    await h.advance(200);
    await h.drain();
    // A batch every 10 ms for 220 ms: about 3 catch-ups, not one per batch.
    expect(batches).toBeGreaterThan(20);
    expect(h.catchUps()).toBeLessThanOrEqual(4);
    expect(h.feed.get('join').view).toEqual(nodeRunView(finalRun(h), 'join'));
  });

  it('follows the canvas to another run, in slices too', async () => {
    const h = harness({ perNotifyMs: 0.25 });
    const first = syntheticFanOut('r1', BRANCHES);
    // r1 stopped at its fan-out (every branch queued); r2 ran to the end with b3 failing.
    h.apply(first.slice(0, first.findIndex((e) => e.type === 'fan-out-started') + 1));
    h.apply(syntheticFanOut('r2', BRANCHES, [3]));
    await h.advance(0);
    await h.drain();
    expect(h.feed.get('b3').view).toMatchObject({ status: 'queued' });
    h.view.setState({ canvasRunId: 'r2' });
    await h.advance(100);
    expect(h.feed.pending()).toBeGreaterThan(0);
    await h.drain();
    expect(h.feed.get('b3').view).toMatchObject({ status: 'failed', error: 'b3 gave up' });
    expect(h.feed.get('b4').view).toEqual(nodeRunView(finalRun(h, 'r2'), 'b4'));
    // Back to no run (a new document): the badges go.
    h.view.setState({ canvasRunId: null });
    await h.advance(100);
    await h.drain();
    expect(h.feed.get('b3')).toEqual({ view: null, output: false });
  });

  it('on a re-run, moves each node from its old status straight to its new one, never through blank', async () => {
    const h = harness();
    h.apply(syntheticFanOut('r1', BRANCHES));
    await h.advance(0);
    await h.drain();
    const r2 = syntheticFanOut('r2', BRANCHES);
    const fanOut = r2.findIndex((e) => e.type === 'fan-out-started');
    // The host answers the launch with the run's id before its first event arrives.
    h.view.setState({ canvasRunId: 'r2' });
    const before = new Map(h.notified);
    const changes = (node: string) => (h.notified.get(node) ?? 0) - (before.get(node) ?? 0);
    await h.advance(0);
    await h.drain();
    h.apply(r2.slice(0, 1)); // run-started: under way, no node reached yet
    await h.advance(100);
    await h.drain();
    // Nothing is cleared at the re-run's start: the nodes still show r1.
    expect(NODES.filter((n) => changes(n) > 0)).toEqual([]);
    expect(h.feed.get('b3').view).toEqual(nodeRunView(finalRun(h, 'r1'), 'b3'));
    h.apply(r2.slice(1, fanOut + 1)); // prepare ran, the 200 branches are queued
    await h.advance(100);
    await h.drain();
    expect(h.feed.get('prepare').view).toEqual(nodeRunView(finalRun(h, 'r2'), 'prepare'));
    for (const node of NODES.filter((n) => n.startsWith('b'))) {
      expect(changes(node), node).toBe(1);
      expect(h.feed.get(node).view).toMatchObject({ status: 'queued' });
    }
    // The fan-in is not reached yet: r1's status until the hold is over, then nothing.
    expect(h.feed.get('join').view).toEqual(nodeRunView(finalRun(h, 'r1'), 'join'));
    await h.advance(100);
    await h.drain();
    expect(h.feed.get('join').view).toBeNull();
    h.apply(r2.slice(fanOut + 1));
    await h.advance(100);
    await h.drain();
    expect(h.feed.get('join').view).toEqual(nodeRunView(finalRun(h, 'r2'), 'join'));
    expect(h.feed.get('b7').view).toEqual(nodeRunView(finalRun(h, 'r2'), 'b7'));
  });

  it('clears the old statuses of a re-run that sends nothing once the hold is over', async () => {
    const h = harness();
    h.apply(syntheticFanOut('r1', BRANCHES));
    await h.advance(0);
    await h.drain();
    h.apply(syntheticFanOut('r2', BRANCHES).slice(0, 1));
    h.view.setState({ canvasRunId: 'r2' });
    await h.advance(0);
    await h.drain();
    expect(h.feed.get('b3').view).not.toBeNull();
    // No event after run-started: the catch-ups come back by themselves until the hold is over.
    for (let t = 0; t < RUN_SWITCH_HOLD_MS; t += 100) await h.advance(100);
    await h.drain();
    for (const node of NODES) expect(h.feed.get(node).view, node).toBeNull();
  });

  it("never shows another document's run through the hold, even on nodes of the same name", async () => {
    const h = harness();
    h.apply(syntheticFanOut('r1', BRANCHES));
    await h.advance(0);
    await h.drain();
    // g.yaml's run is under way and has reached none of these nodes yet.
    h.apply(syntheticFanOut('r2', BRANCHES).slice(0, 1));
    h.view.setState({ fileKey: 'g.yaml', canvasRunId: 'r2' });
    await h.advance(100);
    await h.drain();
    for (const node of NODES) expect(h.feed.get(node).view, node).toBeNull();
  });

  it('gives a node that mounts later the run as its neighbours show it, and forgets nodes that unmount', async () => {
    const h = harness();
    const events = syntheticFanOut('r1', 2);
    h.apply(events);
    await h.advance(0);
    await h.drain();
    // "late" is not subscribed: get() works it out from the run the last catch-up saw.
    expect(h.feed.get('late')).toEqual({ view: null, output: false });
    const stop = h.feed.subscribe('extra', () => {});
    expect(h.feed.get('extra')).toBe(h.feed.get('extra'));
    stop();
    // Unsubscribed and changed meanwhile: nothing is queued for it.
    h.apply([{ ...events.at(-1)!, seq: 1000, type: 'log', level: 'info', message: 'x' } as RunEvent]);
    await h.advance(100);
    expect(h.feed.pending()).toBe(0);
  });

  it('is one feed per run store and canvas view, whichever bridge object asks', () => {
    const runs = createStore<RunsState>()(() => emptyRuns());
    const view = createStore<RunView>()(() => ({ fileKey: 'f.yaml', canvasRunId: null }));
    const feed = nodeRunFeedOf({ runs, view });
    expect(nodeRunFeedOf({ runs, view })).toBe(feed);
    const other = createStore<RunView>()(() => ({ fileKey: 'g.yaml', canvasRunId: null }));
    expect(nodeRunFeedOf({ runs, view: other })).not.toBe(feed);
  });

  it('stops following the stores once disposed', async () => {
    const h = harness();
    h.feed.dispose();
    h.apply(syntheticFanOut('r1', 2));
    await h.advance(100);
    expect(h.notified.size).toBe(0);
  });
});
