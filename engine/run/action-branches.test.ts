// Parallel branches create their Lua VM only when they first need Lua (engine/run/vm-hosts.ts BranchVm,
// branch-start.ts): branches that only call actions run concurrently in the host with no worker, far
// more of them at once than the pool has workers. Real runs: real workers and wasmoon VMs, llm.call over
// fetch to a real local HTTP server (test/llm/openai-server.ts); nothing in the engine is mocked.
import { loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunOptions } from '../index.ts';
import { engineForFile, eventsOf, fanOutSpan, fanOutYaml, results } from '../../test/helpers.ts';
import { completion, reply, sendJson, sleep, startOpenAiServer } from '../../test/llm/openai-server.ts';
import type { OpenAiServer } from '../../test/llm/openai-server.ts';
import { BranchSlots } from './branch-slots.ts';
import { MAX_HOST_BRANCHES } from '../limits.ts';

// Two workers only: had each branch leased one, 50 branches would take 25 answer times.
const engine = engineForFile({ size: 2 });
let server: OpenAiServer;
/** Requests of the 'counted' model being answered right now, and the most at once. */
let inFlight = 0;
let peakInFlight = 0;
beforeAll(async () => {
  server = await startOpenAiServer();
  server.script('counted', async ({ res, body }) => {
    peakInFlight = Math.max(peakInFlight, ++inFlight);
    await sleep(100);
    inFlight--;
    sendJson(res, 200, completion(body, reply(body)));
  });
});
afterAll(async () => {
  await server.close();
});

const ANSWER_MS = 200;

async function run(yaml: string, options: RunOptions = {}) {
  const events: RunEvent[] = [];
  const handle = engine().run(yaml, { llm: { env: {} }, ...options, onEvent: (e) => events.push(e) });
  return { handle, events, result: await handle.result };
}

function llmBranches(count: number, model: string, extra: Record<string, unknown> = {}) {
  return fanOutYaml({
    settings: `llm: {api_base: "${server.base}", model: ${model}}`,
    branches: Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        `b${i}`,
        { uses: 'llm.call', with: { prompt: `q${i}`, ...extra }, output: 'answer' },
      ]),
    ),
    fanIn: 'return { n = #state.parallel_results }',
  });
}

/** Source -> two branches (`a`, `b`, each a list of node YAML blocks in order) -> join. */
function twoBranches(a: string[], b: string[]): string {
  const chain = (name: string, nodes: string[]) => nodes.map((n, i) => `  - name: ${name}${i}\n${n}`);
  const edges = (name: string, nodes: string[]) =>
    nodes.map((_, i) => `  - {from: ${name}${i}, to: ${i + 1 < nodes.length ? `${name}${i + 1}` : 'join'}}`);
  return [
    'name: lazy',
    `settings: {llm: {api_base: "${server.base}", model: echo}}`,
    'nodes:',
    '  - name: source\n    run: return {}',
    ...chain('a', a),
    ...chain('b', b),
    '  - name: join\n    run: return {}',
    'edges:',
    '  - {from: __start__, to: source}',
    '  - {from: source, to: a0, type: parallel, fan_in: join, parallel: [a0, b0]}',
    '  - {from: source, to: b0, type: parallel, fan_in: join}',
    ...edges('a', a),
    ...edges('b', b),
    '  - {from: join, to: __end__}',
    '',
  ].join('\n');
}

const llmNode = (prompt: string, output: string) =>
  `    uses: llm.call\n    with: {prompt: "${prompt}"}\n    output: ${output}`;
const luaNode = (code: string) => `    run: ${code}`;

