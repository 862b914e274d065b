// The main VM on a real pool of one real worker: its first exec travels behind the vm-open (one round
// trip, not two), and a failed open is reported as such and retried. The port is the real fork; the
// test only records the order of what crosses it.
import { afterEach, describe, expect, it } from 'vitest';
import { forkWorker } from './node-port.ts';
import { WorkerPool } from './pool.ts';
import type { FromWorker, ToWorker, WorkerPort } from './protocol.ts';
import { BranchVm, MainVm } from './vm-hosts.ts';

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

describe('BranchVm', () => {
  it('sends the first Lua node behind the vm-open; open() resolves first, exec() takes that outcome', async () => {
    const log: Crossing[] = [];
    pool = new WorkerPool({ size: 1, spawn: () => recordingPort(log) });
    await pool.start();
    const vm = new BranchVm(pool, 'run3/f/0/b', { memoryBytes: 16 << 20 }, new AbortController().signal);
    const state = { n: 20 };
    vm.sendFirstExecWithOpen(
      'b',
      'hits = (hits or 0) + 1 return { n = state.n + 1, hits = hits }',
      state,
      5_000,
    );
    const opened = await vm.open();
    expect(opened.ok).toBe(true);
    const first = await vm.exec('b', 'never sent', state, 5_000);
    expect(first).toMatchObject({ ok: true, value: { n: 21, hits: 1 } });
    const second = await vm.exec('b2', 'hits = hits + 1 return { hits = hits }', { n: 21 }, 5_000);
    expect(second).toMatchObject({ ok: true, value: { hits: 2 } });
    expect(vm.close()).toBeGreaterThan(0);
    const run = log.filter((c) => c.type !== 'ready');
    expect(run.slice(0, 4)).toEqual([
      { dir: 'to', type: 'vm-open' },
      { dir: 'to', type: 'exec' },
      { dir: 'from', type: 'vm-opened' },
      { dir: 'from', type: 'exec-done' },
    ]);
    // The first node ran once (hits = 1 then 2): one exec per node, then the close.
    expect(run.filter((c) => c.dir === 'to').map((c) => c.type)).toEqual([
      'vm-open',
      'exec',
      'exec',
      'vm-close',
    ]);
  });

  it('in a run, a Lua-first branch still reports branch-started before its first node starts', async () => {
    const { createEngine } = await import('../index.ts');
    const { fanOutYaml } = await import('../../test/helpers.ts');
    const engine = createEngine({ size: 2 });
    try {
      const events: { type: string; branch?: string }[] = [];
      const yaml = fanOutYaml({ branches: { a: 'return { a = state.x + 1 }', b: 'error("boom")' } });
      const result = await engine.run(yaml, { input: { x: 1 }, onEvent: (e) => events.push(e) }).result;
      expect(result.status).toBe('succeeded');
      for (const branch of ['a', 'b']) {
        const mine = events.filter((e) => e.branch === branch).map((e) => e.type);
        expect(mine.slice(0, 2)).toEqual(['branch-started', 'node-started']);
      }
      const results = result.state['parallel_results'] as {
        branch: string;
        success: boolean;
        state: unknown;
      }[];
      expect(results.map((r) => [r.branch, r.success])).toEqual([
        ['a', true],
        ['b', false],
      ]);
      expect(results[0]!.state).toMatchObject({ x: 1, a: 2 });
    } finally {
      await engine.close();
    }
  });
});
