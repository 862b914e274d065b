// Dataset readers and the results file, on real files: JSONL, CSV, folders, bounds, and the torn-line
// repair --resume relies on.
import { appendFile, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError, readDataset } from '../engine/batch/dataset.ts';
import { parseCsv, typedValue } from '../engine/batch/datasets/csv.ts';
import { parseJsonl } from '../engine/batch/datasets/jsonl.ts';
import { evaluateExpect, expectProblem } from '../engine/batch/expect.ts';
import { ResultsFile, ResultsFileError, readVerdicts } from '../engine/batch/results-file.ts';
import { MAX_BATCH_ROW_BYTES } from '../engine/limits.ts';

const scratch = () => mkdtemp(join(tmpdir(), 'fanout-dataset-'));

describe('JSONL', () => {
  it('one row per object line, ids are line numbers, blank lines and CRLF tolerated', () => {
    const rows = parseJsonl('{"a":1}\r\n\n  \n{"a":{"b":[1,2]}}\n', 'd.jsonl');
    expect(rows).toEqual([
      { row: 1, id: '1', input: { a: 1 } },
      { row: 2, id: '4', input: { a: { b: [1, 2] } } },
    ]);
  });

  it('names file:line for a line that is not JSON, not an object, too deep or too long', () => {
    expect(() => parseJsonl('{"a":1}\n{oops}\n', 'd.jsonl')).toThrow(/^d\.jsonl:2: not JSON/);
    expect(() => parseJsonl('"text"\n', 'd.jsonl')).toThrow(
      'd.jsonl:1: the row must be a JSON object, got a string',
    );
    const deep = '['.repeat(300) + ']'.repeat(300);
    expect(() => parseJsonl(`{"a":${deep}}`, 'd.jsonl')).toThrow(
      /d\.jsonl:1: the row is nested deeper than 200/,
    );
    const long = JSON.stringify({ a: 'x'.repeat(MAX_BATCH_ROW_BYTES) });
    expect(() => parseJsonl(long, 'd.jsonl')).toThrow(
      `d.jsonl:1: the line is longer than ${MAX_BATCH_ROW_BYTES}`,
    );
    expect(() => parseJsonl('{"a":1}\n{"a":1', 'd.jsonl')).toThrow(DatasetError);
  });
});

describe('CSV', () => {
  it('header keys, quoted commas and newlines, BOM; ids are the line a record starts on', () => {
    const rows = parseCsv('\ufeffq,a\n"x, y",1\n"multi\nline",2\n\nlast,3\n', 'd.csv');
    expect(rows).toEqual([
      { row: 1, id: '2', input: { q: 'x, y', a: '1' } },
      { row: 2, id: '3', input: { q: 'multi\nline', a: '2' } },
      { row: 3, id: '6', input: { q: 'last', a: '3' } },
    ]);
  });

  it('--csv-types: JSON numbers and booleans, everything else stays text', () => {
    expect(['12', '-1.5e3', '0', 'true', 'false', '', '007', '1e999', 'NaN', ' 1'].map(typedValue)).toEqual([
      12,
      -1500,
      0,
      true,
      false,
      '',
      '007',
      '1e999',
      'NaN',
      ' 1',
    ]);
  });

  it('names file:line for a short record, an open quote, a duplicate or empty header', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n', 'd.csv')).toThrow(/^d\.csv:3: /);
    expect(() => parseCsv('a,b\n1,"2\n', 'd.csv')).toThrow(/^d\.csv:2: .*[Qq]uote/);
    expect(() => parseCsv('a,a\n1,2\n', 'd.csv')).toThrow("d.csv:1: the header names 'a' twice");
    expect(() => parseCsv('a,\n1,2\n', 'd.csv')).toThrow('d.csv:1: column 2 of the header has no name');
  });
});

