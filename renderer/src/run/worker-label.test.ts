// Queue mode in the timeline: a branch run by a `fanout worker` keeps that worker's id on its row
// (from branch-started / branch-vm-created) and the tooltip's worker label names it.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../engine/run/types.ts';
import { applyEvents, emptyRuns } from './run-store.ts';
import { workerLabel } from './format.ts';

describe('the worker label of a branch row', () => {
  it('names the queue worker that ran the branch, beside its pool slot', () => {
    const base = { runId: 'r', t: 0 };
    const events: RunEvent[] = [
      { ...base, seq: 0, type: 'run-started', workflow: 'w', input: {}, workers: 1 },
      { ...base, seq: 1, type: 'fan-out-started', fanOut: 's', branches: ['a', 'b'], fanIn: 'j' },
      {
        ...base,
        seq: 2,
        type: 'branch-started',
        fanOut: 's',
        branch: 'a',
        worker: 1,
        vmCreateMs: 2,
        remoteWorker: 'box-2',
      },
      {
        ...base,
        seq: 3,
        type: 'branch-started',
        fanOut: 's',
        branch: 'b',
        vmCreateMs: 0,
        remoteWorker: 'box-3',
      },
    ];
    const run = applyEvents(emptyRuns(), events).runs['r']!;
    const row = (branch: string) => run.rows.find((r) => r.kind === 'branch' && r.branch === branch)!;
    expect(workerLabel(row('a'))).toBe('box-2 · 1');
    expect(workerLabel(row('b'))).toBe('box-3');
    expect(workerLabel({ worker: 3 })).toBe('3');
  });
});
