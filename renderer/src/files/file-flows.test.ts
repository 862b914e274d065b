// The file flows against the real host service on a temp folder (the browser host's operations, minus
// HTTP): Save as never replaces without the user's yes, Save of a new document asks for a name,
// conflicts on save and on focus offer Reload / Overwrite, Export writes another file.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, realpath, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostService, memoryRecentList, settle } from '../../../engine/host/service.ts';
import { rootScope } from '../../../engine/host/scope.ts';
import type { HostApi } from '../../../engine/host/types.ts';
import { createDocumentStore } from '../designer/document-store.ts';
import { createFileFlows, type FileFlows } from './file-flows.ts';

const FLOW = `name: flows
nodes:
  - name: a
    language: lua
    run: |
      return {}
edges:
  - {from: __start__, to: a}
  - {from: a, to: __end__}
`;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The HostApi's file operations over the one host service (what `fanout serve` runs behind HTTP). */
function hostOver(service: HostService): HostApi {
  const unused = () => Promise.reject(new Error('not used by the file flows'));
  const defined = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return {
    kind: 'browser',
    info: () => settle(async () => service.info()),
    listFiles: (dir) => settle(() => service.listFiles(service.parse('files/list', defined({ dir })))),
    openFile: (path) => settle(() => service.openFile(service.parse('files/open', defined({ path })))),
    saveFile: (path, text, options) =>
      settle(() => service.saveFile(service.parse('files/save', defined({ path, text, ...options })))),
    statFile: (path) => settle(() => service.statFile(service.parse('files/stat', { path }))),
    createFolder: (path) => settle(() => service.createFolder(service.parse('files/mkdir', { path }))),
    renameEntry: (path, name) =>
      settle(() => service.renameEntry(service.parse('files/rename', { path, name }))),
    deleteEntry: (path) => settle(() => service.deleteEntry(service.parse('files/delete', { path }))),
    validate: unused,
    exportPortable: (text) => settle(() => service.exportPortable(service.parse('export', { text }))),
    run: unused,
    cancel: unused,
    resume: unused,
    onRunEvents: () => () => undefined,
    recentFiles: unused,
    providerKeys: unused,
    setProviderKey: unused,
    testProvider: unused,
  };
}

let root: string;
let host: HostApi;
let flows: FileFlows;
let doc: ReturnType<typeof createDocumentStore>;
let failures: string[];
let moves: [string | null, string][];

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'fanout-flows-')));
  host = hostOver(
    new HostService({
      host: 'browser',
      // The file flows never run anything.
      engine: {} as never,
      info: { appVersion: '0', platform: 'linux', workers: 0 },
      scope: rootScope(root),
      recent: memoryRecentList(),
      scratchDir: root,
    }),
  );
  doc = createDocumentStore('');
  failures = [];
  moves = [];
  flows = createFileFlows({
    host,
    doc,
    openPath: async (path) => {
      const opened = await host.openFile(path);
      if (opened.ok && opened.value) {
        doc.getState().open(opened.value.text, opened.value.path, opened.value.mtimeMs, opened.value.hash);
      }
    },
    moved: (from, to) => moves.push([from, to]),
    filesChanged: () => undefined,
    fail: (message) => failures.push(message),
    suggestedName: () => 'flows.yaml',
  });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const disk = (name: string) => readFile(join(root, name), 'utf8');
const dialog = () => flows.store.getState().dialog;
const conflict = () => flows.store.getState().conflict;

