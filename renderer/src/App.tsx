// The application window: toolbar, file list, the designer (canvas + panels) and run controls.
// The document lives in a DocumentStore (YAML text is the source of truth); files and runs go
// through the HostApi, so the same UI runs in Electron and in a browser against `fanout serve`.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { FileEntry, HostApi, HostInfo } from '../../engine/host/types.ts';
import {
  buildPaletteItems,
  parseItemId,
  type CommandId,
  type PaletteTarget,
} from './commands/app-commands.ts';
import { isMacPlatform, matchAppShortcut } from './commands/app-shortcuts.ts';
import { CommandPalette } from './commands/CommandPalette.tsx';
import type { PaletteItem } from './commands/rank.ts';
import { ShortcutsDialog } from './commands/ShortcutsDialog.tsx';
import {
  addedNodes,
  addParallelBranches,
  DEFAULT_BRANCHES,
  moveNodes,
} from './designer/canvas/canvas-edits.ts';
import { layoutAll } from './designer/canvas/index.ts';
import { createDocumentStore } from './designer/document-store.ts';
import { createUiStore } from './designer/ui-store.ts';
import { Workspace } from './designer/Workspace.tsx';
import { PausedBar } from './run/PausedPanel.tsx';
import { RunBridgeContext } from './run/run-context.ts';
import { isActive } from './run/run-controller.ts';
import { RunControls } from './run/RunControls.tsx';
import { useHostRuns } from './run/use-host-runs.ts';
import { RunControllerContext, useRunController, useShownStatus } from './run/use-run-controller.ts';
import { useLuaCheck } from './designer/use-lua-check.ts';
import { useNotWorkflowMarks } from './file-marks.ts';
import { TEMPLATES } from './documents/bundled-templates.ts';
import { NewMenu } from './documents/NewMenu.tsx';
import {
  clearRecovery,
  createAutosaver,
  listRecoveries,
  readRecovery,
  shouldOfferRecovery,
  type RecoveryEntry,
  type RecoveryStorage,
} from './documents/recovery.ts';
import { RecoveryDialog } from './documents/RecoveryDialog.tsx';
import { BLANK_TEMPLATE, suggestedFileName, type DocumentTemplate } from './documents/templates.ts';
import type { HostChoice } from './host/index.ts';
import { onMenuCommand, reportDirty } from './host/electron.ts';
import './app.css';

export function App({ host: choice }: { host: HostChoice }) {
  if (!choice.ok) {
    return (
      <div className="app">
        <header className="app-header">
          <strong>Fanout Studio</strong>
          <span data-testid="host-kind">none</span>
        </header>
        <p role="alert" data-testid="host-missing" className="app-message">
          {choice.reason}
        </p>
      </div>
    );
  }
  return <Shell host={choice.host} />;
}

/** localStorage, or a throwaway map where it is unavailable (recovery is best effort). */
function recoveryStorage(): RecoveryStorage {
  try {
    if (window.localStorage) return window.localStorage;
  } catch {
    // storage disabled: fall through
  }
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable)
  );
}

function askBranchCount(): number | null {
  const answer = window.prompt('Number of parallel branches', String(DEFAULT_BRANCHES));
  if (answer === null) return null;
  const n = Number.parseInt(answer, 10);
  return Number.isFinite(n) ? n : null;
}

