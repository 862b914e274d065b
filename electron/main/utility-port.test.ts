import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../engine/index.ts';
import type { FromWorker } from '../../engine/run/protocol.ts';
import { workerEnv } from '../../engine/run/worker-env.ts';
import { WORKER_ENV, WORKER_EXEC_ARGV } from '../../engine/run/worker-flags.ts';
import { forkUtilityWorker, WORKER_SERVICE_NAME, type UtilityProcessModule } from './utility-port.ts';

const shim = fileURLToPath(new URL('./fixtures/parent-port-worker.mjs', import.meta.url));
const example = fileURLToPath(new URL('../../resources/examples/parallel-isolation.yaml', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * Stands in for Electron's `utilityProcess`: forks a Node child and gives it the same surface
 * (postMessage, 'message' with the raw message, 'exit' with a code, kill, piped stdout/stderr).
 */
function fakeUtilityProcess() {
  const calls: { modulePath: string; args: string[] | undefined; options: unknown }[] = [];
  const children: ChildProcess[] = [];
  const module: UtilityProcessModule = {
    fork(modulePath, args, options) {
      calls.push({ modulePath, args, options });
      const child = fork(modulePath, args ?? [], {
        execArgv: ['--import', tsx],
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      children.push(child);
      const emitter = new EventEmitter() as EventEmitter & Record<string, unknown>;
      child.on('message', (message) => emitter.emit('message', message));
      child.on('exit', (code) => emitter.emit('exit', code ?? 1));
      return Object.assign(emitter, {
        get pid() {
          return child.pid;
        },
        stdout: child.stdout,
        stderr: child.stderr,
        postMessage: (message: unknown) => child.send(message as object),
        kill: () => child.kill('SIGKILL'),
      }) as unknown as ReturnType<UtilityProcessModule['fork']>;
    },
  };
  return { module, calls, children };
}

const fake = fakeUtilityProcess();
afterAll(() => {
  for (const child of fake.children) child.kill('SIGKILL');
});

describe('utilityProcess WorkerPort adapter', () => {
  it("forks with the service name, piped stdio and the workers' flags and env, and runs a parallel workflow end to end", async () => {
    const engine = createEngine({ size: 2, spawn: () => forkUtilityWorker(shim, fake.module, () => {}) });
    try {
      const load = await engine.loadFile(example);
      const events: string[] = [];
      const result = await engine.run(load, { onEvent: (e) => events.push(e.type) }).result;
      expect(result.status).toBe('succeeded');
      expect(events).toContain('branch-finished');
      expect(fake.calls[0]).toEqual({
        modulePath: shim,
        args: [],
        options: {
          serviceName: WORKER_SERVICE_NAME,
          stdio: 'pipe',
          execArgv: [...WORKER_EXEC_ARGV],
          env: { ...workerEnv(), ...WORKER_ENV },
        },
      });
    } finally {
      await engine.close();
    }
  });

  it('reports ready, forwards worker output, and reports exit once after kill', async () => {
    const logged: string[] = [];
    const port = forkUtilityWorker(shim, fake.module, (line) => logged.push(line));
    const messages: FromWorker[] = [];
    port.onMessage((m) => messages.push(m));
    const exits: unknown[] = [];
    port.onExit((info) => exits.push(info));
    await expect.poll(() => messages[0]?.type, { timeout: 20_000 }).toBe('ready');
    expect(port.pid).toBeTypeOf('number');

    port.postMessage({ type: 'syntax', reqId: 1, code: 'return 1 +', chunkName: 'probe' });
    await expect
      .poll(() => messages.find((m) => m.type === 'syntax-done'), { timeout: 10_000 })
      .toMatchObject({
        reqId: 1,
        result: { ok: false },
      });

    port.kill();
    await expect.poll(() => exits.length, { timeout: 10_000 }).toBe(1);
    port.kill(); // idempotent
    port.postMessage({ type: 'syntax', reqId: 2, code: 'return 1', chunkName: 'late' }); // ignored, no throw
    expect(exits).toHaveLength(1);
    expect(logged.every((l) => l.startsWith('[fanout worker '))).toBe(true);
  });
  it('after kill() nothing more is written to the worker, not even what was queued before it', async () => {
    let writes = 0;
    const counting: UtilityProcessModule = {
      fork(modulePath, args, options) {
        const child = fake.module.fork(modulePath, args, options);
        const post = child.postMessage.bind(child);
        return Object.assign(child, {
          postMessage: (message: unknown) => {
            writes += 1;
            post(message);
          },
        });
      },
    };
    const port = forkUtilityWorker(shim, counting, () => {});
    const exited = new Promise<void>((resolve) => port.onExit(() => resolve()));
    await new Promise<void>((resolve) =>
      port.onMessage((message) => {
        if (message.type === 'ready') resolve();
      }),
    );
    // The worker reads batches now: this request waits for the end of the turn, and the kill comes first.
    port.postMessage({ type: 'syntax', reqId: 1, code: 'return 1', chunkName: 'queued' });
    const before = writes;
    port.kill();
    await exited;
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toBe(before);
  });
});
