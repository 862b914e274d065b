// dynamic_parallel in real runs (real workers, real wasmoon): branches on the timeline, a fresh VM per
// item, max_concurrency, fail_fast, bad items / limits as clear node errors, cancellation; and
// RunOptions.refuseUnavailableActions. TEA Python's final states are compared in test/tea-corpus-run.
import { describe, expect, it } from 'vitest';
import { UnavailableActionsError, WorkflowInvalidError } from '../index.ts';
import type { RunEvent } from '../index.ts';
import { engineForFile } from '../../test/helpers.ts';

const engine = engineForFile({ size: 4 });

/** A workflow: optional setup, one dynamic_parallel node `fan` (extra YAML lines), then `join`. */
function dpYaml(fanLines: string, joinCode = 'return { joined = #state.parallel_results }'): string {
  const indent = (text: string, pad: string) =>
    text
      .trim()
      .split('\n')
      .map((l) => pad + l)
      .join('\n');
  return `name: dp
nodes:
  - name: fan
    type: dynamic_parallel
    fan_in: join
${indent(fanLines, '    ')}
  - name: join
    language: lua
    run: |
${indent(joinCode, '      ')}
edges:
  - {from: __start__, to: fan}
  - {from: fan, to: join}
  - {from: join, to: __end__}
`;
}

const luaStep = (code: string, name = 'step') =>
  `steps:\n  - name: ${name}\n    language: lua\n    run: |\n${code
    .trim()
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n')}`;

async function run(
  yaml: string,
  input: Record<string, unknown> = {},
  options: { cancelAfterMs?: number } = {},
) {
  const events: RunEvent[] = [];
  const handle = engine().run(yaml, { input, onEvent: (e) => events.push(e) });
  if (options.cancelAfterMs !== undefined) setTimeout(() => handle.cancel(), options.cancelAfterMs);
  return { result: await handle.result, events };
}

/** Most branches of `fanOut` running at once, from branch-started / branch-finished events. */
function peakOverlap(events: RunEvent[], fanOut: string): number {
  let running = 0;
  let peak = 0;
  for (const e of events) {
    if (e.type === 'branch-started' && e.fanOut === fanOut) peak = Math.max(peak, ++running);
    if (e.type === 'branch-finished' && e.fanOut === fanOut) running--;
  }
  return peak;
}

