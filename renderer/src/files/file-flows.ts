// The file flows of the app: Open, Save, Save as, Export, Copy portable YAML and "changed on disk".
// Electron keeps its native dialogs (the host shows them; the OS asks before replacing). The browser
// host gets the in-app dialog (FileDialog.tsx), asked for through this store: a save never replaces
// a file silently (overwrite: false first; EXISTS -> "Replace / Cancel" in the dialog).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HostApi, HostError, OpenedFile, SavedFile } from '../../../engine/host/types.ts';
import type { Problem } from '../../../engine/workflow/types.ts';
import type { DocumentStore } from '../designer/document-store.ts';
import { baseName, folderOf, portableName } from './paths.ts';

export type DialogMode = 'open' | 'save' | 'export';

/** What the in-app file dialog is asked to do (browser host). */
export interface DialogRequest {
  mode: DialogMode;
  title: string;
  confirmLabel: string;
  startDir: string;
  initialName: string;
  /**
   * Save / export: writes to `path`; `replace` once the user confirmed replacing an existing file.
   * Resolves null when done (the dialog closes) or with the error to show (EXISTS asks to replace).
   */
  submit(path: string, replace: boolean): Promise<HostError | null>;
  /** Export: the portable text (Download and Copy use it) and what the export reported. */
  portable?: { text: string; problems: Problem[] };
}

/** The file on disk is not the version the document was opened from. */
export interface Conflict {
  path: string;
  /** changed: another version is on disk; deleted: nothing is. */
  kind: 'changed' | 'deleted';
  /** Found by a save (CONFLICT) or by the check on window focus. */
  foundBy: 'save' | 'focus';
  /** The disk version's hash (Overwrite expects exactly it, so a third change is still caught). */
  diskHash?: string;
  /** Compare: the disk text, once loaded. */
  diskText?: string;
}

/** An in-app yes/no question (no window.confirm): "Discard unsaved changes?". */
export interface Question {
  title: string;
  detail: string;
  confirmLabel: string;
  answer(yes: boolean): void;
}

export interface FileFlowsState {
  dialog: DialogRequest | null;
  question: Question | null;
  conflict: Conflict | null;
  /** A short confirmation ("Exported to x.yaml"), cleared by the layer after a while. */
  notice: string | null;
}

export interface FileFlowDeps {
  host: HostApi;
  doc: DocumentStore;
  /** App's open: asks about unsaved changes, shows the file (null path: Electron's native dialog). */
  openPath(path?: string): Promise<void> | void;
  /** A save moved the document to another path (Save as): runs, input and breakpoints follow. */
  moved(from: string | null, to: string): void;
  /** Files were written, created, renamed or deleted: refresh the file list. */
  filesChanged(): void;
  fail(message: string): void;
  /** Name for a never-saved document (from its workflow name). */
  suggestedName(): string;
  /** Writes text to the clipboard (navigator.clipboard; tests pass their own). */
  copyText?(text: string): Promise<void>;
}

export type FileFlows = ReturnType<typeof createFileFlows>;

const describe = (error: HostError) => `${error.code}: ${error.message}`;

