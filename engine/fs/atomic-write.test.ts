// The one atomic save on a real file system: mode and owner kept, hard links kept, findable temp
// names, and the start-up sweep of what a SIGKILL mid-save leaves behind (issue #11 findings 4, 10).
import { spawn } from 'node:child_process';
import {
  chmod,
  chown,
  link,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEMP_PATTERN, tempNameFor, writeFileAtomic } from './atomic-write.ts';
import { withPathLock } from './path-lock.ts';
import { sweepStaleTempFiles } from './temp-files.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-atomic-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const isRoot = process.getuid?.() === 0;

describe('writeFileAtomic', () => {
  it('keeps the permission bits of the file it replaces (a 0600 file stays 0600)', async () => {
    for (const mode of [0o600, 0o640, 0o755]) {
      const file = join(dir, `m${mode.toString(8)}.yaml`);
      await writeFile(file, 'old');
      await chmod(file, mode);
      await writeFileAtomic(file, 'new');
      expect(await readFile(file, 'utf8')).toBe('new');
      expect((await stat(file)).mode & 0o7777, mode.toString(8)).toBe(mode);
    }
  });

  it.skipIf(!isRoot)('keeps the owner when run as root', async () => {
    const file = join(dir, 'owned.yaml');
    await writeFile(file, 'old');
    await chown(file, 12345, 12346);
    await writeFileAtomic(file, 'new');
    const info = await stat(file);
    expect([info.uid, info.gid]).toEqual([12345, 12346]);
  });
  if (!isRoot) console.log('owner test skipped: only root may chown a file to another user');

  it('writes a hard-linked file in place, so every link sees the new text', async () => {
    const file = join(dir, 'a.yaml');
    const other = join(dir, 'b.yaml');
    await writeFile(file, 'old');
    await chmod(file, 0o600);
    await link(file, other);
    const before = await stat(file);
    await writeFileAtomic(file, 'new text');
    const after = await stat(file);
    expect(after.ino).toBe(before.ino);
    expect(after.nlink).toBe(2);
    expect(after.mode & 0o777).toBe(0o600);
    expect(await readFile(other, 'utf8')).toBe('new text');
    expect((await readdir(dir)).sort()).toEqual(['a.yaml', 'b.yaml']);
  });

  it('creates new files with the umask applied, and folders on request', async () => {
    const file = join(dir, 'sub/deeper/new.yaml');
    await writeFileAtomic(file, 'x', { mkdirs: true });
    const umask = process.umask();
    expect((await stat(file)).mode & 0o777).toBe(0o666 & ~umask);
  });

  it('names temp files so the sweep can find them', () => {
    const name = tempNameFor(join(dir, 'flow.yaml')).split('/').at(-1)!;
    expect(name).toMatch(TEMP_PATTERN);
    expect(TEMP_PATTERN.exec(name)?.slice(1, 3)).toEqual(['flow.yaml', String(process.pid)]);
  });
});

describe('sweepStaleTempFiles', () => {
  it('removes temp files of dead processes and old ones, keeps fresh ones of live processes', async () => {
    await writeFile(join(dir, 'a.yaml'), 'kept');
    const deadPid = 2 ** 22 + 17; // above Linux's pid_max default: no such process
    const dead = join(dir, `.a.yaml.fanout-${deadPid}-abcdef012345.tmp`);
    const old = join(dir, `.a.yaml.fanout-${process.pid}-abcdef012346.tmp`);
    const fresh = join(dir, `.a.yaml.fanout-${process.pid}-abcdef012347.tmp`);
    const legacy = join(dir, `.a.yaml.${deadPid}.0123456789ab.tmp`);
    await mkdir(join(dir, 'sub'));
    const nested = join(dir, 'sub', `.b.yaml.fanout-${deadPid}-abcdef012348.tmp`);
    for (const f of [dead, old, fresh, legacy, nested]) await writeFile(f, '');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await utimes(old, twoMinutesAgo, twoMinutesAgo);
    const report = await sweepStaleTempFiles([dir]);
    expect(report.removed.sort()).toEqual([dead, legacy, nested, old].sort());
    expect((await readdir(dir)).sort()).toEqual([
      '.a.yaml.fanout-' + process.pid + '-abcdef012347.tmp',
      'a.yaml',
      'sub',
    ]);
    expect(await readFile(join(dir, 'a.yaml'), 'utf8')).toBe('kept');
  });

  it('replays the journal of an in-place write that died midway', async () => {
    const file = join(dir, 'linked.yaml');
    await writeFile(file, 'half-writ'); // what a crash mid-overwrite leaves
    await link(file, join(dir, 'other.yaml'));
    const deadPid = 2 ** 22 + 19;
    await writeFile(join(dir, `.linked.yaml.fanout-${deadPid}-0123456789ab.redo`), 'the whole new text');
    const report = await sweepStaleTempFiles([dir]);
    expect(report.replayed).toEqual([file]);
    expect(await readFile(join(dir, 'other.yaml'), 'utf8')).toBe('the whole new text');
    expect((await readdir(dir)).sort()).toEqual(['linked.yaml', 'other.yaml']);
  });

  it('cleans what SIGKILL mid-save leaves; the file is the old or the new text, whole', async () => {
    const target = join(dir, 'big.yaml');
    const oldText = 'o'.repeat(1024);
    await writeFile(target, oldText);
    const newText = 'n'.repeat(32 * 1024 * 1024);
    const module = fileURLToPath(new URL('./atomic-write.ts', import.meta.url));
    const scriptDir = await mkdtemp(join(tmpdir(), 'fanout-atomic-script-'));
    const script = join(scriptDir, 'saver.mts');
    await writeFile(
      script,
      `import { writeFileAtomic } from ${JSON.stringify(module)};
      process.stdout.write('go\\n');
      for (;;) await writeFileAtomic(${JSON.stringify(target)}, 'n'.repeat(${newText.length}));\n`,
    );
    // `node --import tsx`: one process, so SIGKILL hits the writer itself (tsx's CLI would fork it).
    const repo = fileURLToPath(new URL('../../', import.meta.url));
    let leftovers = 0;
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 150 + round * 120));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      leftovers += (await readdir(dir)).filter((n) => n.endsWith('.tmp')).length;
      await sweepStaleTempFiles([dir]);
      expect(await readdir(dir)).toEqual(['big.yaml']);
      const text = await readFile(target, 'utf8');
      expect(text === oldText || text === newText, `round ${round}: ${text.length} characters`).toBe(true);
    }
    await rm(scriptDir, { recursive: true, force: true });
    console.log(`SIGKILL mid-save: ${leftovers} temp files left in 3 rounds, all swept`);
  }, 60_000);
});

describe('withPathLock', () => {
  it('runs holders of one key one at a time, in call order; other keys do not wait', async () => {
    const order: string[] = [];
    const hold = (key: string, name: string, ms: number) =>
      withPathLock(key, async () => {
        order.push(`${name}>`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`<${name}`);
      });
    await Promise.all([hold('k', 'a', 30), hold('k', 'b', 1), hold('other', 'c', 1)]);
    expect(order.indexOf('<a')).toBeLessThan(order.indexOf('b>'));
    expect(order.indexOf('<c')).toBeLessThan(order.indexOf('<a'));
  });
});
