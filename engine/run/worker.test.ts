// The worker process spoken to directly over its port: real fork, real wasmoon.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkWorker } from './node-port.ts';
import type { FromWorker, ToWorker, WorkerPort } from './protocol.ts';

const LIMITS = { memoryBytes: 64 * 1024 * 1024 };

/** Collects a port's messages and lets a test await the reply to one request. */
class Client {
  readonly messages: FromWorker[] = [];
  private waiters: { match: (m: FromWorker) => boolean; resolve: (m: FromWorker) => void }[] = [];
  private nextReqId = 1;
  exit: Promise<{ code: number | null; signal: string | null }>;

  constructor(readonly port: WorkerPort) {
    port.onMessage((message) => {
      this.messages.push(message);
      const at = this.waiters.findIndex((w) => w.match(message));
      if (at >= 0) this.waiters.splice(at, 1)[0]!.resolve(message);
    });
    this.exit = new Promise((resolve) => port.onExit(resolve));
  }

  waitFor(match: (m: FromWorker) => boolean): Promise<FromWorker> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  request(message: ToWorker extends infer T ? (T extends ToWorker ? Omit<T, 'reqId'> : never) : never) {
    const reqId = this.nextReqId++;
    this.port.postMessage({ ...message, reqId } as ToWorker);
    return this.waitFor((m) => 'reqId' in m && m.reqId === reqId);
  }
}

describe('worker process', () => {
  let client: Client;

  beforeAll(async () => {
    client = new Client(forkWorker());
    await client.waitFor((m) => m.type === 'ready');
  });

  afterAll(async () => {
    client.port.kill();
    await client.exit;
  });

  it('reports ready with its pid and the warm-up time', async () => {
    const ready = await client.waitFor((m) => m.type === 'ready');
    expect(ready).toMatchObject({ type: 'ready', pid: client.port.pid });
    if (ready.type !== 'ready') throw new Error('unreachable');
    expect(ready.warmupMs).toBeGreaterThan(0);
    expect(ready.warmupMs).toBeLessThan(20_000);
  });

  it('opens, runs and closes a VM, answering each request by reqId', async () => {
    const opened = await client.request({ type: 'vm-open', vmId: 'a', limits: LIMITS });
    expect(opened).toMatchObject({ type: 'vm-opened', vmId: 'a' });
    if (opened.type !== 'vm-opened') throw new Error('unreachable');
    expect(opened.memory.heapBytes).toBeGreaterThan(0);

    const done = await client.request({
      type: 'exec',
      vmId: 'a',
      code: 'return { sum = state.x + 1, name = "n" }',
      state: { x: 41 },
      chunkName: 'node_a',
      timeoutMs: 5_000,
    });
    expect(done).toMatchObject({
      type: 'exec-done',
      vmId: 'a',
      outcome: { ok: true, value: { sum: 42, name: 'n' } },
    });

    const closed = await client.request({ type: 'vm-close', vmId: 'a' });
    expect(closed).toMatchObject({ type: 'vm-closed', vmId: 'a' });
  });

  it('keeps several VMs apart: globals of one are invisible to another', async () => {
    await client.request({ type: 'vm-open', vmId: 'p', limits: LIMITS });
    await client.request({ type: 'vm-open', vmId: 'q', limits: LIMITS });
    const exec = (vmId: string, code: string) =>
      client.request({ type: 'exec', vmId, code, state: {}, chunkName: vmId, timeoutMs: 5_000 });
    await exec('p', 'leaked = 7; return leaked');
    const fromQ = await exec('q', 'return leaked == nil');
    const fromP = await exec('p', 'return leaked');
    expect(fromQ).toMatchObject({ outcome: { ok: true, value: true } });
    expect(fromP).toMatchObject({ outcome: { ok: true, value: 7 } });
    await client.request({ type: 'vm-close', vmId: 'p' });
    await client.request({ type: 'vm-close', vmId: 'q' });
  });

  it('reports Lua errors as exec outcomes and host-side problems as request-failed', async () => {
    await client.request({ type: 'vm-open', vmId: 'e', limits: LIMITS });
    const failed = await client.request({
      type: 'exec',
      vmId: 'e',
      code: 'error("boom")',
      state: {},
      chunkName: 'bad_node',
      timeoutMs: 5_000,
    });
    expect(failed).toMatchObject({ type: 'exec-done', outcome: { ok: false } });
    if (failed.type !== 'exec-done' || failed.outcome.ok) throw new Error('unreachable');
    expect(failed.outcome.error.message).toContain('boom');

    const unknown = await client.request({
      type: 'exec',
      vmId: 'nope',
      code: 'return 1',
      state: {},
      chunkName: 'x',
      timeoutMs: 1_000,
    });
    expect(unknown).toMatchObject({ type: 'request-failed' });
    if (unknown.type !== 'request-failed') throw new Error('unreachable');
    expect(unknown.message).toContain("'nope'");

    const duplicate = await client.request({ type: 'vm-open', vmId: 'e', limits: LIMITS });
    expect(duplicate).toMatchObject({ type: 'request-failed' });
    await client.request({ type: 'vm-close', vmId: 'e' });
    const closedTwice = await client.request({ type: 'vm-close', vmId: 'e' });
    expect(closedTwice).toMatchObject({ type: 'request-failed' });
  });

  it('checks syntax without running code', async () => {
    const good = await client.request({ type: 'syntax', code: 'return 1', chunkName: 'ok_node' });
    expect(good).toMatchObject({ type: 'syntax-done', result: { ok: true } });
    const bad = await client.request({ type: 'syntax', code: 'x = = 1', chunkName: 'bad_node' });
    expect(bad).toMatchObject({ type: 'syntax-done', result: { ok: false } });
  });

  it('still answers after a failing request (no exception kills it)', async () => {
    client.port.postMessage({ type: 'bogus', reqId: 999 } as unknown as ToWorker);
    const failed = await client.waitFor((m) => m.type === 'request-failed' && m.reqId === 999);
    expect(failed).toMatchObject({ message: expect.stringContaining('bogus') });
    const good = await client.request({ type: 'syntax', code: 'return 2', chunkName: 'still_alive' });
    expect(good).toMatchObject({ type: 'syntax-done', result: { ok: true } });
  });
});

describe('worker process lifetime', () => {
  it('exits when the parent disconnects', async () => {
    const script = fileURLToPath(new URL('./worker.ts', import.meta.url));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = fork(script, [], {
      execArgv: ['--import', tsx],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.on('message', (m: FromWorker) => {
        if (m.type === 'ready') resolve();
      }),
    );
    child.disconnect();
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5_000))]);
    if (code === 'hung') child.kill('SIGKILL');
    expect(code).toBe(0);
  });
});
