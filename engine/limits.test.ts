import { describe, expect, it } from 'vitest';
import { jsonBoundsProblem, jsonObjectBoundsProblem, truncateText } from './limits.ts';

function nested(depth: number): unknown {
  let value: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
}

describe('jsonBoundsProblem', () => {
  it('accepts ordinary JSON', () => {
    expect(jsonBoundsProblem({ a: [1, 'x', null, true, { b: 2.5 }] }, 'state')).toBeNull();
    expect(jsonBoundsProblem(nested(150), 'state')).toBeNull();
  });

  it('measures a value nested a million levels deep without recursing', () => {
    expect(jsonBoundsProblem(nested(1_000_000), 'input')).toBe('input is nested deeper than 200 levels');
  });

  it('refuses cycles but accepts shared (non-cyclic) references', () => {
    const shared = { x: 1 };
    expect(jsonBoundsProblem({ a: shared, b: shared }, 'state')).toBeNull();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonBoundsProblem(cyclic, 'state')).toMatch(/cycle/);
  });

  it('refuses non-JSON values, naming them', () => {
    expect(jsonBoundsProblem({ d: new Date() }, 'state')).toMatch(/a Date/);
    expect(jsonBoundsProblem({ n: Number.NaN }, 'state')).toMatch(/NaN/);
    expect(jsonBoundsProblem({ f: () => 1 }, 'state')).toMatch(/a function/);
    expect(jsonObjectBoundsProblem([1], 'input')).toBe('input must be a JSON object, got an array');
  });

  it('stops at the size bound', () => {
    const big = { s: 'x'.repeat(2000) };
    expect(jsonBoundsProblem(big, 'state', { maxDepth: 10, maxBytes: 1000 })).toBe(
      'state is larger than 1000 bytes',
    );
    expect(jsonBoundsProblem(big, 'state', { maxDepth: 10, maxBytes: 4000 })).toBeNull();
  });

  it('truncateText says what it cut', () => {
    expect(truncateText('abcdef', 3)).toBe('abc… [3 more characters cut]');
    expect(truncateText('abc', 3)).toBe('abc');
  });
});
