// How the pool starts its workers (real processes): lazily, as acquires need them, each lease going to
// the first worker that is ready; a worker that cannot start fails the acquires, not the host.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkWorker } from './node-port.ts';
import { WorkerPool } from './pool.ts';

const LIMITS = { memoryBytes: 64 * 1024 * 1024 };

const startedPids = (pool: WorkerPool) => pool.stats().workers.filter((w) => w.pid !== undefined).length;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('lazy start with the real worker', () => {
  it('starts only the workers that acquires need, and runs Lua on the first one at once', async () => {
    const pool = new WorkerPool({ size: 4 });
    try {
      expect(startedPids(pool)).toBe(0);
      const first = await pool.acquire();
      // One acquire, one worker: the other three were never forked.
      expect(startedPids(pool)).toBe(1);
      await first.openVm('v', LIMITS);
      const outcome = await first.exec('v', {
        code: 'return { n = 41 + 1 }',
        state: {},
        chunkName: 'n',
        timeoutMs: 5_000,
      });
      expect(outcome).toMatchObject({ ok: true, value: { n: 42 } });
      await first.closeVm('v');

      // Two more held at once while the first is still leased: two more workers, not three.
      const [second, third] = await Promise.all([pool.acquire(), pool.acquire()]);
      expect(new Set([first.worker, second.worker, third.worker]).size).toBe(3);
      expect(startedPids(pool)).toBe(3);
      for (const lease of [first, second, third]) lease.release();

      // Released workers serve later acquires: still three processes.
      const again = await pool.acquire();
      expect(startedPids(pool)).toBe(3);
      again.release();
    } finally {
      await pool.close();
    }
  });

  it('start() still brings every worker up for hosts that want them warm', async () => {
    const pool = new WorkerPool({ size: 3 });
    try {
      const lease = await pool.acquire();
      await pool.start();
      expect(startedPids(pool)).toBe(3);
      expect(new Set(pool.stats().workers.map((w) => w.pid)).size).toBe(3);
      lease.release();
    } finally {
      await pool.close();
    }
  });
});

describe('dispatch to the first ready worker (scripted workers)', () => {
  let dir: string;
  let slow: string;
  let quick: string;
  let delayed: string;
  let broken: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fanout-pool-start-'));
    const worker = (delayMs: number) => `
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  if (m.type === 'vm-open') process.send({ type: 'vm-opened', reqId: m.reqId, vmId: m.vmId, ms: 0, memory: { heapBytes: 1, peakHeapBytes: 1 } });
});
setTimeout(() => process.send({ type: 'ready', pid: process.pid, warmupMs: ${delayMs} }), ${delayMs});
`;
    slow = path.join(dir, 'slow-worker.mjs');
    quick = path.join(dir, 'quick-worker.mjs');
    delayed = path.join(dir, 'delayed-worker.mjs');
    broken = path.join(dir, 'broken-worker.mjs');
    // 20 s: far longer than a quick worker takes to start even on a loaded machine.
    writeFileSync(slow, worker(20_000));
    writeFileSync(quick, worker(0));
    writeFileSync(delayed, worker(300));
    writeFileSync(broken, 'process.exit(3);\n');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a lease never waits for a slow worker when another one is ready', async () => {
    const scripts = [slow, quick];
    const pool = new WorkerPool({ size: 2, spawn: () => forkWorker({ script: scripts.shift() ?? quick }) });
    try {
      pool.prestart(2);
      const lease = await pool.acquire();
      // Slot 0 (the slow one) is still starting: the lease went to slot 1.
      expect(lease.worker).toBe(1);
      lease.release();
    } finally {
      await pool.close();
    }
  });

  it('a worker that cannot start fails the acquire with its reason, leaves no process, and is retried later', async () => {
    let forks = 0;
    const pool = new WorkerPool({
      size: 2,
      spawn: () => {
        forks += 1;
        return forkWorker({ script: broken });
      },
    });
    try {
      await expect(pool.acquire()).rejects.toThrow(/exited during start-up \(exit code 3\)/);
      expect(pool.stats().workers.every((w) => w.pid === undefined)).toBe(true);
      const before = forks;
      // The pool is not closed: the next acquire tries again (e.g. after a transient fork failure).
      await expect(pool.acquire()).rejects.toThrow(/exited during start-up/);
      expect(forks).toBeGreaterThan(before);
      expect(pool.stats().queued).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('maxStarting: lazy growth keeps that many starting, and starts the next when one is ready', async () => {
    let forks = 0;
    const spawn = () => {
      forks += 1;
      return forkWorker({ script: delayed });
    };
    const capped = new WorkerPool({ size: 4, maxStarting: 2, spawn });
    try {
      const leases = [0, 1, 2, 3].map(() => capped.acquire());
      // Four acquires queued, two workers starting: the other two wait for a start to finish.
      expect(forks).toBe(2);
      const held = await Promise.all(leases);
      // Still waiting when the first two were ready, the last two acquires started two more.
      expect(forks).toBe(4);
      expect(new Set(held.map((lease) => lease.worker)).size).toBe(4);
      for (const lease of held) lease.release();
    } finally {
      await capped.close();
    }

    // The default: no limit, one start per queued acquire at once.
    forks = 0;
    const unlimited = new WorkerPool({ size: 4, spawn });
    try {
      const leases = [0, 1, 2, 3].map(() => unlimited.acquire());
      expect(forks).toBe(4);
      for (const lease of await Promise.all(leases)) lease.release();
    } finally {
      await unlimited.close();
    }
  });

  it('prestartAfterFirst starts one worker now and the others once it is ready', async () => {
    let forks = 0;
    const pool = new WorkerPool({
      size: 4,
      spawn: () => {
        forks += 1;
        return forkWorker({ script: delayed });
      },
    });
    try {
      pool.prestartAfterFirst(3);
      expect(forks).toBe(1);
      const lease = await pool.acquire();
      // That first worker's `ready` started the other two before the lease was handed over.
      expect(forks).toBe(3);
      expect(lease.worker).toBe(0);
      lease.release();
      // Once a worker was ready, it starts the missing ones at once.
      pool.prestartAfterFirst(4);
      expect(forks).toBe(4);
    } finally {
      await pool.close();
    }
  });

  it('prestart never forks more than the pool size, and close() kills workers still starting', async () => {
    const pool = new WorkerPool({ size: 2, spawn: () => forkWorker({ script: slow }) });
    pool.prestart(5);
    const pids = pool.stats().workers.map((w) => w.pid!);
    expect(pids.filter((pid) => pid !== undefined)).toHaveLength(2);
    await pool.close();
    expect(pids.some(isAlive)).toBe(false);
  });
});
