// Worker memory rows (issue #15): RSS, PSS and USS of the compiled worker the package ships
// (dist/worker.cjs, built here into a scratch folder from the current sources, forked by node-port with
// its flags and env), four of them as a pool starts them, idle and after a run, next to a bare
// `node -e`. RSS counts every page of the Node binary a process touched, shared with every other Node
// process; PSS splits those shared pages among the processes mapping them, so it is the fair cost of
// one more worker; USS is what a worker alone holds. Linux only (/proc/<pid>/smaps_rollup).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../engine/index.ts';
import { forkWorker } from '../engine/run/node-port.ts';
import { buildEngine } from '../scripts/build-engine.mjs';
import type { BenchEntry } from './types.ts';

interface Memory {
  rss: number;
  pss: number;
  uss: number;
}

/** MiB figures of one process, from /proc. */
function memoryOf(smapsRollup: string): Memory {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(smapsRollup)?.[1] ?? NaN);
  return {
    rss: kb('Rss') / 1024,
    pss: kb('Pss') / 1024,
    uss: (kb('Private_Clean') + kb('Private_Dirty')) / 1024,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const r1 = (n: number) => Math.round(n * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many processes run this Node binary (PSS divides the binary's pages among all of them). */
function nodeProcessCount(): number {
  let count = 0;
  for (const pid of readdirSync('/proc')) {
    try {
      if (/^\d+$/.test(pid) && readlinkSync(`/proc/${pid}/exe`) === process.execPath) count++;
    } catch {
      // gone, or not ours to read
    }
  }
  return count;
}

/** Four branches, each a Lua loop long enough to tier up and a 2,000-record result. */
const RUN_YAML = `name: worker-memory
nodes:
${['a', 'b', 'c', 'd']
  .map(
    (b) => `  - name: ${b}
    language: lua
    run: |
      local x = 0
      for i = 1, 1000000 do x = (x * 31 + i) % 1000003 end
      local items = {}
      for i = 1, 2000 do items[i] = { id = i, text = "line " .. i .. "\\n\\"quoted\\"", v = i / 3 } end
      return { ${b} = { x = x, items = items } }`,
  )
  .join('\n')}
  - name: join
    language: lua
    run: |
      return { done = true }
edges:
  - {from: __start__, to: a}
  - {from: __start__, to: b}
  - {from: __start__, to: c}
  - {from: __start__, to: d}
  - {from: a, to: join}
  - {from: b, to: join}
  - {from: c, to: join}
  - {from: d, to: join}
  - {from: join, to: __end__}
`;

export async function benchWorkerMemory(): Promise<BenchEntry[]> {
  if (!existsSync('/proc/self/smaps_rollup')) {
    console.log('worker memory rows not measured: no /proc/<pid>/smaps_rollup on this platform');
    return [];
  }
  const outdir = await mkdtemp(join(tmpdir(), 'fanout-worker-memory-'));
  try {
    await buildEngine({ quiet: true, outdir });
    const script = join(outdir, 'worker.cjs');
    const engine = createEngine({ size: 4, spawn: () => forkWorker({ script }) });
    try {
      await engine.start();
      const pids = engine.service.pool.stats().workers.flatMap((w) => (w.pid === undefined ? [] : [w.pid]));
      const sample = () => pids.map((pid) => memoryOf(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')));
      // Once the figures stop moving: a warm-up's tier-up may still be compiling in the background.
      const settled = async (): Promise<Memory[]> => {
        let last = sample();
        for (let i = 0; i < 20; i++) {
          await sleep(150);
          const now = sample();
          if (now.every((m, at) => Math.abs(m.uss - last[at]!.uss) < 0.1)) return now;
          last = now;
        }
        return last;
      };
      const idle = await settled();
      // The hook watchdog is a thread of its own, started once an exec runs > 5 ms: under load the
      // warm-up's exec can start it, and that idle worker then carries it. A bare node has as many
      // threads as a worker without it.
      const bareThreads = Number(
        spawnSync(process.execPath, [
          '-e',
          "process.stdout.write(String(require('fs').readdirSync('/proc/self/task').length))",
        ]).stdout.toString(),
      );
      const idleWithWatchdog = pids.filter(
        (pid) => readdirSync(`/proc/${pid}/task`).length > bareThreads,
      ).length;
      const loaded = await engine.load(RUN_YAML, 'worker-memory.yaml');
      const result = await engine.run(loaded).result;
      if (result.status !== 'succeeded') throw new Error(`memory run ${result.status}: ${result.error}`);
      const afterRun = await settled();
      const bare = memoryOf(
        spawnSync(process.execPath, [
          '-e',
          "process.stdout.write(require('fs').readFileSync('/proc/self/smaps_rollup','utf8'))",
        ]).stdout.toString(),
      );
      const of = (list: Memory[], key: keyof Memory) => r1(median(list.map((m) => m[key])));
      const range = (list: Memory[], key: keyof Memory) =>
        `${r1(Math.min(...list.map((m) => m[key])))}–${r1(Math.max(...list.map((m) => m[key])))}`;
      const context =
        `compiled dist/worker.cjs, ${pids.length} workers, medians; idle = warm after ready, ` +
        `${idleWithWatchdog} of them with the hook watchdog thread (~7 MiB: started when their warm-up ` +
        `ran > 5 ms), ${range(idle, 'uss')} MiB USS across the pool; ${nodeProcessCount()} node processes ` +
        `share the binary's pages; load ${loadavg()[0]!.toFixed(1)}`;
      return [
        {
          name: 'worker process RSS, idle warm worker (median of the pool)',
          value: of(idle, 'rss'),
          unit: 'MiB',
          target: '≤ 40 MiB',
          note:
            `not met: a bare \`node -e\` here is RSS ${r1(bare.rss)} MiB (PSS ${r1(bare.pss)}, USS ${r1(bare.uss)}), ` +
            `the Node binary's shared pages; PSS ${of(idle, 'pss')}, USS ${of(idle, 'uss')} MiB; ${context}`,
        },
        {
          name: 'worker process PSS, idle warm worker (median of the pool)',
          value: of(idle, 'pss'),
          unit: 'MiB',
          target: '≤ 40 MiB',
          note: `the fair cost of one more worker: its private pages plus its share of the binary's; ${context}`,
        },
        {
          name: 'worker process PSS after a run (4 branches: 1M-step Lua loop, 2,000-record result each)',
          value: of(afterRun, 'pss'),
          unit: 'MiB',
          target: '≤ 40 MiB',
          note: `RSS ${of(afterRun, 'rss')}, USS ${of(afterRun, 'uss')} MiB (${range(afterRun, 'uss')} across the pool; Lua's WASM pages, once touched, stay resident); ${context}`,
        },
      ];
    } finally {
      await engine.close();
    }
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}
