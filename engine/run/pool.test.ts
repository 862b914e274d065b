// The warm pool with real worker processes and real wasmoon. Timing checks are ratios with wide margins.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkWorker } from './node-port.ts';
import { EXEC_GRACE_MS, WorkerPool, defaultPoolSize, type PoolSample, type WorkerLease } from './pool.ts';

const LIMITS = { memoryBytes: 64 * 1024 * 1024 };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function pids(pool: WorkerPool): number[] {
  return pool.stats().workers.map((w) => w.pid!);
}

/** Opens a fresh VM on a fresh lease, runs `code`, closes the VM and releases. */
async function runOnce(pool: WorkerPool, vmId: string, code: string, timeoutMs = 10_000) {
  const lease = await pool.acquire({ avoidResident: true });
  try {
    await lease.openVm(vmId, LIMITS);
    const outcome = await lease.exec(vmId, { code, state: {}, chunkName: vmId, timeoutMs });
    await lease.closeVm(vmId);
    return outcome;
  } finally {
    lease.release();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('defaultPoolSize', () => {
  it('is at least 4 so four sleeping branches never queue', () => {
    expect(defaultPoolSize()).toBeGreaterThanOrEqual(4);
    expect(defaultPoolSize()).toBeGreaterThanOrEqual(os.availableParallelism());
  });
});

describe('WorkerPool with 4 real workers', () => {
  const pool = new WorkerPool({ size: 4 });

  beforeAll(async () => {
    const started = performance.now();
    await pool.start();
    console.log(`[pool] cold start of 4 workers: ${(performance.now() - started).toFixed(0)} ms`);
  });

  afterAll(() => pool.close());

  it('starts every worker and reports it ready', () => {
    const stats = pool.stats();
    expect(stats.workers).toHaveLength(4);
    expect(new Set(pids(pool)).size).toBe(4);
    for (const w of stats.workers) {
      expect(isAlive(w.pid!)).toBe(true);
      expect(w).toMatchObject({ busy: false, residentVms: 0 });
    }
    expect(stats.queued).toBe(0);
  });

  it('runs real Lua through a lease and reports VM memory', async () => {
    const lease = await pool.acquire();
    const opened = await lease.openVm('main', LIMITS);
    expect(opened.memory.heapBytes).toBeGreaterThan(0);
    const outcome = await lease.exec('main', {
      code: 'local t = {} for i = 1, state.n do t[i] = i * i end return t',
      state: { n: 4 },
      chunkName: 'squares',
      timeoutMs: 5_000,
    });
    expect(outcome).toMatchObject({ ok: true, value: [1, 4, 9, 16] });
    expect(outcome.memory?.heapBytes).toBeGreaterThan(0);
    expect(await lease.closeVm('main')).toMatchObject({ heapBytes: expect.any(Number) });
    lease.release();
    lease.release(); // idempotent
    expect(pool.stats().workers.every((w) => !w.busy)).toBe(true);
  });

  it('measures warm VM open and trivial exec round trips', async () => {
    const lease = await pool.acquire();
    const openMs: number[] = [];
    const overheadMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await lease.openVm(`m${i}`, LIMITS);
      openMs.push(performance.now() - t0);
      const t1 = performance.now();
      const outcome = await lease.exec(`m${i}`, {
        code: 'return 1',
        state: {},
        chunkName: 'n',
        timeoutMs: 1_000,
      });
      overheadMs.push(performance.now() - t1 - outcome.elapsedMs);
      await lease.closeVm(`m${i}`);
    }
    lease.release();
    console.log(
      `[pool] fresh VM open via lease: median ${median(openMs).toFixed(2)} ms; ` +
        `trivial exec round-trip overhead: median ${median(overheadMs).toFixed(2)} ms`,
    );
    expect(median(openMs)).toBeLessThan(200);
  });

  it('tracks resident VMs and steers avoidResident acquires away from them', async () => {
    const first = await pool.acquire({ preferWorker: 2 });
    expect(first.worker).toBe(2);
    await first.openVm('resident', LIMITS);
    first.release();
    expect(pool.stats().workers[2]!.residentVms).toBe(1);

    const leases = await Promise.all([1, 2, 3].map(() => pool.acquire({ avoidResident: true })));
    expect(leases.map((l) => l.worker)).not.toContain(2);
    leases.forEach((l) => l.release());

    const back = await pool.acquire({ preferWorker: 2 });
    expect(back.generation).toBe(first.generation);
    const outcome = await back.exec('resident', {
      code: 'return 5',
      state: {},
      chunkName: 'r',
      timeoutMs: 1_000,
    });
    expect(outcome).toMatchObject({ ok: true, value: 5 });
    await back.closeVm('resident');
    back.release();
    expect(pool.stats().workers[2]!.residentVms).toBe(0);
  });

  it('runs 4 sleeping branches at once (well under 2x a single one)', async () => {
    const sleeper = 'sleep(100) return 1';
    // Warm every worker first; then take the best of three rounds of each so that a burst of load
    // from other processes on the 2 cores does not decide the result.
    await Promise.all([0, 1, 2, 3].map((i) => runOnce(pool, `warm${i}`, sleeper)));
    let singleMs = Infinity;
    let fourMs = Infinity;
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      const single = await runOnce(pool, 'single', sleeper);
      singleMs = Math.min(singleMs, performance.now() - t0);
      expect(single).toMatchObject({ ok: true, value: 1 });

      const t1 = performance.now();
      const four = await Promise.all([0, 1, 2, 3].map((i) => runOnce(pool, `b${i}`, sleeper)));
      fourMs = Math.min(fourMs, performance.now() - t1);
      expect(four.every((o) => o.ok)).toBe(true);
    }
    console.log(`[pool] sleep(100): single ${singleMs.toFixed(0)} ms, 4 parallel ${fourMs.toFixed(0)} ms`);
    expect(singleMs).toBeGreaterThanOrEqual(100);
    expect(fourMs / singleMs).toBeLessThan(2);
  });

  it('speeds CPU-bound branches up on several cores', async () => {
    // ~250 ms of pure Lua arithmetic per branch.
    const code = 'local s = 0 for i = 1, state.n do s = s + (i % 7) * 3 end return s';
    const lease = await pool.acquire();
    await lease.openVm('calib', LIMITS);
    let n = 1_000_000;
    for (;;) {
      const o = await lease.exec('calib', { code, state: { n }, chunkName: 'calib', timeoutMs: 20_000 });
      if (o.elapsedMs > 200 || n > 1e9) break;
      n *= 2;
    }
    await lease.closeVm('calib');
    lease.release();

    const branch = async (i: number) => {
      const l = await pool.acquire({ avoidResident: true });
      await l.openVm(`cpu${i}`, LIMITS);
      const o = await l.exec(`cpu${i}`, { code, state: { n }, chunkName: `cpu${i}`, timeoutMs: 20_000 });
      await l.closeVm(`cpu${i}`);
      l.release();
      expect(o.ok).toBe(true);
    };
    // Up to three attempts: other processes sharing the 2 cores can eat the parallel headroom of one
    // measurement; a pool that serialised work would fail all three.
    let best = 0;
    for (let attempt = 1; attempt <= 3 && best <= 1.3; attempt++) {
      const t0 = performance.now();
      for (let i = 0; i < 4; i++) await branch(i);
      const sequentialMs = performance.now() - t0;
      const t1 = performance.now();
      await Promise.all([0, 1, 2, 3].map(branch));
      const parallelMs = performance.now() - t1;
      const speedup = sequentialMs / parallelMs;
      best = Math.max(best, speedup);
      console.log(
        `[pool] CPU-bound 4 branches (attempt ${attempt}): sequential ${sequentialMs.toFixed(0)} ms, ` +
          `parallel ${parallelMs.toFixed(0)} ms, speedup ${speedup.toFixed(2)}, load ${os.loadavg()[0]!.toFixed(1)}`,
      );
    }
    expect(best).toBeGreaterThan(1.3);
  });

  it('emits memory samples at least every ~150 ms during a CPU-bound exec', async () => {
    const lease = await pool.acquire();
    await lease.openVm('sampled', LIMITS);
    const seen: { at: number; s: PoolSample }[] = [];
    const off = pool.onSample((s) => {
      if (s.worker === lease.worker && s.vmId === 'sampled') seen.push({ at: performance.now(), s });
    });
    const outcome = await lease.exec('sampled', {
      code: 'local t0 = os.clock() local s = 0 while os.clock() - t0 < 0.5 do s = s + 1 end return s',
      state: {},
      chunkName: 'busy',
      timeoutMs: 5_000,
    });
    off();
    await lease.closeVm('sampled');
    lease.release();
    expect(outcome.ok).toBe(true);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    const gaps = seen.slice(1).map((x, i) => x.at - seen[i]!.at);
    expect(Math.max(...gaps)).toBeLessThan(150);
    for (const { s } of seen) {
      expect(s.rssBytes).toBeGreaterThan(0);
      expect(s.luaHeapBytes).toBeGreaterThan(0);
    }
  });

  it('survives a worker killed mid-exec: that exec fails, the others finish, the slot is replaced', async () => {
    const leases = await Promise.all([0, 1, 2].map(() => pool.acquire({ avoidResident: true })));
    await Promise.all(leases.map((l, i) => l.openVm(`k${i}`, LIMITS)));
    const victim = leases[0]!;
    const victimPid = pool.stats().workers[victim.worker]!.pid!;
    const restartsBefore = pool.stats().workers[victim.worker]!.restarts;
    const runs = leases.map((l, i) =>
      l.exec(`k${i}`, { code: 'sleep(400) return "done"', state: {}, chunkName: `k${i}`, timeoutMs: 5_000 }),
    );
    await new Promise((r) => setTimeout(r, 100));
    process.kill(victimPid, 'SIGKILL');
    const outcomes = await Promise.all(runs);

    expect(outcomes[0]).toMatchObject({
      ok: false,
      error: { kind: 'error', message: expect.stringMatching(/worker crashed.*SIGKILL/) },
    });
    expect(outcomes[1]).toMatchObject({ ok: true, value: 'done' });
    expect(outcomes[2]).toMatchObject({ ok: true, value: 'done' });
    // Calls on the dead lease fail fast instead of hanging.
    expect(await victim.closeVm('k0')).toBeNull();
    await expect(victim.openVm('again', LIMITS)).rejects.toThrow(/worker crashed/);
    for (const [i, l] of leases.entries()) {
      if (i > 0) await l.closeVm(`k${i}`);
      l.release();
    }

    await waitUntil(() => {
      const w = pool.stats().workers[victim.worker]!;
      return w.restarts === restartsBefore + 1 && w.pid !== victimPid && !w.busy;
    });
    const again = await pool.acquire({ preferWorker: victim.worker });
    expect(again.generation).toBe(victim.generation + 1);
    await again.openVm('fresh', LIMITS);
    expect(
      await again.exec('fresh', { code: 'return 3', state: {}, chunkName: 'f', timeoutMs: 1_000 }),
    ).toMatchObject({
      ok: true,
      value: 3,
    });
    await again.closeVm('fresh');
    again.release();
  });

  it('cancels promptly with lease.kill', async () => {
    const lease = await pool.acquire();
    await lease.openVm('spin', LIMITS);
    const pid = pool.stats().workers[lease.worker]!.pid!;
    const run = lease.exec('spin', {
      code: 'while true do end',
      state: {},
      chunkName: 'spin',
      timeoutMs: 20_000,
    });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    lease.kill('run cancelled');
    const outcome = await run;
    const cancelMs = performance.now() - t0;
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'error', message: 'run cancelled' } });
    expect(cancelMs).toBeLessThan(300);
    await waitUntil(() => !isAlive(pid));
    await waitUntil(() => pool.stats().workers[lease.worker]!.pid !== pid);
  });

  it('fails an exec whose state cannot be sent, without harming the worker', async () => {
    const lease = await pool.acquire();
    await lease.openVm('clone', LIMITS);
    const bad = await lease.exec('clone', {
      code: 'return 1',
      state: { f: () => 1 },
      chunkName: 'c',
      timeoutMs: 500,
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { kind: 'error', message: expect.stringMatching(/could not send/) },
    });
    const good = await lease.exec('clone', {
      code: 'return state.n',
      state: { n: 2 },
      chunkName: 'c',
      timeoutMs: 500,
    });
    expect(good).toMatchObject({ ok: true, value: 2 });
    // Past the watchdog deadline of the failed call: nothing fires late and kills the worker.
    await new Promise((r) => setTimeout(r, 500 + EXEC_GRACE_MS + 100));
    expect(await lease.closeVm('clone')).not.toBeNull();
    lease.release();
  });

  it('checks syntax on an idle worker', async () => {
    expect(await pool.checkSyntax('return 1', 'fine')).toEqual({ ok: true });
    const bad = await pool.checkSyntax('local = 3', 'broken');
    expect(bad.ok).toBe(false);
  });
});

