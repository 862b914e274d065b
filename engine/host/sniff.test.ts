// SniffMemo: a listed file is opened again only when its size or mtime changed.
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SniffMemo } from './sniff.ts';

const SCHEMA = 'type: object\nproperties:\n  a: { type: string }\n';
const FLOW = 'name: flow\nnodes: []\n';

async function ask(memo: SniffMemo, abs: string): Promise<boolean> {
  const info = await stat(abs);
  return memo.looksNotWorkflow(abs, info.size, info.mtimeMs);
}

describe('SniffMemo', () => {
  it('answers from memory while size and mtime stay; a changed file is read again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-sniff-'));
    const abs = join(dir, 'a.yaml');
    await writeFile(abs, SCHEMA);
    const memo = new SniffMemo();
    expect(await ask(memo, abs)).toBe(true);

    // The same size and mtime with other content: the memo answers without opening the file (a
    // fresh memo, which opens it, reads the new content).
    const before = await stat(abs);
    await writeFile(abs, FLOW);
    expect(await memo.looksNotWorkflow(abs, before.size, before.mtimeMs)).toBe(true);
    expect(await new SniffMemo().looksNotWorkflow(abs, before.size, before.mtimeMs)).toBe(false);

    // The file's real size and mtime now differ: read again.
    expect(await ask(memo, abs)).toBe(false);
  });

  it('keeps at most `max` answers, dropping the oldest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-sniff-'));
    const memo = new SniffMemo(2);
    const files = ['a', 'b', 'c'].map((n) => join(dir, `${n}.yaml`));
    for (const f of files) await writeFile(f, SCHEMA);
    for (const f of files) await ask(memo, f);
    const kept = (memo as unknown as { answers: Map<string, boolean> }).answers;
    expect(kept.size).toBe(2);
    expect([...kept.keys()].map((k) => k.split('\0')[0])).toEqual(files.slice(1));
  });
});
