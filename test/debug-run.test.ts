// Debugging a run (issue 7 item 6): breakpoints on main-line nodes (TEA's interrupt_before/after),
// "run from here" (startAt) and "run this node alone" (only). Real workers, real wasmoon VMs.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { JsonObject, RunEvent, RunHandle, RunRequest } from '../engine/index.ts';
import { eventsOf, fanOutYaml, repoRoot, results, engineForFile } from './helpers.ts';

const engine = engineForFile();

/** n1 -> n2 -> n3 with an initial_state, so tests can tell "merged over" from "the whole state". */
const CHAIN = `name: debug-chain
initial_state: { x: 5 }
nodes:
  - name: n1
    language: lua
    run: |
      counter = 41
      return { a = 1 }
  - name: n2
    language: lua
    run: |
      return { b = state.a + 1, g = counter and counter + 1 or -1 }
  - name: n3
    language: lua
    run: |
      return { c = state.b * 10 }
edges:
  - {from: __start__, to: n1}
  - {from: n1, to: n2}
  - {from: n2, to: n3}
  - {from: n3, to: __end__}
`;

const LOOP = `name: debug-loop
nodes:
  - name: prepare
    language: lua
    run: return { count = 0 }
  - name: counter_loop
    type: while_loop
    condition: "state.count < 3"
    max_iterations: 10
    body:
      - name: increment
        language: lua
        run: return { count = state.count + 1 }
edges:
  - {from: __start__, to: prepare}
  - {from: prepare, to: counter_loop}
  - {from: counter_loop, to: __end__}
`;

/** Starts a run that records its events and can wait for the next event of a type. */
function start(yaml: string, request: RunRequest = {}) {
  const events: RunEvent[] = [];
  const waiters: { type: RunEvent['type']; from: number; resolve: (e: RunEvent) => void }[] = [];
  const handle: RunHandle = engine().run(yaml, {
    ...request,
    onEvent: (event) => {
      events.push(event);
      for (const w of [...waiters]) {
        if (w.type === event.type && events.length > w.from) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event);
        }
      }
    },
  });
  let consumed = 0;
  /** The next event of `type` not yet returned by an earlier next(type) call. */
  const next = <T extends RunEvent['type']>(type: T): Promise<Extract<RunEvent, { type: T }>> => {
    const seen = events.slice(consumed).findIndex((e) => e.type === type);
    if (seen >= 0) {
      consumed += seen + 1;
      return Promise.resolve(events[consumed - 1] as Extract<RunEvent, { type: T }>);
    }
    return new Promise((resolve) => {
      waiters.push({
        type,
        from: events.length,
        resolve: (e) => {
          consumed = events.indexOf(e) + 1;
          resolve(e as Extract<RunEvent, { type: T }>);
        },
      });
    });
  };
  return { handle, events, next };
}

const started = (events: RunEvent[]) => eventsOf(events, 'node-started').map((e) => e.node);

