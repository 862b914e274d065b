// History's compare of two runs: status, duration and model-call totals side by side with the change,
// and which two rows are compared as the user ticks them.
import { describe, expect, it } from 'vitest';
import { applyEvents, emptyRuns } from './run-store.ts';
import type { RunRecord } from './run-store.ts';
import { compareRuns, tickCompare } from './run-compare.ts';
import { syntheticLlmFanOut } from './synthetic-events.ts';

const runOf = (events: ReturnType<typeof syntheticLlmFanOut>): RunRecord =>
  Object.values(applyEvents(emptyRuns(), events).runs)[0]!;

describe('compare two runs', () => {
  it('lines up totals and gives the change from the first to the second', () => {
    const a = runOf(syntheticLlmFanOut('a', 2, 10, 10));
    const b = runOf(syntheticLlmFanOut('b', 4, 10, 10));
    const lines = compareRuns(a, b);
    expect(lines.map((l) => l.label)).toEqual([
      'status',
      'duration',
      'model calls',
      'tokens in',
      'tokens out',
      'cost',
    ]);
    const calls = lines.find((l) => l.label === 'model calls')!;
    expect(calls).toMatchObject({ a: 2, b: 4, delta: 2 });
    const out = lines.find((l) => l.label === 'tokens out')!;
    expect(out.delta).toBe(
      (b.llmTotals!.completionTokens as number) - (a.llmTotals!.completionTokens as number),
    );
    expect(lines[0]).toMatchObject({ a: 'succeeded', b: 'succeeded' });
    // The reverse comparison negates every change.
    const back = compareRuns(b, a);
    for (const [i, line] of lines.entries())
      if (line.delta !== undefined) expect(back[i]!.delta).toBe(-line.delta);
  });

  it('keeps the last two ticked runs; ticking again unticks', () => {
    let picked: string[] = [];
    for (const id of ['r1', 'r2', 'r3']) picked = tickCompare(picked, id);
    expect(picked).toEqual(['r2', 'r3']);
    expect(tickCompare(picked, 'r2')).toEqual(['r3']);
  });
});
