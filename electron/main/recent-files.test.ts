import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addRecent, MAX_RECENT_FILES, RecentFiles } from './recent-files.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-recent-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('recent files', () => {
  it('addRecent moves duplicates to the front and caps the list at 10', () => {
    let list: string[] = [];
    for (let i = 0; i < 15; i++) list = addRecent(list, `/w/${i}.yaml`);
    expect(list).toHaveLength(MAX_RECENT_FILES);
    expect(list[0]).toBe('/w/14.yaml');
    list = addRecent(list, '/w/10.yaml');
    expect(list[0]).toBe('/w/10.yaml');
    expect(list.filter((p) => p === '/w/10.yaml')).toHaveLength(1);
    expect(addRecent(['/w/a.yaml'], '/w/./a.yaml')).toEqual(['/w/./a.yaml']);
  });

  it('persists atomically as JSON and reloads; concurrent adds all land, no temp files remain', async () => {
    const store = join(dir, 'sub', 'recent-files.json');
    const recent = new RecentFiles(store);
    expect(await recent.load()).toEqual([]);
    await Promise.all(Array.from({ length: 12 }, (_, i) => recent.add(`/w/${i}.yaml`)));
    const stored = JSON.parse(await readFile(store, 'utf8')) as { files: string[] };
    expect(stored.files).toEqual(recent.list());
    expect(stored.files).toHaveLength(10);
    expect(stored.files[0]).toBe('/w/11.yaml');
    expect(await readdir(join(dir, 'sub'))).toEqual(['recent-files.json']);
    expect(await new RecentFiles(store).load()).toEqual(stored.files);
  });

  it('a corrupt store is an empty list, not an error', async () => {
    const store = join(dir, 'recent-files.json');
    await writeFile(store, '{"files": [1, 2');
    expect(await new RecentFiles(store).load()).toEqual([]);
    await writeFile(store, '{"files": [42]}');
    expect(await new RecentFiles(store).load()).toEqual([]);
  });
});
