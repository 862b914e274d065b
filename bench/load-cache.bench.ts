// Re-running an unchanged document: engine.run(text)'s synchronous part (load + validate + start) with
// the engine's kept loads (engine/workflow/load-cache.ts) against the same call parsing every time
// (the kept loads cleared before each call), alternated call by call on one engine; medians.
// Part of `npm run bench` (Engine section); alone: `npx tsx bench/load-cache.bench.ts`.
import { createEngine } from '../engine/index.ts';
import { generateWorkflow } from './gen.ts';
import { runIfMain } from './standalone.ts';
import type { BenchEntry } from './types.ts';

const ROUNDS = 15;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchLoadCache(): Promise<BenchEntry[]> {
  // About 600 lines: sequential Lua nodes and fan-outs in every form.
  const text = generateWorkflow({ nodes: 78 });
  const lines = text.split('\n').length;
  const engine = createEngine({ size: 2 });
  try {
    const kept: number[] = [];
    const parsed: number[] = [];
    const once = async (clear: boolean) => {
      if (clear) engine.loads.clear();
      const t0 = performance.now();
      const handle = engine.run(text);
      const ms = performance.now() - t0;
      const result = await handle.result;
      if (result.status !== 'succeeded') throw new Error(`bench run ${result.status}: ${result.error}`);
      return ms;
    };
    await once(true); // warm: workers started, code paths compiled
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which goes first, so neither always runs right after a run's tail work.
      if (i % 2 === 0) {
        parsed.push(await once(true));
        kept.push(await once(false));
      } else {
        kept.push(await once(false));
        parsed.push(await once(true));
      }
    }
    const note = `${lines} lines; engine.run(text) until it returns (load + validate + start), median of ${ROUNDS} alternated calls`;
    return [
      {
        name: 'run(text) of an unchanged document, parsed again',
        value: round(median(parsed)),
        unit: 'ms',
        note,
      },
      { name: 'run(text) of an unchanged document, kept load', value: round(median(kept)), unit: 'ms', note },
    ];
  } finally {
    await engine.close();
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

await runIfMain(import.meta.url, benchLoadCache);
