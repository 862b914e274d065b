// The Batch tab's host operations through `fanout serve` over real HTTP (real workers, real files):
// start over a dataset in the served folder, poll the table with a cursor until done, open a row's run
// from its kept events, export CSV / JSONL, cancel, and the refusals (paths out of scope, bad rows,
// bad expect, unknown batch).
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServeHandle } from '../engine/serve/server.ts';
import type { BatchStatus, BatchRowView } from '../engine/batch/view-types.ts';
import { parseCsv } from '../engine/batch/datasets/csv.ts';

const WORKFLOW = `name: double
nodes:
  - name: double
    run: |
      if state.x == 7 then error("seven is refused") end
      if state.nap then sleep(state.nap) end
      return { y = state.x * 2 }
edges:
  - from: __start__
    to: double
  - from: double
    to: __end__
`;

let server: ServeHandle;
let root: string;

async function api<T = unknown>(
  op: string,
  body: object,
): Promise<{ ok: boolean; value: T; error?: { code: string; message: string } }> {
  const response = await fetch(`${server.origin}/api/${op}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as { ok: boolean; value: T; error?: { code: string; message: string } };
}

/** Polls like the Batch tab: rows changed since the cursor, applied to a table, until the batch ends. */
async function follow(batchId: string, until: (s: BatchStatus) => boolean = (s) => s.phase !== 'running') {
  const table = new Map<string, BatchRowView>();
  let since = 0;
  let polls = 0;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const r = await api<BatchStatus>('batch/status', { batchId, since });
    expect(r.ok).toBe(true);
    polls++;
    for (const row of r.value.rows) table.set(row.id, row);
    since = r.value.seq;
    if (!r.value.more && until(r.value)) return { status: r.value, table, polls };
    if (!r.value.more) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the batch did not end');
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fanout-batch-host-'));
  await mkdir(join(root, 'data'));
  await writeFile(join(root, 'wf.yaml'), WORKFLOW);
  await writeFile(
    join(root, 'data', 'rows.jsonl'),
    Array.from({ length: 30 }, (_, i) => JSON.stringify({ x: i + 1 })).join('\n') + '\n',
  );
  server = await startServer({
    root,
    staticDir: null,
    workers: 2,
    keysFile: join(await mkdtemp(join(tmpdir(), 'fanout-batch-keys-')), 'k.json'),
  });
});

afterAll(async () => {
  await server?.close();
});

describe('batch host operations (fanout serve)', () => {
  it(
    'lists dataset files, runs a batch, fills the table through the cursor, opens a row, exports',
    { timeout: 90_000 },
    async () => {
      const listed = await api<{ name: string; kind: string }[]>('batch/list', { dir: 'data' });
      expect(listed.value.map((e) => e.name)).toEqual(['rows.jsonl']);

      const started = await api<{ batchId: string; total: number; expect?: string }>('batch/start', {
        text: WORKFLOW,
        path: 'wf.yaml',
        dataset: 'data/rows.jsonl',
        concurrency: 3,
        expect: 'state.y < 40',
      });
      expect(started.ok).toBe(true);
      expect(started.value).toMatchObject({ total: 30, expect: 'state.y < 40' });
      const { status, table } = await follow(started.value.batchId);
      expect(status).toMatchObject({ phase: 'finished', total: 30, done: 30, running: 0 });
      // Row 7 fails its run; rows 20..30 (y >= 40) fail their expect; 1..19 except 7 pass.
      expect(status.failed).toBe(1 + 11);
      expect(table.size).toBe(30);
      const seven = table.get('7')!;
      expect(seven).toMatchObject({ status: 'failed' });
      expect(seven.error).toContain('seven is refused');
      expect(table.get('3')).toMatchObject({ status: 'succeeded', expect: 'pass', excerpt: '{"x":3,"y":6}' });
      expect(table.get('25')).toMatchObject({ status: 'succeeded', expect: 'fail' });

      // A row's run is the events it produced, from run-started to run-finished.
      const row = await api<{ input: object; events: { type: string; state?: object }[] }>('batch/row', {
        batchId: started.value.batchId,
        rowId: '3',
      });
      expect(row.value.input).toEqual({ x: 3 });
      expect(row.value.events[0]!.type).toBe('run-started');
      expect(row.value.events.at(-1)).toMatchObject({
        type: 'run-finished',
        status: 'succeeded',
        state: { x: 3, y: 6 },
      });

      const csv = await api<{ path: string }>('batch/export', {
        batchId: started.value.batchId,
        path: 'data/results.csv',
        format: 'csv',
      });
      expect(csv.value.path).toBe('data/results.csv');
      const records = parseCsv(await readFile(join(root, 'data', 'results.csv'), 'utf8'), 'results.csv');
      expect(records.map((r) => r.input['row'])).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)));
      expect(records[6]!.input).toMatchObject({ status: 'failed', node: 'double' });
      expect(JSON.parse(String(records[2]!.input['state']))).toEqual({ x: 3, y: 6 });
      // Never replaced without asking; the extension must match the format.
      const again = await api('batch/export', {
        batchId: started.value.batchId,
        path: 'data/results.csv',
        format: 'csv',
      });
      expect(again.error?.code).toBe('EXISTS');
      const wrong = await api('batch/export', {
        batchId: started.value.batchId,
        path: 'data/r.txt',
        format: 'jsonl',
      });
      expect(wrong.error).toMatchObject({ code: 'BAD_REQUEST' });
      const jsonl = await api('batch/export', {
        batchId: started.value.batchId,
        path: 'data/r.jsonl',
        format: 'jsonl',
      });
      expect(jsonl.ok).toBe(true);
      const lines = (await readFile(join(root, 'data', 'r.jsonl'), 'utf8')).trim().split('\n');
      expect(lines.map((l) => JSON.parse(l).row)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    },
  );

  it(
    'cancel stops the batch: running rows go back to queued, nothing runs after',
    { timeout: 60_000 },
    async () => {
      await writeFile(
        join(root, 'data', 'slow.jsonl'),
        Array.from({ length: 20 }, (_, i) => JSON.stringify({ x: i + 100, nap: 300 })).join('\n') + '\n',
      );
      const started = await api<{ batchId: string }>('batch/start', {
        text: WORKFLOW,
        dataset: 'data/slow.jsonl',
        concurrency: 2,
      });
      await follow(started.value.batchId, (s) => s.done >= 2);
      const cancelled = await api<boolean>('batch/cancel', { batchId: started.value.batchId });
      expect(cancelled.value).toBe(true);
      const { status, table } = await follow(started.value.batchId);
      expect(status.phase).toBe('cancelled');
      expect(status.done).toBeLessThan(20);
      expect([...table.values()].some((r) => r.status === 'running')).toBe(false);
      const queued = [...table.values()].filter((r) => r.status === 'queued').length;
      expect(queued).toBe(20 - status.done);
    },
  );

  it(
    'refuses datasets out of scope, bad rows with file:line, bad expect, unknown batches',
    { timeout: 30_000 },
    async () => {
      const outside = await api('batch/start', { text: WORKFLOW, dataset: '../../etc/passwd' });
      expect(outside.error?.code).toBe('FORBIDDEN');
      await writeFile(join(root, 'data', 'bad.jsonl'), '{"x":1}\n{"x":\n');
      const bad = await api('batch/start', { text: WORKFLOW, dataset: 'data/bad.jsonl' });
      expect(bad.error?.code).toBe('BAD_REQUEST');
      expect(bad.error?.message).toMatch(/^data\/bad\.jsonl:2: not JSON/); // the path as the user knows it
      const expectBad = await api('batch/start', {
        text: WORKFLOW,
        dataset: 'data/rows.jsonl',
        expect: 'state.y ==',
      });
      expect(expectBad.error?.code).toBe('BAD_REQUEST');
      const invalid = await api('batch/start', { text: 'name: x\nnodes: 3\n', dataset: 'data/rows.jsonl' });
      expect(invalid.error?.code).toBe('INVALID_WORKFLOW');
      const tooMany = await api('batch/start', {
        text: WORKFLOW,
        dataset: 'data/rows.jsonl',
        concurrency: 100000,
      });
      expect(tooMany.error?.message).toContain('concurrency');
      const unknown = await api('batch/status', { batchId: 'nope', since: 0 });
      expect(unknown.error?.code).toBe('NOT_FOUND');
    },
  );
});