function Shell({ host }: { host: HostApi }) {
  const doc = useMemo(() => createDocumentStore(''), []);
  const ui = useMemo(
    () => createUiStore(window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
    [],
  );
  const runs = useHostRuns(host);
  const { controller, bridge } = useRunController({
    host,
    runs,
    doc,
    onLaunch: useCallback(() => ui.getState().showPanel('run'), [ui]),
  });
  const shownStatus = useShownStatus(controller, runs);
  // Lua syntax errors come from the host (real Lua compiler), a moment after typing stops.
  useLuaCheck(host, doc);
  const canvasRunId = useStore(controller.view, (s) => s.canvasRunId);
  const paused = useStore(runs, (s) => (canvasRunId ? s.runs[canvasRunId]?.paused : undefined));
  const model = useStore(doc, (s) => s.load.model);
  const launchError = useStore(controller.store, (s) => s.errors[s.fileKey]);
  const launchNote = useStore(controller.store, (s) => s.notes[s.fileKey]);
  const [info, setInfo] = useState<HostInfo | null>(null);
  const [files, setFiles] = useState<FileEntry[]>([]);
  const notWorkflows = useNotWorkflowMarks(doc);
  /** Folder the file list shows (undefined: the root). */
  const [dir, setDir] = useState<string | undefined>(undefined);
  const [opened, setOpened] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [offer, setOffer] = useState<RecoveryEntry | null>(null);
  const [palette, setPalette] = useState<{ items: PaletteItem[]; query: string } | null>(null);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const path = useStore(doc, (s) => s.path);
  const dirty = useStore(doc, (s) => s.text !== s.savedText);
  const canUndo = useStore(doc, (s) => s.past.length > 0);
  const canRedo = useStore(doc, (s) => s.future.length > 0);
  const theme = useStore(ui, (s) => s.theme);
  const mac = isMacPlatform(info?.platform);

  // Crash recovery: unsaved text goes to localStorage ~1 s after each change (documents/recovery.ts).
  // The browser host's relative paths are scoped by the served root; Electron's paths are absolute.
  const storage = useMemo(() => recoveryStorage(), []);
  const scope = useRef('');
  const autosaver = useMemo(() => createAutosaver({ storage, scope: () => scope.current }), [storage]);
  useEffect(() => doc.subscribe((next, previous) => autosaver.onChange(next, previous)), [doc, autosaver]);
  useEffect(() => {
    const flush = () => autosaver.flush();
    window.addEventListener('pagehide', flush);
    return () => window.removeEventListener('pagehide', flush);
  }, [autosaver]);

  useEffect(() => reportDirty(dirty), [dirty]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const fail = useCallback((e: { code: string; message: string }) => setError(`${e.code}: ${e.message}`), []);

  const listDir = useCallback(
    async (target?: string) => {
      const listed = await host.listFiles(target);
      if (!listed.ok) return fail(listed.error);
      setFiles(listed.value);
      setDir(target);
    },
    [host, fail],
  );

  /** True when there is nothing unsaved or the user agrees to lose it (its recovery copy goes too). */
  const confirmDiscard = useCallback(() => {
    if (!doc.getState().isDirty()) return true;
    if (!window.confirm('Discard unsaved changes?')) return false;
    autosaver.discard(doc.getState().path);
    return true;
  }, [doc, autosaver]);

  /** Shows a document; offers its recovery copy when one differs from `diskText`. */
  const showDocument = useCallback(
    (
      text: string,
      docPath: string | null,
      version?: { mtimeMs: number; hash: string },
      diskText: string | null = text,
    ) => {
      setError(null);
      doc.getState().open(text, docPath, version?.mtimeMs, version?.hash);
      ui.getState().clearSelection();
      setOpened(true);
      const entry = readRecovery(storage, docPath, scope.current);
      if (entry && shouldOfferRecovery(entry, diskText)) setOffer(entry);
      else {
        if (entry) clearRecovery(storage, docPath, scope.current);
        setOffer(null);
      }
    },
    [doc, ui, storage],
  );

  const openPath = useCallback(
    async (target?: string) => {
      if (!confirmDiscard()) return;
      const result = await host.openFile(target);
      if (!result.ok) return fail(result.error);
      if (!result.value) return;
      showDocument(result.value.text, result.value.path, result.value);
    },
    [host, fail, confirmDiscard, showDocument],
  );

  const newDocument = useCallback(
    (template: DocumentTemplate = BLANK_TEMPLATE) => {
      if (!confirmDiscard()) return;
      setError(null);
      doc.getState().open(template.text, null);
      ui.getState().clearSelection();
      setOpened(true);
      setOffer(null);
    },
    [doc, ui, confirmDiscard],
  );

  const save = useCallback(
    async (saveAs = false) => {
      const state = doc.getState();
      if (!opened) return;
      let target: string | undefined = saveAs ? undefined : (state.path ?? undefined);
      if (!target && host.kind === 'browser') {
        const suggestion = state.path ?? suggestedFileName(state.load.model?.name);
        const answer = window.prompt('Save as (path inside the served folder)', suggestion);
        if (!answer) return;
        target = answer;
      }
      const text = state.text;
      const sameFile = target !== undefined && target === state.path;
      // The content hash catches any change on disk since open/save (the mtime only where no hash).
      const expected = !sameFile
        ? {}
        : state.hash !== undefined
          ? { expectedHash: state.hash }
          : { expectedMtimeMs: state.mtimeMs };
      const result = await host.saveFile(target, text, expected);
      if (!result.ok) return fail(result.error);
      if (!result.value) return;
      setError(null);
      // markSaved makes the document clean: the autosaver removes its recovery copy (old and new path).
      doc.getState().markSaved(result.value.path, result.value.mtimeMs, text, result.value.hash);
      // Save as: the run input, breakpoints and runs follow the document to its new path.
      controller.moveFile(state.path, result.value.path);
      void listDir(dir);
    },
    [host, doc, opened, fail, listDir, dir, controller],
  );

  const exportPortable = useCallback(async () => {
    const result = await host.exportPortable(doc.getState().text);
    if (!result.ok) return fail(result.error);
    doc.getState().setText(result.value.text, { label: 'Export portable form' });
  }, [host, doc, fail]);

  const startRun = useCallback(() => {
    if (opened) void controller.run();
  }, [controller, opened]);

  const cancelRun = useCallback(() => void controller.cancel(), [controller]);

  /** The one selected node, or null (with a message saying so) for node-level run commands. */
  const selectedNode = useCallback(
    (what: string) => {
      const selected = ui.getState().selection.nodes;
      if (selected.length === 1 && selected[0]) return selected[0];
      setError(`Select one node to ${what}`);
      return null;
    },
    [ui],
  );

  /** Runs a text edit as one undo step; an edit error is shown instead of thrown. */
  const edit = useCallback(
    (fn: (text: string) => string, label: string) => {
      try {
        doc.getState().edit(fn, { label });
        return true;
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
        return false;
      }
    },
    [doc],
  );

  const autoLayout = useCallback(() => {
    const graph = doc.getState().graph;
    if (!graph) return;
    void layoutAll(graph).then((positions) => {
      if (doc.getState().graph === graph) edit((t) => moveNodes(t, positions), 'Auto-layout');
    });
  }, [doc, edit]);

  const addParallel = useCallback(() => {
    const selected = ui.getState().selection.nodes;
    const source = selected[0];
    if (selected.length !== 1 || !source)
      return setError('Select one node to add parallel branches after it');
    const count = askBranchCount();
    if (count === null) return;
    const before = doc.getState().text;
    if (edit((t) => addParallelBranches(t, source, count), 'Add parallel branches')) {
      ui.getState().select({ nodes: addedNodes(before, doc.getState().text), edges: [] });
    }
  }, [doc, ui, edit]);

  const openPalette = useCallback(
    (query = '') => {
      const state = doc.getState();
      const graph = state.graph ?? state.lastGoodGraph;
      const items = buildPaletteItems({
        opened,
        running: isActive(shownStatus),
        paused: shownStatus === 'paused',
        hasBreakpoints:
          (bridge.session.getState().breakpoints[controller.store.getState().fileKey] ?? []).length > 0,
        canUndo: state.past.length > 0,
        canRedo: state.future.length > 0,
        singleSelection: ui.getState().selection.nodes.length === 1,
        canOpenDialog: host.kind === 'electron',
        mac,
        templates: TEMPLATES,
        files,
        nodes:
          opened && graph ? graph.nodes.filter((n) => n.spec).map((n) => ({ name: n.id, kind: n.kind })) : [],
      });
      setPalette({ items, query });
    },
    [doc, ui, host, opened, shownStatus, mac, files, bridge, controller],
  );

  const runCommand = useCallback(
    (command: CommandId) => {
      const commands: Record<CommandId, () => void> = {
        save: () => void save(),
        'save-as': () => void save(true),
        open: () => void openPath(),
        export: () => void exportPortable(),
        run: startRun,
        cancel: cancelRun,
        rerun: () => void (opened && controller.rerun()),
        continue: () => {
          const id = controller.view.getState().canvasRunId;
          if (id) void controller.resume(id);
        },
        'toggle-breakpoint': () => {
          const node = selectedNode('toggle its breakpoint');
          if (node) controller.toggleBreakpoint(node);
        },
        'clear-breakpoints': () => controller.clearBreakpoints(),
        'run-from-selected': () => {
          const node = selectedNode('run from it');
          if (node) void controller.runFrom(node);
        },
        'run-selected-alone': () => {
          const node = selectedNode('run it alone');
          if (node) void controller.runNode(node);
        },
        'edit-input': () => controller.setInputOpen(true),
        undo: () => doc.getState().undo(),
        redo: () => doc.getState().redo(),
        'toggle-yaml': () => ui.getState().togglePanel('yaml'),
        'toggle-problems': () => ui.getState().togglePanel('problems'),
        'toggle-inspector': () => ui.getState().togglePanel('inspector'),
        'toggle-theme': () => ui.getState().setTheme(ui.getState().theme === 'dark' ? 'light' : 'dark'),
        'auto-layout': autoLayout,
        'add-parallel': addParallel,
        shortcuts: () => setShowShortcuts(true),
      };
      commands[command]();
    },
    [
      save,
      openPath,
      exportPortable,
      startRun,
      cancelRun,
      doc,
      ui,
      autoLayout,
      addParallel,
      controller,
      opened,
      selectedNode,
    ],
  );

  const runTarget = useCallback(
    (target: PaletteTarget) => {
      if (target.kind === 'command') return runCommand(target.command);
      if (target.kind === 'open') return void openPath(target.path);
      if (target.kind === 'new') {
        const template = TEMPLATES.find((t) => t.id === target.template);
        if (template) newDocument(template);
        return;
      }
      ui.getState().requestFocus({ node: target.name });
    },
    [runCommand, openPath, newDocument, ui],
  );

  // On start: offer back the newest recovery copy (after a crash or a closed tab).
  const startChecked = useRef(false);
  useEffect(() => {
    if (startChecked.current) return;
    startChecked.current = true;
    void (async () => {
      const result = await host.info();
      if (!result.ok) return fail(result.error);
      setInfo(result.value);
      scope.current = host.kind === 'browser' ? (result.value.root ?? '') : '';
      const entry = listRecoveries(storage, scope.current)[0];
      if (!entry || doc.getState().text !== '') return; // none, or the user already opened something
      if (entry.path === null) {
        return shouldOfferRecovery(entry, null)
          ? showDocument(entry.savedText, null, undefined, null)
          : clearRecovery(storage, null, scope.current);
      }
      const disk = await host.openFile(entry.path);
      if (doc.getState().text !== '') return;
      if (disk.ok && disk.value) showDocument(disk.value.text, disk.value.path, disk.value);
      else if (!disk.ok && disk.error.code === 'NOT_FOUND')
        showDocument(entry.savedText, entry.path, undefined, null);
    })();
  }, [host, storage, doc, fail, showDocument]);

  useEffect(() => void listDir(), [listDir]);

  // Window-wide shortcuts (commands/app-shortcuts.ts), in the capture phase so editors do not swallow
  // Ctrl+K / Ctrl+S / Ctrl+Enter; a bare "?" counts only outside text fields.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const command = matchAppShortcut(event, isTyping(event.target));
      if (!command) return;
      event.preventDefault();
      if (command === 'palette') {
        if (palette) setPalette(null);
        else openPalette();
      } else if (command === 'open') {
        if (host.kind === 'electron') void openPath();
        else openPalette('open ');
      } else if (command === 'shortcuts') {
        setShowShortcuts(true);
      } else {
        runCommand(command);
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [openPath, openPalette, runCommand, palette, host]);

  useEffect(
    () =>
      onMenuCommand((message) => {
        const c = message.command;
        if (c === 'file:new') newDocument();
        if (c === 'file:open') void openPath();
        if (c === 'file:open-path' && message.path) void openPath(message.path);
        if (c === 'file:save') {
          void save().then(() => {
            if (message.closeAfter && !doc.getState().isDirty()) window.close();
          });
        }
        if (c === 'file:save-as') void save(true);
        if (c === 'file:export') void exportPortable();
        if (c === 'file:close') setOpened(false);
        if (c === 'edit:undo') doc.getState().undo();
        if (c === 'edit:redo') doc.getState().redo();
        if (c === 'run:run') startRun();
        if (c === 'run:cancel') cancelRun();
        if (c === 'view:toggle-panels') ui.getState().togglePanel('yaml');
      }),
    [openPath, newDocument, save, exportPortable, startRun, cancelRun, doc, ui],
  );

  const title = path ? (path.split('/').at(-1) ?? path) : opened ? 'untitled' : '';
  const parentDir =
    dir === undefined ? undefined : dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
  return (
    <div className="app">
      <header className="app-header">
        <strong>Fanout Studio</strong>
        <span className="app-host" data-testid="host-kind">
          {host.kind}
        </span>
        {info && (
          <small className="app-info">
            v{info.appVersion} · {info.workers} workers
          </small>
        )}
        <span className="app-title" data-testid="doc-title">
          {title}
          {dirty && (
            <span title="Unsaved changes" data-testid="dirty-marker">
              {' '}
              •
            </span>
          )}
        </span>
        <span className="app-toolbar">
          <NewMenu templates={TEMPLATES} onChoose={newDocument} />
          <button
            type="button"
            data-testid="save-button"
            disabled={!opened}
            onClick={() => void save()}
            title="Save (Ctrl+S)"
          >
            Save
          </button>
          <button
            type="button"
            data-testid="save-as-button"
            disabled={!opened}
            onClick={() => void save(true)}
            title="Save as (Ctrl+Shift+S)"
          >
            Save as
          </button>
          <button
            type="button"
            disabled={!opened}
            onClick={() => void exportPortable()}
            title="Rewrite into the portable TEA form"
          >
            Portable
          </button>
          <button
            type="button"
            disabled={!canUndo}
            onClick={() => doc.getState().undo()}
            title="Undo (Ctrl+Z)"
          >
            Undo
          </button>
          <button
            type="button"
            disabled={!canRedo}
            onClick={() => doc.getState().redo()}
            title="Redo (Ctrl+Shift+Z)"
          >
            Redo
          </button>
          <RunControls
            controller={controller}
            session={bridge.session}
            runs={runs}
            model={model}
            opened={opened}
          />
          <button
            type="button"
            data-testid="palette-button"
            onClick={() => openPalette()}
            title="Command palette (Ctrl+K)"
            aria-label="Command palette"
          >
            ⌘K
          </button>
          <button
            type="button"
            onClick={() => ui.getState().setTheme(theme === 'dark' ? 'light' : 'dark')}
            title="Toggle light/dark theme"
          >
            {theme === 'dark' ? 'Light' : 'Dark'}
          </button>
        </span>
      </header>
      {error && (
        <p role="alert" className="app-error">
          {error}
          <button
            type="button"
            className="app-error-dismiss"
            aria-label="Dismiss"
            onClick={() => setError(null)}
          >
            ×
          </button>
        </p>
      )}
      {opened && (launchError || launchNote) && (
        <p
          role={launchError ? 'alert' : 'status'}
          className={launchError ? 'app-error' : 'app-note'}
          data-testid="run-notice"
        >
          {launchError ? `The run did not start: ${launchError}` : launchNote}
          <button
            type="button"
            className="app-error-dismiss"
            aria-label="Dismiss"
            onClick={() => controller.dismissNotice()}
          >
            ×
          </button>
        </p>
      )}
      <div className="app-main">
        <nav className="app-files" aria-label="Files">
          <ul data-testid="file-list">
            {parentDir !== undefined && (
              <li>
                <button
                  type="button"
                  title="Parent folder"
                  onClick={() => void listDir(parentDir === '' ? undefined : parentDir)}
                >
                  ../
                </button>
              </li>
            )}
            {files.map((entry) => (
              <li key={entry.path}>
                <button
                  type="button"
                  title={notWorkflows.has(entry.path) ? `${entry.path} (not a workflow)` : entry.path}
                  className={entry.path === path ? 'active' : undefined}
                  onClick={() => void (entry.kind === 'dir' ? listDir(entry.path) : openPath(entry.path))}
                >
                  {entry.kind === 'dir' ? `${entry.name}/` : entry.name}
                  {notWorkflows.has(entry.path) && (
                    <span className="app-file-mark" data-testid="file-not-workflow">
                      not a workflow
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        {opened ? (
          <div className="app-workspace">
            {paused && canvasRunId && (
              <PausedBar
                runId={canvasRunId}
                paused={paused}
                controller={controller}
                onShowState={() => {
                  ui.getState().showPanel('run');
                  runs.getState().select(canvasRunId);
                }}
                onJumpTo={(node) => ui.getState().requestFocus({ node })}
              />
            )}
            <RunControllerContext.Provider value={controller}>
              <RunBridgeContext.Provider value={bridge}>
                <Workspace doc={doc} ui={ui} runs={runs} />
              </RunBridgeContext.Provider>
            </RunControllerContext.Provider>
          </div>
        ) : (
          <p className="app-message">
            Open a workflow from the list{host.kind === 'electron' ? ' or with File › Open' : ''}, start a new
            one from <strong>New</strong>, or press {mac ? '⌘K' : 'Ctrl+K'} for every command.
          </p>
        )}
      </div>
      {offer && (
        <RecoveryDialog
          entry={offer}
          onRestore={() => {
            setOffer(null);
            doc.getState().setText(offer.text, { label: 'Restore unsaved changes' });
          }}
          onDiscard={() => {
            setOffer(null);
            autosaver.discard(offer.path);
          }}
        />
      )}
      {palette && (
        <CommandPalette
          items={palette.items}
          initialQuery={palette.query}
          onClose={() => setPalette(null)}
          onRun={(item) => {
            const target = parseItemId(item.id);
            if (target) runTarget(target);
          }}
        />
      )}
      {showShortcuts && <ShortcutsDialog mac={mac} onClose={() => setShowShortcuts(false)} />}
    </div>
  );
}
