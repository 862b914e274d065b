// engine.run(text) keeps the load of the last few texts (engine/workflow/load-cache.ts): running an
// unchanged document again parses nothing (counted, not timed), an edited one is parsed; and no run —
// Lua, fan-outs, dynamic_parallel in every mode, actions with `with:`, model calls — changes the
// kept load: it is deep-frozen (a write would fail the run) and its JSON is the same after two runs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../engine/index.ts';
import { repoRoot } from './helpers.ts';

const engine = createEngine({ size: 2 });
afterAll(() => engine.close());

const CHAIN = `name: chain
nodes:
  - name: a
    language: lua
    run: |
      return { n = (state.n or 0) + 1 }
  - name: b
    language: lua
    run: |
      return { n = state.n * 10 }
edges:
  - {from: __start__, to: a}
  - {from: a, to: b}
  - {from: b, to: __end__}
`;

/** Workflows that run without any outside service: the examples and the dynamic_parallel corpus. */
function runnable(): { name: string; text: string; baseDir: string }[] {
  const examples = join(repoRoot, 'resources/examples');
  const corpus = join(repoRoot, 'test/fixtures/tea-corpus-results');
  return [
    ...readdirSync(examples).map((f) => ({
      name: f,
      text: readFileSync(join(examples, f), 'utf8'),
      baseDir: examples,
    })),
    // dp-subgraph.yaml loads dp-subgraph-item.yaml from its folder (subgraph mode).
    ...readdirSync(corpus)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => ({ name: f, text: readFileSync(join(corpus, f), 'utf8'), baseDir: corpus })),
  ];
}

describe('engine.run(text) keeps the load of an unchanged text', () => {
  it('the second run of the same text parses nothing; an edited text is parsed', async () => {
    const before = engine.loads.parses;
    const first = await engine.run(CHAIN, { input: { n: 1 } }).result;
    expect(engine.loads.parses).toBe(before + 1);
    const second = await engine.run(CHAIN, { input: { n: 1 } }).result;
    expect(engine.loads.parses).toBe(before + 1);
    expect(second.status).toBe('succeeded');
    expect(second.state).toEqual(first.state);
    expect(second.state['n']).toBe(20);

    const edited = CHAIN.replace('state.n * 10', 'state.n * 100');
    const third = await engine.run(edited, { input: { n: 1 } }).result;
    expect(engine.loads.parses).toBe(before + 2);
    expect(third.state['n']).toBe(200);
    // engine.load (what the hosts call before run) shares the same kept loads.
    expect(engine.load(edited)).toBe(engine.load(edited));
    expect(engine.loads.parses).toBe(before + 2);
  });

  it('no run changes the kept load (examples and every dynamic_parallel mode, each run twice)', async () => {
    for (const { name, text, baseDir } of runnable()) {
      const kept = engine.load(text);
      const snapshot = JSON.stringify(kept);
      const outcomes: string[] = [];
      for (let i = 0; i < 2; i++) {
        const result = await engine.run(text, { baseDir, llm: { env: {} }, timeoutMs: 10_000 }).result;
        // A write into the frozen model would be a TypeError naming the property: never one.
        expect(result.error ?? '', name).not.toMatch(/read[- ]only|not extensible|Cannot assign/i);
        outcomes.push(result.status);
      }
      expect(outcomes[1], name).toBe(outcomes[0]);
      expect(engine.load(text), name).toBe(kept);
      expect(JSON.stringify(kept), name).toBe(snapshot);
    }
  });
});