export function createFileFlows(deps: FileFlowDeps) {
  const { host, doc } = deps;
  const store: StoreApi<FileFlowsState> = createStore<FileFlowsState>(() => ({
    dialog: null,
    question: null,
    conflict: null,
    notice: null,
  }));
  /** Disk versions the user chose to ignore for now (the focus check does not ask again for them). */
  const dismissed = new Set<string>();
  /** Deleted files already told by a notice (a push tells once; focus still asks). */
  const told = new Set<string>();
  /** Folder the dialog opened last (for a never-saved document). */
  let lastDir = '';
  /**
   * Saves of the app in flight, and how many ever started: the disk check skips while one is out,
   * since the new hash is on disk (and pushed by the folder watch) before the save's answer arrives.
   */
  let writing = 0;
  let writesStarted = 0;
  const write = async <T>(work: () => Promise<T>): Promise<T> => {
    writing++;
    writesStarted++;
    try {
      return await work();
    } finally {
      writing--;
    }
  };

  const startDir = () => {
    const path = doc.getState().path;
    return path === null ? lastDir : folderOf(path);
  };
  /** A dialog or a conflict is up: file commands (Ctrl+S in the dialog) wait for it. */
  const busy = () => store.getState().dialog !== null || store.getState().conflict !== null;
  const notify = (notice: string) => store.setState({ notice });
  const closeDialog = () => store.setState({ dialog: null });

  /** After any successful save of the document: clean, at its (maybe new) path. */
  function saved(from: string | null, value: SavedFile, text: string): void {
    doc.getState().markSaved(value.path, value.mtimeMs, text, value.hash);
    if (from !== value.path) deps.moved(from, value.path);
    lastDir = folderOf(value.path);
    deps.filesChanged();
  }

  /** A CONFLICT from a save: find out what is on disk now, then ask. */
  async function conflictFromSave(path: string): Promise<void> {
    const disk = await host.statFile(path);
    if (disk.ok)
      store.setState({ conflict: { path, kind: 'changed', foundBy: 'save', diskHash: disk.value.hash } });
    else if (disk.error.code === 'NOT_FOUND')
      store.setState({ conflict: { path, kind: 'deleted', foundBy: 'save' } });
    else deps.fail(describe(disk.error));
  }

  const flows = {
    store,

    /** Open: Electron's native dialog, or the in-app one; with a path, that file. */
    async open(path?: string): Promise<void> {
      if (path !== undefined || host.kind === 'electron') return void (await deps.openPath(path));
      if (busy()) return;
      store.setState({
        dialog: {
          mode: 'open',
          title: 'Open workflow',
          confirmLabel: 'Open',
          startDir: startDir(),
          initialName: '',
          submit: async (chosen) => {
            closeDialog();
            lastDir = folderOf(chosen);
            await deps.openPath(chosen);
            return null;
          },
        },
      });
    },

    /** Save: to the document's file, expecting the version it was opened as; a new document asks. */
    async save(): Promise<boolean> {
      if (busy()) return false;
      const state = doc.getState();
      if (state.path === null) return flows.saveAs();
      const path = state.path;
      const text = state.text;
      const expected =
        state.hash !== undefined ? { expectedHash: state.hash } : { expectedMtimeMs: state.mtimeMs };
      const result = await write(() => host.saveFile(path, text, expected));
      if (!result.ok) {
        if (result.error.code === 'CONFLICT') await conflictFromSave(path);
        else deps.fail(describe(result.error));
        return false;
      }
      if (result.value) saved(path, result.value, text);
      return result.value !== null;
    },

    /** Save as: a native dialog (Electron), else the in-app one; resolves true once saved. */
    async saveAs(): Promise<boolean> {
      const from = doc.getState().path;
      if (busy()) return false;
      if (host.kind === 'electron') {
        const text = doc.getState().text;
        const result = await write(() => host.saveFile(undefined, text));
        if (!result.ok) return (deps.fail(describe(result.error)), false);
        if (result.value) saved(from, result.value, text);
        return result.value !== null;
      }
      return new Promise<boolean>((resolve) => {
        store.setState({
          dialog: {
            mode: 'save',
            title: 'Save as',
            confirmLabel: 'Save',
            startDir: startDir(),
            initialName: from === null ? deps.suggestedName() : baseName(from),
            submit: async (path, replace) => {
              const text = doc.getState().text;
              const result = await write(() => host.saveFile(path, text, { overwrite: replace }));
              if (!result.ok) return result.error;
              if (result.value) saved(doc.getState().path, result.value, text);
              resolve(true); // before the dialog closes (closing alone resolves false)
              closeDialog();
              return null;
            },
          },
        });
        // A dialog closed without saving resolves false.
        const stop = store.subscribe((s) => {
          if (s.dialog?.mode === 'save') return;
          stop();
          resolve(false);
        });
      });
    },

    /** Export…: the portable form into another file (the document itself is left as it is). */
    async exportPortable(): Promise<void> {
      if (busy()) return;
      const state = doc.getState();
      const result = await host.exportPortable(state.text);
      if (!result.ok) return deps.fail(describe(result.error));
      const portable = result.value;
      if (portable.problems.some((p) => p.severity === 'error')) {
        const first = portable.problems.find((p) => p.severity === 'error');
        return deps.fail(`Export stopped: ${first?.message ?? 'the workflow has errors'}`);
      }
      const name = portableName(state.path === null ? deps.suggestedName() : baseName(state.path));
      if (host.kind === 'electron') {
        const written = await host.saveFile(undefined, portable.text);
        if (!written.ok) return deps.fail(describe(written.error));
        if (written.value) {
          notify(`Exported the portable form to ${written.value.path}`);
          deps.filesChanged();
        }
        return;
      }
      store.setState({
        dialog: {
          mode: 'export',
          title: 'Export portable YAML',
          confirmLabel: 'Export',
          startDir: startDir(),
          initialName: name,
          portable,
          submit: async (path, replace) => {
            const written = await host.saveFile(path, portable.text, { overwrite: replace });
            if (!written.ok) return written.error;
            closeDialog();
            if (written.value) notify(`Exported the portable form to ${written.value.path}`);
            deps.filesChanged();
            return null;
          },
        },
      });
    },

    /** Copies the portable form of the document to the clipboard. */
    async copyPortable(text?: string): Promise<void> {
      let portable = text;
      if (portable === undefined) {
        const result = await host.exportPortable(doc.getState().text);
        if (!result.ok) return deps.fail(describe(result.error));
        portable = result.value.text;
      }
      try {
        await (deps.copyText ?? ((t: string) => navigator.clipboard.writeText(t)))(portable);
        notify('Copied the portable YAML to the clipboard');
      } catch (error) {
        deps.fail(
          `Could not copy to the clipboard: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },

    /**
     * True when the document has no unsaved edits, or the user agrees to lose them (asked in the app,
     * never with window.confirm).
     */
    confirmDiscard(): Promise<boolean> {
      const state = doc.getState();
      if (!state.isDirty()) return Promise.resolve(true);
      const name = state.path === null ? 'the untitled document' : baseName(state.path);
      return new Promise((resolve) =>
        store.setState({
          question: {
            title: `Discard unsaved changes to ${name}?`,
            detail: 'Your edits since the last save will be lost.',
            confirmLabel: 'Discard changes',
            answer: (yes) => {
              store.setState({ question: null });
              resolve(yes);
            },
          },
        }),
      );
    },

    closeDialog,
    dismissNotice: () => store.setState({ notice: null }),

    /**
     * The cheap "changed on disk?" check (window focus, a folder change pushed by the host): the
     * file's hash against the one the document was opened or saved as. A clean document simply
     * reloads; one with edits asks. `quiet` (a push, maybe mid-typing): never a dialog — a clean
     * document still reloads, a deleted file gets a notice, edits wait for the save's own check or
     * the next focus.
     */
    async checkDisk({ quiet = false }: { quiet?: boolean } = {}): Promise<void> {
      const before = doc.getState();
      if (before.path === null || before.hash === undefined || store.getState().conflict) return;
      if (writing > 0) return;
      const started = writesStarted;
      const stat = await host.statFile(before.path);
      const now = doc.getState();
      // Another document, or a save, happened meanwhile: this answer is about something else.
      if (now.path !== before.path || now.openId !== before.openId || now.hash !== before.hash) return;
      if (writing > 0 || writesStarted !== started) return;
      if (!stat.ok) {
        if (stat.error.code !== 'NOT_FOUND' || dismissed.has(`${now.path}\0deleted`)) return;
        if (quiet) {
          if (told.has(`${now.path}\0deleted`)) return;
          told.add(`${now.path}\0deleted`);
          return notify(
            `${baseName(now.path)} is no longer on disk (deleted, renamed or moved): Save writes it back`,
          );
        }
        // A notice about this file (a push's "no longer on disk") is superseded by the question.
        store.setState({ conflict: { path: now.path, kind: 'deleted', foundBy: 'focus' }, notice: null });
        return;
      }
      told.delete(`${now.path}\0deleted`);
      const diskHash = stat.value.hash;
      if (diskHash === now.hash || dismissed.has(`${now.path}\0${diskHash}`)) return;
      if (!now.isDirty()) {
        await flows.reload(now.path);
        notify(`Reloaded ${baseName(now.path)}: it changed on disk`);
        return;
      }
      if (quiet) return;
      store.setState({
        conflict: { path: now.path, kind: 'changed', foundBy: 'focus', diskHash },
        notice: null,
      });
    },

    /** Compare: loads the disk text into the conflict (the dialog then shows both side by side). */
    async compare(): Promise<void> {
      const conflict = store.getState().conflict;
      if (!conflict || conflict.kind !== 'changed') return;
      const disk = await host.openFile(conflict.path);
      if (!disk.ok || !disk.value) return deps.fail(disk.ok ? 'The file did not open' : describe(disk.error));
      store.setState({ conflict: { ...conflict, diskText: disk.value.text, diskHash: disk.value.hash } });
    },

    /**
     * Reload (lose my edits): the disk version replaces the text as one undoable step, and becomes the
     * version the next save expects.
     */
    async reload(path = store.getState().conflict?.path): Promise<void> {
      if (path === undefined) return;
      const disk = await host.openFile(path);
      if (!disk.ok || !disk.value) return deps.fail(disk.ok ? 'The file did not open' : describe(disk.error));
      const file: OpenedFile = disk.value;
      if (doc.getState().path !== path) return;
      doc.getState().setText(file.text, { label: 'Reload from disk' });
      doc.getState().markSaved(file.path, file.mtimeMs, file.text, file.hash);
      store.setState({ conflict: null });
    },

    /**
     * Overwrite: the document's text (or `text`, a version merged in Compare) replaces the disk
     * version the user saw; a fourth version appearing meanwhile is again a conflict.
     */
    async overwrite(text?: string): Promise<void> {
      const conflict = store.getState().conflict;
      if (!conflict) return;
      if (text !== undefined && text !== doc.getState().text) {
        doc.getState().setText(text, { label: 'Merge with the file on disk' });
      }
      const current = doc.getState().text;
      const result = await write(() =>
        host.saveFile(
          conflict.path,
          current,
          conflict.kind === 'changed' && conflict.diskHash ? { expectedHash: conflict.diskHash } : {},
        ),
      );
      if (!result.ok) {
        store.setState({ conflict: null });
        if (result.error.code === 'CONFLICT') return conflictFromSave(conflict.path);
        return deps.fail(describe(result.error));
      }
      store.setState({ conflict: null });
      if (result.value) saved(conflict.path, result.value, current);
    },

    /** Not now: keep editing; the focus check does not ask again about this disk version. */
    dismissConflict(): void {
      const conflict = store.getState().conflict;
      if (conflict)
        dismissed.add(`${conflict.path}\0${conflict.kind === 'deleted' ? 'deleted' : conflict.diskHash}`);
      store.setState({ conflict: null });
    },

    /** The dialog renamed or deleted an entry: the open document follows its file. */
    entryRenamed(from: string, to: string): void {
      const path = doc.getState().path;
      if (path === null) return;
      const moved =
        path === from ? to : path.startsWith(`${from}/`) ? `${to}${path.slice(from.length)}` : null;
      if (moved === null) return;
      const state = doc.getState();
      doc.getState().markSaved(moved, state.mtimeMs ?? 0, state.savedText, state.hash);
      deps.moved(path, moved);
    },
  };
  return flows;
}
