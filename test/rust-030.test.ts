// TEA-RUST-030 (parallel Lua VM isolation), translated to this engine: a rayon thread is a pooled
// worker process, `LuaRuntime::new()` a fresh wasmoon VM, the ActionRegistry our shared registry.
// AC1's timing scenarios (INT-001, INT-002) are in rust-030.timing.test.ts. Every test runs real Lua in real wasmoon VMs in real worker processes. Scenario IDs are in the names;
// the VM-level unit scenarios (UNIT-002, -005, -006, -007, -008) live in engine/lua/*.test.ts and the
// registry unit scenarios (UNIT-004, INT-005) in engine/actions/*.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../engine/index.ts';
import type { Engine, RunEvent, RunResult } from '../engine/index.ts';
import { byBranch, chainYaml, eventsOf, fanOutYaml, results } from './helpers.ts';

let engine: Engine;

beforeAll(async () => {
  engine = createEngine({ size: 4 });
  await engine.start();
  engine.registerAction(
    'test.slow_echo',
    async (params) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 50));
      inFlight--;
      return { echoed: params.value };
    },
    { description: 'echo after 50 ms (test)' },
  );
});

afterAll(async () => {
  await engine.close();
});

let inFlight = 0;
let maxInFlight = 0;

async function run(yaml: string, input: Record<string, unknown> = {}) {
  const events: RunEvent[] = [];
  const result: RunResult = await engine.run(yaml, { input, onEvent: (e) => events.push(e) }).result;
  return { result, state: result.state, events };
}

const SLEEP_BRANCH = (name: string) => `sleep(100) return { ${name} = true }`;
describe('AC1: parallel branches execute concurrently', () => {
  it('RUST-030-UNIT-001 each branch is dispatched to its own pooled worker and they overlap in time', async () => {
    const branches = { p1: SLEEP_BRANCH('p1'), p2: SLEEP_BRANCH('p2'), p3: SLEEP_BRANCH('p3') };
    const { events } = await run(fanOutYaml({ branches }));
    const started = eventsOf(events, 'branch-started');
    const finished = eventsOf(events, 'branch-finished');
    expect(new Set(started.map((e) => e.worker)).size).toBe(3);
    // Every branch started before any branch finished: they were running at the same time.
    const lastStart = Math.max(...started.map((e) => e.t));
    const firstEnd = Math.min(...finished.map((e) => e.t));
    expect(lastStart).toBeLessThan(firstEnd);
  });
});

describe('AC2: each parallel branch creates its own Lua VM', () => {
  it('RUST-030-INT-003 a fresh VM per branch: globals left by earlier branches on the same workers are gone', async () => {
    const branches = {
      w1: 'local before = leftover leftover = "w1" return { saw = before ~= nil }',
      w2: 'local before = leftover leftover = "w2" return { saw = before ~= nil }',
      w3: 'local before = leftover leftover = "w3" return { saw = before ~= nil }',
      w4: 'local before = leftover leftover = "w4" return { saw = before ~= nil }',
    };
    const yaml = fanOutYaml({ branches });
    const first = await run(yaml);
    const second = await run(yaml); // same warm workers, new VMs
    for (const { state, events } of [first, second]) {
      expect(results(state).map((r) => r.state?.saw)).toEqual([false, false, false, false]);
      for (const e of eventsOf(events, 'branch-started')) expect(e.vmCreateMs).toBeGreaterThan(0);
    }
  });

  it('RUST-030-UNIT-003 one engine runs several workflows at once without sharing state', async () => {
    const yaml = fanOutYaml({
      before: 'tag = state.tag return { from_source = state.tag }',
      branches: { x: 'return { x = state.tag }', y: 'return { y = state.tag }' },
      fanIn: 'return { seen_tag = tag, xs = state.parallel_results[1].state.x }',
    });
    const [a, b, c] = await Promise.all([
      run(yaml, { tag: 'A' }),
      run(yaml, { tag: 'B' }),
      run(yaml, { tag: 'C' }),
    ]);
    expect([a.state.seen_tag, b.state.seen_tag, c.state.seen_tag]).toEqual(['A', 'B', 'C']);
    expect([a.state.xs, b.state.xs, c.state.xs]).toEqual(['A', 'B', 'C']);
  });
});

