// A bench piece run on its own (`npx tsx bench/x.bench.ts`) prints its entries and the load average;
// imported by `npm run bench`, it does nothing here.
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import type { BenchEntry } from './types.ts';

export async function runIfMain(moduleUrl: string, bench: () => Promise<BenchEntry[]>): Promise<void> {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  for (const e of await bench()) {
    const target = e.target ? ` (target ${e.target})` : '';
    console.log(`${e.name}: ${e.value} ${e.unit}${target}${e.note ? ` — ${e.note}` : ''}`);
  }
  console.log(
    `load average: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
