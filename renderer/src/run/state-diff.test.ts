import { describe, expect, it } from 'vitest';
import { diffStates } from './state-diff.ts';
import { formatBytes, formatMs, niceTicks } from './format.ts';

describe('diffStates', () => {
  it('reports added, removed, changed and unchanged keys in key order', () => {
    const diff = diffStates({ a: 1, b: { x: 1 }, c: 'gone' }, { a: 1, b: { x: 2 }, d: true });
    expect(diff.map((d) => [d.key, d.kind])).toEqual([
      ['a', 'same'],
      ['b', 'changed'],
      ['c', 'removed'],
      ['d', 'added'],
    ]);
    expect(diff[1]).toEqual({ key: 'b', kind: 'changed', before: { x: 1 }, after: { x: 2 } });
  });
});

describe('format', () => {
  it('formats times, sizes and round axis ticks', () => {
    expect(formatMs(0.25)).toBe('0.25 ms');
    expect(formatMs(126.9)).toBe('127 ms');
    expect(formatMs(2500)).toBe('2.50 s');
    expect(formatBytes(44_369)).toBe('43.3 KiB');
    expect(niceTicks(167)).toEqual([0, 50, 100, 150]);
    expect(niceTicks(0)).toEqual([0]);
  });
});
