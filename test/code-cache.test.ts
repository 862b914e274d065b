// The compiled engine's entries (engine/boot/: dist/worker.cjs, dist/cli.js) run their bundles with a
// V8 code cache that the first process after a build writes and later ones use, and a missing,
// corrupt or unwritable cache never stops a worker from running Lua or the CLI from answering. Real
// processes on scratch copies of dist/ (built by the global set-up from the current sources).
import { execFile } from 'node:child_process';
import { fork } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { FromWorker, ToWorker } from '../engine/run/protocol.ts';
import { WORKER_EXEC_ARGV } from '../engine/run/worker-flags.ts';
import { fanOutYaml, repoRoot } from './helpers.ts';

const exec = promisify(execFile);

const scratch = mkdtempSync(join(os.tmpdir(), 'fanout-worker-boot-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of dist/ without code caches, so each test starts from a fresh build's state. */
function distCopy(name: string): string {
  const dir = join(scratch, name);
  cpSync(join(repoRoot, 'dist'), dir, { recursive: true, filter: (path) => !path.endsWith('.v8cache') });
  return dir;
}

const cacheFiles = (dir: string, bundle = 'worker') =>
  readdirSync(dir).filter((name) => name.startsWith(`${bundle}-bundle-`) && name.endsWith('.v8cache'));
const tempFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

/**
 * Forks dist/worker.cjs as the pool does (same V8 flags: a cache is only valid under the flags it was
 * made with), runs one Lua node through the protocol and returns the result and what the entry said
 * about its code cache (FANOUT_CODE_CACHE_LOG lines on stderr).
 */
async function runOneNode(dir: string): Promise<{ result: unknown; cacheLog: string[] }> {
  const child = fork(join(dir, 'worker.cjs'), [], {
    execArgv: [...WORKER_EXEC_ARGV],
    serialization: 'advanced',
    env: { ...process.env, FANOUT_CODE_CACHE_LOG: '1' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const replies: FromWorker[] = [];
  let wake = (): void => {};
  child.on('message', (message) => {
    replies.push(message as FromWorker);
    wake();
  });
  child.once('exit', () => wake());
  const next = async (type: FromWorker['type']): Promise<FromWorker> => {
    for (;;) {
      const at = replies.findIndex((reply) => reply.type === type || reply.type === 'request-failed');
      if (at >= 0) return replies.splice(at, 1)[0]!;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`worker exited: ${stderr}`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  const send = (message: ToWorker) => child.send(message);
  try {
    await next('ready');
    send({ type: 'vm-open', reqId: 1, vmId: 'v', limits: { memoryBytes: 8 * 1024 * 1024 } });
    expect((await next('vm-opened')).type).toBe('vm-opened');
    send({
      type: 'exec',
      reqId: 2,
      vmId: 'v',
      code: 'return { doubled = state.n * 2, hi = string.rep("hi", 2) }',
      state: { n: 21 },
      chunkName: 'node',
      timeoutMs: 5_000,
    });
    const done = await next('exec-done');
    if (done.type !== 'exec-done' || !done.outcome.ok)
      throw new Error(`exec failed: ${JSON.stringify(done)}`);
    // The cache is written right after `ready`; a vm-close round trip orders us after it.
    send({ type: 'vm-close', reqId: 3, vmId: 'v' });
    await next('vm-closed');
    return {
      result: done.outcome.value,
      cacheLog: [...stderr.matchAll(/code cache: (.+)/g)].map((match) => match[1]!),
    };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

describe('dist/worker.cjs and its V8 code cache', () => {
  it('the first worker writes the cache, the next one runs from it, both run Lua', async () => {
    const dir = distCopy('fresh');
    expect(cacheFiles(dir)).toEqual([]);
    const first = await runOneNode(dir);
    expect(first.result).toEqual({ doubled: 42, hi: 'hihi' });
    expect(first.cacheLog).toEqual(['none', 'written']);
    expect(cacheFiles(dir)).toHaveLength(1);
    // Named after the bundle (content hash) and this V8: a cache never meets other code.
    expect(cacheFiles(dir)[0]).toMatch(
      new RegExp(`^worker-bundle-[0-9A-F]{12}\\.cjs\\.${process.versions.v8.replace(/\./g, '\\.')}-`),
    );

    const second = await runOneNode(dir);
    expect(second.result).toEqual({ doubled: 42, hi: 'hihi' });
    expect(second.cacheLog).toEqual(['accepted']);
    expect(tempFiles(dir)).toEqual([]);
  });

  it('a corrupt cache is rejected by V8, the worker still runs Lua and writes a good one', async () => {
    const dir = distCopy('corrupt');
    await runOneNode(dir);
    const [name] = cacheFiles(dir);
    writeFileSync(join(dir, name!), Buffer.alloc(4096, 0x5a));
    const damaged = await runOneNode(dir);
    expect(damaged.result).toEqual({ doubled: 42, hi: 'hihi' });
    expect(damaged.cacheLog).toEqual(['rejected', 'written']);
    expect((await runOneNode(dir)).cacheLog).toEqual(['accepted']);
  });

  it('a cache that cannot be written (here: a folder in its place) is skipped, leaving no temp file', async () => {
    const dir = distCopy('unwritable');
    await runOneNode(dir);
    const [name] = cacheFiles(dir);
    rmSync(join(dir, name!));
    mkdirSync(join(dir, name!));
    const run = await runOneNode(dir);
    expect(run.result).toEqual({ doubled: 42, hi: 'hihi' });
    expect(run.cacheLog[0]).toBe('none');
    expect(run.cacheLog[1]).toMatch(/^not written/);
    expect(tempFiles(dir)).toEqual([]);
    expect(existsSync(join(dir, name!))).toBe(true);
  });
});

describe('dist/cli.js and its V8 code cache', () => {
  it('the first command writes the cache as it exits, the next runs from it, both run the fan-out', async () => {
    // A package-shaped folder: bin/fanout.js runs dist/ when no sources sit next to it.
    const root = join(scratch, 'package');
    mkdirSync(join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    cpSync(join(repoRoot, 'bin', 'fanout.js'), join(root, 'bin', 'fanout.js'));
    cpSync(distCopy('cli'), join(root, 'dist'), { recursive: true });
    const file = join(root, 'fan-out.yaml');
    writeFileSync(file, fanOutYaml({ branches: { a: 'return { a = 1 }', b: 'return { b = 2 }' } }));
    const fanout = (...args: string[]) =>
      exec(process.execPath, [join(root, 'bin', 'fanout.js'), ...args], {
        cwd: root,
        env: { ...process.env, FANOUT_CODE_CACHE_LOG: '1' },
      });
    const cliLog = (stderr: string) =>
      [...stderr.matchAll(/cli-bundle-[0-9A-F]{12}\.cjs: code cache: (.+)/g)].map((match) => match[1]!);

    const first = await fanout('run', file);
    expect(cliLog(first.stderr)).toEqual(['none', 'written']);
    expect(cacheFiles(join(root, 'dist'), 'cli')).toHaveLength(1);
    const second = await fanout('run', file);
    expect(cliLog(second.stderr)).toEqual(['accepted']);
    for (const { stdout } of [first, second]) {
      const state = JSON.parse(stdout) as { parallel_results: { success: boolean }[] };
      expect(state.parallel_results.map((result) => result.success)).toEqual([true, true]);
    }
  });

  it('FANOUT_DEBUG runs the bundles without a cache (so Node maps their stacks) and still runs the fan-out', async () => {
    const root = join(scratch, 'package');
    const file = join(root, 'fan-out.yaml');
    const { stdout, stderr } = await exec(process.execPath, [join(root, 'bin', 'fanout.js'), 'run', file], {
      cwd: root,
      env: { ...process.env, FANOUT_CODE_CACHE_LOG: '1', FANOUT_DEBUG: '1' },
    });
    expect(stderr).toMatch(/cli-bundle-[0-9A-F]{12}\.cjs: code cache: not used \(FANOUT_DEBUG/);
    expect(stderr).toMatch(/worker-bundle-[0-9A-F]{12}\.cjs: code cache: not used \(FANOUT_DEBUG/);
    expect(stderr).not.toMatch(/code cache: (none|accepted|written)/);
    const state = JSON.parse(stdout) as { parallel_results: { success: boolean }[] };
    expect(state.parallel_results.map((result) => result.success)).toEqual([true, true]);
  });
});