describe('breakpoints (interruptBefore / interruptAfter)', () => {
  it('pauses before a node with the exact state, and continues unchanged on resume', async () => {
    const run = start(CHAIN, { interruptBefore: ['n2'] });
    const paused = await run.next('paused');
    expect(paused).toMatchObject({ node: 'n2', when: 'before', state: { x: 5, a: 1 } });
    expect(Object.keys(paused.state).sort()).toEqual(['a', 'x']);
    expect(started(run.events)).toEqual(['n1']); // n2 has not started
    expect(engine().service.isPaused(run.handle.runId)).toBe(true);
    expect(engine().resume(run.handle.runId)).toBe(true);
    const result = await run.handle.result;
    expect(result.status).toBe('succeeded');
    expect(result.state).toEqual({ x: 5, a: 1, b: 2, g: 42, c: 20 });
    const resumed = eventsOf(run.events, 'resumed');
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatchObject({ node: 'n2', when: 'before', edited: false });
    expect(resumed[0]!.state).toBeUndefined();
    expect(engine().resume(run.handle.runId)).toBe(false); // finished: nothing to resume
  });

  it('resume with an edited state replaces the state the run continues with', async () => {
    const run = start(CHAIN, { interruptBefore: ['n2'] });
    await run.next('paused');
    const edited = { a: 100, note: 'edited' };
    expect(engine().resume(run.handle.runId, edited)).toBe(true);
    edited.a = -1; // the run took a copy
    const result = await run.handle.result;
    expect(result.state).toEqual({ a: 100, note: 'edited', b: 101, g: 42, c: 1010 });
    expect(eventsOf(run.events, 'resumed')[0]).toMatchObject({
      edited: true,
      state: { a: 100, note: 'edited' },
    });
  });

  it('interruptAfter pauses once the node update is merged', async () => {
    const run = start(CHAIN, { interruptAfter: ['n2'] });
    const paused = await run.next('paused');
    expect(paused).toMatchObject({ node: 'n2', when: 'after', state: { x: 5, a: 1, b: 2, g: 42 } });
    expect(started(run.events)).toEqual(['n1', 'n2']);
    engine().resume(run.handle.runId);
    expect((await run.handle.result).state.c).toBe(20);
  });

  it('two breakpoints pause twice, in order', async () => {
    const run = start(CHAIN, { interruptBefore: ['n3', 'n1'], interruptAfter: ['n3'] });
    const first = await run.next('paused');
    expect([first.node, first.when]).toEqual(['n1', 'before']);
    expect(first.state).toEqual({ x: 5 });
    engine().resume(run.handle.runId);
    const second = await run.next('paused');
    expect([second.node, second.when]).toEqual(['n3', 'before']);
    expect(started(run.events)).toEqual(['n1', 'n2']);
    engine().resume(run.handle.runId);
    const third = await run.next('paused');
    expect([third.node, third.when, third.state.c]).toEqual(['n3', 'after', 20]);
    engine().resume(run.handle.runId);
    expect((await run.handle.result).status).toBe('succeeded');
    const order = run.events.filter((e) => e.type === 'paused' || e.type === 'resumed').map((e) => e.type);
    expect(order).toEqual(['paused', 'resumed', 'paused', 'resumed', 'paused', 'resumed']);
  });

  it('cancel while paused ends the run as cancelled at once', async () => {
    const run = start(CHAIN, { interruptBefore: ['n2'] });
    await run.next('paused');
    const t0 = performance.now();
    run.handle.cancel();
    const result = await run.handle.result;
    const ms = performance.now() - t0;
    expect(result.status).toBe('cancelled');
    expect(ms).toBeLessThan(1000);
    expect(started(run.events)).toEqual(['n1']);
    expect(eventsOf(run.events, 'resumed')).toHaveLength(0);
    expect(engine().resume(result.runId)).toBe(false);
  });

  it('a paused run holds no worker: another run uses every worker, then the main VM globals are intact', async () => {
    // An earlier test's run closes its main VM after reporting its result (scheduler.ts): let that
    // finish, so the check below sees only this run.
    const busyWorkers = () =>
      engine()
        .service.pool.stats()
        .workers.filter((w) => w.busy);
    for (let waited = 0; busyWorkers().length > 0 && waited < 5000; waited += 20) await sleepMs(20);
    expect(busyWorkers()).toEqual([]);
    const run = start(CHAIN, { interruptBefore: ['n2'] });
    await run.next('paused');
    expect(busyWorkers()).toEqual([]);
    // A 4-branch fan-out on the 4 workers: had the paused run kept its home worker, one branch would
    // have had to wait for another's worker and only 3 distinct workers would show up.
    const nap = 'sleep(100) return {}';
    const branches = { p1: nap, p2: nap, p3: nap, p4: nap };
    const other: RunEvent[] = [];
    const otherResult = await engine().run(fanOutYaml({ branches }), { onEvent: (e) => other.push(e) })
      .result;
    expect(otherResult.status).toBe('succeeded');
    expect(new Set(eventsOf(other, 'branch-started').map((e) => e.worker)).size).toBe(4);
    expect(engine().service.isPaused(run.handle.runId)).toBe(true);
    engine().resume(run.handle.runId);
    const result = await run.handle.result;
    // `counter` was a Lua global set by n1 before the pause; n2 read it after.
    expect(result.state.g).toBe(42);
    expect(eventsOf(run.events, 'log').filter((e) => /main Lua VM was lost/.test(e.message))).toEqual([]);
  });

  it('breakpoints on branch nodes are ignored with one warning; the branches still run in parallel', async () => {
    const yaml = fanOutYaml({
      branches: {
        p1: 'sleep(400) return { p1 = true }',
        p2: 'sleep(400) return { p2 = true }',
        p3: 'return {}',
      },
    });
    const run = start(yaml, { interruptBefore: ['p1', 'p2'], interruptAfter: ['p1'] });
    const result = await run.handle.result;
    expect(result.status).toBe('succeeded');
    expect(eventsOf(run.events, 'paused')).toEqual([]);
    const warnings = eventsOf(run.events, 'log').filter((e) => e.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('parallel branches are not interruptible');
    expect(warnings[0]!.message).toContain("'p1'");
    expect(warnings[0]!.message).toContain("'p2'");
    const branchStarts = eventsOf(run.events, 'branch-started').filter((e) => e.branch !== 'p3');
    const sleepers = eventsOf(run.events, 'branch-finished').filter((e) => e.branch !== 'p3');
    expect(Math.max(...branchStarts.map((e) => e.t))).toBeLessThan(Math.min(...sleepers.map((e) => e.t)));
    expect(results(result.state).map((r) => r.success)).toEqual([true, true, true]);
  });

  it('a fan-out source and its fan-in are main-line nodes: both can pause', async () => {
    const yaml = fanOutYaml({
      before: 'return { from_source = 1 }',
      branches: { p1: 'return { v = 1 }', p2: 'return { v = 2 }' },
      fanIn: 'return { total = state.parallel_results[1].state.v + state.parallel_results[2].state.v }',
    });
    const run = start(yaml, { interruptAfter: ['source'], interruptBefore: ['join'] });
    const atSource = await run.next('paused');
    expect(atSource).toMatchObject({ node: 'source', when: 'after', state: { from_source: 1 } });
    expect(eventsOf(run.events, 'fan-out-started')).toEqual([]);
    engine().resume(run.handle.runId);
    const atJoin = await run.next('paused');
    expect(atJoin.node).toBe('join');
    expect(results(atJoin.state).map((r) => r.state?.v)).toEqual([1, 2]);
    // Edit a branch result before the fan-in merges it.
    const edited = structuredClone(atJoin.state) as JsonObject & {
      parallel_results: { state: JsonObject }[];
    };
    edited.parallel_results[1]!.state.v = 40;
    engine().resume(run.handle.runId, edited);
    expect((await run.handle.result).state.total).toBe(41);
  });

  it('a while_loop pauses as a whole; its body nodes are not breakpoints', async () => {
    const run = start(LOOP, {
      interruptBefore: ['counter_loop', 'increment'],
      interruptAfter: ['counter_loop'],
    });
    const before = await run.next('paused');
    expect([before.node, before.when, before.state.count]).toEqual(['counter_loop', 'before', 0]);
    engine().resume(run.handle.runId);
    const after = await run.next('paused');
    expect([after.node, after.when, after.state.count]).toEqual(['counter_loop', 'after', 3]);
    engine().resume(run.handle.runId);
    expect((await run.handle.result).state.count).toBe(3);
    const warnings = eventsOf(run.events, 'log').filter((e) => e.level === 'warn');
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining("'increment'")]);
  });

  it('a listener may resume from inside its paused handler', async () => {
    const seen: RunEvent[] = [];
    const handle = engine().run(CHAIN, {
      interruptBefore: ['n2', 'n3'],
      onEvent: (e) => {
        seen.push(e);
        if (e.type === 'paused') expect(engine().resume(e.runId, { ...e.state, a: 2 })).toBe(true);
      },
    });
    const result = await handle.result;
    expect(result.state).toMatchObject({ a: 2, b: 3, c: 30 });
    expect(eventsOf(seen, 'resumed').map((e) => e.node)).toEqual(['n2', 'n3']);
  });

  it('resume refuses what is not a plain JSON object and answers false for unknown runs', async () => {
    expect(engine().resume('no-such-run')).toBe(false);
    const run = start(CHAIN, { interruptBefore: ['n2'] });
    await run.next('paused');
    const id = run.handle.runId;
    for (const bad of [[1, 2], 'text', new Date(), { f: () => 1 }, { n: Number.NaN }, { d: new Map() }]) {
      expect(() => engine().resume(id, bad as unknown as JsonObject)).toThrow(TypeError);
    }
    const cyclic: JsonObject = {};
    cyclic.self = cyclic;
    expect(() => engine().resume(id, cyclic)).toThrow(/refers back to itself/);
    expect(engine().service.isPaused(id)).toBe(true); // still waiting
    expect(engine().resume(id, { a: 2 })).toBe(true);
    expect((await run.handle.result).state).toEqual({ a: 2, b: 3, g: 42, c: 30 });
  });
});