describe('file flows (browser host)', () => {
  it('Save of a never-saved document asks for a name; onto an existing file it asks before replacing', async () => {
    await writeFile(join(root, 'flows.yaml'), 'name: old\n');
    doc.getState().open(FLOW, null);
    const saving = flows.save();
    expect(dialog()).toMatchObject({ mode: 'save', initialName: 'flows.yaml', startDir: '' });

    // The host refuses to replace: the dialog shows "flows.yaml exists — replace it?"; Cancel keeps it.
    expect(await dialog()!.submit('flows.yaml', false)).toMatchObject({ code: 'EXISTS' });
    expect(await disk('flows.yaml')).toBe('name: old\n');
    expect(doc.getState().path).toBeNull();

    // Replace replaces, and the document now lives there, clean.
    expect(await dialog()!.submit('flows.yaml', true)).toBeNull();
    expect(await saving).toBe(true);
    expect(await disk('flows.yaml')).toBe(FLOW);
    expect(doc.getState()).toMatchObject({ path: 'flows.yaml', hash: sha256(FLOW) });
    expect(doc.getState().isDirty()).toBe(false);
    expect(dialog()).toBeNull();
    expect(moves).toEqual([[null, 'flows.yaml']]);
  });

  it('a Save as dialog closed without saving resolves false and writes nothing', async () => {
    doc.getState().open(FLOW, null);
    const saving = flows.saveAs();
    flows.closeDialog();
    expect(await saving).toBe(false);
    expect(doc.getState().path).toBeNull();
  });

  it('a save that finds another version on disk offers Overwrite, which expects exactly that version', async () => {
    await writeFile(join(root, 'a.yaml'), FLOW);
    await flows.open('a.yaml');
    doc.getState().setText(FLOW.replace('flows', 'mine'), { label: 'edit' });
    const theirs = FLOW.replace('flows', 'theirs');
    await writeFile(join(root, 'a.yaml'), theirs);

    expect(await flows.save()).toBe(false);
    expect(conflict()).toEqual({
      path: 'a.yaml',
      kind: 'changed',
      foundBy: 'save',
      diskHash: sha256(theirs),
    });
    expect(await disk('a.yaml')).toBe(theirs);

    await flows.overwrite();
    expect(conflict()).toBeNull();
    expect(await disk('a.yaml')).toBe(FLOW.replace('flows', 'mine'));
    expect(doc.getState().isDirty()).toBe(false);
    expect(failures).toEqual([]);
  });

  it('Overwrite after a fourth version appeared is again a conflict, not a silent replace', async () => {
    await writeFile(join(root, 'a.yaml'), FLOW);
    await flows.open('a.yaml');
    doc.getState().setText(`${FLOW}# mine\n`, { label: 'edit' });
    await writeFile(join(root, 'a.yaml'), `${FLOW}# second\n`);
    await flows.save();
    await writeFile(join(root, 'a.yaml'), `${FLOW}# third\n`);
    await flows.overwrite();
    expect(await disk('a.yaml')).toBe(`${FLOW}# third\n`);
    expect(conflict()).toMatchObject({ kind: 'changed', diskHash: sha256(`${FLOW}# third\n`) });
  });

  it('on focus: a clean document reloads; one with edits asks; Reload is one undoable step', async () => {
    await writeFile(join(root, 'a.yaml'), FLOW);
    await flows.open('a.yaml');
    await writeFile(join(root, 'a.yaml'), `${FLOW}# outside 1\n`);
    await flows.checkDisk();
    expect(doc.getState().text).toBe(`${FLOW}# outside 1\n`);
    expect(flows.store.getState().notice).toMatch(/Reloaded a\.yaml/);

    doc.getState().setText(`${FLOW}# mine\n`, { label: 'edit' });
    await writeFile(join(root, 'a.yaml'), `${FLOW}# outside 2\n`);
    await flows.checkDisk();
    expect(conflict()).toMatchObject({ kind: 'changed', foundBy: 'focus' });

    await flows.compare();
    expect(conflict()?.diskText).toBe(`${FLOW}# outside 2\n`);

    await flows.reload();
    expect(doc.getState().text).toBe(`${FLOW}# outside 2\n`);
    expect(doc.getState().isDirty()).toBe(false);
    doc.getState().undo();
    expect(doc.getState().text).toBe(`${FLOW}# mine\n`);
  });

  it('Keep editing: the focus check does not ask again about the same disk version; a deleted file is named', async () => {
    await writeFile(join(root, 'a.yaml'), FLOW);
    await flows.open('a.yaml');
    doc.getState().setText(`${FLOW}# mine\n`, { label: 'edit' });
    await writeFile(join(root, 'a.yaml'), `${FLOW}# outside\n`);
    await flows.checkDisk();
    flows.dismissConflict();
    await flows.checkDisk();
    expect(conflict()).toBeNull();

    await unlink(join(root, 'a.yaml'));
    await flows.checkDisk();
    expect(conflict()).toMatchObject({ kind: 'deleted', path: 'a.yaml' });
    await flows.overwrite();
    expect(await disk('a.yaml')).toBe(`${FLOW}# mine\n`);
  });

  it('a pushed check (quiet) never opens a dialog: a clean document reloads, a deleted file is a notice, edits wait', async () => {
    await writeFile(join(root, 'a.yaml'), FLOW);
    await flows.open('a.yaml');
    await writeFile(join(root, 'a.yaml'), `${FLOW}# outside 1\n`);
    await flows.checkDisk({ quiet: true });
    expect(doc.getState().text).toBe(`${FLOW}# outside 1\n`);
    expect(flows.store.getState().notice).toMatch(/Reloaded a\.yaml/);

    doc.getState().setText(`${FLOW}# mine\n`, { label: 'edit' });
    await writeFile(join(root, 'a.yaml'), `${FLOW}# outside 2\n`);
    await flows.checkDisk({ quiet: true });
    expect(conflict()).toBeNull();
    expect(doc.getState().text).toBe(`${FLOW}# mine\n`); // never replaced under the user's hands
    await flows.checkDisk(); // focus asks
    expect(conflict()).toMatchObject({ kind: 'changed', foundBy: 'focus' });
    flows.dismissConflict();

    await unlink(join(root, 'a.yaml'));
    flows.dismissNotice();
    await flows.checkDisk({ quiet: true });
    expect(conflict()).toBeNull();
    expect(flows.store.getState().notice).toBe(
      'a.yaml is no longer on disk (deleted, renamed or moved): Save writes it back',
    );
    flows.dismissNotice();
    await flows.checkDisk({ quiet: true }); // told once
    expect(flows.store.getState().notice).toBeNull();
    await flows.checkDisk();
    expect(conflict()).toMatchObject({ kind: 'deleted', path: 'a.yaml' });
  });

  it("a disk check while the app's own save is in flight raises no conflict (the new hash is on disk first)", async () => {
    await writeFile(join(root, 'a.yaml'), FLOW);
    await flows.open('a.yaml');
    doc.getState().setText(`${FLOW}# mine\n`, { label: 'edit' });
    // The save is written, but its answer is held back: what a folder-change push can overtake.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const realSave = host.saveFile;
    host.saveFile = async (...args) => {
      const result = await realSave(...args);
      await held;
      return result;
    };
    const saving = flows.save();
    await new Promise((r) => setTimeout(r, 50));
    expect(await disk('a.yaml')).toBe(`${FLOW}# mine\n`);
    await flows.checkDisk();
    expect(conflict()).toBeNull();
    release();
    expect(await saving).toBe(true);
    await flows.checkDisk();
    expect(conflict()).toBeNull();
    expect(doc.getState().isDirty()).toBe(false);
  });

  it('Export writes the portable form to another file and leaves the document as it is', async () => {
    await writeFile(join(root, 'a.yaml'), FLOW);
    await flows.open('a.yaml');
    await flows.exportPortable();
    expect(dialog()).toMatchObject({ mode: 'export', initialName: 'a.portable.yaml' });
    expect(await dialog()!.submit('a.portable.yaml', false)).toBeNull();
    const portable = await host.exportPortable(FLOW);
    expect(portable.ok).toBe(true);
    if (portable.ok) expect(await disk('a.portable.yaml')).toBe(portable.value.text);
    expect(await disk('a.yaml')).toBe(FLOW);
    expect(doc.getState()).toMatchObject({ path: 'a.yaml', text: FLOW });
    expect(flows.store.getState().notice).toMatch(/Exported .* a\.portable\.yaml/);
  });

  it('asks before discarding unsaved edits, in the app', async () => {
    doc.getState().open(FLOW, 'a.yaml');
    expect(await flows.confirmDiscard()).toBe(true);
    doc.getState().setText(`${FLOW}# edit\n`, { label: 'edit' });
    const asked = flows.confirmDiscard();
    expect(flows.store.getState().question?.title).toBe('Discard unsaved changes to a.yaml?');
    flows.store.getState().question!.answer(false);
    expect(await asked).toBe(false);
  });
});