describe('folders', () => {
  it('text files in path order; binaries, too large files, dot-files and symlinks left out', async () => {
    const dir = await scratch();
    await mkdir(join(dir, 'b'));
    await writeFile(join(dir, 'b', 'z.txt'), 'zed');
    await writeFile(join(dir, 'a.md'), '\ufeff# title');
    await writeFile(join(dir, 'bin.dat'), Buffer.from([1, 0, 2]));
    await writeFile(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9])); // not UTF-8
    await writeFile(join(dir, 'huge.txt'), 'x'.repeat(MAX_BATCH_ROW_BYTES));
    await writeFile(join(dir, '.env'), 'SECRET=1');
    await symlink('/etc/hostname', join(dir, 'link.txt'));
    const ds = await readDataset(dir);
    expect(ds.kind).toBe('folder');
    expect(ds.rows.map((r) => r.id)).toEqual(['a.md', 'b/z.txt']);
    expect(ds.rows[0]!.input).toEqual({ path: 'a.md', name: 'a.md', text: '# title' });
    expect(ds.skipped).toEqual({ binary: 2, tooLarge: 1 });
  });

  it('a missing path is a DatasetError naming it', async () => {
    await expect(readDataset('/nonexistent/data.jsonl')).rejects.toThrow(
      '/nonexistent/data.jsonl: cannot read the dataset (ENOENT)',
    );
  });
});

describe('results file', () => {
  const line = (id: string, status = 'succeeded') =>
    JSON.stringify({ row: Number(id), id, input: {}, status, state: {}, ms: 1 }) + '\n';

  it('appends durable lines; --resume reads them back and cuts a torn last line', async () => {
    const path = join(await scratch(), 'r.jsonl');
    const { file, previous } = await ResultsFile.open(path, false);
    expect(previous).toEqual([]);
    await Promise.all(
      ['1', '2', '3'].map((id) =>
        file.append({ row: Number(id), id, input: {}, status: 'succeeded', state: { id }, ms: 1 }),
      ),
    );
    await file.close();
    await appendFile(path, '{"row":4,"id":"4","inp');
    const verdicts = await readVerdicts(path);
    expect(verdicts.map((v) => v.id)).toEqual(['1', '2', '3']);
    expect((await readFile(path, 'utf8')).endsWith('"id":"3"},"ms":1}\n')).toBe(true);
  });

  it('refuses to append to results without resume, and names a corrupt line', async () => {
    const path = join(await scratch(), 'r.jsonl');
    await writeFile(path, line('1') + 'not json\n' + line('3'));
    await expect(ResultsFile.open(path, false)).rejects.toThrow(ResultsFileError);
    await expect(ResultsFile.open(path, true)).rejects.toThrow(`${path}:2: not a results line (not JSON)`);
    await writeFile(path, line('1') + '{"id":3}\n');
    await expect(readVerdicts(path)).rejects.toThrow(`${path}:2: not a results line (no id and status)`);
  });
});

describe('expect', () => {
  it('passes on true, fails on false or an error, with the reason', () => {
    expect(evaluateExpect('state.y > 1', { y: 2 }, {})).toEqual({ pass: true });
    expect(evaluateExpect('state.y > 1', { y: 0 }, {})).toEqual({ pass: false });
    expect(evaluateExpect('state.y == input.x * 2', { y: 4 }, { x: 2 })).toEqual({ pass: true });
    const broken = evaluateExpect('state.y + "a"', { y: 1 }, {});
    expect(broken.pass).toBe(false);
    expect(broken.error).toBeTruthy();
  });

  it('a runaway expect runs out of budget and fails the row, not the host', () => {
    const loops = "{% for a in 'x' * 3000 %}{% for b in 'x' * 3000 %}{% endfor %}{% endfor %}";
    const started = performance.now();
    const r = evaluateExpect(loops, {}, {});
    expect(r.pass).toBe(false);
    expect(r.error).toMatch(/^expect ".*exceeded 1,000,000 evaluation steps/);
    expect(performance.now() - started).toBeLessThan(5_000); // 9e6 passes were cut, not run
  });

  it('a syntax error is found before the batch starts', () => {
    expect(expectProblem('state.y ==')).toMatch(/^expect: /);
    expect(expectProblem('x'.repeat(5000))).toMatch(/longer than/);
    expect(expectProblem('state.ok')).toBeNull();
  });
});
