import { only, recorded } from '../../run/fixtures/recorded.ts';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../../engine/workflow/graph.ts';
import { loadWorkflow } from '../../../../engine/workflow/load.ts';
import type { RunEvent } from '../../../../engine/run/types.ts';
import { applyEvents, emptyRuns } from '../../run/run-store.ts';
import { syntheticFanOut } from '../../run/synthetic-events.ts';
import { branchNodes, elapsedMs, liveRunTime, nodeRunView, runStatusIndex } from './run-status.ts';

/** Builds events with increasing seq/t for one run. */
function script(runId = 'r1') {
  const events: RunEvent[] = [];
  let seq = 0;
  return {
    events,
    add(t: number, e: Record<string, unknown>) {
      events.push({ runId, seq: seq++, t, ...e } as RunEvent);
    },
  };
}

describe('runStatusIndex', () => {
  it('shows every node of a finished parallel-isolation run with its final status and duration', () => {
    const run = only(applyEvents(emptyRuns(), recorded('parallel-isolation')));
    const index = runStatusIndex(run);
    expect([...index.nodes.keys()].sort()).toEqual(
      ['branch_a', 'branch_b', 'branch_c', 'branch_d', 'join', 'prepare'].sort(),
    );
    for (const s of index.nodes.values()) {
      expect(s.status).toBe('succeeded');
      expect(s.executions).toBe(1);
      expect(elapsedMs(s, 0)).toBeGreaterThan(0);
    }
    const a = index.nodes.get('branch_a')!;
    expect(a).toMatchObject({ branch: 'branch_a', branchStatus: 'succeeded', rowKey: 'prepare/branch_a' });
    expect(a.heapBytes).toBeGreaterThan(0);
    expect(index.nodes.get('prepare')!.branchStatus).toBeUndefined();
    expect(index.running).toBe(false);
  });

  it('is computed once per RunRecord object and again for the next batch', () => {
    const events = recorded('parallel-isolation');
    const first = applyEvents(emptyRuns(), events.slice(0, 10));
    const run1 = only(first);
    expect(runStatusIndex(run1)).toBe(runStatusIndex(run1));
    const run2 = only(applyEvents(first, events.slice(10)));
    expect(runStatusIndex(run2)).not.toBe(runStatusIndex(run1));
    // The older index still describes the older batch.
    expect(runStatusIndex(run1).nodes.has('join')).toBe(false);
    expect(runStatusIndex(run2).nodes.get('join')!.status).toBe('succeeded');
  });

  it('reports a timed-out branch while its sibling succeeded and the fan-in ran', () => {
    const run = only(applyEvents(emptyRuns(), recorded('timeout-fallback')));
    const index = runStatusIndex(run);
    expect(index.nodes.get('hanging_path')).toMatchObject({ status: 'timed-out', branchStatus: 'timed-out' });
    expect(index.nodes.get('hanging_path')!.errorType).toBe('TimeoutError');
    expect(index.nodes.get('fast_path')).toMatchObject({ status: 'succeeded', branchStatus: 'succeeded' });
    expect(index.nodes.get('choose')!.status).toBe('succeeded');
  });

  it('marks the fan-in of a run with a failed branch (amber), not the fan-in of a clean run', () => {
    const events = syntheticFanOut('p', 3, [1]);
    const run = only(applyEvents(emptyRuns(), events));
    expect(nodeRunView(run, 'join')).toMatchObject({
      status: 'succeeded',
      shortfall: '1 of 3 branches failed',
    });
    expect(nodeRunView(run, 'b1')).toMatchObject({ status: 'failed', shortfall: undefined });
    expect(nodeRunView(run, 'b0')!.shortfall).toBeUndefined();
    // While the fan-in runs it is just running; it turns amber once it has run.
    const joinStarted = events.findIndex((e) => e.type === 'node-started' && e.node === 'join');
    const mid = only(applyEvents(emptyRuns(), events.slice(0, joinStarted + 1)));
    expect(nodeRunView(mid, 'join')).toMatchObject({ status: 'running', shortfall: undefined });
    const clean = only(applyEvents(emptyRuns(), syntheticFanOut('c', 3)));
    expect(nodeRunView(clean, 'join')!.shortfall).toBeUndefined();
    // The recorded timeout run: its fan-in ran over the timed-out branch.
    const timed = only(applyEvents(emptyRuns(), recorded('timeout-fallback')));
    const fanIn = timed.fanIns[0]!.fanIn;
    expect(nodeRunView(timed, fanIn)!.shortfall).toBe('1 of 2 branches failed');
  });

  it('counts loop executions and keeps the latest one', () => {
    const run = only(applyEvents(emptyRuns(), recorded('while-loop')));
    const inc = runStatusIndex(run).nodes.get('increment')!;
    expect(inc.executions).toBe(5);
    expect(inc.rowKey).toBe('increment#5');
    expect(inc.status).toBe('succeeded');
  });

  it('tracks queued, running, the branch status of later branch nodes and a pause', () => {
    const s = script();
    s.add(0, { type: 'run-started', workflow: 'w', input: {}, workers: 2 });
    s.add(1, { type: 'node-started', node: 'prep' });
    s.add(2, { type: 'node-finished', node: 'prep', ms: 1, update: {} });
    s.add(3, { type: 'fan-out-started', fanOut: 'prep', branches: ['a', 'b'], fanIn: 'join' });
    s.add(5, { type: 'branch-started', fanOut: 'prep', branch: 'a', worker: 0, vmCreateMs: 1 });
    s.add(6, { type: 'node-started', node: 'a', fanOut: 'prep', branch: 'a' });
    s.add(7, { type: 'node-finished', node: 'a', ms: 1, update: {}, fanOut: 'prep', branch: 'a' });
    s.add(8, { type: 'node-started', node: 'a2', fanOut: 'prep', branch: 'a' });
    let state = applyEvents(emptyRuns(), s.events);
    let index = runStatusIndex(only(state));
    expect(index.running).toBe(true);
    // The head finished; its branch still runs a2.
    expect(index.nodes.get('a')).toMatchObject({ status: 'succeeded', branchStatus: 'running', start: 4 });
    expect(index.nodes.get('a2')).toMatchObject({ status: 'running', branchStatus: 'running', start: 8 });
    expect(index.nodes.get('b')).toMatchObject({ status: 'queued', start: undefined, executions: 1 });
    expect(elapsedMs(index.nodes.get('a2')!, 10.5)).toBe(2.5);
    expect(elapsedMs(index.nodes.get('b')!, 10.5)).toBeUndefined();

    s.events.length = 0;
    s.add(9, {
      type: 'node-failed',
      node: 'a2',
      ms: 1,
      error: 'boom',
      errorType: 'LuaError',
      line: 3,
      timeout: false,
      fanOut: 'prep',
      branch: 'a',
    });
    s.add(10, {
      type: 'branch-finished',
      fanOut: 'prep',
      branch: 'a',
      status: 'failed',
      result: {
        branch: 'a',
        success: false,
        state: null,
        error: 'boom',
        error_type: 'LuaError',
        timeout: false,
        timing_ms: 5,
      },
    });
    s.add(11, { type: 'paused', node: 'join', when: 'before', state: {} });
    state = applyEvents(state, s.events);
    index = runStatusIndex(only(state));
    expect(index.nodes.get('a2')).toMatchObject({
      status: 'failed',
      branchStatus: 'failed',
      line: 3,
      error: 'boom',
    });
    // The head succeeded: the branch's error belongs to a2, not to it.
    expect(index.nodes.get('a')).toMatchObject({
      status: 'succeeded',
      branchStatus: 'failed',
      error: undefined,
    });
    expect(index.paused).toEqual({ node: 'join', when: 'before' });
  });

  it('builds the index of a 200-branch fan-out in well under a frame', () => {
    const run = only(applyEvents(emptyRuns(), syntheticFanOut('big', 200)));
    const t0 = performance.now();
    const index = runStatusIndex(run);
    const ms = performance.now() - t0;
    expect(index.nodes.size).toBe(202);
    expect(ms).toBeLessThan(16);
  });
});

