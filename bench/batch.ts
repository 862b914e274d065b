// `npx tsx bench/batch.ts [rows] [concurrency]`: throughput of trivial runs through `fanout batch`
// (local executor: one warm pool, every result fdatasync'ed by group commit), as a real process through
// bin/fanout.js. Prints runs/s over the rows (the summary's rate: pool start excluded), the process's
// wall time (pool start included) and the load average, for docs/benchmarks.md ("Batch runs").
// The queue executor's figure (bench/queue.ts) goes beside it.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const rows = Number(process.argv[2] ?? 2000);
const concurrency = process.argv[3];
const bin = fileURLToPath(new URL('../bin/fanout.js', import.meta.url));

const dir = await mkdtemp(join(tmpdir(), 'fanout-batch-bench-'));
const workflow = join(dir, 'trivial.yaml');
await writeFile(
  workflow,
  `name: trivial
nodes:
  - name: double
    run: |
      return { y = state.x * 2 }
edges:
  - from: __start__
    to: double
  - from: double
    to: __end__
`,
);
const data = join(dir, 'rows.jsonl');
await writeFile(data, Array.from({ length: rows }, (_, x) => JSON.stringify({ x })).join('\n') + '\n');

const before = loadavg()[0]!;
const started = performance.now();
const { stdout } = await promisify(execFile)(
  process.execPath,
  [
    bin,
    'batch',
    workflow,
    '--inputs',
    data,
    '--out',
    join(dir, 'out.jsonl'),
    '--json',
    ...(concurrency ? ['--concurrency', concurrency] : []),
  ],
  { maxBuffer: 16 * 1024 * 1024 },
);
const wallMs = performance.now() - started;
const after = loadavg()[0]!;
const { summary } = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
  summary: { rate: number; done: number };
};
await rm(dir, { recursive: true, force: true });
console.log(
  `| trivial runs through \`fanout batch\` (local, ${rows} rows${concurrency ? `, concurrency ${concurrency}` : ''}) | ` +
    `${summary.rate.toFixed(0)} runs/s | | wall ${(wallMs / 1000).toFixed(1)} s with pool start; ` +
    `load average ${before.toFixed(1)} → ${after.toFixed(1)} |`,
);