describe('AC3: the action registry is shared across branches', () => {
  it('RUST-030-INT-004 parallel branches call the same registered action concurrently', async () => {
    maxInFlight = 0;
    const branch = (v: string) => ({ uses: 'test.slow_echo', with: { value: v }, output: 'reply' });
    const { state } = await run(
      fanOutYaml({
        branches: { e1: branch('one'), e2: branch('two'), e3: branch('three'), e4: branch('four') },
      }),
    );
    expect(results(state).map((r) => (r.state?.reply as { echoed: string }).echoed)).toEqual([
      'one',
      'two',
      'three',
      'four',
    ]);
    expect(maxInFlight).toBeGreaterThanOrEqual(2);
  });

  it('RUST-030-INT-005 many branches hit the registry at once without deadlock or mix-ups', async () => {
    const branches: Record<string, { uses: string; with: Record<string, unknown>; output: string }> = {};
    for (let i = 1; i <= 12; i++)
      branches[`r${i}`] = { uses: 'json.parse', with: { text: `{"n": ${i}}` }, output: 'parsed' };
    const { state } = await run(fanOutYaml({ branches }));
    const values = results(state).map((r) => JSON.stringify(r.state?.parsed));
    for (let i = 1; i <= 12; i++) expect(values[i - 1]).toContain(`${i}`);
  });
});

describe('AC4: the fan-in receives parallel_results from all branches', () => {
  it('RUST-030-INT-006 fan-in receives all branch results', async () => {
    const { state } = await run(
      fanOutYaml({
        before: 'return { base = 10 }',
        branches: {
          alpha: 'return { value = state.base + 1 }',
          beta: 'return { value = state.base + 2 }',
          gamma: 'return { value = state.base + 3 }',
        },
        fanIn: `local sum, names = 0, {}
for _, r in ipairs(state.parallel_results) do
  sum = sum + r.state.value
  names[#names + 1] = r.branch
end
return { total = sum, names = table.concat(names, ",") }`,
      }),
    );
    expect(state.total).toBe(36);
    expect(state.names).toBe('alpha,beta,gamma');
    const r = byBranch(state, 'beta');
    expect(r).toMatchObject({ success: true, error: null, error_type: null, timeout: false });
    expect(r.state).toMatchObject({ base: 10, value: 12 });
    expect(typeof r.timing_ms).toBe('number');
  });

  it('RUST-030-INT-007 fan-in handles mixed success and failure', async () => {
    const { result, state } = await run(
      fanOutYaml({
        branches: {
          good: 'return { ok = 1 }',
          bad: 'error("boom in bad")',
          nilcall: 'local t = nil\nreturn { x = t.field }',
          good2: 'return { ok = 2 }',
        },
        fanIn: `local ok, failed = 0, 0
for _, r in ipairs(state.parallel_results) do
  if r.success then ok = ok + 1 else failed = failed + 1 end
end
return { ok_count = ok, failed_count = failed }`,
      }),
    );
    expect(result.status).toBe('succeeded');
    expect(state).toMatchObject({ ok_count: 2, failed_count: 2 });
    const bad = byBranch(state, 'bad');
    expect(bad).toMatchObject({ success: false, state: null, error_type: 'LuaError', timeout: false });
    expect(bad.error).toContain('boom in bad');
    expect(bad.error).toMatch(/bad:1:/); // node name and Lua line
    expect(byBranch(state, 'nilcall').error).toMatch(/nilcall:2:.*nil/);
  });

  it('RUST-030-INT-008 results keep declaration order whatever order branches finish in', async () => {
    const { state, events } = await run(
      fanOutYaml({
        branches: {
          // Gaps of 200 ms, so a loaded machine cannot swap the finishing order.
          slowest: 'sleep(400) return { n = 1 }',
          middle: 'sleep(200) return { n = 2 }',
          fastest: 'return { n = 3 }',
        },
      }),
    );
    expect(results(state).map((r) => r.branch)).toEqual(['slowest', 'middle', 'fastest']);
    expect(results(state).map((r) => r.state?.n)).toEqual([1, 2, 3]);
    const finishOrder = eventsOf(events, 'branch-finished').map((e) => e.branch);
    expect(finishOrder).toEqual(['fastest', 'middle', 'slowest']);
  });
});

