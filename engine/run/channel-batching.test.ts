// Worker channel batches (channel-outbox.ts): what one event-loop turn sends to a worker leaves as one
// channel message, and so do the worker's replies once the host said it reads them. Real forked
// workers, real wasmoon; the ports count channel messages where they are written and read.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type RunEvent } from '../index.ts';
import { eventsOf, fanOutYaml, results } from '../../test/helpers.ts';
import { emptyTraffic, type ChannelTraffic } from './channel-outbox.ts';
import { MAX_CHANNEL_BATCH_MESSAGES } from '../limits.ts';
import { forkWorker } from './node-port.ts';
import { WorkerPool } from './pool.ts';
import type { FromWorker, WorkerPort } from './protocol.ts';

const LIMITS = { memoryBytes: 64 * 1024 * 1024 };

/** A pool whose ports stay reachable, so a test can read their traffic. */
function countedPorts(): { ports: WorkerPort[]; spawn: () => WorkerPort } {
  const ports: WorkerPort[] = [];
  return {
    ports,
    spawn: () => {
      const port = forkWorker();
      ports.push(port);
      return port;
    },
  };
}

function total(ports: WorkerPort[]): ChannelTraffic {
  const sum = emptyTraffic();
  for (const port of ports) {
    const t = port.traffic!;
    sum.packetsSent += t.packetsSent;
    sum.messagesSent += t.messagesSent;
    sum.packetsReceived += t.packetsReceived;
    sum.messagesReceived += t.messagesReceived;
  }
  return sum;
}

function minus(a: ChannelTraffic, b: ChannelTraffic): ChannelTraffic {
  return {
    packetsSent: a.packetsSent - b.packetsSent,
    messagesSent: a.messagesSent - b.messagesSent,
    packetsReceived: a.packetsReceived - b.packetsReceived,
    messagesReceived: a.messagesReceived - b.messagesReceived,
  };
}

/** Branches of two Lua nodes each (b<i> sets a global, t<i> reads it: one VM per branch). */
function twoNodeBranches(count: number): string {
  const ids = Array.from({ length: count }, (_, i) => i);
  const lua = (name: string, code: string) => [
    `  - name: ${name}`,
    '    language: lua',
    `    run: "${code}"`,
  ];
  return [
    'name: two-node-branches',
    'nodes:',
    ...lua('source', 'return {}'),
    ...ids.flatMap((i) => [
      ...lua(`b${i}`, `seen = ${i} return {}`),
      ...lua(`t${i}`, 'return { seen = seen }'),
    ]),
    ...lua('join', 'return {}'),
    'edges:',
    '  - {from: __start__, to: source}',
    ...ids.map((i) => `  - {from: source, to: b${i}, type: parallel, fan_in: join}`),
    ...ids.flatMap((i) => [`  - {from: b${i}, to: t${i}}`, `  - {from: t${i}, to: join}`]),
    '  - {from: join, to: __end__}',
    '',
  ].join('\n');
}

function luaBranches(count: number, code: (i: number) => string): string {
  return fanOutYaml({
    branches: Object.fromEntries(Array.from({ length: count }, (_, i) => [`b${i}`, code(i)])),
    fanIn: 'return { n = #state.parallel_results }',
  });
}

describe('a worker port', () => {
  let port: WorkerPort | undefined;
  afterEach(() => {
    port?.kill();
    port = undefined;
  });

  it('sends the requests of one turn together, at most MAX_CHANNEL_BATCH_MESSAGES a message, answered in order', async () => {
    port = forkWorker();
    const replies: FromWorker[] = [];
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    port.onMessage((m) => {
      if (m.type === 'ready') ready();
      else if (m.type !== 'sample') replies.push(m);
    });
    await started;
    await new Promise((r) => setTimeout(r, 50)); // the `batching` hello and the first sample pass
    const before = { ...port.traffic! };
    const execs = 100;
    port.postMessage({ type: 'vm-open', reqId: 1, vmId: 'v', limits: LIMITS });
    for (let i = 0; i < execs; i++) {
      // Each exec bumps a global: its value says in which order the worker ran them.
      const code = 'n = (n or 0) + 1 return n';
      port.postMessage({
        type: 'exec',
        reqId: 2 + i,
        vmId: 'v',
        code,
        state: {},
        chunkName: 'c',
        timeoutMs: 5_000,
      });
    }
    port.postMessage({ type: 'vm-close', reqId: 2 + execs, vmId: 'v' });
    // A full batch is written at once; the rest waits for the end of this turn.
    expect(minus(port.traffic!, before)).toMatchObject({
      packetsSent: 1,
      messagesSent: MAX_CHANNEL_BATCH_MESSAGES,
    });
    await expect.poll(() => replies.length, { timeout: 20_000 }).toBe(execs + 2);
    expect(minus(port.traffic!, before)).toMatchObject({ packetsSent: 2, messagesSent: execs + 2 });
    expect(replies.map((r) => ('reqId' in r ? r.reqId : -1))).toEqual(
      Array.from({ length: execs + 2 }, (_, i) => i + 1),
    );
    expect(
      replies.slice(1, -1).map((r) => (r.type === 'exec-done' && r.outcome.ok ? r.outcome.value : r)),
    ).toEqual(Array.from({ length: execs }, (_, i) => i + 1));
    expect(replies[0]!.type).toBe('vm-opened');
    expect(replies.at(-1)!.type).toBe('vm-closed');
  });
});

