// Queue mode (docs/queue.md): a real redis-server and real `fanout worker` processes.
// 1. Throughput of trivial runs: QueueRunExecutor over 2 workers vs LocalRunExecutor on one warm pool
//    of the same total size (runs/s, 8 rows in flight).
// 2. Scaling of a CPU-bound batch from 1 to 2 worker processes (each with one Lua process): the
//    ratio of wall times, the figure that says whether a second machine (here: process) helps.
// `npm run bench` runs it as a section; `npx tsx bench/queue.ts` prints its table rows alone.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalRunExecutor } from '../engine/batch/local-executor.ts';
import type { RunExecutor } from '../engine/batch/executor.ts';
import { QueueRunExecutor } from '../engine/queue/run-executor.ts';
import type { BenchEntry } from './types.ts';

const bin = fileURLToPath(new URL('../bin/fanout.js', import.meta.url));

const TRIVIAL = `name: trivial
nodes:
  - name: double
    run: |
      return { y = state.x * 2 }
edges:
  - {from: __start__, to: double}
  - {from: double, to: __end__}
`;

const CPU = `name: cpu
nodes:
  - name: spin
    run: |
      local s = 0
      for i = 1, 3000000 do s = (s + i * state.x) % 1000003 end
      return { s = s }
edges:
  - {from: __start__, to: spin}
  - {from: spin, to: __end__}
`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child[stream]!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (pattern.test(text)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before ${pattern}: ${text}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function startWorkers(url: string, count: number, luaWorkers: number): Promise<ChildProcess[]> {
  const children = Array.from({ length: count }, (_, i) =>
    spawn(
      process.execPath,
      [bin, 'worker', '--redis', url, '--id', `bench${i + 1}`, '--workers', String(luaWorkers)],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    ),
  );
  await Promise.all(children.map((c) => waitForLine(c, 'stderr', /ready/)));
  return children;
}

/** Runs `rows` rows `inFlight` at a time; wall ms from the first start to the last end. */
async function drive(executor: RunExecutor, rows: number, inFlight: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < rows) {
      const x = next++;
      const outcome = await executor.run({
        id: String(x),
        input: { x },
        signal: new AbortController().signal,
      });
      if (outcome.status !== 'succeeded')
        throw new Error(`row ${x}: ${outcome.status} ${outcome.error ?? ''}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return performance.now() - started;
}

export async function benchQueue(): Promise<BenchEntry[]> {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.log('queue bench skipped: redis-server is not installed');
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'fanout-queue-bench-'));
  const port = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  const entries: BenchEntry[] = [];
  const load = () => loadavg()[0]!.toFixed(1);
  try {
    await waitForLine(redis, 'stdout', /Ready to accept connections/);
    // 1. Trivial runs: 2 workers x 2 Lua processes vs one local pool of 4.
    const ROWS = 300;
    const loadBefore = load();
    let workers = await startWorkers(url, 2, 2);
    const queued = new QueueRunExecutor({ text: TRIVIAL }, { redisUrl: url });
    await queued.start();
    await drive(queued, 20, 8); // warm-up
    const queueMs = await drive(queued, ROWS, 8);
    await queued.close();
    await Promise.all(workers.map(stop));
    const local = new LocalRunExecutor({ text: TRIVIAL }, { workers: 4 });
    await local.start();
    await drive(local, 20, 8);
    const localMs = await drive(local, ROWS, 8);
    await local.close();
    const note = `${ROWS} one-node Lua runs, 8 in flight; load average ${loadBefore} → ${load()}`;
    entries.push({
      name: 'trivial runs through the queue (2 fanout workers x 2 Lua processes)',
      value: round(ROWS / (queueMs / 1000)),
      unit: 'runs/s',
      note,
    });
    entries.push({
      name: 'trivial runs, local executor (one pool of 4)',
      value: round(ROWS / (localMs / 1000)),
      unit: 'runs/s',
      note,
    });

    // 2. CPU-bound rows on 1 then 2 worker processes (one Lua process each).
    const CPU_ROWS = 32;
    const times: number[] = [];
    const cpuLoad = load();
    for (const count of [1, 2]) {
      workers = await startWorkers(url, count, 1);
      const executor = new QueueRunExecutor({ text: CPU }, { redisUrl: url });
      await executor.start();
      await drive(executor, count * 2, count); // warm-up: every worker has run a row
      times.push(await drive(executor, CPU_ROWS, 4));
      await executor.close();
      await Promise.all(workers.map(stop));
    }
    entries.push({
      name: 'CPU-bound batch: 1 → 2 fanout worker processes (speed-up)',
      value: round(times[0]! / times[1]!),
      unit: 'x',
      target: '> 1.3 (2 cores shared)',
      note: `${CPU_ROWS} rows of ~3M Lua loop steps: ${(times[0]! / 1000).toFixed(1)} s → ${(times[1]! / 1000).toFixed(1)} s; load average ${cpuLoad} → ${load()}`,
    });
  } finally {
    await stop(redis);
    rmSync(dir, { recursive: true, force: true });
  }
  return entries;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const e of await benchQueue()) {
    console.log(`| ${e.name} | ${e.value} ${e.unit} | ${e.target ?? ''} | ${e.note ?? ''} |`);
  }
}