describe('run from here (startAt)', () => {
  it('starts at the node with the input as the whole state and skips earlier nodes', async () => {
    const run = start(CHAIN, { startAt: 'n2', input: { a: 7 } });
    const result = await run.handle.result;
    expect(result.status).toBe('succeeded');
    // Not merged over initial_state (no x), n1 never ran (so its global is unset: g = -1).
    expect(result.state).toEqual({ a: 7, b: 8, g: -1, c: 80 });
    expect(started(run.events)).toEqual(['n2', 'n3']);
    expect(eventsOf(run.events, 'run-started')[0]).toMatchObject({
      mode: 'from',
      startAt: 'n2',
      input: { a: 7 },
    });
  });

  it('combines with breakpoints', async () => {
    const run = start(CHAIN, { startAt: 'n2', input: { a: 1 }, interruptBefore: ['n1', 'n3'] });
    const paused = await run.next('paused');
    expect([paused.node, paused.state]).toEqual(['n3', { a: 1, b: 2, g: -1 }]);
    engine().resume(run.handle.runId);
    expect((await run.handle.result).state.c).toBe(20);
  });

  it('a fan-in is a valid start: its parallel_results come from the given state', async () => {
    const yaml = fanOutYaml({
      branches: { p1: 'return { v = 1 }', p2: 'return { v = 2 }' },
      fanIn: 'return { n = #state.parallel_results, first = state.parallel_results[1].branch }',
    });
    const given = {
      parallel_results: [
        {
          branch: 'zz',
          success: true,
          state: { v: 9 },
          error: null,
          error_type: null,
          timeout: false,
          timing_ms: 1,
        },
      ],
    };
    const run = start(yaml, { startAt: 'join', input: given });
    const result = await run.handle.result;
    expect(result.state).toMatchObject({ n: 1, first: 'zz' });
    expect(eventsOf(run.events, 'branch-started')).toEqual([]);
    expect(started(run.events)).toEqual(['join']);
  });

  it('a fan-out source runs and then fans out normally', async () => {
    const yaml = fanOutYaml({
      before: 'return { seed = state.seed * 2 }',
      branches: { p1: 'return { v = state.seed + 1 }', p2: 'return { v = state.seed + 2 }' },
      fanIn: 'return { sum = state.parallel_results[1].state.v + state.parallel_results[2].state.v }',
    });
    const run = start(yaml, { startAt: 'source', input: { seed: 5 } });
    const result = await run.handle.result;
    expect(result.state.sum).toBe(23);
    expect(eventsOf(run.events, 'branch-started')).toHaveLength(2);
  });

  it('refuses a node inside parallel branches, and an unknown node, at once', async () => {
    const yaml = fanOutYaml({ branches: { p1: 'return {}', p2: 'return {}' } });
    const inBranch = start(yaml, { startAt: 'p2', input: {} });
    const refused = await inBranch.handle.result;
    expect(refused.status).toBe('failed');
    expect(refused.error).toBe(
      "'p2' runs inside the parallel branches of 'source'; run from here works on main-line nodes",
    );
    expect(refused.node).toBe('p2');
    expect(started(inBranch.events)).toEqual([]);

    const unknown = start(yaml, { startAt: 'ghost' });
    const missing = await unknown.handle.result;
    expect(missing.status).toBe('failed');
    expect(missing.error).toContain("'ghost'");
    expect(started(unknown.events)).toEqual([]);
    expect(eventsOf(unknown.events, 'run-finished')[0]!.status).toBe('failed');
  });
});