describe('WorkerPool leasing order', () => {
  const pool = new WorkerPool({ size: 2 });
  afterAll(() => pool.close());

  it('queues acquires beyond the idle workers in FIFO order', async () => {
    const a = await pool.acquire();
    const b = await pool.acquire();
    expect(new Set([a.worker, b.worker])).toEqual(new Set([0, 1]));
    const order: string[] = [];
    const c = pool.acquire().then((l) => (order.push('c'), l));
    const d = pool.acquire().then((l) => (order.push('d'), l));
    await new Promise((r) => setTimeout(r, 50));
    expect(order).toEqual([]);
    expect(pool.stats().queued).toBe(2);

    a.release();
    const cl = await c;
    expect(cl.worker).toBe(a.worker);
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['c']);
    b.release();
    const dl = await d;
    expect(order).toEqual(['c', 'd']);
    expect(dl.worker).toBe(b.worker);
    cl.release();
    dl.release();
  });

  it('makes preferWorker wait for that slot even when another is idle', async () => {
    const held = await pool.acquire({ preferWorker: 0 });
    expect(held.worker).toBe(0);
    let granted: WorkerLease | null = null;
    const waiting = pool.acquire({ preferWorker: 0 }).then((l) => (granted = l));
    await new Promise((r) => setTimeout(r, 100));
    expect(granted).toBeNull();
    expect(pool.stats().workers[1]!.busy).toBe(false);
    held.release();
    const lease = await waiting;
    expect(lease.worker).toBe(0);
    expect(lease.generation).toBe(held.generation);
    lease.release();
  });

  it('rejects an aborted acquire and keeps the queue clean', async () => {
    const a = await pool.acquire();
    const b = await pool.acquire();
    const controller = new AbortController();
    const pending = pool.acquire({ signal: controller.signal });
    controller.abort(new Error('gave up'));
    await expect(pending).rejects.toThrow('gave up');
    expect(pool.stats().queued).toBe(0);
    a.release();
    b.release();
  });
});

