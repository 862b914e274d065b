// The loads an Engine keeps: the same text is parsed once, an edited one again; bounded by entries and
// by characters; a kept load is frozen all the way down.
import { describe, expect, it } from 'vitest';
import { LoadCache } from './load-cache.ts';

const flow = (name: string) => `name: ${name}
nodes:
  - name: a
    language: lua
    run: |
      return { x = 1 }
edges:
  - {from: __start__, to: a}
  - {from: a, to: __end__}
`;

describe('LoadCache', () => {
  it('parses a text once; an edited text, or the same text under another file name, again', () => {
    const cache = new LoadCache();
    const first = cache.load(flow('one'));
    expect(cache.load(flow('one'))).toBe(first);
    expect(cache.parses).toBe(1);
    expect(cache.load(`${flow('one')}# edited\n`)).not.toBe(first);
    expect(cache.parses).toBe(2);
    const named = cache.load(flow('one'), 'one.yaml');
    expect(named.file).toBe('one.yaml');
    expect(cache.parses).toBe(3);
  });

  it('keeps the most recently used entries only', () => {
    const cache = new LoadCache({ maxEntries: 2 });
    cache.load(flow('a'));
    cache.load(flow('b'));
    cache.load(flow('a')); // used again: 'b' is now the oldest
    cache.load(flow('c'));
    expect(cache.parses).toBe(3);
    cache.load(flow('a'));
    cache.load(flow('c'));
    expect(cache.parses).toBe(3);
    cache.load(flow('b'));
    expect(cache.parses).toBe(4);
  });

  it('is bounded by characters: a text larger than the bound is never kept', () => {
    const text = flow('big');
    const cache = new LoadCache({ maxChars: text.length - 1 });
    cache.load(text);
    cache.load(text);
    expect(cache.parses).toBe(2);
    const roomy = new LoadCache({ maxChars: text.length * 2 + 10 });
    roomy.load(flow('big'));
    roomy.load(flow('bog'));
    roomy.load(flow('bug')); // three do not fit: the oldest goes
    roomy.load(flow('bog'));
    roomy.load(flow('bug'));
    expect(roomy.parses).toBe(3);
    roomy.load(flow('big'));
    expect(roomy.parses).toBe(4);
  });

  it('a kept load is frozen all the way down, problems included', () => {
    const cache = new LoadCache();
    const load = cache.load(flow('frozen'));
    expect(Object.isFrozen(load)).toBe(true);
    expect(Object.isFrozen(load.problems)).toBe(true);
    expect(Object.isFrozen(load.model!.nodes[0])).toBe(true);
    expect(Object.isFrozen(load.model!.nodes[0]!.span)).toBe(true);
    expect(() => {
      (load.model!.nodes[0] as { run?: string }).run = 'return {}';
    }).toThrow(TypeError);
  });

  it('a text with YAML errors is kept too, with its problems', () => {
    const cache = new LoadCache();
    const broken = cache.load('name: [unclosed\n');
    expect(broken.model).toBeNull();
    expect(broken.problems.length).toBeGreaterThan(0);
    expect(cache.load('name: [unclosed\n')).toBe(broken);
    expect(cache.parses).toBe(1);
  });
});
