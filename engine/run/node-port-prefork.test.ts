// Workers forked ahead of their pool (`fanout run` forks one before it has even read the file): the
// `ready` a worker sends before anyone listens must still reach the pool, and a worker nobody takes
// must not keep the CLI alive. Real worker processes (worker.ts through tsx), real CLI.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { chainYaml, repoRoot } from '../../test/helpers.ts';
import { discardPreforked, forkWorker, preforkWorkers, useOneShotWorkers } from './node-port.ts';
import { WorkerPool } from './pool.ts';
import type { FromWorker } from './protocol.ts';
import { ONE_SHOT_WORKER_EXEC_ARGV } from './worker-flags.ts';

const exec = promisify(execFile);

afterEach(() => {
  discardPreforked();
  useOneShotWorkers(false);
});

describe('workers forked ahead', () => {
  it('deliver the ready message that arrived before the pool listened', async () => {
    preforkWorkers(1);
    // Long enough for the worker to be ready and its message queued with no listener (a start takes
    // well under a second even through tsx); a lost message would time the test out below.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const port = forkWorker();
    try {
      const ready = await new Promise<FromWorker>((resolve) => port.onMessage(resolve));
      expect(ready.type).toBe('ready');
    } finally {
      port.kill();
    }
  }, 20_000);

  it('serve a pool as any other worker, and the next fork is a new process', async () => {
    preforkWorkers(1);
    const pool = new WorkerPool({ size: 2 });
    try {
      await pool.start();
      const pids = pool.stats().workers.map((w) => w.pid);
      expect(new Set(pids).size).toBe(2);
      expect(await pool.checkSyntax('return 1', 'ok')).toEqual({ ok: true });
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('a `fanout run` that stops at a workflow error exits at once (its forked-ahead worker killed)', async () => {
    const started = performance.now();
    const failed = await exec(process.execPath, [`${repoRoot}/bin/fanout.js`, 'run', '/nonexistent/x.yaml'], {
      cwd: repoRoot,
      timeout: 15_000,
    }).catch((error: { code?: number; killed?: boolean; stderr?: string }) => error);
    expect('killed' in failed && failed.killed).toBe(false);
    expect('code' in failed && failed.code).toBe(2);
    expect(String('stderr' in failed ? failed.stderr : '')).toContain('file not found');
    // A worker kept alive would hold the IPC channel open and the CLI would never exit on its own.
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 20_000);

  it('a `fanout run` of a chain forks one worker in all: the one forked ahead serves the run', async () => {
    // The compiled CLI forks it from its entry and cli.ts asks again: a second fork would be a whole
    // wasted worker start. Counted by a preload in the CLI process (workers fork nothing).
    const dir = mkdtempSync(join(os.tmpdir(), 'fanout-prefork-'));
    try {
      const counter = join(dir, 'count-forks.cjs');
      writeFileSync(
        counter,
        "const cp = require('node:child_process'); const fork = cp.fork; let n = 0;\n" +
          'cp.fork = function (...args) { n += 1; return fork.apply(this, args); };\n' +
          "process.on('exit', () => { if (n) process.stderr.write(`forks: ${n}\\n`); });\n",
      );
      const file = join(dir, 'chain.yaml');
      writeFileSync(file, chainYaml(['return { x = 1 }', 'return { x = state.x + 1 }']));
      const { stdout, stderr } = await exec(process.execPath, [`${repoRoot}/bin/fanout.js`, 'run', file], {
        cwd: repoRoot,
        env: { ...process.env, NODE_OPTIONS: `--require ${counter}` },
        timeout: 15_000,
      });
      expect(JSON.parse(stdout)).toMatchObject({ x: 2 });
      expect(stderr).toContain('forks: 1\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it("one-shot workers (`fanout run`'s) start with ONE_SHOT_WORKER_EXEC_ARGV, a warm pool's without", async (ctx) => {
    if (!existsSync('/proc/self/cmdline')) {
      console.info('[node-port] skipped: no /proc/<pid>/cmdline on this platform');
      ctx.skip();
    }
    const argvOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const warm = forkWorker();
    useOneShotWorkers();
    preforkWorkers(1);
    const oneShot = forkWorker();
    try {
      for (const flag of ONE_SHOT_WORKER_EXEC_ARGV) {
        expect(argvOf(oneShot.pid!)).toContain(flag);
        expect(argvOf(warm.pid!)).not.toContain(flag);
      }
      // And it still runs Lua: the flag only moves when its functions tier up.
      const pool = new WorkerPool({ size: 1, spawn: () => oneShot });
      try {
        expect(await pool.checkSyntax('return 1', 'ok')).toEqual({ ok: true });
      } finally {
        await pool.close();
      }
    } finally {
      warm.kill();
      oneShot.kill();
    }
  }, 30_000);
});