describe('WorkerPool watchdog and shutdown', () => {
  let dir: string;
  let silentWorker: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fanout-pool-'));
    silentWorker = path.join(dir, 'silent-worker.mjs');
    // A real process that speaks the protocol but never answers `exec`, like a worker stuck in a C call.
    writeFileSync(
      silentWorker,
      `process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  if (m.type === 'vm-open') process.send({ type: 'vm-opened', reqId: m.reqId, vmId: m.vmId, ms: 0, memory: { heapBytes: 1, peakHeapBytes: 1 } });
});
process.send({ type: 'ready', pid: process.pid, warmupMs: 0 });
`,
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('kills a worker that does not answer within timeout + grace', async () => {
    const pool = new WorkerPool({ size: 1, spawn: () => forkWorker({ script: silentWorker }) });
    try {
      await pool.start();
      const lease = await pool.acquire();
      const pid = pool.stats().workers[0]!.pid!;
      await lease.openVm('v', LIMITS);
      const t0 = performance.now();
      const outcome = await lease.exec('v', {
        code: 'return 1',
        state: {},
        chunkName: 'stuck',
        timeoutMs: 200,
      });
      const waitedMs = performance.now() - t0;
      expect(outcome).toMatchObject({
        ok: false,
        error: {
          kind: 'timeout',
          message: `execution timeout (worker killed after ${200 + EXEC_GRACE_MS} ms)`,
        },
      });
      expect(waitedMs).toBeGreaterThanOrEqual(200 + EXEC_GRACE_MS - 5);
      expect(waitedMs).toBeLessThan(200 + EXEC_GRACE_MS + 1_000);
      await waitUntil(() => !isAlive(pid));
      await waitUntil(() => pool.stats().workers[0]!.restarts === 1 && pool.stats().workers[0]!.pid !== pid);
      const next = await pool.acquire();
      expect(next.generation).toBe(lease.generation + 1);
      next.release();
    } finally {
      await pool.close();
    }
  });

  it('recycles a worker whose WASM heap grew past the limit, but not while it holds a resident VM', async () => {
    // A 1-byte limit: every worker is "too big", so only residency decides.
    const pool = new WorkerPool({ size: 1, recycleWasmHeapBytes: 1 });
    try {
      await pool.start();
      const pid = pids(pool)[0]!;
      const first = await pool.acquire();
      await first.openVm('main', LIMITS);
      first.release();
      expect(pool.stats().workers[0]).toMatchObject({ pid, restarts: 0, residentVms: 1 });

      const second = await pool.acquire({ preferWorker: 0 });
      expect(second.generation).toBe(first.generation);
      await second.closeVm('main');
      second.release();
      expect(pool.stats().workers[0]!.restarts).toBe(1);
      await waitUntil(() => !isAlive(pid));
      const third = await pool.acquire();
      expect(third.generation).toBe(first.generation + 1);
      expect(pids(pool)[0]).not.toBe(pid);
      third.release();
    } finally {
      await pool.close();
    }
  });

  it('close() kills every worker and rejects queued acquires', async () => {
    const pool = new WorkerPool({ size: 2 });
    await pool.start();
    const before = pids(pool);
    expect(before.every(isAlive)).toBe(true);
    await pool.acquire();
    await pool.acquire();
    const queued = pool.acquire().catch((err: unknown) => err);
    await pool.close();
    expect(await queued).toMatchObject({ message: expect.stringMatching(/closed/) });
    expect(before.some(isAlive)).toBe(false);
    await expect(pool.acquire()).rejects.toThrow(/closed/);
  });

  it('fails start() clearly when workers cannot start, leaving no process behind', async () => {
    const broken = path.join(dir, 'broken-worker.mjs');
    writeFileSync(broken, `process.exit(3);\n`);
    const pool = new WorkerPool({ size: 2, spawn: () => forkWorker({ script: broken }) });
    await expect(pool.start()).rejects.toThrow(/exited during start-up \(exit code 3\)/);
    expect(pool.stats().workers.every((w) => w.pid === undefined)).toBe(true);
  });
});
