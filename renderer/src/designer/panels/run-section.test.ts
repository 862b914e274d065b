import { only, recorded } from '../../run/fixtures/recorded.ts';
import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../../../../engine/workflow/load.ts';
import type { RunEvent } from '../../../../engine/run/types.ts';
import { applyEvents, emptyRuns } from '../../run/run-store.ts';
import {
  BRANCH_NODE_REASON,
  breakpointBlocked,
  codeAtRun,
  mainLineRowKey,
  rememberRunModel,
  runErrorFocus,
  runErrorMarkers,
  runFromHereBlocked,
} from './run-section.ts';

// A failing workflow and the events the real engine emitted for it (`fanout run --events`): the
// engine reports line 3, the line of `error(...)` within boom's code (file line 12).
const FAILING = `name: fail-demo
nodes:
  - name: prep
    language: lua
    run: |
      return { n = 1 }
  - name: boom
    language: lua
    run: |
      local a = 1
      local b = 2
      error("kaboom at three")
      return {}
  - name: inline
    language: lua
    run: "return { x = nil .. 'y' }"
edges:
  - {from: __start__, to: prep}
  - {from: prep, to: boom}
  - {from: boom, to: __end__}
`;
const FAILED_EVENTS = [
  { type: 'run-started', workflow: 'fail-demo', input: {}, workers: 1, mode: 'full', t: 0.9, seq: 0 },
  { type: 'node-started', node: 'prep', t: 5, seq: 1 },
  { type: 'node-finished', node: 'prep', ms: 4, update: { n: 1 }, t: 140, seq: 2 },
  { type: 'node-started', node: 'boom', t: 145, seq: 3 },
  {
    type: 'node-failed',
    node: 'boom',
    ms: 5.672,
    error: 'Lua error: boom:3: kaboom at three',
    errorType: 'LuaError',
    timeout: false,
    line: 3,
    t: 151.1,
    seq: 4,
  },
  { type: 'run-finished', status: 'failed', ms: 153.7, state: { n: 1 }, node: 'boom', t: 153.8, seq: 5 },
].map((e) => ({ runId: 'fail-run', ...e }) as RunEvent);

describe('run from here / breakpoints availability', () => {
  const run = only(applyEvents(emptyRuns(), recorded('parallel-isolation')));

  it('allows main-line nodes the last run reached, with the recorded before-state', () => {
    expect(runFromHereBlocked(run, 'join', false)).toBeNull();
    expect(mainLineRowKey(run, 'join')).toBe('join');
    expect((run.nodeStates.get('join')!.before.parallel_results as unknown[]).length).toBe(4);
  });

  it('refuses while the run is still going or paused', () => {
    const events = FAILED_EVENTS.slice(0, 1);
    const running = only(applyEvents(emptyRuns(), events));
    expect(runFromHereBlocked(running, 'boom', false)).toMatch(/Wait for the run/);
    const paused = only(
      applyEvents(emptyRuns(), [
        ...events,
        { runId: 'fail-run', type: 'paused', node: 'boom', when: 'before', state: {}, t: 1, seq: 1 },
      ]),
    );
    expect(runFromHereBlocked(paused, 'boom', false)).toMatch(/paused/);
  });

  it('refuses branch nodes, runs that did not reach the node, and files never run', () => {
    expect(runFromHereBlocked(run, 'branch_a', true)).toBe(BRANCH_NODE_REASON);
    // Even without the graph's say-so, a branch execution is not a main-line before-state.
    expect(mainLineRowKey(run, 'branch_a')).toBeUndefined();
    expect(runFromHereBlocked(run, 'never_ran', false)).toBe('The last run did not reach this node');
    expect(runFromHereBlocked(undefined, 'join', false)).toMatch(/Run the workflow first/);
    const failed = only(applyEvents(emptyRuns(), FAILED_EVENTS));
    expect(runFromHereBlocked(failed, 'boom', false)).toBeNull();
    expect(runFromHereBlocked(failed, 'inline', false)).toBe('The last run did not reach this node');
  });

  it('picks the latest execution of a looping node', () => {
    const loop = only(applyEvents(emptyRuns(), recorded('while-loop')));
    expect(mainLineRowKey(loop, 'increment')).toBe('increment#5');
  });

  it('allows breakpoints on main-line nodes only', () => {
    expect(breakpointBlocked(false)).toBeNull();
    expect(breakpointBlocked(true)).toBe(BRANCH_NODE_REASON);
  });
});

describe('run errors in the Lua editor', () => {
  const load = loadWorkflow(FAILING);
  const model = load.model!;
  const boom = model.nodes.find((n) => n.name === 'boom')!;
  const failed = only(applyEvents(emptyRuns(), FAILED_EVENTS));
  const row = failed.rows.find((r) => r.node === 'boom')!;

  it('maps the engine line to the file line of the statement that failed', () => {
    const focus = runErrorFocus(FAILING, model, 'boom', row.line);
    expect(focus).toEqual({ node: 'boom', line: 12 });
    expect(FAILING.split('\n')[focus.line! - 1]!.trim()).toBe('error("kaboom at three")');
    // An inline `run: "..."` has its code on the key's own line.
    expect(runErrorFocus(FAILING, model, 'inline', 1)).toEqual({ node: 'inline', line: 16 });
    // Without a line, or for a node that is gone, only the node.
    expect(runErrorFocus(FAILING, model, 'boom', undefined)).toEqual({ node: 'boom' });
    expect(runErrorFocus(FAILING, model, 'gone', 3)).toEqual({ node: 'gone' });
    // A line past the (since shortened) code lands on its last line.
    expect(runErrorFocus(FAILING, model, 'boom', 99)).toEqual({ node: 'boom', line: 13 });
  });

  it('marks the failing line while the code is the code that ran, and not after an edit', () => {
    rememberRunModel('fail-run', model);
    const ran = codeAtRun('fail-run', 'boom');
    expect(ran).toBe(boom.run);
    const markers = runErrorMarkers(row, boom.run!, ran);
    expect(markers).toEqual([
      {
        line: 3,
        col: 1,
        severity: 'error',
        code: 'Run failed',
        message: 'Lua error: boom:3: kaboom at three',
      },
    ]);
    expect(runErrorMarkers(row, `${boom.run!}-- edited\n`, ran)).toEqual([]);
    // A run this window did not see start: shown, since nothing says the code changed.
    expect(codeAtRun('other-run', 'boom')).toBeUndefined();
    expect(runErrorMarkers(row, boom.run!, undefined)).toHaveLength(1);
    // Errors without a line (timeouts) have no marker; nor do nodes that did not fail.
    expect(runErrorMarkers({ error: 'execution timeout', line: undefined }, boom.run!, ran)).toEqual([]);
    expect(runErrorMarkers(null, boom.run!, ran)).toEqual([]);
  });
});