describe('live time', () => {
  it('maps the page clock onto run time and never goes back before the last event', () => {
    expect(liveRunTime({ monoOrigin: 1000, lastT: 50 }, 1100)).toBe(100);
    expect(liveRunTime({ monoOrigin: 1000, lastT: 150 }, 1100)).toBe(150);
    expect(liveRunTime({ monoOrigin: undefined, lastT: 150 }, 1100)).toBe(150);
  });
});

describe('branchNodes', () => {
  it('lists the heads and later nodes of every branch, not the fan-out source or the fan-in', () => {
    const yaml = `name: t
nodes:
  - name: prep
    run: return {}
  - name: a
    run: return {}
  - name: a2
    run: return {}
  - name: b
    run: return {}
  - name: join
    run: return {}
edges:
  - from: __start__
    to: prep
  - from: prep
    parallel: [a, b]
    fan_in: join
  - from: a
    to: a2
  - from: a2
    to: join
  - from: b
    to: join
  - from: join
    to: __end__
`;
    const load = loadWorkflow(yaml);
    const graph = buildGraph(load.model!);
    const set = branchNodes(graph);
    expect([...set].sort()).toEqual(['a', 'a2', 'b']);
    expect(branchNodes(graph)).toBe(set);
    expect(branchNodes(null).size).toBe(0);
  });
});
