// Issue #15 rows that have a reference measured in the same run: Lua speed against raw wasmoon, per-run
// overhead against TEA Python on the reference's own cases, fresh VMs, worker memory against a bare
// Node process (bench/worker-memory.ts). Tests assert only generous ratios; the absolute figures go to
// docs/benchmarks.md.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LuaFactory as WasmoonFactory } from 'wasmoon';
import { createEngine } from '../engine/index.ts';
import { createLuaFactory, openVm } from '../engine/lua/vm.ts';
import { cpuLoopLua as loopCode, cpuLoopYaml as loopYaml } from './gen.ts';
import { benchLuaHook } from './lua-hook.bench.ts';
import { teaPyCase, teaPyMedian, teaPyMissing } from './tea-py.ts';
import { benchWorkerMemory } from './worker-memory.ts';
import type { BenchEntry } from './types.ts';

const r2 = (n: number) => Math.round(n * 100) / 100;
const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export async function benchSpeed(): Promise<BenchEntry[]> {
  const entries: BenchEntry[] = [];
  const load = () => loadavg()[0]!.toFixed(1);
  const teaMissing = teaPyMissing();
  if (teaMissing) console.log(`TEA Python column not measured: ${teaMissing}`);
  const teaNote = (file: string, runs: number, input: object = {}) => {
    if (teaMissing) return 'TEA Python: not measured';
    const tea = teaPyMedian(file, runs, input);
    return `TEA Python ${r2(tea.ms)} ms (median of ${runs}${tea.error ? `; ${tea.error}` : ''})`;
  };

  const engine = createEngine({ size: 4 });
  await engine.start();
  const dir = await mkdtemp(join(tmpdir(), 'fanout-speed-'));
  try {
    // CPU-bound Lua: one node, warm pool, against wasmoon's own doString in this process.
    const N = 3_000_000;
    const raw = await new WasmoonFactory().createEngine();
    const rawMs: number[] = [];
    const nodeMs: number[] = [];
    const loop = await engine.load(loopYaml(N), 'loop.yaml');
    for (let round = 0; round < 8; round++) {
      let t = performance.now();
      await raw.doString(loopCode(N));
      if (round > 0) rawMs.push(performance.now() - t);
      t = performance.now();
      const result = await engine.run(loop).result;
      if (result.status !== 'succeeded') throw new Error(`loop run ${result.status}: ${result.error}`);
      if (round > 0) nodeMs.push(performance.now() - t);
    }
    raw.global.close();
    const loopFile = join(dir, 'loop3m.yaml');
    await writeFile(loopFile, loopYaml(N));
    entries.push({
      name: `${N / 1e6}M-iteration Lua loop in one node, warm pool: run wall / raw wasmoon doString`,
      value: r2(median(nodeMs) / median(rawMs)),
      unit: '×',
      target: '≤ 1.2',
      note: `Fanout ${r2(median(nodeMs))} ms, raw ${r2(median(rawMs))} ms (medians of 7, interleaved); ${teaNote(loopFile, 5)}; load ${load()}`,
    });

    // Per-run overhead on TEA Python's own cases (the same files), warm pool, in-process API.
    const perRun = async (name: string, runs: number) => {
      const loaded = await engine.load(readFileSync(teaPyCase(name), 'utf8'), `${name}.yaml`);
      const walls: number[] = [];
      for (let i = 0; i < runs + 3; i++) {
        const t = performance.now();
        const result = await engine.run(loaded, { onEvent: () => {} }).result;
        if (result.status !== 'succeeded') throw new Error(`${name} ${result.status}: ${result.error}`);
        if (i >= 3) walls.push(performance.now() - t);
      }
      return median(walls);
    };
    if (teaMissing) {
      console.log('per-run rows skip the reference cases: they are TEA Python’s own files');
    } else {
      entries.push({
        name: '5-node sequential Lua chain (tea-py seq_lua.yaml), warm, in-process: run wall',
        value: r2(await perRun('seq_lua', 30)),
        unit: 'ms',
        target: '≤ 4 ms',
        note: `median of 30; ${teaNote(teaPyCase('seq_lua'), 7)}; load ${load()}`,
      });
      entries.push({
        name: 'fan-out, 3 Lua branches, one failing (tea-py failure.yaml), warm, in-process: run wall',
        value: r2(await perRun('failure', 30)),
        unit: 'ms',
        target: '≤ 6 ms',
        note: `median of 30; ${teaNote(teaPyCase('failure'), 7)}; load ${load()}`,
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await engine.close();
  }

  // Fresh VMs in-process (no IPC): creation time and resident Lua heap.
  const factory = await createLuaFactory();
  for (let i = 0; i < 50; i++) (await openVm(factory, { memoryBytes: 64 << 20 })).close();
  const opens: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    const vm = await openVm(factory, { memoryBytes: 64 << 20 });
    opens.push(performance.now() - t);
    vm.close();
  }
  entries.push({
    name: 'fresh VM creation (openVm in-process, median of 300)',
    value: Math.round(median(opens) * 1000) / 1000,
    unit: 'ms',
    target: '≤ 0.5 ms',
  });
  const ten = await Promise.all(Array.from({ length: 10 }, () => openVm(factory, { memoryBytes: 64 << 20 })));
  entries.push({
    name: 'Lua heap of 10 fresh VMs, resident (RUST-030-UNIT-007)',
    value: Math.round(ten.reduce((sum, vm) => sum + vm.memory().heapBytes, 0) / 1000),
    unit: 'KB',
    target: '≤ 250 KB',
    note: `peak during set-up ${Math.round(ten[0]!.memory().peakHeapBytes / 100) / 10} KB per VM`,
  });
  for (const vm of ten) vm.close();
  // The instruction hook armed from a second thread: in-process, from the CLI, timeout lateness.
  entries.push(...(await benchLuaHook()));
  // Worker memory: compiled workers, RSS, PSS and USS, idle and after a run (bench/worker-memory.ts).
  entries.push(...(await benchWorkerMemory()));
  return entries;
}