describe('run this node alone (only)', () => {
  it('runs exactly that node with the input as the whole state, then finishes', async () => {
    const run = start(CHAIN, { only: 'n2', input: { a: 3 }, interruptBefore: ['n2'] });
    const result = await run.handle.result;
    expect(result.status).toBe('succeeded');
    expect(result.state).toEqual({ a: 3, b: 4, g: -1 });
    expect(started(run.events)).toEqual(['n2']);
    expect(eventsOf(run.events, 'paused')).toEqual([]); // a single-node run does not pause
    expect(eventsOf(run.events, 'run-started')[0]).toMatchObject({ mode: 'node', startAt: 'n2' });
  });

  it('runs a branch node alone on the main line, without fanning out', async () => {
    const yaml = fanOutYaml({ branches: { p1: 'return { p1 = state.k }', p2: 'return { p2 = true }' } });
    const run = start(yaml, { only: 'p1', input: { k: 'v' } });
    const result = await run.handle.result;
    expect(result.state).toEqual({ k: 'v', p1: 'v' });
    expect(started(run.events)).toEqual(['p1']);
    expect(eventsOf(run.events, 'node-started')[0]!.fanOut).toBeUndefined();
    expect(eventsOf(run.events, 'fan-out-started')).toEqual([]);
  });

  it('a fan-out source alone does not fan out; a while_loop body node runs alone too', async () => {
    const source = start(fanOutYaml({ before: 'return { s = 1 }', branches: { p1: 'return {}' } }), {
      only: 'source',
    });
    expect((await source.handle.result).state).toEqual({ s: 1 });
    expect(eventsOf(source.events, 'fan-out-started')).toEqual([]);
    const body = start(LOOP, { only: 'increment', input: { count: 10 } });
    expect((await body.handle.result).state).toEqual({ count: 11 });
    expect(started(body.events)).toEqual(['increment']);
  });

  it('a Lua error fails the run with the node and the line', async () => {
    const yaml = `name: boom
nodes:
  - name: first
    language: lua
    run: return {}
  - name: broken
    language: lua
    run: |
      local x = 1
      error("boom " .. state.word)
edges:
  - {from: __start__, to: first}
  - {from: first, to: broken}
  - {from: broken, to: __end__}
`;
    const run = start(yaml, { only: 'broken', input: { word: 'here' } });
    const result = await run.handle.result;
    expect(result.status).toBe('failed');
    expect(result.node).toBe('broken');
    expect(result.error).toContain('broken:2:');
    expect(result.error).toContain('boom here');
    const failed = eventsOf(run.events, 'node-failed')[0]!;
    expect([failed.node, failed.line, failed.errorType]).toEqual(['broken', 2, 'LuaError']);
    expect(started(run.events)).toEqual(['broken']);
  });

  it('an unknown node, or startAt together with only, fails at once', async () => {
    const ghost = await engine().run(CHAIN, { only: 'ghost' }).result;
    expect([ghost.status, ghost.node]).toEqual(['failed', 'ghost']);
    expect(ghost.error).toContain("'ghost'");
    const both = await engine().run(CHAIN, { only: 'n1', startAt: 'n2' }).result;
    expect(both.status).toBe('failed');
    expect(both.error).toMatch(/startAt and only/);
  });

  it('a full run says so in run-started', async () => {
    const run = start(CHAIN);
    await run.handle.result;
    const first = eventsOf(run.events, 'run-started')[0]!;
    expect(first.mode).toBe('full');
    expect(first.startAt).toBeUndefined();
    expect(first.input).toEqual({ x: 5 });
  });
});

describe('fanout run --start-at / --only', () => {
  it('runs from a node or one node alone with --input as the whole state', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-debug-cli-'));
    try {
      const file = join(dir, 'chain.yaml');
      await writeFile(file, CHAIN);
      const fanout = (args: string[]) =>
        promisify(execFile)(process.execPath, ['bin/fanout.js', 'run', file, '--workers', '1', ...args], {
          cwd: repoRoot,
        });
      const from = await fanout(['--start-at', 'n2', '--input', '{"a":4}']);
      expect(JSON.parse(from.stdout)).toEqual({ a: 4, b: 5, g: -1, c: 50 });
      const only = await fanout(['--only', 'n3', '--input', '{"b":1}']);
      expect(JSON.parse(only.stdout)).toEqual({ b: 1, c: 10 });
      const both = await fanout(['--only', 'n3', '--start-at', 'n2']).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(both).toMatchObject({ code: 2, stderr: expect.stringContaining('not both') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
