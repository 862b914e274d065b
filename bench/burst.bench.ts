// A fast fan-out's burst (issue #15: the renderer starves while the host and the workers run it): 200
// trivial Lua branches on a warm pool of 4, in-process (createEngine). Per run: wall time, the host's
// CPU (all its threads), the workers' CPU (all threads of each, from /proc/<pid>/task/*/schedstat),
// channel messages per branch (counted by the ports: a batch is one) and how often more workers than
// cores were leased at once.
// Medians of ROUNDS runs. Part of `npm run bench` (Engine section); alone: `npx tsx bench/burst.bench.ts`.
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { createEngine } from '../engine/index.ts';
import { forkWorker } from '../engine/run/node-port.ts';
import type { WorkerPort } from '../engine/run/protocol.ts';
import { generateFanOut } from './gen.ts';
import { runIfMain } from './standalone.ts';
import type { BenchEntry } from './types.ts';

const BRANCHES = 200;
const ROUNDS = 15;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** CPU time of every thread of `pid`, in ms (0 once the process is gone). */
function processCpuMs(pid: number): number {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    return 0;
  }
  return ns / 1e6;
}

export async function benchBurst(): Promise<BenchEntry[]> {
  const ports: WorkerPort[] = [];
  const engine = createEngine({
    size: 4,
    spawn: () => {
      const port = forkWorker();
      ports.push(port);
      return port;
    },
  });
  const yaml = generateFanOut({ branches: BRANCHES });
  const channel = () =>
    ports.reduce((n, p) => n + (p.traffic ? p.traffic.packetsSent + p.traffic.packetsReceived : 0), 0);
  const protocol = () =>
    ports.reduce((n, p) => n + (p.traffic ? p.traffic.messagesSent + p.traffic.messagesReceived : 0), 0);
  const workersCpu = () => ports.reduce((ms, p) => ms + (p.pid ? processCpuMs(p.pid) : 0), 0);
  const figures = { wall: [] as number[], host: [] as number[], workers: [] as number[] };
  const per = { channel: [] as number[], protocol: [] as number[], crowded: [] as number[] };
  const cores = os.availableParallelism();
  try {
    await engine.start();
    for (let i = 0; i < 5; i++) await engine.run(yaml).result; // warm: JIT, every worker used
    for (let round = 0; round < ROUNDS; round++) {
      await new Promise((r) => setTimeout(r, 100)); // the previous run's tail (closes, samples)
      const [w0, h0, c0, m0] = [workersCpu(), process.cpuUsage(), channel(), protocol()];
      let starts = 0;
      let crowded = 0;
      const t0 = performance.now();
      const result = await engine.run(yaml, {
        onEvent: (e) => {
          if (e.type !== 'branch-started') return;
          starts += 1;
          if (engine.service.pool.stats().workers.filter((w) => w.busy).length > cores) crowded += 1;
        },
      }).result;
      const wall = performance.now() - t0;
      if (result.status !== 'succeeded') throw new Error(`bench run ${result.status}: ${result.error}`);
      await new Promise((r) => setTimeout(r, 50)); // count this run's last replies too
      const h = process.cpuUsage(h0);
      figures.wall.push(wall);
      figures.host.push((h.user + h.system) / 1000);
      figures.workers.push(workersCpu() - w0);
      per.channel.push((channel() - c0) / BRANCHES);
      per.protocol.push((protocol() - m0) / BRANCHES);
      per.crowded.push((100 * crowded) / Math.max(1, starts));
    }
  } finally {
    await engine.close();
  }
  const load = os.loadavg()[0]!.toFixed(1);
  const note = `${BRANCHES} trivial Lua branches, warm pool of 4, in-process; median of ${ROUNDS} runs, load ${load}`;
  return [
    { name: '200-branch burst: wall', value: round(median(figures.wall)), unit: 'ms', note },
    { name: '200-branch burst: host CPU', value: round(median(figures.host)), unit: 'ms', note },
    {
      name: "200-branch burst: workers' CPU (all workers)",
      value: round(median(figures.workers)),
      unit: 'ms',
      note,
    },
    {
      name: '200-branch burst: channel messages per branch',
      value: round(median(per.channel)),
      unit: '',
      note: `both ways, a batch counted once; protocol messages per branch ${round(median(per.protocol))}`,
    },
    {
      name: `200-branch burst: branch starts with more than ${cores} workers leased`,
      value: round(median(per.crowded)),
      unit: '%',
      note: `PoolOptions.burstWorkers defaults to the core count (${cores})`,
    },
  ];
}

const round = (x: number) => Math.round(x * 10) / 10;

await runIfMain(import.meta.url, benchBurst);