describe('dynamic_parallel runs one branch per item', () => {
  it('on the timeline like other branches, each item in a fresh VM with its item and index', async () => {
    const { result, events } = await run(
      dpYaml(
        `items: "{{ state.list }}"\nitem_var: x\nindex_var: k\n${luaStep(
          'local seen = leaked\nleaked = state.x\nreturn { seen = seen, sq = state.x * state.x, at = state.k }',
        )}`,
      ),
      { list: [3, 4, 5] },
    );
    expect(result.status).toBe('succeeded');
    const names = ['fan[0]', 'fan[1]', 'fan[2]'];
    expect(events.find((e) => e.type === 'fan-out-started')).toMatchObject({
      fanOut: 'fan',
      branches: names,
      fanIn: 'join',
    });
    for (const branch of names) {
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'branch-started', fanOut: 'fan', branch }),
      );
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'node-finished', node: 'step', fanOut: 'fan', branch }),
      );
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'branch-finished', fanOut: 'fan', branch, status: 'succeeded' }),
      );
    }
    const fanIn = events.findIndex((e) => e.type === 'fan-in');
    const joinStarted = events.findIndex((e) => e.type === 'node-started' && e.node === 'join');
    expect(fanIn).toBeGreaterThan(0);
    expect(joinStarted).toBeGreaterThan(fanIn);
    const results = result.state['parallel_results'] as { branch: string; state: Record<string, unknown> }[];
    expect(results.map((r) => r.branch)).toEqual(names);
    // A global one branch's Lua sets is never seen by another: every item had a VM of its own.
    expect(results.map((r) => r.state)).toEqual([
      { list: [3, 4, 5], x: 3, k: 0, sq: 9, at: 0 },
      { list: [3, 4, 5], x: 4, k: 1, sq: 16, at: 1 },
      { list: [3, 4, 5], x: 5, k: 2, sq: 25, at: 2 },
    ]);
    expect(result.state['joined']).toBe(3);
  });

  it('honours max_concurrency (never more branches at once) and runs items side by side without it', async () => {
    const sleepy = luaStep('sleep(300) -- ms\nreturn { done = state.item }');
    const limited = await run(dpYaml(`items: "{{ state.list }}"\nmax_concurrency: 2\n${sleepy}`), {
      list: [1, 2, 3, 4, 5],
    });
    expect(limited.result.status).toBe('succeeded');
    expect(peakOverlap(limited.events, 'fan')).toBeLessThanOrEqual(2);
    const one = await run(
      dpYaml(`items: "{{ state.list }}"\nparallel_config: {max_concurrency: 1}\n${sleepy}`),
      {
        list: [1, 2, 3],
      },
    );
    expect(peakOverlap(one.events, 'fan')).toBe(1);
    // One at a time really is one at a time: three 300 ms sleeps cannot finish sooner than in sequence.
    expect(one.result.ms).toBeGreaterThanOrEqual(3 * 300 * 0.95);
    const free = await run(dpYaml(`items: "{{ state.list }}"\n${sleepy}`), { list: [1, 2, 3, 4] });
    expect(peakOverlap(free.events, 'fan')).toBeGreaterThanOrEqual(2);
  });

  it('fail_fast skips the items not started yet; without it every item runs; the fan-in runs either way', async () => {
    const failing = luaStep('if state.item == 2 then error("no two") end\nreturn { ok = state.item }');
    const fast = await run(
      dpYaml(`items: "{{ state.list }}"\nmax_concurrency: 1\nfail_fast: true\n${failing}`),
      { list: [1, 2, 3] },
    );
    expect(fast.result.status).toBe('succeeded');
    const results = fast.result.state['parallel_results'] as Record<string, unknown>[];
    expect(results.map((r) => [r['success'], r['error']])).toEqual([
      [true, null],
      [false, 'Lua error: step:1: no two'],
      [false, 'Cancelled due to fail_fast'],
    ]);
    expect(results[1]!['state']).toEqual({ item: 2, index: 1 });
    expect(fast.events).toContainEqual(
      expect.objectContaining({ type: 'branch-finished', branch: 'fan[2]', status: 'cancelled' }),
    );
    const all = await run(dpYaml(`items: "{{ state.list }}"\nmax_concurrency: 1\n${failing}`), {
      list: [1, 2, 3],
    });
    const allResults = all.result.state['parallel_results'] as Record<string, unknown>[];
    expect(allResults.map((r) => r['success'])).toEqual([true, false, true]);
  });

  it('bad items, a bad max_concurrency and too many items fail the node with a clear message', async () => {
    const step = luaStep('return {}');
    const notList = await run(dpYaml(`items: "{{ state.s }}"\n${step}`), { s: 'text' });
    expect(notList.result).toMatchObject({ status: 'failed', node: 'fan' });
    expect(notList.result.error).toMatch(/items expression must return a list, got a string/);
    const zero = await run(dpYaml(`items: "{{ state.list }}"\nmax_concurrency: "{{ state.n }}"\n${step}`), {
      list: [1],
      n: 0,
    });
    expect(zero.result.error).toMatch(/max_concurrency must be a positive integer, got 0/);
    const many = await run(dpYaml(`items: "{{ state.list }}"\n${step}`), {
      list: Array.from({ length: 10_001 }, (_, i) => i),
    });
    expect(many.result.error).toMatch(/10001 items, more than the 10000/);
    const remote = await run(dpYaml('items: "{{ state.list }}"\nsubgraph: s3://bucket/flow.yaml'), {
      list: [1],
    });
    expect(remote.result.error).toMatch(/subgraph 's3:\/\/bucket\/flow.yaml' is not a local file/);
    const outside = await run(dpYaml('items: "{{ state.list }}"\nsubgraph: ../../etc/passwd'), { list: [1] });
    expect(outside.result.error).toMatch(/is outside the allowed base directory/);
    const missing = await run(dpYaml('items: "{{ state.list }}"\nsubgraph: no-such-flow.yaml'), {
      list: [1],
    });
    expect(missing.result.error).toMatch(/subgraph 'no-such-flow.yaml': file not found$/);
  });

  it('an action-mode branch with an unknown action fails that branch in one line; max_concurrency past the bound is OUT_OF_RANGE', async () => {
    const { result } = await run(
      dpYaml('items: "{{ state.list }}"\naction:\n  uses: a2a.send\n  with: {prompt: hi}\n  output: answer'),
      { list: [1] },
    );
    const entry = (result.state['parallel_results'] as Record<string, unknown>[])[0]!;
    expect(entry).toMatchObject({
      success: false,
      error: "node 'fan': action 'a2a.send' is not available in Fanout (see docs/compat.md)",
    });
    const problems = await engine().validate(
      engine().load(dpYaml(`items: "{{ state.list }}"\nmax_concurrency: 20000\n${luaStep('return {}')}`)),
      { luaSyntax: false },
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ code: 'OUT_OF_RANGE', node: 'fan', severity: 'error', line: 7 }),
    );
  });

  it('results are bounded as they arrive: past the state size no new item starts and the node fails', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const { result, events } = await run(
      dpYaml(`items: "{{ state.list }}"\nmax_concurrency: 2\n${luaStep('return { n = state.item }')}`),
      { big, list: Array.from({ length: 40 }, (_, i) => i) },
    );
    expect(result).toMatchObject({ status: 'failed', node: 'fan' });
    expect(result.error).toMatch(/is larger than 32 MiB after \d+ of 40 items; the rest were not started/);
    const started = events.filter((e) => e.type === 'branch-started').length;
    expect(started).toBeGreaterThanOrEqual(15);
    expect(started).toBeLessThan(20);
  });

  it('cancelling the run stops its branches at once', async () => {
    const started = performance.now();
    const { result } = await run(
      dpYaml(`items: "{{ state.list }}"\n${luaStep('while true do end')}`),
      { list: [1, 2, 3] },
      { cancelAfterMs: 300 },
    );
    expect(result.status).toBe('cancelled');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('inside a static parallel branch it is refused with a reason (the branch already holds a worker)', async () => {
    const yaml = `name: nested
nodes:
  - name: a
    language: lua
    run: return {}
  - name: fan
    type: dynamic_parallel
    items: "{{ state.list }}"
    fan_in: join
    steps:
      - {name: s, language: lua, run: "return {}"}
  - name: b
    language: lua
    run: return {}
  - name: join
    language: lua
    run: return {}
edges:
  - {from: __start__, to: a}
  - {from: a, parallel: [fan, b], fan_in: join}
  - {from: fan, to: join}
  - {from: b, to: join}
  - {from: join, to: __end__}
`;
    const { result } = await run(yaml, { list: [1] });
    const entry = (result.state['parallel_results'] as Record<string, unknown>[]).find(
      (r) => r['branch'] === 'fan',
    );
    expect(entry?.['error']).toMatch(/cannot run inside a parallel branch/);
  });
});

