// `npm run bench`: runs every benchmark and writes docs/benchmarks.md (+ machine-readable JSON).
// The UI figures come from the Playwright benchmark specs (FANOUT_BENCH=1), which write
// e2e/artifacts/<name>.json; FANOUT_BENCH_UI=0 skips them (engine and format only).
import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchEntry } from './types.ts';

const sections: { title: string; load: () => Promise<() => Promise<BenchEntry[]>> }[] = [
  { title: 'Workflow format', load: async () => (await import('./workflow.bench.ts')).benchWorkflow },
  { title: 'Engine', load: async () => (await import('./engine.bench.ts')).benchEngine },
  {
    title: 'Queue mode (Redis + fanout worker processes)',
    load: async () => (await import('./queue.ts')).benchQueue,
  },
  {
    title: 'Start-up (whole processes, compiled engine)',
    load: async () => (await import('./startup.bench.ts')).benchStartup,
  },
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

/** What a Playwright benchmark spec writes to e2e/artifacts/<name>.json. */
export interface UiBenchFile {
  name: string;
  machine?: string;
  metrics: { label: string; value: number; unit: string; target?: string }[];
}

const repo = fileURLToPath(new URL('../', import.meta.url));
const UI_SPECS: { name: string; spec: string; title: string }[] = [
  { name: 'run-bench', spec: 'e2e/run-bench.spec.ts', title: 'Run panel under load' },
  { name: 'designer-scale', spec: 'e2e/designer-scale.spec.ts', title: 'Designer at scale' },
];
const uiArtifact = (name: string) => `${repo}e2e/artifacts/${name}.json`;

function sh(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  console.log(`$ ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { cwd: repo, stdio: 'inherit', env }).status ?? 1;
}

/**
 * Builds the renderer, runs the Playwright benchmark specs in bench mode and reads what they wrote.
 * A spec whose bounds fail still records its figures (they are what needs looking at); a missing
 * file (spec skipped, or not writing one yet) is reported and left out.
 */
async function uiBenches(): Promise<{ files: { title: string; file: UiBenchFile }[]; failed: boolean }> {
  for (const { name } of UI_SPECS) await rm(uiArtifact(name), { force: true });
  if (sh('npx', ['electron-vite', 'build']) !== 0) throw new Error('electron-vite build failed');
  const status = sh('npx', ['playwright', 'test', ...UI_SPECS.map((s) => s.spec)], {
    ...process.env,
    FANOUT_BENCH: '1',
  });
  const files: { title: string; file: UiBenchFile }[] = [];
  for (const { name, title } of UI_SPECS) {
    const text = await readFile(uiArtifact(name), 'utf8').catch(() => null);
    if (text === null) {
      console.log(`UI: no ${uiArtifact(name)}: left out`);
      continue;
    }
    const file = JSON.parse(text) as UiBenchFile;
    for (const m of file.metrics) console.log(`UI ${name}: ${m.label}: ${m.value} ${m.unit}`);
    files.push({ title, file });
  }
  return { files, failed: status !== 0 };
}

function uiSection({ files, failed }: Awaited<ReturnType<typeof uiBenches>>): string[] {
  if (files.length === 0) return [];
  const lines = [
    '## UI responsiveness (Playwright, Chromium)',
    '',
    'From `npx playwright test e2e/run-bench.spec.ts e2e/designer-scale.spec.ts` with `FANOUT_BENCH=1`',
    '(Debian Chromium, `--disable-gpu`, against `fanout serve` with 4 workers on the same cores). Long',
    'tasks and frames are wall-clock: load from other processes inflates them. The specs assert only',
    'generous bounds.',
    '',
  ];
  if (failed) lines.push('**A spec failed in this run** (see the Playwright output).', '');
  for (const { title, file } of files) {
    lines.push(`### ${title}`, '');
    if (file.machine) lines.push(`Machine: ${file.machine}.`, '');
    lines.push('| measurement | value | target |', '|---|---|---|');
    for (const m of file.metrics) lines.push(`| ${m.label} | ${m.value} ${m.unit} | ${m.target ?? ''} |`);
    lines.push('');
  }
  return lines;
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
  const ui = process.env.FANOUT_BENCH_UI === '0' ? { files: [], failed: false } : await uiBenches();
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
  lines.push(...uiSection(ui));
  const docs = fileURLToPath(new URL('../docs/', import.meta.url));
  lines.push(...(await handWritten(docs + 'benchmarks.md')));
  await writeFile(docs + 'benchmarks.md', lines.join('\n'));
  await writeFile(
    docs + 'benchmarks.json',
    JSON.stringify({ date, machine: machine(), results, ui: ui.files.map((u) => u.file) }, null, 2) + '\n',
  );
  console.log('wrote docs/benchmarks.md');
}

await main();
