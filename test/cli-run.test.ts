// `fanout run` as a real process (the way `npx fanout` runs it).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compatDir, repoRoot } from './helpers.ts';

const exec = promisify(execFile);

async function fanout(args: string[]) {
  try {
    const { stdout, stderr } = await exec('node', [join(repoRoot, 'bin/fanout.js'), ...args], {
      cwd: repoRoot,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('fanout run', () => {
  it('prints the final state and exits 0; --input and --events work', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-cli-'));
    const events = join(dir, 'events.ndjson');
    const r = await fanout([
      'run',
      join(compatDir, 'simple_workflow.yaml'),
      '--input',
      '{"input":"x"}',
      `--events=${events}`,
      '--workers',
      '1',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      input: 'x',
      result: 'processed: x',
      output: 'processed: x - done',
    });
    const lines = (await readFile(events, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].type).toBe('run-started');
    expect(lines.at(-1)).toMatchObject({ type: 'run-finished', status: 'succeeded' });
  });

  it('reads --input from @file and runs a fan-out example', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-cli-'));
    const input = join(dir, 'in.json');
    await writeFile(input, JSON.stringify({ lines: ['a b', 'c', 'd e f'] }));
    const r = await fanout([
      'run',
      join(repoRoot, 'resources/examples/map-reduce.yaml'),
      '--input',
      `@${input}`,
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).total_words).toBe(6);
  });

  it('exits 1 when the run fails and 2 on invalid input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-cli-'));
    const failing = join(dir, 'fail.yaml');
    await writeFile(
      failing,
      'name: f\nnodes:\n  - name: a\n    language: lua\n    run: |\n      error("nope")\n',
    );
    const r1 = await fanout(['run', failing, '--workers', '1']);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/nope/);
    const r2 = await fanout(['run', join(compatDir, 'invalid_workflow.yaml'), '--workers', '1']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/invalid_workflow\.yaml:9:\d+: error GOTO_UNDEFINED/);
    const r3 = await fanout(['run', failing, '--input', '[1]']);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/JSON object/);
    const r4 = await fanout(['run', join(dir, 'missing.yaml')]);
    expect(r4.code).toBe(2);
  });
});
