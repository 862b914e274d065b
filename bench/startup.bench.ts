// Start-up benchmarks (issue #15): whole processes as a user meets them, from the compiled engine
// (dist/, built first). Wall-clock medians, each row noting the load average when it was measured;
// TEA Python's CLI on the same file where ../shared/tea-py is set up (bench may read ../shared).
import { fork, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { forkWorker } from '../engine/run/node-port.ts';
import { WorkerPool } from '../engine/run/pool.ts';
import { buildEngine } from '../scripts/build-engine.mjs';
import { chainYaml } from '../test/helpers.ts';
import type { BenchEntry } from './types.ts';

const repo = fileURLToPath(new URL('../', import.meta.url));
const bin = join(repo, 'bin', 'fanout.js');
const compiledWorker = join(repo, 'dist', 'worker.cjs');
const teaPy = join(repo, '..', 'shared', 'tea-py');

const r0 = (n: number) => Math.round(n);
const load = () => `load ${os.loadavg()[0]!.toFixed(1)}`;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Wall time of one whole process; rejects on a non-zero exit. */
function processMs(command: string, args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')}: ${stderr}`)),
    );
  });
}

/** Medians of several commands measured interleaved, so a burst of load hits them alike. */
async function interleaved(runs: number, commands: [string, string[]][]): Promise<number[]> {
  const samples = commands.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [at, [command, args]] of commands.entries()) samples[at]!.push(await processMs(command, args));
  }
  return samples.map(median);
}

/** `fanout serve` started, then one run posted over the API: ms until its run-finished event. */
async function serveFirstResultMs(root: string, yaml: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'serve', '--root', root], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out);
      });
      child.once('exit', () => reject(new Error('serve exited early')));
    });
    const [, port, token] = /127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+)/.exec(line)!;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['fanout', `fanout.token.${token}`]);
    const finished = new Promise<void>((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        if (data.toString().includes('"run-finished"')) resolve();
      });
      ws.once('error', reject);
    });
    await new Promise<void>(
      (resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)),
    );
    const answer = await fetch(`http://127.0.0.1:${port}/api/run`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: yaml }),
    });
    if (!answer.ok) throw new Error(`run refused: ${answer.status} ${await answer.text()}`);
    await finished;
    const ms = performance.now() - started;
    ws.close();
    return ms;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/** CPU time of a live process, all its threads (Linux /proc schedstat, ns), or null elsewhere. */
function processCpuMs(pid: number): number | null {
  if (!existsSync(`/proc/${pid}/task`)) return null;
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
  }
  return ns / 1e6;
}

/** Fork of the compiled worker until `ready`, with the CPU it used. */
async function workerStart(): Promise<{ ms: number; cpuMs: number | null }> {
  const started = performance.now();
  const pool = new WorkerPool({ size: 1, spawn: () => forkWorker({ script: compiledWorker }) });
  try {
    await pool.start();
    const ms = performance.now() - started;
    return { ms, cpuMs: processCpuMs(pool.stats().workers[0]!.pid!) };
  } finally {
    await pool.close();
  }
}

/**
 * CPU of a bare forked `node` (IPC channel, one message), the floor of any worker start: with the
 * environment as is, and without NODE_EXTRA_CA_CERTS (which Node 20 parses at every start; workers
 * are forked without it, engine/run/worker-env.ts).
 */