describe('a pool lease', () => {
  const pool = new WorkerPool({ size: 1 });
  afterAll(() => pool.close());

  it('fails only the request that cannot be serialized when it travels in a batch', async () => {
    const lease = await pool.acquire();
    const pid = pool.stats().workers[0]!.pid;
    await lease.openVm('v', LIMITS);
    const exec = (state: unknown) =>
      lease.exec('v', { code: 'return state.n', state, chunkName: 'c', timeoutMs: 2_000 });
    // Sent in one turn: one channel message unless one of them cannot be serialized.
    const [a, bad, c] = await Promise.all([exec({ n: 1 }), exec({ n: 2, f: () => 2 }), exec({ n: 3 })]);
    expect(a).toMatchObject({ ok: true, value: 1 });
    expect(bad).toMatchObject({
      ok: false,
      error: { kind: 'error', message: expect.stringMatching(/could not send/) },
    });
    expect(c).toMatchObject({ ok: true, value: 3 });
    expect(pool.stats().workers[0]!.pid).toBe(pid); // the same worker served all three
    await lease.closeVm('v');
    lease.release();
  });
});

describe('a fan-out of short Lua branches', () => {
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('costs about 2 channel messages per branch (4 protocol messages) and keeps every result in order', async () => {
    const { ports, spawn } = countedPorts();
    engine = createEngine({ size: 2, spawn });
    await engine.start();
    const branches = 60;
    const yaml = luaBranches(branches, (i) => `return { value = ${i} }`);
    await engine.run(yaml).result; // warm: the main VM's worker, code paths
    const before = total(ports);
    const result = await engine.run(yaml).result;
    await new Promise((r) => setTimeout(r, 100)); // the last vm-close replies arrive after the result
    const used = minus(total(ports), before);
    expect(result.status).toBe('succeeded');
    expect(
      results(result.state).map((r) => [r.branch, r.success, (r.state as { value?: number })?.value]),
    ).toEqual(Array.from({ length: branches }, (_, i) => [`b${i}`, true, i]));
    const messages = (used.messagesSent + used.messagesReceived) / branches;
    const packets = (used.packetsSent + used.packetsReceived) / branches;
    console.info(
      `[channel] per branch: ${messages.toFixed(2)} protocol messages in ${packets.toFixed(2)} channel messages`,
    );
    // vm-open and an exec that closes the VM (the branch ends with its one node), each answered: 4
    // messages (before: vm-open, exec, vm-close and their replies, each its own channel message).
    expect(messages).toBeGreaterThanOrEqual(4);
    expect(messages).toBeLessThanOrEqual(4.5);
    // One packet each way per branch: vm-open + exec out, vm-opened + exec-done back (a trivial exec
    // ends before its first tick would send the vm-opened alone; see worker.ts), plus the run's own.
    expect(packets).toBeLessThanOrEqual(2.6);
  });

  it('reports a long branch as started while its Lua still runs, not when it ends', async () => {
    engine = createEngine({ size: 2 });
    await engine.start();
    const events: { event: RunEvent; at: number }[] = [];
    const yaml = luaBranches(2, () => 'sleep(600) return { slept = true }');
    const result = await engine.run(yaml, {
      onEvent: (event) => events.push({ event, at: performance.now() }),
    }).result;
    expect(result.status).toBe('succeeded');
    const fanOut = events.find((e) => e.event.type === 'fan-out-started')!.at;
    const starts = events.filter((e) => e.event.type === 'branch-started').map((e) => e.at - fanOut);
    const ends = events.filter((e) => e.event.type === 'branch-finished').map((e) => e.at - fanOut);
    console.info(`[channel] long branches started after ${starts.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    expect(starts).toHaveLength(2);
    // A vm-opened held back with the exec's result would arrive with it, >= 600 ms in.
    for (const [i, start] of starts.entries()) expect(start).toBeLessThan(ends[i]! / 2);
  });

  it('a worker killed while branches queue fails exactly the branch leased on it', async () => {
    const { ports, spawn } = countedPorts();
    engine = createEngine({ size: 2, spawn });
    await engine.start();
    const branches = 40;
    const yaml = luaBranches(branches, (i) => `sleep(20) return { value = ${i} }`);
    let victim: string | undefined;
    const events: RunEvent[] = [];
    const result = await engine.run(yaml, {
      onEvent: (event) => {
        events.push(event);
        // The 10th branch to start is in its sleep now, on this worker; 30 more wait for a lease.
        if (event.type === 'branch-started' && eventsOf(events, 'branch-started').length === 10) {
          victim = event.branch;
          const pid = engine!.service.pool.stats().workers[event.worker!]!.pid!;
          process.kill(pid, 'SIGKILL');
        }
      },
    }).result;
    expect(victim).toBeDefined();
    expect(result.status).toBe('succeeded');
    const failed = results(result.state).filter((r) => !r.success);
    expect(failed.map((r) => [r.branch, r.error_type])).toEqual([[victim, 'WorkerCrashed']]);
    expect(results(result.state).filter((r) => r.success)).toHaveLength(branches - 1);
    expect(ports.length).toBeGreaterThan(2); // the killed worker was replaced
  });

  it('gives a branch worker back as its close is sent, and leaves no VM counted resident', async () => {
    engine = createEngine({ size: 2 });
    await engine.start();
    // One-node branches (closed by their exec) and two-node ones (closed by a vm-close).
    const one = await engine.run(luaBranches(20, (i) => `return { value = ${i} }`)).result;
    expect(one.status).toBe('succeeded');
    const result = await engine.run(twoNodeBranches(10)).result;
    expect(result.status).toBe('succeeded');
    expect(results(result.state).map((r) => (r.state as { seen?: number } | null)?.seen)).toEqual(
      Array.from({ length: 10 }, (_, i) => i),
    );
    // The main VM closes after the run reports; then nothing is resident anywhere.
    await expect
      .poll(() => engine!.service.pool.stats().workers.map((w) => [w.busy, w.residentVms]), {
        timeout: 5_000,
      })
      .toEqual([
        [false, 0],
        [false, 0],
      ]);
  });
});