describe('action-only parallel branches run in the host, with no worker', () => {
  it(`50 llm.call branches against a server answering in ${ANSWER_MS} ms finish in < 5 answer times on a pool of 2`, async () => {
    const { result, events } = await run(llmBranches(50, `delay-${ANSWER_MS}`));
    expect(result.status).toBe('succeeded');
    const span = fanOutSpan(events);
    console.log(
      `[lazy-vm] 50 action-only branches, 2 workers: fan-out ${Math.round(span)} ms ` +
        `(${(span / ANSWER_MS).toFixed(2)} answer times; leasing a worker each would take 25), load ${loadavg()[0]!.toFixed(1)}`,
    );
    expect(span).toBeLessThan(5 * ANSWER_MS);
    // parallel_results: declaration order and TEA Rust's shape; each branch's model output where its
    // node put it.
    const all = results(result.state);
    expect(all.map((r) => r.branch)).toEqual(Array.from({ length: 50 }, (_, i) => `b${i}`));
    all.forEach((r, i) => {
      expect(r).toMatchObject({ success: true, error: null, error_type: null, timeout: false });
      expect((r.state?.['answer'] as { content: string }).content).toBe(`echo: q${i}`);
    });
    expect(result.state['n']).toBe(50);
    // Each branch is on the timeline: started (no worker, no VM-creation time) and finished, with no
    // VM created and so no heap peak.
    const started = eventsOf(events, 'branch-started');
    expect(started).toHaveLength(50);
    for (const e of started) {
      expect(e.worker).toBeUndefined();
      expect(e.vmCreateMs).toBe(0);
    }
    expect(eventsOf(events, 'branch-vm-created')).toEqual([]);
    const finished = eventsOf(events, 'branch-finished');
    expect(finished.map((e) => e.status)).toEqual(Array(50).fill('succeeded'));
    expect(finished.every((e) => e.peakHeapBytes === undefined)).toBe(true);
    expect(eventsOf(events, 'node-finished').filter((e) => e.branch !== undefined)).toHaveLength(50);
  });

  it('a branch creates its fresh VM when it first needs Lua, reports it once, and sees no other VM', async () => {
    const yaml = twoBranches(
      [llmNode('first', 'a_answer'), luaNode('leftover = "a"; return { a_saw = tostring(leftover_b) }')],
      [
        luaNode('leftover_b = "b"; return { b_first = true }'),
        llmNode('second', 'b_answer'),
        luaNode('return { b_kept = leftover_b }'),
      ],
    );
    const { result, events } = await run(yaml);
    expect(result.status).toBe('succeeded');
    const [a, b] = results(result.state);
    expect(a!.state).toMatchObject({ a_answer: { content: 'echo: first' }, a_saw: 'nil' });
    // b's VM lives for the whole branch, across its action node: its global survived.
    expect(b!.state).toMatchObject({ b_first: true, b_answer: { content: 'echo: second' }, b_kept: 'b' });
    const started = new Map(eventsOf(events, 'branch-started').map((e) => [e.branch, e]));
    // a starts with an action: no VM, then one created at its Lua node.
    expect(started.get('a0')).toMatchObject({ vmCreateMs: 0 });
    expect(started.get('a0')!.worker).toBeUndefined();
    // b starts with Lua: its VM first, as every branch did before.
    expect(started.get('b0')!.worker).toBeTypeOf('number');
    expect(started.get('b0')!.vmCreateMs).toBeGreaterThan(0);
    const created = eventsOf(events, 'branch-vm-created');
    expect(created.map((e) => e.branch)).toEqual(['a0']);
    expect(created[0]!.worker).toBeTypeOf('number');
    expect(created[0]!.vmCreateMs).toBeGreaterThan(0);
    // The VM was created after the branch's llm.call finished and before its Lua node started.
    const llmDone = eventsOf(events, 'node-finished').find((e) => e.node === 'a0')!;
    const luaStart = eventsOf(events, 'node-started').find((e) => e.node === 'a1')!;
    expect(created[0]!.seq).toBeGreaterThan(llmDone.seq);
    expect(created[0]!.seq).toBeGreaterThan(luaStart.seq);
    const peaks = new Map(eventsOf(events, 'branch-finished').map((e) => [e.branch, e.peakHeapBytes]));
    expect(peaks.get('a0')).toBeGreaterThan(0);
    expect(peaks.get('b0')).toBeGreaterThan(0);
  });

  it('an action that runs Lua (lua.eval) creates the VM on its first call, in the branch', async () => {
    const yaml = twoBranches(
      ['    uses: lua.eval\n    with: {code: "return { v = 1 + 1 }"}\n    output: got'],
      [llmNode('plain', 'answer')],
    );
    const { result, events } = await run(yaml);
    expect(result.status).toBe('succeeded');
    expect(results(result.state)[0]!.state).toMatchObject({ got: { v: 2 } });
    expect(eventsOf(events, 'branch-vm-created').map((e) => e.branch)).toEqual(['a0']);
  });

  it('a Lua timeout in a lazily created VM still fails only that branch', async () => {
    const yaml = twoBranches(
      [llmNode('x', 'x'), '    timeout_ms: 300\n    run: while true do end'],
      [llmNode('y', 'y')],
    );
    const { result } = await run(yaml);
    expect(result.status).toBe('succeeded');
    const [a, b] = results(result.state);
    expect(a).toMatchObject({ success: false, error_type: 'TimeoutError', timeout: true });
    expect(b).toMatchObject({ success: true });
  });

  it('fail_fast: a failing action branch cancels the waiting ones and fails the run', async () => {
    server.script('boom', ({ res }) => sendJson(res, 500, { error: { message: 'down' } }));
    const yaml = twoBranches(
      ['    uses: llm.call\n    with: {prompt: p, model: boom, max_retries: 0}\n    output: x'],
      [llmNode('slow', 'y').replace('{prompt: "slow"}', '{prompt: "slow", model: delay-5000}')],
    ).replace('settings: {', 'settings: {parallel: {fail_fast: true}, ');
    const t0 = performance.now();
    const { result } = await run(yaml);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/fail_fast/);
    expect(performance.now() - t0).toBeLessThan(4000);
    const [, b] = results(result.state);
    expect(b).toMatchObject({ success: false, error_type: 'Cancelled' });
  });

  it('cancel aborts the in-flight requests of action-only branches at once', async () => {
    const before = server.requests.length;
    const events: RunEvent[] = [];
    const handle = engine().run(llmBranches(20, 'delay-10000'), {
      llm: { env: {} },
      onEvent: (e) => events.push(e),
    });
    while (server.requests.length < before + 20) await sleep(10);
    const cancelledAt = performance.now();
    handle.cancel();
    const result = await handle.result;
    expect(result.status).toBe('cancelled');
    expect(performance.now() - cancelledAt).toBeLessThan(1000);
    expect(eventsOf(events, 'branch-finished').map((e) => e.status)).toEqual(Array(20).fill('cancelled'));
    const mine = server.requests.slice(before);
    await sleep(200);
    expect(mine.every((r) => r.closedAt !== undefined)).toBe(true);
  });

  it(`at most MAX_HOST_BRANCHES (${MAX_HOST_BRANCHES}) action-only branches are in flight at once`, async () => {
    peakInFlight = 0;
    const count = MAX_HOST_BRANCHES + 44;
    const { result } = await run(llmBranches(count, 'counted'));
    expect(result.status).toBe('succeeded');
    expect(result.state['n']).toBe(count);
    expect(peakInFlight).toBeLessThanOrEqual(MAX_HOST_BRANCHES);
    // Far more than the pool's 2 workers at once (a loaded machine may not reach the whole bound).
    expect(peakInFlight).toBeGreaterThan(MAX_HOST_BRANCHES / 4);
  });
});

describe('BranchSlots', () => {
  it('hands slots out up to its capacity, then first come first served; release is idempotent', async () => {
    const slots = new BranchSlots(2);
    const r1 = await slots.acquire();
    const r2 = await slots.acquire();
    const order: number[] = [];
    const third = slots.acquire().then((r) => (order.push(3), r));
    const fourth = slots.acquire().then((r) => (order.push(4), r));
    await sleep(10);
    expect(order).toEqual([]);
    r1();
    r1();
    const r3 = await third;
    await sleep(10);
    expect(order).toEqual([3]);
    expect(slots.active).toBe(2);
    r2();
    const r4 = await fourth;
    expect(order).toEqual([3, 4]);
    r3();
    r4();
    expect(slots.active).toBe(0);
  });

  it('a waiter whose signal aborts leaves the queue with an error', async () => {
    const slots = new BranchSlots(1);
    const held = await slots.acquire();
    const abort = new AbortController();
    const waiting = slots.acquire(abort.signal);
    abort.abort();
    await expect(waiting).rejects.toThrow('cancelled');
    held();
    expect(slots.active).toBe(0);
    await expect(slots.acquire(abort.signal)).rejects.toThrow('cancelled');
  });
});