describe('AC5: globals of branch A are not visible to branch B', () => {
  it('RUST-030-INT-009 global variable isolation', async () => {
    const { state } = await run(
      fanOutYaml({
        branches: {
          branch_a: 'cached = 123 sleep(50) return { a_cached = cached }',
          branch_b: 'sleep(20) return { cached_is_nil = cached == nil }',
        },
      }),
    );
    expect(byBranch(state, 'branch_a').state?.a_cached).toBe(123);
    expect(byBranch(state, 'branch_b').state?.cached_is_nil).toBe(true);
  });

  it('RUST-030-INT-010 table mutation isolation', async () => {
    const { state } = await run(
      fanOutYaml({
        before: 'config = { mode = "main" } return {}',
        branches: {
          mutator:
            '_G.config = {} _G.config.mode = "mutated" string.custom = "x" sleep(50) return { mode = _G.config.mode }',
          reader: 'sleep(20) return { has_config = _G.config ~= nil, custom = string.custom == nil }',
        },
        fanIn: 'return { main_mode = config and config.mode or "gone" }',
      }),
    );
    expect(byBranch(state, 'mutator').state?.mode).toBe('mutated');
    expect(byBranch(state, 'reader').state).toMatchObject({ has_config: false, custom: true });
    // The main VM keeps its own global: branch mutations never reach it.
    expect(state.main_mode).toBe('main');
  });

  it('RUST-030-E2E-001 full YAML workflow whose branches write conflicting globals', async () => {
    const { readFile } = await import('node:fs/promises');
    const yaml = await readFile(
      new URL('../resources/examples/parallel-isolation.yaml', import.meta.url),
      'utf8',
    );
    const { result, state } = await run(yaml);
    expect(result.status).toBe('succeeded');
    expect(state).toMatchObject({ succeeded: 4, leaked: 0, label: 'demo' });
    expect(results(state).map((r) => Object.keys(r.state ?? {}).filter((k) => k.length === 1))).toEqual([
      ['a'],
      ['b'],
      ['c'],
      ['d'],
    ]);
  });
});

describe('AC6: functions of branch A do not affect branch B', () => {
  it('RUST-030-INT-011 function definition isolation', async () => {
    const { state } = await run(
      fanOutYaml({
        branches: {
          definer: 'function helper() return 1 end sleep(50) return { got = helper() }',
          caller: 'sleep(20) return { got = helper() }',
        },
      }),
    );
    expect(byBranch(state, 'definer').state?.got).toBe(1);
    const caller = byBranch(state, 'caller');
    expect(caller.success).toBe(false);
    expect(caller.error).toMatch(/helper/);
  });
});

describe('AC7: each branch timeout is independent', () => {
  it('RUST-030-INT-012 a branch with a 50 ms timeout times out; its 200 ms sibling completes', async () => {
    const { state, events } = await run(
      fanOutYaml({
        branches: {
          short: { code: 'while true do end', timeoutMs: 50 },
          long: { code: 'sleep(100) return { done = true }', timeoutMs: 200 },
        },
      }),
    );
    const short = byBranch(state, 'short');
    expect(short).toMatchObject({ success: false, timeout: true, error_type: 'TimeoutError', state: null });
    expect(short.error).toContain('execution timeout');
    expect(short.timing_ms).toBeLessThan(1000);
    expect(byBranch(state, 'long')).toMatchObject({ success: true, state: { done: true } });
    const statuses = Object.fromEntries(eventsOf(events, 'branch-finished').map((e) => [e.branch, e.status]));
    expect(statuses).toEqual({ short: 'timed-out', long: 'succeeded' });
  });

  it('RUST-030-INT-013 a timeout does not cascade to the fan-in, which gets the partial results', async () => {
    const { result, state } = await run(
      fanOutYaml({
        branches: {
          hang: { code: 'while true do pcall(function() while true do end end) end', timeoutMs: 100 },
          ok1: 'return { v = 1 }',
          ok2: 'return { v = 2 }',
        },
        fanIn: `local sum = 0
for _, r in ipairs(state.parallel_results) do if r.success then sum = sum + r.state.v end end
return { partial_sum = sum, timed_out = state.parallel_results[1].timeout }`,
      }),
    );
    expect(result.status).toBe('succeeded');
    expect(state).toMatchObject({ partial_sum: 3, timed_out: true });
  });
});

