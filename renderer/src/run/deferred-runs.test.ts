import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { RunRecord } from './run-store.ts';
import { deferRuns } from './deferred-runs.ts';

function harness() {
  let clock = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const source = createStore<{ runs: Record<string, RunRecord> }>()(() => ({ runs: {} }));
  const mirror = deferRuns(source, {
    intervalMs: 100,
    now: () => clock,
    setTimer: (fn, ms) => timers.push({ at: clock + ms, fn }),
  });
  const advance = (ms: number) => {
    clock += ms;
    for (const t of timers.splice(0).sort((a, b) => a.at - b.at)) {
      if (t.at <= clock) t.fn();
      else timers.push(t);
    }
  };
  const put = (id: string) =>
    source.setState({ runs: { ...source.getState().runs, [id]: { runId: id } as RunRecord } });
  return { source, mirror, advance, put, timers };
}

describe('deferRuns', () => {
  it('follows the source in a later task, not in the one that changed it', () => {
    const h = harness();
    h.put('a');
    expect(h.mirror.getState().runs).toEqual({});
    h.advance(0);
    expect(Object.keys(h.mirror.getState().runs)).toEqual(['a']);
  });

  it('coalesces changes to at most one update per interval and ends on the latest state', () => {
    const h = harness();
    let updates = 0;
    h.mirror.subscribe(() => updates++);
    for (let i = 0; i < 50; i++) {
      h.put(`r${i}`);
      h.advance(10);
    }
    h.advance(200);
    expect(updates).toBeLessThanOrEqual(6);
    expect(h.mirror.getState().runs).toBe(h.source.getState().runs);
  });
});
