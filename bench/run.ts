// `npm run bench`: runs every benchmark and writes docs/benchmarks.md (+ machine-readable JSON).
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchEntry } from './types.ts';

const sections: { title: string; load: () => Promise<() => Promise<BenchEntry[]>> }[] = [
  { title: 'Workflow format', load: async () => (await import('./workflow.bench.ts')).benchWorkflow },
  { title: 'Engine', load: async () => (await import('./engine.bench.ts')).benchEngine },
];

/**
 * Everything from this marker on in docs/benchmarks.md is hand-written (measurements `npm run bench`
 * does not make, e.g. the designer's Playwright figures) and is kept when the file is rewritten.
 */
const HAND_WRITTEN_MARKER = '<!-- hand-written below: kept by npm run bench -->';

async function handWritten(file: string): Promise<string[]> {
  const old = await readFile(file, 'utf8').catch(() => '');
  const at = old.indexOf(HAND_WRITTEN_MARKER);
  return at < 0 ? [] : [old.slice(at).trimEnd(), ''];
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return (
    `${os.availableParallelism()} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `${os.type()} ${os.release()}, Node ${process.version}`
  );
}

async function main(): Promise<void> {
  const results: { title: string; entries: BenchEntry[] }[] = [];
  for (const section of sections) {
    const bench = await section.load();
    const entries = await bench();
    results.push({ title: section.title, entries });
    for (const e of entries)
      console.log(
        `${section.title}: ${e.name}: ${e.value} ${e.unit}${e.target ? ` (target ${e.target})` : ''}`,
      );
  }
  const date = new Date().toISOString().slice(0, 10);
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${date}. Machine: ${machine()}.`,
    'Tests assert only ratios; the absolute figures live here. Re-run after engine changes.',
    '',
  ];
  for (const { title, entries } of results) {
    lines.push(`## ${title}`, '', '| measurement | value | target | note |', '|---|---|---|---|');
    for (const e of entries)
      lines.push(`| ${e.name} | ${e.value} ${e.unit} | ${e.target ?? ''} | ${e.note ?? ''} |`);
    lines.push('');
  }
  const docs = fileURLToPath(new URL('../docs/', import.meta.url));
  lines.push(...(await handWritten(docs + 'benchmarks.md')));
  await writeFile(docs + 'benchmarks.md', lines.join('\n'));
  await writeFile(
    docs + 'benchmarks.json',
    JSON.stringify({ date, machine: machine(), results }, null, 2) + '\n',
  );
  console.log('wrote docs/benchmarks.md');
}

await main();