describe('AC8: sequential execution is unaffected', () => {
  it('RUST-030-E2E-002 sequential Lua nodes share one main VM and merge their results', async () => {
    const { result, state, events } = await run(
      chainYaml([
        'greeting = "Hello" return { greeting = greeting }',
        'return { message = greeting .. " World!", counter = (state.counter or 0) + 1 }',
        'return { counter = state.counter + 1, saw_greeting = state.greeting == "Hello" }',
        'return nil',
        'return {}',
      ]),
      { value: 21 },
    );
    expect(result.status).toBe('succeeded');
    expect(state).toEqual({
      value: 21,
      greeting: 'Hello',
      message: 'Hello World!',
      counter: 2,
      saw_greeting: true,
    });
    expect(eventsOf(events, 'node-finished').map((e) => e.node)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
  });

  it('RUST-030-E2E-003 mixed sequential + parallel workflow', async () => {
    const { state, events } = await run(
      fanOutYaml({
        before: 'prefix = "p-" return { items = { 1, 2 } }',
        branches: {
          left: 'return { side = "L", count = #state.items }',
          right: 'return { side = "R", count = #state.items + 1 }',
        },
        fanIn: `local sides = {}
for _, r in ipairs(state.parallel_results) do sides[#sides + 1] = r.state.side end
return { sides = prefix .. table.concat(sides) }`,
        after: 'return { final = state.sides .. "!", kept = #state.parallel_results }',
      }),
    );
    expect(state).toMatchObject({ sides: 'p-LR', final: 'p-LR!', kept: 2, items: [1, 2] });
    expect(eventsOf(events, 'node-finished').map((e) => e.node)).toEqual(
      expect.arrayContaining(['source', 'left', 'right', 'join', 'after']),
    );
    const order = events
      .filter((e) => e.type === 'node-finished' && !('branch' in e && e.branch))
      .map((e) => (e as { node: string }).node);
    expect(order).toEqual(['source', 'join', 'after']);
  });
});

describe('AC9: YAML-defined parallel Lua agents demonstrate isolation', () => {
  for (const form of ['hybrid', 'python', 'rust'] as const) {
    it(`RUST-030-E2E-004 YAML-defined parallel Lua agent (${form} edge form)`, async () => {
      const { state } = await run(
        fanOutYaml({
          form,
          branches: {
            a: 'marker = "from_a" return { marker = marker }',
            b: 'sleep(30) return { marker = marker or "from_b", sees_a = marker ~= nil }',
          },
          fanIn: 'return { n = #state.parallel_results }',
        }),
      );
      expect(state.n).toBe(2);
      expect(byBranch(state, 'a').state?.marker).toBe('from_a');
      expect(byBranch(state, 'b').state).toMatchObject({ marker: 'from_b', sees_a: false });
    });
  }
});

describe('TEA Rust inline fixtures', () => {
  it('test_parallel_branches_independent_lua_state: fan-out from __start__ (Rust form)', async () => {
    const { state } = await run(`name: start-fan
nodes:
  - name: branch_a
    language: lua
    run: |
      global_marker = "a"
      return { a = true }
  - name: branch_b
    language: lua
    run: |
      return { leaked = global_marker ~= nil }
  - name: collect
    language: lua
    run: |
      return state
edges:
  - from: __start__
    parallel: [branch_a, branch_b]
  - {from: branch_a, to: collect}
  - {from: branch_b, to: collect}
  - {from: collect, to: __end__}
`);
    expect(results(state)).toHaveLength(2);
    expect(byBranch(state, 'branch_b').state?.leaked).toBe(false);
    expect(byBranch(state, 'branch_a').state?.a).toBe(true);
  });
});

describe('AC10: memory use is reported per VM', () => {
  it('RUST-030-AC10 branch events and samples carry Lua heap figures of small fresh VMs', async () => {
    const { events } = await run(
      fanOutYaml({
        branches: {
          light: 'return { n = 1 }',
          heavy: 'local t = {} for i = 1, 20000 do t[i] = "item" .. i end sleep(250) return { n = #t }',
        },
      }),
    );
    const finished = Object.fromEntries(eventsOf(events, 'branch-finished').map((e) => [e.branch, e]));
    expect(finished.light?.peakHeapBytes).toBeGreaterThan(0);
    expect(finished.light!.peakHeapBytes!).toBeLessThan(500 * 1024);
    expect(finished.heavy!.peakHeapBytes!).toBeGreaterThan(finished.light!.peakHeapBytes!);
    const samples = eventsOf(events, 'memory-sample').filter((s) => s.branch === 'heavy');
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(samples.some((s) => (s.luaHeapBytes ?? 0) > 0 && s.rssBytes > 0)).toBe(true);
  });
});
