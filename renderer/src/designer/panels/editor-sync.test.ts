import { describe, expect, it } from 'vitest';
import { lineColRange, minimalChange } from './editor-sync.ts';

function apply(text: string, change: { from: number; to: number; insert: string }): string {
  return text.slice(0, change.from) + change.insert + text.slice(change.to);
}

describe('minimalChange', () => {
  it('replaces only the differing middle, so a cursor before or after it keeps its place', () => {
    const before = 'nodes:\n  - name: a\n    run: x\n';
    const after = 'nodes:\n  - name: renamed\n    run: x\n';
    const change = minimalChange(before, after)!;
    expect(apply(before, change)).toBe(after);
    expect(change.from).toBe(before.indexOf('a\n'));
    expect(change.to).toBe(change.from + 1);
    expect(change.insert).toBe('renamed');
  });

  it('handles equal texts, pure insertions, deletions and repeated characters', () => {
    expect(minimalChange('same', 'same')).toBeNull();
    for (const [a, b] of [
      ['', 'abc'],
      ['abc', ''],
      ['aaaa', 'aaaaa'],
      ['abcabc', 'abc'],
      ['x\ny', 'x\n\ny'],
    ] as const) {
      expect(apply(a, minimalChange(a, b)!)).toBe(b);
    }
  });
});

describe('lineColRange', () => {
  const text = 'first\n  second\n\nlast';
  it('converts 1-based line:col to offsets that underline the rest of the line', () => {
    expect(lineColRange(text, 2, 3)).toEqual({ from: 8, to: 14 });
    expect(text.slice(8, 14)).toBe('second');
  });
  it('clamps out-of-range positions into the text', () => {
    expect(lineColRange(text, 3, 5)).toEqual({ from: 15, to: 15 }); // empty line
    expect(lineColRange(text, 99, 1)).toEqual({ from: 16, to: 20 });
    expect(lineColRange(text, 0, 0)).toEqual({ from: 0, to: 5 });
  });
});
