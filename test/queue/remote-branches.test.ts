// Queue mode end to end: a real redis-server, three real `fanout worker` processes (each a warm pool
// of wasmoon VMs in forked workers), BullMQ in between. Nothing is mocked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { createEngine } from '../../engine/index.ts';
import type { Engine, RunEvent } from '../../engine/index.ts';
import { QueueBranchRunner } from '../../engine/queue/remote-branches.ts';
import { QueueRunExecutor } from '../../engine/queue/run-executor.ts';
import { LocalRunExecutor } from '../../engine/batch/local-executor.ts';
import { queueNames } from '../../engine/queue/names.ts';
import { redisOptions } from '../../engine/queue/redis-url.ts';
import { eventsOf, fanOutYaml, results } from '../helpers.ts';
import { redisServerAvailable, startRedis } from './redis-server.ts';
import type { RedisServer } from './redis-server.ts';
import { startQueueWorker, startQueueWorkers } from './queue-workers.ts';
import type { QueueWorkerProcess } from './queue-workers.ts';

const available = redisServerAvailable();
if (!available)
  console.warn('queue tests skipped: redis-server is not installed (apt-get install redis-server)');

// A worker silent for 4 s is dead (shorter locks expire on a live worker of a loaded 2-core machine);
// the others look for its jobs every 500 ms.
const LOCK_MS = 4_000;
const STALLED_MS = 500;

