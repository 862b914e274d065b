// Issue #15's Lua rows that the hook watchdog moves (engine/lua/hook-watchdog.ts), each against a
// reference measured in the same run: the loop in-process (watchdog / count hook / raw wasmoon), 20M
// iterations from `fanout run` against raw wasmoon, and how late a timeout lands. Interleaved rounds,
// medians; `npx tsx bench/lua-hook.bench.ts` prints the rows alone.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LuaFactory as WasmoonFactory } from 'wasmoon';
import { createLuaFactory, openVm, type LuaFactory } from '../engine/lua/vm.ts';
import { cpuLoopLua as loopCode, cpuLoopYaml as loopYaml } from './gen.ts';
import { runIfMain } from './standalone.ts';
import type { BenchEntry } from './types.ts';

const bin = fileURLToPath(new URL('../bin/fanout.js', import.meta.url));
const r2 = (n: number) => Math.round(n * 100) / 100;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const load = () => loadavg()[0]!.toFixed(1);

/**
 * Raw wasmoon's doString of `code` in a fresh `node` process: the reference for a loop started from
 * the command line. V8 cannot swap optimised code into a WebAssembly function that is already running,
 * so a process's first long loop runs in its baseline code to the end, raw wasmoon's as much as ours.
 */
function rawColdMs(code: string): number {
  const wasmoon = createRequire(import.meta.url).resolve('wasmoon');
  const script = [
    `const { LuaFactory } = require(${JSON.stringify(wasmoon)});`,
    '(async () => {',
    '  const engine = await new LuaFactory().createEngine();',
    '  const started = performance.now();',
    `  await engine.doString(${JSON.stringify(code)});`,
    '  console.log(performance.now() - started);',
    '})();',
  ].join('\n');
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`raw wasmoon process failed: ${run.stderr}`);
  return Number(run.stdout.trim());
}

async function execMs(factory: LuaFactory, code: string, timeoutMs = 60_000): Promise<number> {
  const vm = await openVm(factory, { memoryBytes: 64 << 20 });
  try {
    const started = performance.now();
    const outcome = vm.exec(code, {}, { chunkName: 'loop', timeoutMs });
    const ms = performance.now() - started;
    if (!outcome.ok && outcome.error.kind !== 'timeout') throw new Error(outcome.error.message);
    return ms;
  } finally {
    vm.close();
  }
}

export async function benchLuaHook(): Promise<BenchEntry[]> {
  const entries: BenchEntry[] = [];
  const watched = await createLuaFactory({ hook: 'eager' });
  const counted = await createLuaFactory({ hook: 'count' });
  const raw = await new WasmoonFactory().createEngine();
  const dir = await mkdtemp(join(tmpdir(), 'fanout-lua-hook-'));
  try {
    // In-process: the same 3M loop hook-free under the watchdog, under the count hook, and raw.
    const N = 3_000_000;
    const ms = { watched: [] as number[], counted: [] as number[], raw: [] as number[] };
    const loadBefore = load();
    for (let round = 0; round < 10; round++) {
      const w = await execMs(watched, loopCode(N));
      const c = await execMs(counted, loopCode(N));
      let t = performance.now();
      await raw.doString(loopCode(N));
      t = performance.now() - t;
      if (round < 2) continue; // tier-up
      ms.watched.push(w);
      ms.counted.push(c);
      ms.raw.push(t);
    }
    entries.push({
      name: '3M-iteration Lua loop, in-process exec under the hook watchdog / raw wasmoon doString',
      value: r2(median(ms.watched) / median(ms.raw)),
      unit: '×',
      target: '≤ 1.2',
      note: `watchdog ${r2(median(ms.watched))} ms, count hook ${r2(median(ms.counted))} ms (${r2(median(ms.counted) / median(ms.raw))}×), raw ${r2(median(ms.raw))} ms (medians of 8, interleaved); load ${loadBefore} → ${load()}`,
    });

    // 20M iterations from the CLI: a whole `fanout run`, the node's own time from its events.
    const M = 20_000_000;
    const file = join(dir, 'loop20m.yaml');
    const events = join(dir, 'events.jsonl');
    await writeFile(file, loopYaml(M));
    const cli = { node: [] as number[], wall: [] as number[], raw: [] as number[], rawCold: [] as number[] };
    const loadCli = load();
    for (let round = 0; round < 4; round++) {
      let t = performance.now();
      const run = spawnSync(process.execPath, [bin, 'run', file, `--events=${events}`], { encoding: 'utf8' });
      const wall = performance.now() - t;
      if (run.status !== 0) throw new Error(`fanout run failed: ${run.stderr}`);
      const finished = (await readFile(events, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; ms?: number })
        .find((event) => event.type === 'node-finished');
      t = performance.now();
      await raw.doString(loopCode(M));
      t = performance.now() - t;
      const cold = rawColdMs(loopCode(M));
      if (round === 0) continue;
      cli.node.push(finished?.ms ?? NaN);
      cli.wall.push(wall);
      cli.raw.push(t);
      cli.rawCold.push(cold);
    }
    entries.push({
      name: '20M-iteration Lua loop from `fanout run` (node time from its events) / raw wasmoon doString in a fresh process',
      value: r2(median(cli.node) / median(cli.rawCold)),
      unit: '×',
      target: '≤ 1.2',
      note: `node ${r2(median(cli.node))} ms, whole process ${Math.round(median(cli.wall))} ms; raw wasmoon in a fresh \`node\` ${r2(median(cli.rawCold))} ms, in this warm process ${r2(median(cli.raw))} ms (${r2(median(cli.node) / median(cli.raw))}×: a first long loop runs in V8's baseline code, raw or not) (medians of 3, interleaved); load ${loadCli} → ${load()}`,
    });

    // How late a timeout lands: `while true do end` under a 200 ms timeout.
    const late = { watched: [] as number[], counted: [] as number[] };
    for (let round = 0; round < 7; round++) {
      late.watched.push((await execMs(watched, 'while true do end', 200)) - 200);
      late.counted.push((await execMs(counted, 'while true do end', 200)) - 200);
    }
    entries.push({
      name: 'timeout lands after the deadline (`while true do end`, 200 ms, in-process, watchdog)',
      value: r2(median(late.watched)),
      unit: 'ms',
      target: '≤ 50 ms',
      note: `max ${r2(Math.max(...late.watched))} ms of 7; count hook ${r2(median(late.counted))} ms (max ${r2(Math.max(...late.counted))}); load ${load()}`,
    });
  } finally {
    raw.global.close();
    watched.close();
    counted.close();
    await rm(dir, { recursive: true, force: true });
  }
  return entries;
}

await runIfMain(import.meta.url, benchLuaHook);
