// Every TEA corpus workflow that needs no outside service and has no Python/Prolog code, plus small Lua
// workflows of the forms TEA Python runs (dynamic_parallel modes, output mappings), run in real
// workers; Fanout's final state must equal TEA Python's, recorded once by
// test/fixtures/tea-corpus-results/record.sh (recorded.json; Python is never needed here). Where the
// two legitimately differ, the difference itself is asserted (and explained in docs/compat.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../engine/index.ts';
import { engineForFile } from './helpers.ts';

const dir = fileURLToPath(new URL('./fixtures/tea-corpus-results/', import.meta.url));
type Recorded = { ok: boolean; error: string | null; final_state: Record<string, unknown> };
const recorded = JSON.parse(readFileSync(join(dir, 'recorded.json'), 'utf8')) as Record<string, Recorded>;
const cases = readFileSync(join(dir, 'cases.tsv'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() && !line.startsWith('#'))
  .map((line) => {
    const [file, input] = line.split('\t') as [string, string];
    return { file, input: JSON.parse(input) as Record<string, unknown>, key: `${file} ${input}` };
  });
const engine = engineForFile({ size: 4 });

async function run(file: string, input: Record<string, unknown>, interruptAfter: string[] = []) {
  const load = await engine().loadFile(join(dir, file));
  const events: RunEvent[] = [];
  const handle = engine().run(load, {
    input,
    interruptAfter,
    onEvent: (e) => {
      events.push(e);
      // A paused run is what TEA Python's stream ends with at an interrupt: stop there.
      if (e.type === 'paused') engine().cancel(e.runId);
    },
  });
  return { result: await handle.result, events, model: load.model! };
}

/** Timings differ run to run; for a failed dynamic_parallel branch only the error's presence is compared. */
function comparable(state: Record<string, unknown>): Record<string, unknown> {
  const results = state['parallel_results'];
  if (!Array.isArray(results)) return state;
  return {
    ...state,
    parallel_results: results.map((r: Record<string, unknown>) => {
      const { timing_ms: _t, ...rest } = r;
      const luaError = !r['success'] && r['error'] !== 'Cancelled due to fail_fast';
      return luaError ? { ...rest, error: typeof r['error'] === 'string' ? 'an error' : r['error'] } : rest;
    }),
  };
}

/** Cases where TEA Python and Fanout differ by design; each is asserted in its own test below. */
const DIFFERENT = new Set([
  '../tea-corpus/examples/parity-test-interactive.yaml',
  '../tea-corpus/rust/tests/fixtures/interactive_interview.yaml',
  '../tea-corpus/python/tests/fixtures/lua_test_agent.yaml',
]);

describe('TEA corpus and TEA forms: the final state TEA Python gives', () => {
  it('every recorded case is in cases.tsv (record.sh was run after the last change)', () => {
    expect(Object.keys(recorded).sort()).toEqual(cases.map((c) => c.key).sort());
  });

  for (const c of cases.filter((c) => !DIFFERENT.has(c.file))) {
    it(`${c.file.replace('../tea-corpus/', '')} ${JSON.stringify(c.input)}`, async () => {
      const tea = recorded[c.key]!;
      expect(tea.ok).toBe(true);
      const { result } = await run(c.file, c.input);
      expect(result.error).toBeUndefined();
      expect(result.status).toBe('succeeded');
      expect(comparable(result.state)).toEqual(comparable(tea.final_state));
    });
  }
});

describe('where TEA Python and Fanout differ (docs/compat.md)', () => {
  it("node-level `interrupt: after` ends TEA Python's run there; Fanout pauses there only when the host asks (interruptAfter), with the same state", async () => {
    for (const file of [
      '../tea-corpus/examples/parity-test-interactive.yaml',
      '../tea-corpus/rust/tests/fixtures/interactive_interview.yaml',
    ]) {
      const tea = recorded[`${file} {}`]!;
      const at = /interrupted at node (\S+)/.exec(tea.error ?? '')![1]!;
      const { model } = await run(file, {});
      const marked = model.nodes.filter((n) => n.raw['interrupt'] === 'after').map((n) => n.name);
      expect(marked).toContain(at);
      const paused = await run(file, {}, marked);
      const event = paused.events.find((e) => e.type === 'paused');
      expect(event).toMatchObject({ node: at, when: 'after', state: tea.final_state });
      expect(paused.result.status).toBe('cancelled');
      const through = await run(file, {});
      expect(through.result.status).toBe('succeeded');
    }
  });

  it("lua_test_agent.yaml: `tea run` (no lua_enabled) runs its `-- lua` code as Python and fails; Fanout runs it as Lua (TEA Rust's reading)", async () => {
    const c = cases.find((x) => x.file.endsWith('lua_test_agent.yaml'))!;
    expect(recorded[c.key]).toMatchObject({ ok: false, error: expect.stringMatching(/invalid syntax/) });
    const { result } = await run(c.file, c.input);
    expect(result.status).toBe('succeeded');
    expect(result.state).toMatchObject({
      result_math: 70,
      result_string: 'HELLO!',
      result_array: [2, 4, 6],
      result_object: { name: 'test', count: 6, doubled: 10 },
      result_conditional: 'medium',
    });
  });

  it('a failed dynamic_parallel branch: the Lua error names the chunk and line differently (TEA Python wraps the code in two lines of its own); the rest of the entry is TEA Python’s', async () => {
    const c = cases.find((x) => x.file === 'dp-fail-fast.yaml')!;
    const teaEntry = (recorded[c.key]!.final_state['parallel_results'] as Record<string, unknown>[])[1]!;
    const { result } = await run(c.file, c.input);
    const entry = (result.state['parallel_results'] as Record<string, unknown>[])[1]!;
    expect(teaEntry['error']).toMatch(/^\[string "<python>"\]:3: bad item$/);
    expect(entry['error']).toBe('Lua error: check:1: bad item');
    const { error: _a, timing_ms: _b, ...teaRest } = teaEntry;
    const { error: _c, timing_ms: _d, ...rest } = entry;
    expect(rest).toEqual(teaRest);
  });
});