describe('RunOptions.refuseUnavailableActions', () => {
  const yaml = `name: needs-llm
nodes:
  - name: ask
    uses: a2a.send
    with: {prompt: hi}
  - name: fan
    type: dynamic_parallel
    items: "{{ state.list }}"
    fan_in: done
    action: {uses: memory.mem0.add, with: {x: 1}}
  - name: done
    uses: a2a.send
edges:
  - {from: __start__, to: ask}
  - {from: ask, to: fan}
  - {from: fan, to: done}
  - {from: done, to: __end__}
`;

  it('refuses up front listing every unavailable action once; without it the run fails at the first such node', async () => {
    let error: unknown;
    try {
      engine().run(yaml, { refuseUnavailableActions: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnavailableActionsError);
    expect(error).toBeInstanceOf(WorkflowInvalidError);
    const refused = error as UnavailableActionsError;
    expect(refused.actions).toEqual(['a2a.send', 'memory.mem0.add']);
    expect(refused.message).toBe(
      'the workflow uses actions that are not available in Fanout: a2a.send, memory.mem0.add (see docs/compat.md)',
    );
    expect(refused.problems.length).toBeGreaterThan(0);
    expect(refused.problems.every((p) => p.severity === 'error' && p.code === 'UNKNOWN_ACTION')).toBe(true);
    const { result } = await run(yaml);
    expect(result).toMatchObject({ status: 'failed', node: 'ask' });
    const fine = await engine().run(dpYaml(`items: "{{ state.list }}"\n${luaStep('return {}')}`), {
      input: { list: [1] },
      refuseUnavailableActions: true,
    }).result;
    expect(fine.status).toBe('succeeded');
  });
});