describe.skipIf(!available)('queue mode: branches on fanout workers', () => {
  let redis: RedisServer;
  let workers: QueueWorkerProcess[] = [];
  let local: Engine;
  let remote: Engine;
  let runner: QueueBranchRunner;

  beforeAll(async () => {
    redis = await startRedis();
    [workers] = await Promise.all([
      startQueueWorkers(3, { redisUrl: redis.url, workers: 2, lockMs: LOCK_MS, stalledMs: STALLED_MS }),
      (async () => {
        local = createEngine({ size: 2 });
        await local.start();
      })(),
    ]);
    runner = new QueueBranchRunner({ redisUrl: redis.url });
    remote = createEngine({ size: 1, remoteBranches: runner });
    await remote.start();
    await runner.start();
  }, 90_000);

  afterAll(async () => {
    await remote?.close();
    await runner?.close();
    await local?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
  }, 30_000);

  async function run(engine: Engine, yaml: string, onEvent?: (e: RunEvent) => void) {
    const events: RunEvent[] = [];
    const handle = engine.run(yaml, {
      onEvent: (e) => {
        events.push(e);
        onEvent?.(e);
      },
    });
    return { handle, events, result: handle.result };
  }

  it('a fan-out of 40 branches over 3 workers returns the parallel_results of a local run', async () => {
    const branches: Record<string, string> = {};
    for (let i = 0; i < 40; i++) {
      branches[`b${i}`] =
        `local s = 0\nfor k = 1, ${1000 + i * 37} do s = (s + k * ${i + 1}) % 1000003 end\nreturn { ["r${i}"] = s, seen = state.seed .. "-${i}" }`;
    }
    branches['fails'] = 'error("boom in a branch")';
    // The node's own timeout applies inside the worker's VM, as locally.
    const all: Record<string, string | { code: string; timeoutMs: number }> = {
      ...branches,
      spins: { code: 'while true do end', timeoutMs: 300 },
    };
    const yaml = fanOutYaml({ branches: all, before: 'return { seed = "s" }' });
    const [here, there] = await Promise.all([run(local, yaml), run(remote, yaml)]);
    const [a, b] = await Promise.all([here.result, there.result]);
    expect(b.status).toBe('succeeded');
    const strip = (s: Record<string, unknown>) =>
      results(s).map(({ timing_ms: _t, ...r }) => ({
        ...r,
        error: r.error?.replace(/^.*boom/, 'boom') ?? null,
      }));
    expect(strip(b.state)).toEqual(strip(a.state));
    expect(results(b.state)).toHaveLength(42);
    expect(results(b.state).find((r) => r.branch === 'spins')).toMatchObject({
      timeout: true,
      success: false,
    });
    // Each branch ran on a queue worker, and the timeline can say which.
    const started = eventsOf(there.events, 'branch-started');
    expect(started).toHaveLength(42);
    const machines = new Set(started.map((e) => e.remoteWorker));
    expect([...machines].every((m) => ['w1', 'w2', 'w3'].includes(m ?? ''))).toBe(true);
    expect(machines.size).toBeGreaterThanOrEqual(2);
    for (const f of eventsOf(there.events, 'branch-finished')) expect(f.remoteWorker).toMatch(/^w[123]$/);
    // Node events streamed back, confined to their branch, in the host's own gapless sequence.
    const nodeFinished = eventsOf(there.events, 'node-finished').filter((e) => e.branch === 'b7');
    expect(nodeFinished.map((e) => e.node)).toEqual(['b7']);
    expect(there.events.map((e) => e.seq)).toEqual(there.events.map((_, i) => i));
  }, 60_000);

  it('a payload of the wrong shape is refused by the worker without running', async () => {
    const names = queueNames();
    const connection = new Redis(redisOptions(redis.url));
    const queue = new Queue(names.branches, { connection, prefix: names.prefix });
    const queueEvents = new QueueEvents(names.branches, {
      connection: new Redis(redisOptions(redis.url)),
      prefix: names.prefix,
    });
    const listener = new Redis(redisOptions(redis.url));
    const heard: string[] = [];
    listener.on('message', (_c: string, m: string) => heard.push(m));
    try {
      await queueEvents.waitUntilReady();
      const channel = names.events('refused-1');
      await listener.subscribe(channel);
      const good = {
        v: 1,
        kind: 'branch',
        runId: 'r1',
        workflow: { name: 'x', nodes: [{ name: 'a', run: 'return {}' }], edges: [] },
        fanOut: 'src',
        branch: 'a',
        index: 0,
        state: {},
        limits: {},
        idempotent: false,
        events: channel,
      };
      let deep: Record<string, unknown> = {};
      const top = deep;
      for (let i = 0; i < 400; i++) deep = deep['x'] = {};
      const bad = [
        { ...good, apiKey: 'sk-should-never-travel' }, // an unknown key: nothing rides along
        { ...good, index: 'zero' },
        { ...good, state: top }, // nested deeper than the bound
        { ...good, v: 99 },
      ];
      for (const [i, data] of bad.entries()) {
        const job = await queue.add('branch', data, { jobId: `refused-${i + 1}` });
        const failure = await job.waitUntilFinished(queueEvents).then(
          () => 'completed',
          (e: Error) => e.message,
        );
        expect(failure).toMatch(/payload|refused/);
        const stored = await queue.getJob(job.id!);
        expect(stored?.attemptsMade).toBe(1); // UnrecoverableError: no retry
      }
      expect(heard).toEqual([]); // no branch-started, no node event: nothing ran
      const logs = workers.map((w) => w.log()).join('');
      expect(logs).toMatch(/refused job refused-1: .*apiKey/);
    } finally {
      listener.disconnect();
      await queueEvents.close();
      await queue.close();
      connection.disconnect();
    }
  }, 30_000);

  it('cancel stops remote branches within 1 s: each worker reports the abort', async () => {
    const spin = 'local n = 0\nwhile true do n = n + 1 end';
    const yaml = fanOutYaml({ branches: { s1: spin, s2: spin, s3: spin } });
    const started = new Set<string>();
    let allStarted!: () => void;
    const ready = new Promise<void>((resolve) => (allStarted = resolve));
    const { handle, result } = await run(remote, yaml, (e) => {
      if (e.type === 'branch-started') started.add(e.branch);
      if (started.size === 3) allStarted();
    });
    await ready;
    await new Promise((r) => setTimeout(r, 300)); // let them spin
    const before = workers.map((w) => (w.log().match(/aborted branch/g) ?? []).length);
    const t0 = performance.now();
    handle.cancel();
    const outcome = await result;
    const resolvedMs = performance.now() - t0;
    // Every remote VM stopped: the worker's run of the branch ended (its VM's process was killed).
    await Promise.all(
      workers.map(async (w, i) => {
        const mine = (w.log().match(/start branch 's\d'/g) ?? []).length;
        if (mine > 0) await w.waitFor(new RegExp(`(aborted branch[^\\n]*\\n[^]*){${before[i]! + 1}}`), 3_000);
      }),
    );
    const abortedMs = performance.now() - t0;
    expect(outcome.status).toBe('cancelled');
    expect(results(outcome.state ?? {}) ?? []).toBeDefined();
    expect(resolvedMs).toBeLessThan(1_000);
    expect(abortedMs).toBeLessThan(1_500);
    const aborted =
      workers
        .map((w) => w.log())
        .join('')
        .match(/aborted branch 's\d'[^\n]*cancelled/g) ?? [];
    expect(aborted.length).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it('a worker killed mid-branch fails only that branch; an idempotent branch is re-run elsewhere', async () => {
    const slow = 'sleep(3000)\nreturn { slow = "done" }';
    for (const idempotent of [false, true]) {
      let yaml = fanOutYaml({
        branches: { quick1: 'return { q1 = 1 }', slow, quick2: 'return { q2 = 2 }' },
      });
      if (idempotent) yaml = yaml.replace('  - name: slow\n', '  - name: slow\n    idempotent: true\n');
      let victim: string | undefined;
      let quickDone = 0;
      let ready!: () => void;
      // Kill once the slow branch runs and the quick ones are done (they may share its worker).
      const killNow = new Promise<void>((resolve) => (ready = resolve));
      const { result, events } = await run(remote, yaml, (e) => {
        if (e.type === 'branch-started' && e.branch === 'slow' && !victim) victim = e.remoteWorker;
        if (e.type === 'branch-finished' && e.branch.startsWith('quick')) quickDone++;
        if (victim && quickDone === 2) ready();
      });
      await killNow;
      const target = workers.find((w) => w.id === victim)!;
      expect(target).toBeDefined();
      target.child.kill('SIGKILL');
      const outcome = await result;
      expect(outcome.status).toBe('succeeded'); // the run finishes: the fan-in gets every result
      const byName = Object.fromEntries(results(outcome.state).map((r) => [r.branch, r]));
      expect(byName['quick1']!.success).toBe(true);
      expect(byName['quick2']!.success).toBe(true);
      if (idempotent) {
        expect(byName['slow']!.success).toBe(true);
        expect(byName['slow']!.state).toMatchObject({ slow: 'done' });
        const finished = eventsOf(events, 'branch-finished').find((e) => e.branch === 'slow')!;
        expect(finished.remoteWorker).not.toBe(victim);
        expect(eventsOf(events, 'log').some((e) => /re-running this idempotent branch/.test(e.message))).toBe(
          true,
        );
      } else {
        expect(byName['slow']!.success).toBe(false);
        expect(byName['slow']!.error_type).toBe('WorkerLost');
        expect(byName['slow']!.error).toContain(`(${victim})`);
      }
      // Replace the dead worker so the pool of three stays (not awaited: queued jobs wait for it).
      const replacement = startQueueWorker({
        redisUrl: redis.url,
        id: `${victim}r`,
        workers: 2,
        lockMs: LOCK_MS,
        stalledMs: STALLED_MS,
      });
      workers = workers.map((w) => (w === target ? replacement : w));
    }
  }, 60_000);

  it('whole runs as jobs (batch rows): the outcomes a local executor gives, from queue workers', async () => {
    const text = fanOutYaml({
      branches: {
        a: 'if state.n % 5 == 0 then error("row " .. state.n) end\nreturn { sq = state.n * state.n }',
      },
      form: 'rust',
    });
    const queued = new QueueRunExecutor({ text }, { redisUrl: redis.url, limits: { timeoutMs: 10_000 } });
    const localRows = new LocalRunExecutor({ text }, { engine: local });
    try {
      await queued.start();
      const rows = Array.from({ length: 12 }, (_, n) => ({
        id: String(n),
        input: { n },
        signal: new AbortController().signal,
      }));
      const [there, here] = await Promise.all([
        Promise.all(rows.map((row) => queued.run(row))),
        Promise.all(rows.map((row) => localRows.run(row))),
      ]);
      const shape = (o: { status: string; state: Record<string, unknown> }) => ({
        status: o.status,
        results: results(o.state).map(({ timing_ms: _t, ...r }) => r),
      });
      expect(there.map(shape)).toEqual(here.map(shape));
      expect(there.every((o) => /^w\d+r*$/.test(o.worker ?? ''))).toBe(true);
      expect(results(there[3]!.state)[0]!.state).toEqual({ n: 3, sq: 9 });
      expect(results(there[5]!.state)[0]!.error).toMatch(/row 5/);
    } finally {
      await queued.close();
      await localRows.close();
    }
  }, 60_000);

  it('every finished result is removed from Redis once the host has read it', async () => {
    const names = queueNames();
    const queue = new Queue(names.branches, {
      connection: new Redis(redisOptions(redis.url)),
      prefix: names.prefix,
    });
    try {
      const { result } = await run(
        remote,
        fanOutYaml({ branches: { a: 'return {a=1}', b: 'return {b=2}' } }),
      );
      expect((await result).status).toBe('succeeded');
      await new Promise((r) => setTimeout(r, 200));
      const counts = await queue.getJobCounts('completed', 'active', 'wait');
      expect(counts).toEqual({ completed: 0, active: 0, wait: 0 });
    } finally {
      await queue.close();
    }
  });
});