async function bareForkCpuMs(env: NodeJS.ProcessEnv): Promise<number | null> {
  const child = fork('-e', ['process.send(0); setInterval(() => {}, 1000)'], {
    env,
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise((resolve) => child.once('message', resolve));
  const cpu = processCpuMs(child.pid!);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  return cpu;
}

async function poolColdStart(size: number): Promise<{ firstMs: number; allMs: number }> {
  const started = performance.now();
  const pool = new WorkerPool({ size, spawn: () => forkWorker({ script: compiledWorker }) });
  try {
    const all = pool.start();
    const lease = await pool.acquire();
    const firstMs = performance.now() - started;
    lease.release();
    await all;
    return { firstMs, allMs: performance.now() - started };
  } finally {
    await pool.close();
  }
}

export async function benchStartup(): Promise<BenchEntry[]> {
  const entries: BenchEntry[] = [];
  await buildEngine({ quiet: true });
  const dir = await mkdtemp(join(os.tmpdir(), 'fanout-startup-bench-'));
  try {
    const chain = join(dir, 'chain5.yaml');
    const fan = join(repo, 'resources', 'examples', 'parallel-isolation.yaml');
    const sequence = join(dir, 'sequence4.yaml');
    const chainText = chainYaml(['return { x = 1 }', ...Array(4).fill('return { x = state.x + 1 }')]);
    await writeFile(chain, chainText);
    await writeFile(
      sequence,
      chainYaml(['return {}', ...Array(4).fill('if sleep then sleep(100) end return {}')]),
    );

    const [bare, help, small] = await interleaved(7, [
      [process.execPath, ['-e', '']],
      [process.execPath, [bin, '--help']],
      [process.execPath, [bin, 'run', chain]],
    ]);
    entries.push({
      name: '`fanout run` of a 5-node Lua chain, whole process (median of 7)',
      value: r0(small!),
      unit: 'ms',
      target: '≤ 300 ms (was 1,070 ms through tsx)',
      note: `node -e "" ${r0(bare!)} ms, fanout --help ${r0(help!)} ms; ${load()}`,
    });

    const [fanMs, seqMs] = await interleaved(7, [
      [process.execPath, [bin, 'run', fan]],
      [process.execPath, [bin, 'run', sequence]],
    ]);
    entries.push({
      name: '`fanout run` of 4 × sleep(100) branches (parallel-isolation.yaml), whole process (median of 7)',
      value: r0(fanMs!),
      unit: 'ms',
      target: '≤ 450 ms and < the same sleeps in sequence (was 1.8–2.0 s vs 1.1–1.2 s)',
      note: `same 4 sleeps in sequence ${r0(seqMs!)} ms (ratio ${(fanMs! / seqMs!).toFixed(2)}); ${load()}`,
    });

    const starts: { ms: number; cpuMs: number | null }[] = [];
    const bareFork: number[] = [];
    const bareWithCa: number[] = [];
    const { NODE_EXTRA_CA_CERTS: extraCa, ...withoutCa } = process.env;
    for (let i = 0; i < 9; i++) {
      starts.push(await workerStart());
      const cpu = await bareForkCpuMs(withoutCa);
      if (cpu !== null) bareFork.push(cpu);
      const cpuWithCa = extraCa === undefined ? null : await bareForkCpuMs(process.env);
      if (cpuWithCa !== null) bareWithCa.push(cpuWithCa);
    }
    const cpu = starts.map((s) => s.cpuMs).filter((c): c is number => c !== null);
    const bareNote = bareFork.length
      ? `bare forked node CPU ${r0(median(bareFork))} ms${bareWithCa.length ? ` (${r0(median(bareWithCa))} ms with this environment's NODE_EXTRA_CA_CERTS, which workers drop)` : ''}; `
      : '';
    entries.push({
      name: 'compiled worker start: fork → ready (wasmoon loaded and warmed), median of 9',
      value: r0(median(starts.map((s) => s.ms))),
      unit: 'ms',
      note: `${cpu.length ? `CPU ${r0(median(cpu))} ms; ` : ''}${bareNote}${load()}`,
    });

    const colds: { firstMs: number; allMs: number }[] = [];
    for (let i = 0; i < 3; i++) colds.push(await poolColdStart(4));
    entries.push({
      name: 'pool cold start, 4 compiled workers (start(): one first, then the rest), median of 3',
      value: r0(median(colds.map((c) => c.allMs))),
      unit: 'ms',
      target: 'was 1.2 s (tsx workers, all at once)',
      note: `first worker ready after ${r0(median(colds.map((c) => c.firstMs)))} ms; ${load()}`,
    });

    const serves: number[] = [];
    for (let i = 0; i < 3; i++) serves.push(await serveFirstResultMs(dir, chainText));
    entries.push({
      name: '`fanout serve`: process start → first run result over the API (5-node chain), median of 3',
      value: r0(median(serves)),
      unit: 'ms',
      target: '≤ 500 ms',
      note: load(),
    });

    const teaRun = join(teaPy, 'run.sh');
    const teaCase = join(teaPy, 'cases', 'seq_lua.yaml');
    if (existsSync(teaRun) && existsSync('/tmp/tea-py-src/python/src/the_edge_agent')) {
      const [tea, ours] = await interleaved(5, [
        [teaRun, [teaCase]],
        [process.execPath, [bin, 'run', teaCase]],
      ]);
      entries.push({
        name: "TEA Python's CLI on tea-py/cases/seq_lua.yaml (5-node Lua chain), whole process (median of 5)",
        value: r0(tea!),
        unit: 'ms',
        note: `fanout run of the same file ${r0(ours!)} ms (ratio ${(ours! / tea!).toFixed(2)}); ${load()}`,
      });
    } else {
      console.log('[bench] TEA Python not set up (../shared/tea-py/setup.sh): its CLI row is not measured');
      entries.push({
        name: "TEA Python's CLI, whole process",
        value: 0,
        unit: 'ms',
        note: 'not measured here',
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return entries;
}

// `npx tsx bench/startup.bench.ts`: this section alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const e of await benchStartup()) console.log(`${e.name}: ${e.value} ${e.unit} (${e.note ?? ''})`);
}
