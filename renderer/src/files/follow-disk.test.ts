// The file list follows the disk: changes pushed by the real host service's folder watch (a temp
// folder, real fs.watch), focus and visibility, and run ends re-list — coalesced, never a storm.
import { mkdtemp, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostService, memoryRecentList } from '../../../engine/host/service.ts';
import { rootScope } from '../../../engine/host/scope.ts';
import type { FileEntry, FolderChange } from '../../../engine/host/types.ts';
import type { RunEvent } from '../../../engine/run/types.ts';
import { coalesce, followDisk, listFresh, listingOrder, MAX_RELISTS, sameListing } from './follow-disk.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('coalesce', () => {
  it('asks arriving while the work runs start it once more, not once each', async () => {
    let runs = 0;
    let release: (() => void) | null = null;
    const work = coalesce(async () => {
      runs++;
      await new Promise<void>((r) => (release = r));
    });
    const first = work();
    const later = Array.from({ length: 20 }, () => work());
    expect(runs).toBe(1);
    release!();
    await first;
    await until(() => runs === 2, 'the follow-up run');
    release!();
    await Promise.all(later);
    expect(runs).toBe(2);
    // Idle again: the next ask starts at once.
    const next = work();
    expect(runs).toBe(3);
    release!();
    await next;
  });

  it('a failing run does not stop the next one', async () => {
    let runs = 0;
    const work = coalesce(async () => {
      runs++;
      throw new Error('listing failed');
    });
    await work();
    await work();
    expect(runs).toBe(2);
  });
});

describe('followDisk over the real host service', () => {
  let root: string;
  let stop: (() => void) | null = null;
  let service: HostService;
  afterEach(async () => {
    stop?.();
    service?.stopWatching();
    await rm(root, { recursive: true, force: true });
  });

  async function setup() {
    root = await realpath(await mkdtemp(join(tmpdir(), 'fanout-follow-')));
    const folderListeners = new Set<(change: FolderChange) => void>();
    const runListeners = new Set<(events: RunEvent[]) => void>();
    service = new HostService({
      host: 'browser',
      engine: {} as never, // nothing runs here
      info: { appVersion: '0', platform: 'linux', workers: 0 },
      scope: rootScope(root),
      recent: memoryRecentList(),
      scratchDir: root,
      onFilesChanged: (change) => folderListeners.forEach((l) => l(change)),
    });
    let shown: FileEntry[] = [];
    const counts = { lists: 0, checks: 0 };
    const win = new EventTarget();
    const page = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
    stop = followDisk({
      host: {
        onFilesChanged: (l) => (folderListeners.add(l), () => void folderListeners.delete(l)),
        onRunEvents: (l) => (runListeners.add(l), () => void runListeners.delete(l)),
      },
      win,
      page,
      relist: async () => {
        counts.lists++;
        shown = await service.listFiles({});
      },
      checkOpenFile: async () => void counts.checks++,
    });
    shown = await service.listFiles({}); // the app's first listing starts the watch
    const names = () => shown.map((e) => e.name);
    const emitRun = (events: RunEvent[]) => runListeners.forEach((l) => l(events));
    return { win, page, counts, names, emitRun };
  }

  it('a file written, renamed and deleted by another program shows in the list without asking', async () => {
    const { names, counts } = await setup();
    expect(names()).toEqual([]);
    await writeFile(join(root, 'outside.yaml'), 'name: outside\nnodes: []\n');
    await until(() => names().includes('outside.yaml'), 'the new file');
    expect(counts.checks).toBeGreaterThan(0); // the open document is compared too
    await rename(join(root, 'outside.yaml'), join(root, 'renamed.yaml'));
    await until(() => names().join() === 'renamed.yaml', 'the rename');
    await rm(join(root, 'renamed.yaml'));
    await until(() => names().length === 0, 'the deletion');
  });

  it('a burst of 100 writes re-lists a handful of times, not 100', async () => {
    const { names, counts } = await setup();
    for (let i = 0; i < 100; i++) await writeFile(join(root, `f${i}.yaml`), 'name: f\nnodes: []\n');
    await until(() => names().length === 100, 'all files');
    await sleep(600); // past the host's throttle: any late notice has arrived
    expect(counts.lists).toBeLessThan(15);
  });

  it('focus and becoming visible re-list (coalesced); a hidden page does not; a run end does', async () => {
    const { win, page, counts, emitRun } = await setup();
    for (let i = 0; i < 10; i++) win.dispatchEvent(new Event('focus'));
    await until(() => counts.lists >= 1, 'a re-list on focus');
    await sleep(50);
    expect(counts.lists).toBeLessThanOrEqual(2);
    expect(counts.checks).toBeLessThanOrEqual(2);
    const before = counts.lists;
    page.visibilityState = 'hidden';
    page.dispatchEvent(new Event('visibilitychange'));
    await sleep(50);
    expect(counts.lists).toBe(before);
    page.visibilityState = 'visible';
    page.dispatchEvent(new Event('visibilitychange'));
    await until(() => counts.lists === before + 1, 'a re-list on visible');
    const event = (type: string) => ({ type, runId: 'r', seq: 0, t: 0 }) as unknown as RunEvent;
    emitRun([event('node-started')]);
    await sleep(50);
    expect(counts.lists).toBe(before + 1);
    emitRun([event('node-finished'), event('run-finished')]);
    await until(() => counts.lists === before + 2, 'a re-list after the run');
  });
});

