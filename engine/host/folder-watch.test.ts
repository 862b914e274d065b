// FolderWatches on the real file system (fs.watch, inotify here): what another program does to a
// listed folder is told, throttled, bounded to the most recently listed folders.
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderWatches } from './folder-watch.ts';
import type { FolderChange } from './types.ts';

const THROTTLE_MS = 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let watches: FolderWatches | null = null;
afterEach(() => watches?.close());

async function setup(max = 8) {
  const root = await mkdtemp(join(tmpdir(), 'fanout-folder-watch-'));
  const changes: FolderChange[] = [];
  watches = new FolderWatches((c) => changes.push(c), { max, throttleMs: THROTTLE_MS });
  return { root, changes };
}

/** Waits until `changes` has at least `count` entries (fs events are asynchronous), at most 5 s. */
async function until(changes: FolderChange[], count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (changes.length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} changes, got ${changes.length}`);
    await sleep(10);
  }
}

describe('FolderWatches', () => {
  it('tells a file written, renamed and deleted in a watched folder, as the folder clients know', async () => {
    const { root, changes } = await setup();
    watches!.watch(root, '');
    await writeFile(join(root, 'a.yaml'), 'name: a\n');
    await until(changes, 1);
    expect(changes[0]).toEqual({ dir: '' });
    await sleep(THROTTLE_MS * 2);
    await rename(join(root, 'a.yaml'), join(root, 'b.yaml'));
    await until(changes, 2);
    await sleep(THROTTLE_MS * 2);
    await rm(join(root, 'b.yaml'));
    await until(changes, 3);
    expect(changes.every((c) => c.dir === '')).toBe(true);
  });

  it('a burst of writes is one notice per throttle period, not one per write', async () => {
    const { root, changes } = await setup();
    watches!.watch(root, 'flows');
    for (let i = 0; i < 50; i++) await writeFile(join(root, `f${i}.yaml`), 'x');
    await until(changes, 1);
    await sleep(THROTTLE_MS * 3);
    // 50 writes (100+ inotify events) take far less than a few throttle periods on any machine.
    expect(changes.length).toBeLessThanOrEqual(5);
    expect(changes.length).toBeLessThan(50);
  });

  it("ignores dot files (a save's temp file is one; the list never shows them)", async () => {
    const { root, changes } = await setup();
    watches!.watch(root, '');
    await writeFile(join(root, '.a.yaml.fanout-1-x.tmp'), 'x');
    await rm(join(root, '.a.yaml.fanout-1-x.tmp'));
    await sleep(THROTTLE_MS * 4);
    expect(changes).toEqual([]);
    await writeFile(join(root, 'seen.yaml'), 'x');
    await until(changes, 1);
  });

  it('keeps only the most recently listed folders; listing one again makes it the newest', async () => {
    const { root, changes } = await setup(2);
    for (const name of ['one', 'two', 'three']) await mkdir(join(root, name));
    watches!.watch(join(root, 'one'), 'one');
    watches!.watch(join(root, 'two'), 'two');
    watches!.watch(join(root, 'one'), 'one'); // listed again: 'two' is now the oldest
    watches!.watch(join(root, 'three'), 'three');
    expect(watches!.watched()).toEqual(['one', 'three']);
    await writeFile(join(root, 'two', 'x.yaml'), 'x');
    await sleep(THROTTLE_MS * 4);
    expect(changes).toEqual([]);
    await writeFile(join(root, 'one', 'x.yaml'), 'x');
    await until(changes, 1);
    expect(changes).toEqual([{ dir: 'one' }]);
  });

  it('a watched folder removed is told once and unwatched, so a new folder of that name is watched on its next listing', async () => {
    const { root, changes } = await setup();
    const sub = join(root, 'sub');
    await mkdir(sub);
    watches!.watch(sub, 'sub');
    await rm(sub, { recursive: true });
    await until(changes, 1);
    expect(changes[0]).toEqual({ dir: 'sub' });
    expect(watches!.watched()).toEqual([]);
    await mkdir(sub);
    watches!.watch(sub, 'sub');
    await writeFile(join(sub, 'new.yaml'), 'x');
    await until(changes, 2);
  });

  it('a folder that cannot be watched is skipped without throwing', async () => {
    const { root } = await setup();
    expect(() => watches!.watch(join(root, 'missing'), 'missing')).not.toThrow();
    expect(watches!.watched()).toEqual([]);
  });

  it('tells nothing after close', async () => {
    const { root, changes } = await setup();
    watches!.watch(root, '');
    watches!.close();
    await writeFile(join(root, 'a.yaml'), 'x');
    await sleep(THROTTLE_MS * 4);
    expect(changes).toEqual([]);
    watches!.watch(root, '');
    expect(watches!.watched()).toEqual([]);
  });
});
