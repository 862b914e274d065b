// The application window: toolbar, file list, the designer (canvas + panels) and run controls.
// The document lives in a DocumentStore (YAML text is the source of truth); files and runs go
// through the HostApi, so the same UI runs in Electron and in a browser against `fanout serve`.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { FileEntry, HostApi, HostInfo } from '../../engine/host/types.ts';
import type { ActionId } from '../../electron/shared/actions.ts';
import { ActionsContext } from './actions/actions-context.ts';
import { isMacPlatform } from './actions/keys.ts';
import { actionTooltip } from './actions/tooltip.ts';
import { useActionKeys } from './actions/use-action-keys.ts';
import { useActionsApi } from './actions/use-actions-api.ts';
import { AboutDialog } from './commands/AboutDialog.tsx';
import { buildPaletteItems, parseItemId, type PaletteTarget } from './commands/app-commands.ts';
import { CommandPalette } from './commands/CommandPalette.tsx';
import type { PaletteItem } from './commands/rank.ts';
import { ShortcutsDialog } from './commands/ShortcutsDialog.tsx';
import { createDocumentStore } from './designer/document-store.ts';
import { createUiStore } from './designer/ui-store.ts';
import { Workspace } from './designer/Workspace.tsx';
import { PausedBar } from './run/PausedPanel.tsx';
import { RunBridgeContext } from './run/run-context.ts';
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
import { createFileFlows } from './files/file-flows.ts';
import { FileFlowsLayer } from './files/FileFlowsLayer.tsx';
import { followDisk, listFresh, listingOrder, sameListing } from './files/follow-disk.ts';
import { StartPage } from './documents/StartPage.tsx';
import { ProvidersDialog } from './settings/ProvidersDialog.tsx';
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
  // The open document: what its loader says now; other files: the host's look at them, or this session's.
  const isNotWorkflow = (entry: FileEntry) =>
    entry.path === path
      ? notWorkflows.has(entry.path)
      : notWorkflows.has(entry.path) || entry.notWorkflow === true;
  /** Folder the file list shows (undefined: the root). */
  const [dir, setDir] = useState<string | undefined>(undefined);
  const [opened, setOpened] = useState(false);
  /** The start page is shown over an open document (kept as it is) until one is chosen. */
  const [home, setHome] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [offer, setOffer] = useState<RecoveryEntry | null>(null);
  const [palette, setPalette] = useState<{ items: PaletteItem[]; query: string } | null>(null);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const [showAbout, setShowAbout] = useState(false);
  const [showProviders, setShowProviders] = useState(false);
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

  /** The folder shown, for re-lists started outside React (follow-disk.ts). */
  const shownDir = useRef<string | undefined>(undefined);
  const order = useMemo(() => listingOrder(), []);
  const listDir = useCallback(
    async (target?: string, background = false): Promise<void> => {
      const listing = order.start(background);
      if (!listing) return;
      let fresh: boolean;
      let listed: Awaited<ReturnType<HostApi['listFiles']>>;
      try {
        listed = await listFresh(listing, () => host.listFiles(target));
      } finally {
        fresh = listing.finish();
      }
      // A navigation started meanwhile, or (a re-list) the user moved to another folder: stale.
      if (!fresh || (background && shownDir.current !== target)) return;
      if (!listed.ok) {
        if (!background) return fail(listed.error);
        // The shown folder went away under the app: show the root rather than an error nobody asked for.
        if (listed.error.code === 'NOT_FOUND' && target !== undefined) {
          shownDir.current = undefined;
          return listDir(undefined, true);
        }
        return;
      }
      // Same entries: no new array, so a re-list changes nothing on screen (no flicker, scroll kept).
      setFiles((shown) => (sameListing(shown, listed.value) ? shown : listed.value));
      setDir(target);
      shownDir.current = target;
    },
    [host, fail, order],
  );

  // Open, Save, Save as, Export and "changed on disk" (renderer/src/files); `latest` lets the flows,
  // created once, call App's current open and file-list refresh.
  const latest = useRef<{ openPath(path?: string): Promise<void>; refresh(): void } | null>(null);
  const files$ = useMemo(
    () =>
      createFileFlows({
        host,
        doc,
        openPath: (target) => latest.current?.openPath(target),
        moved: (from, to) => controller.moveFile(from, to),
        filesChanged: () => latest.current?.refresh(),
        fail: (message) => setError(message),
        suggestedName: () => suggestedFileName(doc.getState().load.model?.name),
      }),
    [host, doc, controller],
  );

  /** True when there is nothing unsaved or the user agrees to lose it (its recovery copy goes too). */
  const confirmDiscard = useCallback(async () => {
    if (!doc.getState().isDirty()) return true;
    if (!(await files$.confirmDiscard())) return false;
    autosaver.discard(doc.getState().path);
    return true;
  }, [doc, autosaver, files$]);

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
      setHome(false);
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
      if (!(await confirmDiscard())) return;
      const result = await host.openFile(target);
      if (!result.ok) return fail(result.error);
      if (!result.value) return;
      showDocument(result.value.text, result.value.path, result.value);
    },
    [host, fail, confirmDiscard, showDocument],
  );

  const newDocument = useCallback(
    async (template: DocumentTemplate = BLANK_TEMPLATE) => {
      if (!(await confirmDiscard())) return;
      setError(null);
      doc.getState().open(template.text, null);
      ui.getState().clearSelection();
      setOpened(true);
      setHome(false);
      setOffer(null);
    },
    [doc, ui, confirmDiscard],
  );

  latest.current = { openPath, refresh: () => void listDir(dir) };

  // Every user action lives in the registry (renderer/src/actions); App supplies the operations they
  // call into (file flows, dialogs) and the run facts.
  const actions = useActionsApi({
    doc,
    ui,
    host: { kind: host.kind, info },
    opened,
    mac,
    run: () => ({
      controller,
      status: shownStatus,
      pausedRunId: paused && canvasRunId ? canvasRunId : null,
      hasBreakpoints:
        (bridge.session.getState().breakpoints[controller.store.getState().fileKey] ?? []).length > 0,
    }),
    app: {
      newDocument: () => newDocument(),
      open: (target) => void files$.open(target),
      save: async () => void (await files$.save()),
      saveAs: () => void files$.saveAs(),
      exportPortable: () => void files$.exportPortable(),
      copyPortable: () => void files$.copyPortable(),
      close: () => setOpened(false),
      openPalette: (query) => (palette && query === undefined ? setPalette(null) : openPalette(query)),
      showShortcuts: () => setShowShortcuts(true),
      showAbout: () => setShowAbout(true),
      showProviders: () => setShowProviders(true),
      fail: (message) => setError(message),
      openExternal: (url) => void window.open(url, '_blank', 'noopener,noreferrer'),
    },
  });
  const openPalette = useCallback(
    (query = '') => {
      const state = doc.getState();
      const graph = state.graph ?? state.lastGoodGraph;
      const items = buildPaletteItems(actions.context(), {
        templates: TEMPLATES,
        files,
        nodes:
          opened && graph ? graph.nodes.filter((n) => n.spec).map((n) => ({ name: n.id, kind: n.kind })) : [],
      });
      setPalette({ items, query });
    },
    [actions, doc, opened, files],
  );

  const perform = useCallback((id: ActionId) => void actions.perform(id), [actions]);
  const tooltip = (id: ActionId, text?: string) => actionTooltip(id, mac, text);

  const runTarget = useCallback(
    (target: PaletteTarget) => {
      if (target.kind === 'action') return perform(target.id);
      if (target.kind === 'open') return void openPath(target.path);
      if (target.kind === 'new') {
        const template = TEMPLATES.find((t) => t.id === target.template);
        if (template) newDocument(template);
        return;
      }
      ui.getState().requestFocus({ node: target.name });
    },
    [perform, openPath, newDocument, ui],
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
  // The list and the open document follow the disk: host pushes, focus, visibility, run ends.
  useEffect(
    () =>
      followDisk({
        host,
        win: window,
        page: document,
        relist: () => listDir(shownDir.current, true),
        checkOpenFile: (pushed) => files$.checkDisk({ quiet: pushed }),
      }),
    [host, listDir, files$],
  );

  // Keys (window and canvas) and the native menu perform registry actions.
  useActionKeys(actions, host.kind === 'electron' && mac);
  useEffect(
    () =>
      onMenuCommand((message) => {
        const c = message.command;
        if (c === 'file:open-path') {
          if (message.path) void openPath(message.path);
        } else if (c === 'file:save' && message.closeAfter) {
          // From the unsaved-changes prompt: close the window once the save went through.
          void files$.save().then(() => {
            if (!doc.getState().isDirty()) window.close();
          });
        } else {
          perform(c);
        }
      }),
    [openPath, files$, perform, doc],
  );

  const title = path ? (path.split('/').at(-1) ?? path) : opened ? 'untitled' : '';
  const parentDir =
    dir === undefined ? undefined : dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
  return (
    <div className="app">
      <header className="app-header">
        <button
          type="button"
          className="app-brand"
          data-testid="home-button"
          aria-pressed={!opened || home}
          title="Start page: templates, examples and recent files (the open document stays as it is)"
          onClick={() => setHome(opened ? !home : false)}
        >
          Fanout Studio
        </button>
        <span className="app-host" data-testid="host-kind">
          {host.kind}
        </span>
        {info && (
          <small className="app-info">
            v{info.appVersion} · {info.workers} workers
          </small>
        )}
        <span className="app-title" data-testid="doc-title" title={path ?? title}>
          <span className="app-title-name">{title}</span>
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
            onClick={() => perform('file:save')}
            title={tooltip('file:save')}
          >
            Save
          </button>
          <button
            type="button"
            data-testid="save-as-button"
            disabled={!opened}
            onClick={() => perform('file:save-as')}
            title={tooltip('file:save-as')}
          >
            Save as
          </button>
          <button
            type="button"
            disabled={!opened}
            data-testid="export-button"
            onClick={() => perform('file:export')}
            title={tooltip('file:export', 'Write the portable TEA form to another file (or copy it)')}
          >
            Export…
          </button>
          <button
            type="button"
            disabled={!canUndo}
            onClick={() => perform('edit:undo')}
            title={tooltip('edit:undo')}
          >
            Undo
          </button>
          <button
            type="button"
            disabled={!canRedo}
            onClick={() => perform('edit:redo')}
            title={tooltip('edit:redo')}
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
            onClick={() => perform('view:palette')}
            title={tooltip('view:palette')}
            aria-label="Command palette"
          >
            ⌘K
          </button>
          <button
            type="button"
            onClick={() => perform('view:toggle-theme')}
            title={tooltip('view:toggle-theme', `Switch to the ${theme === 'dark' ? 'light' : 'dark'} theme`)}
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
                  title={isNotWorkflow(entry) ? `${entry.path} (not a workflow)` : entry.path}
                  className={entry.path === path ? 'active' : undefined}
                  onClick={() => void (entry.kind === 'dir' ? listDir(entry.path) : openPath(entry.path))}
                >
                  {entry.kind === 'dir' ? `${entry.name}/` : entry.name}
                  {isNotWorkflow(entry) && (
                    <span className="app-file-mark" data-testid="file-not-workflow">
                      not a workflow
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        {opened && !home ? (
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
                <ActionsContext.Provider value={actions}>
                  <Workspace doc={doc} ui={ui} runs={runs} host={host} />
                </ActionsContext.Provider>
              </RunBridgeContext.Provider>
            </RunControllerContext.Provider>
          </div>
        ) : (
          <main className="app-start">
            {opened && (
              <button
                type="button"
                className="app-resume"
                data-testid="start-resume"
                onClick={() => setHome(false)}
              >
                ← Back to <strong>{title}</strong>
                {dirty ? ' (unsaved changes)' : ''}
              </button>
            )}
            <StartPage
              host={host}
              templates={TEMPLATES}
              files={files}
              folder={dir}
              mac={mac}
              onNew={newDocument}
              onOpen={(target) => void openPath(target)}
              onProviders={() => setShowProviders(true)}
            />
          </main>
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
      {showAbout && <AboutDialog info={info} hostKind={host.kind} onClose={() => setShowAbout(false)} />}
      {showProviders && <ProvidersDialog host={host} onClose={() => setShowProviders(false)} />}
      <FileFlowsLayer flows={files$} host={host} doc={doc} onFilesChanged={() => void listDir(dir)} />
    </div>
  );
}