describe('listingOrder', () => {
  it('a navigation wins over a re-list started before it; a re-list during a navigation is skipped', () => {
    const order = listingOrder();
    const relist = order.start(true)!;
    const nav = order.start(false)!;
    expect(order.start(true)).toBeNull(); // the navigation brings fresh entries
    expect(relist.finish()).toBe(false); // it would show the folder the user left
    expect(nav.finish()).toBe(true);
    // Idle again: a re-list shows its entries.
    expect(order.start(true)!.finish()).toBe(true);
  });

  it('of two navigations the later one wins, whichever answers first', () => {
    const order = listingOrder();
    const first = order.start(false)!;
    const second = order.start(false)!;
    expect(second.finish()).toBe(true);
    expect(first.finish()).toBe(false);
    expect(order.start(true)).not.toBeNull();
  });

  it('a navigation hears of each re-list skipped while it lists; one started after the skip does not', () => {
    const order = listingOrder();
    const nav = order.start(false)!;
    expect(nav.skippedMeanwhile()).toBe(false);
    expect(order.start(true)).toBeNull(); // a change told mid-listing
    expect(nav.skippedMeanwhile()).toBe(true);
    expect(nav.skippedMeanwhile()).toBe(false); // told once
    expect(order.start(true)).toBeNull();
    const later = order.start(false)!; // reads after that change
    expect(later.skippedMeanwhile()).toBe(false);
    expect(nav.skippedMeanwhile()).toBe(true);
    expect(later.finish()).toBe(true);
    expect(nav.finish()).toBe(false);
  });

  it('listFresh reads again while changes are told during the read, at most MAX_RELISTS more times', async () => {
    const order = listingOrder();
    let reads = 0;
    const quiet = () => Promise.resolve(++reads);
    expect(await listFresh(order.start(false)!, quiet)).toBe(1);
    reads = 0;
    // A change told during the first read only: one more read, whose answer is the one shown.
    const once = () => {
      if (++reads === 1) expect(order.start(true)).toBeNull();
      return Promise.resolve(reads);
    };
    expect(await listFresh(order.start(false)!, once)).toBe(2);
    reads = 0;
    // A folder that keeps changing: bounded.
    const busy = () => {
      expect(order.start(true)).toBeNull();
      return Promise.resolve(++reads);
    };
    expect(await listFresh(order.start(false)!, busy)).toBe(1 + MAX_RELISTS);
  });
});

describe('sameListing', () => {
  const file = (name: string, more: Partial<FileEntry> = {}): FileEntry => ({
    path: name,
    name,
    kind: 'file',
    size: 10,
    mtimeMs: 1,
    ...more,
  });
  it('is true only for the same entries in the same order with the same size, mtime and mark', () => {
    expect(sameListing([file('a'), file('b')], [file('a'), file('b')])).toBe(true);
    expect(sameListing([file('a'), file('b')], [file('b'), file('a')])).toBe(false);
    expect(sameListing([file('a')], [file('a'), file('b')])).toBe(false);
    expect(sameListing([file('a')], [file('a', { mtimeMs: 2 })])).toBe(false);
    expect(sameListing([file('a')], [file('a', { size: 11 })])).toBe(false);
    expect(sameListing([file('a')], [file('a', { notWorkflow: true })])).toBe(false);
    expect(sameListing([file('a')], [file('a', { kind: 'dir' })])).toBe(false);
  });
});
