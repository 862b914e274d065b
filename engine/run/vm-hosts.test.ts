// The main VM on a real pool of one real worker: its first exec travels behind the vm-open (one round
// trip, not two), and a failed open is reported as such and retried. The port is the real fork; the
// test only records the order of what crosses it.
import { afterEach, describe, expect, it } from 'vitest';
import { forkWorker } from './node-port.ts';
import { WorkerPool } from './pool.ts';
import type { FromWorker, ToWorker, WorkerPort } from './protocol.ts';
import { MainVm } from './vm-hosts.ts';

type Crossing = { dir: 'to'; type: ToWorker['type'] } | { dir: 'from'; type: FromWorker['type'] };

function recordingPort(log: Crossing[], rewrite?: (message: ToWorker) => ToWorker): WorkerPort {
  const port = forkWorker();
  return {
    get pid() {
      return port.pid;
    },
    postMessage(message) {
      const sent = rewrite ? rewrite(message) : message;
      log.push({ dir: 'to', type: sent.type });
      port.postMessage(sent);
    },
    onMessage(listener) {
      port.onMessage((message) => {
        if (message.type !== 'sample') log.push({ dir: 'from', type: message.type });
        listener(message);
      });
    },
    onExit: (listener) => port.onExit(listener),
    kill: () => port.kill(),
  };
}

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('MainVm', () => {
  it('sends the first exec behind its vm-open, then one request per node; globals persist', async () => {
    const log: Crossing[] = [];
    pool = new WorkerPool({ size: 1, spawn: () => recordingPort(log) });
    await pool.start();
    const warnings: string[] = [];
    const main = new MainVm(pool, 'run1/main', { memoryBytes: 16 << 20 }, new AbortController().signal, (m) =>
      warnings.push(m),
    );
    const first = await main.exec('n1', 'counter = 41 return { a = 1 }', {}, 5_000);
    const second = await main.exec('n2', 'counter = counter + 1 return { c = counter }', { a: 1 }, 5_000);
    expect(first).toMatchObject({ ok: true, value: { a: 1 } });
    expect(second).toMatchObject({ ok: true, value: { c: 42 } });
    const run = log.filter((c) => c.type !== 'ready');
    // vm-open and the first exec both leave before the worker's first answer arrives.
    expect(run.slice(0, 4)).toEqual([
      { dir: 'to', type: 'vm-open' },
      { dir: 'to', type: 'exec' },
      { dir: 'from', type: 'vm-opened' },
      { dir: 'from', type: 'exec-done' },
    ]);
    expect(run.slice(4)).toEqual([
      { dir: 'to', type: 'exec' },
      { dir: 'from', type: 'exec-done' },
    ]);
    expect(warnings).toEqual([]);
    await main.close();
  });

  it('a vm-open the worker refuses fails the exec with the open’s reason, and the next exec opens again', async () => {
    const log: Crossing[] = [];
    let refuseNextOpen = true;
    // The first vm-open reaches the worker as a request it does not know, so it is refused.
    pool = new WorkerPool({
      size: 1,
      spawn: () =>
        recordingPort(log, (message) => {
          if (message.type !== 'vm-open' || !refuseNextOpen) return message;
          refuseNextOpen = false;
          return { ...message, type: 'vm-open-refused' } as unknown as ToWorker;
        }),
    });
    await pool.start();
    const main = new MainVm(
      pool,
      'run2/main',
      { memoryBytes: 16 << 20 },
      new AbortController().signal,
      () => {},
    );
    const refused = await main.exec('n1', 'return { a = 1 }', {}, 5_000);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.message).toContain("could not open VM 'run2/main'");
      expect(refused.error.message).toContain("unknown request type 'vm-open-refused'");
    }
    const again = await main.exec('n1', 'return { a = 1 }', {}, 5_000);
    expect(again).toMatchObject({ ok: true, value: { a: 1 } });
    expect(log.filter((c) => c.dir === 'to').map((c) => c.type)).toEqual([
      'vm-open-refused',
      'exec',
      'vm-open',
      'exec',
    ]);
    await main.close();
  });
});
