import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../../engine/run/types.ts';
import { applyEvents, emptyRuns } from '../../run/run-store.ts';
import { boundedJson, hasOutput, nodeOutputPreview } from './output-preview.ts';

function runOf(events: Partial<RunEvent>[]) {
  const full = events.map((e, i) => ({ runId: 'r1', seq: i, t: i, ...e }) as RunEvent);
  return applyEvents(emptyRuns(), full).runs.r1!;
}

describe('node output preview', () => {
  it('bounds what it writes, whatever the value', () => {
    expect(boundedJson({ a: 1, b: 'x' }, 50)).toBe('{"a": 1, "b": "x"}');
    const big = Array.from({ length: 100_000 }, (_, i) => i);
    const text = boundedJson(big, 40);
    expect(text.length).toBeLessThanOrEqual(40);
    expect(text.endsWith('…')).toBe(true);
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(boundedJson(deep, 200)).toContain('{…}');
    expect(boundedJson('y'.repeat(10_000), 30).length).toBeLessThanOrEqual(30);
  });

  it("lists the keys a node's update changed, cut to a few, and the failure of a failed node", () => {
    const after = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i]));
    const run = runOf([
      { type: 'run-started', workflow: 'w', input: { keep: true }, workers: 1 } as Partial<RunEvent>,
      { type: 'node-started', node: 'a' } as Partial<RunEvent>,
      { type: 'node-finished', node: 'a', ms: 1, update: after } as Partial<RunEvent>,
      { type: 'node-started', node: 'b' } as Partial<RunEvent>,
      { type: 'node-failed', node: 'b', error: 'boom', errorType: 'LuaError' } as Partial<RunEvent>,
    ]);
    expect(hasOutput(run, 'a')).toBe(true);
    expect(hasOutput(run, 'b')).toBe(true);
    expect(hasOutput(run, 'nope')).toBe(false);
    const a = nodeOutputPreview(run, 'a')!;
    expect(a.status).toBe('succeeded');
    expect(a.entries.map((e) => [e.key, e.kind, e.text])).toEqual([
      ['k0', 'added', '0'],
      ['k1', 'added', '1'],
      ['k2', 'added', '2'],
      ['k3', 'added', '3'],
      ['k4', 'added', '4'],
      ['k5', 'added', '5'],
    ]);
    expect(a.more).toBe(3);
    expect(a.stateKeys).toBe(10);
    const b = nodeOutputPreview(run, 'b')!;
    expect([b.status, b.error, b.entries]).toEqual(['failed', 'boom', []]);
  });
});
