// `fanout validate` and `fanout export`, in-process through main() and once as a real process.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../engine/cli.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const fixturesDir = fileURLToPath(new URL('./fixtures/tea-compat/fixtures/', import.meta.url));
const fixture = (name: string) => join(fixturesDir, name);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fanout validate', () => {
  it('exits 0 for a valid file and prints a summary', async () => {
    const r = await run('validate', fixture('simple_workflow.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('0 errors, 0 warnings in 1 file\n');
  });

  it('prints tsc-style lines and exits 1 when a file has errors', async () => {
    const r = await run('validate', fixture('invalid_workflow.yaml'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${fixture('invalid_workflow.yaml')}:9:11: error GOTO_UNDEFINED Node 'node_a' has goto to non-existent node 'non_existent_node' (node 'node_a')\n`,
    );
    expect(r.stdout).toMatch(/:6:5: warning RUN_WITHOUT_LANGUAGE .*\(node 'node_a'\) \[TEA python\]\n/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^1 error, \d+ warnings in 1 file$/);
  });

  it('exits 0 with warnings only', async () => {
    const r = await run('validate', fixture('parallel_fanout.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning PARALLEL_FORM_PYTHON_ONLY');
  });

  it('validates every .yaml/.yml of a directory', async () => {
    const r = await run('validate', fixturesDir);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^1 error, \d+ warnings in 6 files$/);
  });

  it('--json prints an array of {file, problems} with the same exit code', async () => {
    const r = await run(
      'validate',
      '--json',
      fixture('invalid_workflow.yaml'),
      fixture('simple_workflow.yaml'),
    );
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout) as {
      file: string;
      problems: { code: string; line: number; col: number }[];
    }[];
    expect(body.map((b) => b.file)).toEqual([
      fixture('invalid_workflow.yaml'),
      fixture('simple_workflow.yaml'),
    ]);
    expect(body[0]?.problems.find((p) => p.code === 'GOTO_UNDEFINED')).toMatchObject({ line: 9, col: 11 });
    expect(body[1]?.problems).toEqual([]);
  });

  it('exits 2 on unusable input: missing file, not YAML, not a mapping, not UTF-8', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'name: [unclosed\nnodes:\n');
    const list = join(dir, 'list.yaml');
    await writeFile(list, '- a\n- b\n');
    const latin1 = join(dir, 'latin1.yaml');
    await writeFile(latin1, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]));
    for (const file of [join(dir, 'missing.yaml'), bad, list, latin1]) {
      const r = await run('validate', file);
      expect({ file, code: r.code }).toEqual({ file, code: 2 });
      expect(r.stdout).toContain(`${file}:`);
    }
    const json = await run('validate', '--json', join(dir, 'missing.yaml'));
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)[0].problems[0].code).toBe('FILE_UNREADABLE');
  });

  it('exits 2 on usage errors', async () => {
    expect((await run('validate')).code).toBe(2);
    const r = await run('validate', '--frobnicate', fixture('simple_workflow.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
  });
});

describe('fanout export', () => {
  it('writes the portable form to stdout', async () => {
    const r = await run('export', fixture('parallel_fanout.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('    parallel: [branch_1, branch_2, branch_3]\n');
    expect(r.stdout).toContain('    language: lua\n');
    expect(r.stdout.startsWith('# TEA-DX-001.7')).toBe(true);
  });

  it('writes -o OUT atomically (no temp file left) and the result validates', async () => {
    const out = join(dir, 'portable.yaml');
    const r = await run('export', fixture('while-loop-parity-test.yaml'), '-o', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const text = await readFile(out, 'utf8');
    expect(text).toContain('    goto: __end__\n');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await run('validate', out)).code).toBe(0);
  });

  it('refuses to write a workflow with errors (exit 1) and reports unusable input (exit 2)', async () => {
    const out = join(dir, 'never.yaml');
    const r = await run('export', fixture('invalid_workflow.yaml'), '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('GOTO_UNDEFINED');
    await expect(readFile(out, 'utf8')).rejects.toThrow();
    expect((await run('export', join(dir, 'missing.yaml'))).code).toBe(2);
    expect((await run('export')).code).toBe(2);
    expect((await run('export', 'a.yaml', 'b.yaml')).code).toBe(2);
  });
});

describe('bin/fanout.js as a real process', () => {
  it('runs `validate` as the compiled CLI (dist/, built by the global set-up) and returns the exit code', async () => {
    const exec = promisify(execFile);
    const ok = await exec(process.execPath, ['bin/fanout.js', 'validate', fixture('simple_workflow.yaml')], {
      cwd: repoRoot,
    });
    expect(ok.stdout).toBe('0 errors, 0 warnings in 1 file\n');
    const failed = await exec(
      process.execPath,
      ['bin/fanout.js', 'validate', fixture('invalid_workflow.yaml')],
      {
        cwd: repoRoot,
      },
    ).then(
      () => null,
      (err: { code: number; stdout: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toContain(':9:11: error GOTO_UNDEFINED');
  });
});
