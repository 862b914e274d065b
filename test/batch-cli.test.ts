// `fanout batch` as a real process through bin/fanout.js: real workers, real Lua, real files. A killed
// batch resumes without losing or repeating a row; expect verdicts set the exit code; CSV and folder
// datasets; bad input names file:line and exits 2.
import { execFile, spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.ts';

const exec = promisify(execFile);
const bin = join(repoRoot, 'bin/fanout.js');

async function fanout(args: string[]) {
  try {
    const { stdout, stderr } = await exec('node', [bin, ...args], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A workflow whose one Lua node doubles `x` (after `nap` ms of sleep) and fails when x is 'boom'. */
function workflow(nap = 0, extra = ''): string {
  return `name: double
${extra}nodes:
  - name: double
    run: |
      ${nap > 0 ? `sleep(${nap})` : ''}
      if state.x == "boom" then error("boom row") end
      return { y = (tonumber(state.x) or 0) * 2 }
edges:
  - from: __start__
    to: double
  - from: double
    to: __end__
`;
}

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'fanout-batch-'));
}

async function jsonl(dir: string, rows: unknown[]): Promise<string> {
  const path = join(dir, 'data.jsonl');
  await writeFile(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

async function results(path: string): Promise<Array<Record<string, unknown> & { id: string }>> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

/** Results lines from stdout in dataset order (they are written in finish order). */
function inRowOrder(
  stdout: string,
): Array<{ row: number; id: string; input: unknown; state: Record<string, unknown> }> {
  const rows = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return rows.sort((a, b) => a.row - b.row);
}

async function lineCount(path: string): Promise<number> {
  try {
    return (await readFile(path, 'utf8')).split('\n').length - 1;
  } catch {
    return 0;
  }
}

describe('fanout batch: crash and resume', () => {
  it(
    'a 1,000-row batch killed with SIGKILL midway resumes to each row exactly once',
    { timeout: 180_000 },
    async () => {
      const dir = await scratch();
      const file = join(dir, 'wf.yaml');
      await writeFile(file, workflow(5));
      const data = await jsonl(
        dir,
        Array.from({ length: 1000 }, (_, i) => ({ x: i })),
      );
      const out = join(dir, 'results.jsonl');
      const child = spawn(
        'node',
        [bin, 'batch', file, '--inputs', data, '--out', out, '--concurrency', '8'],
        {
          cwd: repoRoot,
          stdio: 'ignore',
        },
      );
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      // Midway: some rows are durable, most are not run yet.
      const deadline = Date.now() + 120_000;
      while ((await lineCount(out)) < 150 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const before = await results(out);
      expect(before.length).toBeGreaterThanOrEqual(150);
      expect(before.length).toBeLessThan(1000);
      // A write torn by the crash (a partial last line) is cut off by --resume, not read as a row.
      await appendFile(out, '{"row":999,"id":"999","input":{"x":99');

      const resumed = await fanout(['batch', file, '--inputs', data, '--out', out, '--resume', '--json']);
      expect(resumed.stderr).toContain(`(${before.length} from an earlier run)`);
      expect(resumed.code).toBe(0);
      const after = await results(out);
      const ids = after.map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length); // no row twice
      expect(ids.length).toBe(1000);
      expect(new Set(ids)).toEqual(new Set(Array.from({ length: 1000 }, (_, i) => String(i + 1))));
      for (const r of after)
        expect(r.state).toEqual({ x: (r.input as { x: number }).x, y: 2 * (r.input as { x: number }).x });
      const { summary } = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!);
      expect(summary).toMatchObject({
        total: 1000,
        done: 1000,
        resumed: before.length,
        doneNow: 1000 - before.length,
      });

      // Nothing left: a second resume runs no row and leaves the file as it is.
      const size = (await stat(out)).size;
      const again = await fanout(['batch', file, '--inputs', data, '--out', out, '--resume']);
      expect(again.code).toBe(0);
      expect((await stat(out)).size).toBe(size);
    },
  );

  it(
    'Ctrl+C stops the batch, prints the summary, writes no cancelled row; --resume finishes it',
    { timeout: 120_000 },
    async () => {
      const dir = await scratch();
      const file = join(dir, 'wf.yaml');
      await writeFile(file, workflow(300));
      const data = await jsonl(
        dir,
        Array.from({ length: 40 }, (_, i) => ({ x: i })),
      );
      const out = join(dir, 'results.jsonl');
      const child = spawn(
        'node',
        [bin, 'batch', file, '--inputs', data, '--out', out, '--concurrency', '4'],
        {
          cwd: repoRoot,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const deadline = Date.now() + 60_000;
      while ((await lineCount(out)) < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGINT');
      expect(await exited).toBe(1);
      expect(stderr).toMatch(/cancelled: \d+ rows not run \(--resume runs them\)/);
      const written = await results(out);
      expect(written.length).toBeLessThan(40);
      // Rows in flight at the interrupt were cancelled, and a cancelled row is never written.
      expect(written.every((r) => r.status === 'succeeded')).toBe(true);
      const resumed = await fanout([
        'batch',
        file,
        '--inputs',
        data,
        '--out',
        out,
        '--resume',
        '--concurrency',
        '8',
      ]);
      expect(resumed.code).toBe(0);
      const ids = (await results(out)).map((r) => r.id);
      expect(ids.length).toBe(40);
      expect(new Set(ids).size).toBe(40);
    },
  );
});

describe('fanout batch: expect, failures and exit codes', () => {
  it(
    'counts expect passes and failures; exit 1 when any fails, 0 when all pass',
    { timeout: 60_000 },
    async () => {
      const dir = await scratch();
      const file = join(dir, 'wf.yaml');
      await writeFile(file, workflow());
      const data = await jsonl(
        dir,
        Array.from({ length: 20 }, (_, i) => ({ x: i })),
      );
      const some = await fanout(['batch', file, '--inputs', data, '--expect', 'state.y < 20', '--json']);
      expect(some.code).toBe(1);
      expect(some.stderr).toContain('expect: 10 passed, 10 failed');
      // Without --out the results are stdout's lines, the summary its last.
      const lines = some.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const { summary } = lines.pop();
      expect(summary).toMatchObject({
        total: 20,
        done: 20,
        succeeded: 20,
        expectPassed: 10,
        expectFailed: 10,
        failed: 10,
      });
      expect(lines.filter((r) => r.expect === 'fail').map((r) => r.input.x)).toEqual(
        expect.arrayContaining([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]),
      );

      const all = await fanout(['batch', file, '--inputs', data, '--expect', 'state.y == state.x * 2']);
      expect(all.code).toBe(0);
      expect(all.stderr).toContain('expect: 20 passed, 0 failed');
    },
  );

  it(
    "takes the workflow's metadata.fanout.batch.expect when --expect is absent",
    { timeout: 60_000 },
    async () => {
      const dir = await scratch();
      const file = join(dir, 'wf.yaml');
      await writeFile(file, workflow(0, 'metadata:\n  fanout:\n    batch:\n      expect: "state.y >= 4"\n'));
      const data = await jsonl(dir, [{ x: 1 }, { x: 2 }, { x: 3 }]);
      const r = await fanout(['batch', file, '--inputs', data]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('expect: 2 passed, 1 failed');
    },
  );

  it(
    'a failing row is a failed result with its error and node; the others run',
    { timeout: 60_000 },
    async () => {
      const dir = await scratch();
      const file = join(dir, 'wf.yaml');
      await writeFile(file, workflow());
      const data = await jsonl(dir, [{ x: 1 }, { x: 'boom' }, { x: 3 }]);
      const out = join(dir, 'r.jsonl');
      const r = await fanout(['batch', file, '--inputs', data, '--out', out, '--expect', 'state.y > 0']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('runs: 2 succeeded, 1 failed');
      // Only succeeded runs are judged: the failed row has no expect verdict.
      expect(r.stderr).toContain('expect: 2 passed, 0 failed');
      const failed = (await results(out)).find((x) => x.id === '2')!;
      expect(failed).toMatchObject({ status: 'failed', node: 'double', row: 2 });
      expect(failed.expect).toBeUndefined();
      expect(String(failed.error)).toContain('boom row');
    },
  );
});

describe('fanout batch: CSV and folder datasets', () => {
  it(
    'CSV: header keys, strings by default, --csv-types parses numbers and booleans; ids are lines',
    { timeout: 60_000 },
    async () => {
      const dir = await scratch();
      const file = join(dir, 'wf.yaml');
      await writeFile(file, workflow());
      const csv = join(dir, 'data.csv');
      await writeFile(csv, 'x,note,flag\n1,"two\nlines",true\n\n5,plain,false\n');
      const strings = await fanout(['batch', file, '--inputs', csv]);
      expect(strings.code).toBe(0);
      const rows = inRowOrder(strings.stdout);
      expect(rows.map((r) => [r.id, r.input])).toEqual([
        ['2', { x: '1', note: 'two\nlines', flag: 'true' }],
        ['5', { x: '5', note: 'plain', flag: 'false' }],
      ]);
      expect(rows[0]!.state.y).toBe(2); // tonumber in the workflow
      const typed = await fanout(['batch', file, '--inputs', csv, '--csv-types']);
      expect(inRowOrder(typed.stdout).map((r) => r.input)).toEqual([
        { x: 1, note: 'two\nlines', flag: true },
        { x: 5, note: 'plain', flag: false },
      ]);
    },
  );

  it(
    'a folder: one row per text file {path, name, text}, binaries skipped and counted',
    { timeout: 60_000 },
    async () => {
      const dir = await scratch();
      const file = join(dir, 'wf.yaml');
      await writeFile(
        file,
        `name: lengths
nodes:
  - name: measure
    run: |
      return { chars = #state.text, upper = string.upper(state.name) }
edges:
  - from: __start__
    to: measure
  - from: measure
    to: __end__
`,
      );
      const docs = join(dir, 'docs');
      await mkdir(join(docs, 'sub'), { recursive: true });
      await writeFile(join(docs, 'a.txt'), 'hello');
      await writeFile(join(docs, 'sub', 'b.md'), 'héllo wörld');
      await writeFile(join(docs, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
      await writeFile(join(docs, '.hidden'), 'not a row');
      const r = await fanout(['batch', file, '--inputs', docs]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('skipped 1 binary and 0 too large file(s)');
      const rows = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      // Results are in finish order; `row` is the dataset order (path order for a folder).
      rows.sort((a, b) => a.row - b.row);
      expect(rows.map((x) => [x.id, x.input.name, x.state.upper])).toEqual([
        ['a.txt', 'a.txt', 'A.TXT'],
        ['sub/b.md', 'b.md', 'B.MD'],
      ]);
      expect(rows[1].input).toEqual({ path: 'sub/b.md', name: 'b.md', text: 'héllo wörld' });
    },
  );
});

describe('fanout batch: bad input exits 2 with a clear message', () => {
  it(
    'names file:line for a bad JSONL line and a bad CSV record, and refuses bad options',
    { timeout: 60_000 },
    async () => {
      const dir = await scratch();
      const file = join(dir, 'wf.yaml');
      await writeFile(file, workflow());
      const bad = join(dir, 'bad.jsonl');
      await writeFile(bad, '{"x":1}\n\n{"x":2,}\n');
      let r = await fanout(['batch', file, '--inputs', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${bad}:3: not JSON`);
      await writeFile(bad, '{"x":1}\n[1,2]\n');
      r = await fanout(['batch', file, '--inputs', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${bad}:2: the row must be a JSON object, got an array`);

      const csv = join(dir, 'bad.csv');
      await writeFile(csv, 'a,b\n1,2\n3\n');
      r = await fanout(['batch', file, '--inputs', csv]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`${csv.replace(/[.]/g, '\\.')}:3: .*[Rr]ecord [Ll]ength`));

      const good = await jsonl(dir, [{ x: 1 }]);
      r = await fanout(['batch', file, '--inputs', good, '--expect', 'state.y ==']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('fanout batch: expect:');
      r = await fanout(['batch', file, '--inputs', join(dir, 'missing.jsonl')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('missing.jsonl: cannot read the dataset (ENOENT)');
      r = await fanout(['batch', file, '--inputs', good, '--resume']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--resume needs --out');
      r = await fanout(['batch', file, '--inputs', good, '--concurrency', '100000']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--concurrency needs a whole number from 1 to 256');

      // An existing results file is never appended to without --resume (two batches would mix).
      const out = join(dir, 'r.jsonl');
      expect((await fanout(['batch', file, '--inputs', good, '--out', out])).code).toBe(0);
      r = await fanout(['batch', file, '--inputs', good, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('already holds results: pass --resume');
      // A corrupt line that is not the last is named, not skipped.
      await writeFile(out, 'garbage\n' + (await readFile(out, 'utf8')));
      r = await fanout(['batch', file, '--inputs', good, '--out', out, '--resume']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${out}:1: not a results line`);
    },
  );

  it('a workflow with errors is reported with file:line:col, exit 2', { timeout: 30_000 }, async () => {
    const dir = await scratch();
    const file = join(dir, 'wf.yaml');
    await writeFile(
      file,
      'name: x\nnodes:\n  - name: a\n    run: return {}\nedges:\n  - from: __start__\n    to: nowhere\n',
    );
    const good = await jsonl(dir, [{ x: 1 }]);
    const r = await fanout(['batch', file, '--inputs', good]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: error`));
  });
});
