// Engine benchmarks (issue: engine). Absolute figures for docs/benchmarks.md; tests assert ratios only.
import { createEngine } from '../engine/index.ts';
import type { RunEvent } from '../engine/index.ts';
import { chainYaml, fanOutYaml } from '../test/helpers.ts';
import { benchBurst } from './burst.bench.ts';
import { benchLoadCache } from './load-cache.bench.ts';
import { benchSpeed } from './speed.bench.ts';
import type { BenchEntry } from './types.ts';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const r2 = (n: number) => Math.round(n * 100) / 100;

export async function benchEngine(): Promise<BenchEntry[]> {
  const entries: BenchEntry[] = [];
  const engine = createEngine();
  const t0 = performance.now();
  await engine.start();
  entries.push({
    name: `pool cold start (${engine.service.pool.size} workers, parallel fork + wasmoon warm-up)`,
    value: r2(performance.now() - t0),
    unit: 'ms',
  });

  const runWith = async (yaml: string) => {
    const events: RunEvent[] = [];
    const result = await engine.run(yaml, { onEvent: (e) => events.push(e) }).result;
    if (result.status !== 'succeeded') throw new Error(`bench run failed: ${result.error}`);
    return { result, events };
  };
  const fanOutMs = (events: RunEvent[]) => {
    const start = events.find((e) => e.type === 'fan-out-started')!;
    const end = events.find((e) => e.type === 'fan-in')!;
    return end.t - start.t;
  };

  // 4 × 100 ms sleep branches (seed INT-001: < 200 ms; our target < 130 ms).
  const sleepYaml = fanOutYaml({
    branches: Object.fromEntries([1, 2, 3, 4].map((i) => [`s${i}`, 'sleep(100) return {}'])),
  });
  await runWith(sleepYaml);
  const sleeps: number[] = [];
  for (let i = 0; i < 7; i++) sleeps.push(fanOutMs((await runWith(sleepYaml)).events));
  entries.push({
    name: 'fan-out of 4 × sleep(100) branches, wall (median of 7)',
    value: r2(median(sleeps)),
    unit: 'ms',
    target: '< 130 ms (seed: < 200 ms)',
  });

  // 4 CPU-bound branches vs the same nodes run sequentially.
  const cpu = 'local s = 0 for i = 1, 8000000 do s = s + i % 7 end return { s = s }';
  const cpuFan = fanOutYaml({ branches: { c1: cpu, c2: cpu, c3: cpu, c4: cpu } });
  const cpuChain = chainYaml([cpu, cpu, cpu, cpu]);
  await runWith(cpuFan);
  const par: number[] = [];
  const seq: number[] = [];
  for (let i = 0; i < 5; i++) {
    par.push(fanOutMs((await runWith(cpuFan)).events));
    seq.push((await runWith(cpuChain)).result.ms);
  }
  const cores = (await import('node:os')).availableParallelism();
  entries.push({
    name: '4 CPU-bound branches: sequential / parallel speedup',
    value: r2(median(seq) / median(par)),
    unit: '×',
    target: `≥ ${r2(0.85 * Math.min(4, cores))} (0.85 × min(4, cores=${cores}))`,
    note: `sequential ${r2(median(seq))} ms, parallel ${r2(median(par))} ms`,
  });

  // Fresh-VM creation inside warm workers, and heap of fresh VMs, from branch events.
  const many = fanOutYaml({
    branches: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`t${i}`, 'return {}'])),
  });
  await runWith(many);
  const creates: number[] = [];
  const heaps: number[] = [];
  const perBranch: number[] = [];
  for (let i = 0; i < 3; i++) {
    const { events } = await runWith(many);
    for (const e of events) {
      if (e.type === 'branch-started') creates.push(e.vmCreateMs);
      if (e.type === 'branch-finished' && e.peakHeapBytes) heaps.push(e.peakHeapBytes);
    }
    perBranch.push((fanOutMs(events) * engine.service.pool.size) / 100);
  }
  entries.push({
    name: 'fresh VM creation inside a warm worker (median)',
    value: r2(median(creates)),
    unit: 'ms',
    target: '≤ 2 ms',
  });
  entries.push({
    name: 'Lua heap of 1 fresh VM after a trivial node (median peak)',
    value: Math.round(median(heaps) / 1024),
    unit: 'KiB',
  });
  entries.push({
    name: 'Lua heap of 10 fresh VMs (10 × the peak of one through a trivial node)',
    value: Math.round((10 * median(heaps)) / 1024),
    unit: 'KiB',
    target: '< 500 KB (seed UNIT-007)',
    note: 'peaks include set-up garbage; the resident figure (issue #15, ≤ 250 KB) is the row further down',
  });
  entries.push({
    name: 'fan-out of 100 trivial branches: added wall time per branch (fan-out wall / 100)',
    value: r2(median(perBranch) / engine.service.pool.size),
    unit: 'ms',
    target: '≤ 3 ms',
    note: `worker time per branch (wall × ${engine.service.pool.size} workers / 100): ${r2(median(perBranch))} ms`,
  });

  // Worker RSS from memory samples of a short branch.
  const { events: sampled } = await runWith(fanOutYaml({ branches: { m: 'sleep(250) return {}' } }));
  const rssSamples = sampled.flatMap((e) => (e.type === 'memory-sample' ? [e.rssBytes] : []));
  if (rssSamples.length) {
    entries.push({
      name: 'worker process RSS (median sample)',
      value: Math.round(median(rssSamples) / 1024 / 1024),
      unit: 'MiB',
      note: "this bench's own workers, which run the TypeScript through tsx; the compiled worker that ships is measured further down",
    });
  }

  // 1,000-node sequential chain: per-node overhead.
  const chain = chainYaml(Array.from({ length: 1000 }, () => 'return { n = (state.n or 0) + 1 }'));
  const chainEngine = createEngine({ size: 1 });
  await chainEngine.start();
  const chainRun = async () => {
    const r = await chainEngine.run(chain, { maxSteps: 5000 }).result;
    if (r.state.n !== 1000) throw new Error('chain bench wrong result');
    return r.ms;
  };
  await chainRun();
  const chainMs: number[] = [];
  for (let i = 0; i < 3; i++) chainMs.push(await chainRun());
  entries.push({
    name: '1,000-node sequential Lua chain: per-node overhead',
    value: r2(median(chainMs) / 1000),
    unit: 'ms',
    note: `total ${r2(median(chainMs))} ms`,
  });
  await chainEngine.close();
  await engine.close();
  // Issue #15's rows with their references (raw wasmoon, TEA Python, bare Node) from the same run.
  entries.push(...(await benchSpeed()));
  entries.push(...(await benchLoadCache()));
  entries.push(...(await benchBurst()));
  return entries;
}
