// The application window: toolbar, file list, the designer (canvas + panels) and run controls.
// The document lives in a DocumentStore (YAML text is the source of truth); files and runs go
// through the HostApi, so the same UI runs in Electron and in a browser against `fanout serve`.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { FileEntry, HostApi, HostInfo } from '../../engine/host/types.ts';
import type { RunEvent, RunStatus } from '../../engine/run/types.ts';
import { createDocumentStore } from './designer/document-store.ts';
import { createUiStore } from './designer/ui-store.ts';
import { Workspace } from './designer/Workspace.tsx';
import type { HostChoice } from './host/index.ts';
import { onMenuCommand, reportDirty } from './host/electron.ts';
import './app.css';

type ShownStatus = 'idle' | 'starting' | 'running' | RunStatus;

interface RunView {
  runId: string | null;
  status: ShownStatus;
  events: number;
  error?: string;
}

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

const NEW_DOCUMENT = `name: untitled
nodes: []
`;

function Shell({ host }: { host: HostApi }) {
  const doc = useMemo(() => createDocumentStore(''), []);
  const ui = useMemo(
    () => createUiStore(window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
    [],
  );
  const [info, setInfo] = useState<HostInfo | null>(null);
  const [files, setFiles] = useState<FileEntry[]>([]);
  const [opened, setOpened] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [run, setRun] = useState<RunView>({ runId: null, status: 'idle', events: 0 });
  const path = useStore(doc, (s) => s.path);
  const dirty = useStore(doc, (s) => s.text !== s.savedText);
  const canUndo = useStore(doc, (s) => s.past.length > 0);
  const canRedo = useStore(doc, (s) => s.future.length > 0);
  const theme = useStore(ui, (s) => s.theme);
  // Events can arrive before run() resolves with the id: keep them per run until we know which is ours.
  const perRun = useRef(new Map<string, { events: number; status: ShownStatus; error?: string }>());
  const currentRun = useRef<string | null>(null);

  useEffect(() => reportDirty(dirty), [dirty]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const fail = useCallback((e: { code: string; message: string }) => setError(`${e.code}: ${e.message}`), []);

  const showRun = useCallback((runId: string) => {
    const seen = perRun.current.get(runId) ?? { events: 0, status: 'running' as ShownStatus };
    setRun({ runId, ...seen });
  }, []);

  const listDir = useCallback(
    async (dir?: string) => {
      const listed = await host.listFiles(dir);
      if (listed.ok) setFiles(listed.value);
      else fail(listed.error);
    },
    [host, fail],
  );

  const confirmDiscard = useCallback(
    () => !doc.getState().isDirty() || window.confirm('Discard unsaved changes?'),
    [doc],
  );

  const openPath = useCallback(
    async (target?: string) => {
      if (!confirmDiscard()) return;
      const result = await host.openFile(target);
      if (!result.ok) return fail(result.error);
      if (!result.value) return;
      setError(null);
      doc.getState().open(result.value.text, result.value.path, result.value.mtimeMs);
      ui.getState().clearSelection();
      setOpened(true);
    },
    [host, doc, ui, fail, confirmDiscard],
  );

  const newDocument = useCallback(() => {
    if (!confirmDiscard()) return;
    doc.getState().open(NEW_DOCUMENT, null);
    ui.getState().clearSelection();
    setOpened(true);
  }, [doc, ui, confirmDiscard]);

  const save = useCallback(
    async (saveAs = false) => {
      const state = doc.getState();
      let target: string | undefined = saveAs ? undefined : (state.path ?? undefined);
      if (!target && host.kind === 'browser') {
        const answer = window.prompt(
          'Save as (path inside the served folder)',
          state.path ?? 'untitled.yaml',
        );
        if (!answer) return;
        target = answer;
      }
      const text = state.text;
      const sameFile = target !== undefined && target === state.path;
      const result = await host.saveFile(target, text, sameFile ? { expectedMtimeMs: state.mtimeMs } : {});
      if (!result.ok) return fail(result.error);
      if (!result.value) return;
      setError(null);
      doc.getState().markSaved(result.value.path, result.value.mtimeMs, text);
      void listDir();
    },
    [host, doc, fail, listDir],
  );

  const exportPortable = useCallback(async () => {
    const result = await host.exportPortable(doc.getState().text);
    if (!result.ok) return fail(result.error);
    doc.getState().setText(result.value.text, { label: 'Export portable form' });
  }, [host, doc, fail]);

  const startRun = useCallback(async () => {
    const state = doc.getState();
    if (!opened) return;
    setRun({ runId: null, status: 'starting', events: 0 });
    const started = await host.run({ text: state.text, ...(state.path ? { path: state.path } : {}) });
    if (!started.ok) {
      currentRun.current = null;
      setRun({
        runId: null,
        status: 'failed',
        events: 0,
        error: `${started.error.code}: ${started.error.message}`,
      });
      return;
    }
    currentRun.current = started.value.runId;
    showRun(started.value.runId);
  }, [doc, host, opened, showRun]);

  const cancelRun = useCallback(() => {
    if (currentRun.current) void host.cancel(currentRun.current);
  }, [host]);

  useEffect(() => {
    void host.info().then((result) => (result.ok ? setInfo(result.value) : fail(result.error)));
    void listDir();
  }, [host, listDir, fail]);

  useEffect(
    () =>
      host.onRunEvents((events: RunEvent[]) => {
        for (const event of events) {
          const entry = perRun.current.get(event.runId) ?? { events: 0, status: 'running' as ShownStatus };
          entry.events += 1;
          if (event.type === 'run-finished') {
            entry.status = event.status;
            if (event.error) entry.error = event.error;
          }
          perRun.current.set(event.runId, entry);
        }
        if (currentRun.current) showRun(currentRun.current);
      }),
    [host, showRun],
  );

  // Window-wide shortcuts; editors and inputs keep their own keys.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      if (!mod) return;
      if (event.key === 's') {
        event.preventDefault();
        void save(event.shiftKey);
      } else if (event.key === 'Enter') {
        event.preventDefault();
        void startRun();
      } else if (event.key === 'o') {
        event.preventDefault();
        if (host.kind === 'electron') void openPath();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save, startRun, openPath, host]);

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
        if (c === 'run:run') void startRun();
        if (c === 'run:cancel') cancelRun();
        if (c === 'view:toggle-panels') ui.getState().togglePanel('yaml');
      }),
    [openPath, newDocument, save, exportPortable, startRun, cancelRun, doc, ui],
  );

  const running = run.status === 'starting' || run.status === 'running';
  const title = path ? (path.split('/').at(-1) ?? path) : opened ? 'untitled' : '';
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
          {dirty && <span title="Unsaved changes"> •</span>}
        </span>
        <span className="app-toolbar">
          <button type="button" onClick={newDocument} title="New document">
            New
          </button>
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
          <button
            type="button"
            data-testid="run-button"
            className="app-run"
            disabled={!opened || running}
            onClick={() => void startRun()}
            title="Run (Ctrl+Enter)"
          >
            Run
          </button>
          <button type="button" data-testid="cancel-button" disabled={!running} onClick={cancelRun}>
            Cancel
          </button>
          <span className={`app-status app-status-${run.status}`} data-testid="run-status" title={run.error}>
            {run.status}
          </span>
          <span className="app-events">
            events: <span data-testid="run-events">{run.events}</span>
          </span>
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
        </p>
      )}
      <div className="app-main">
        <nav className="app-files" aria-label="Files">
          <ul data-testid="file-list">
            {files.map((entry) => (
              <li key={entry.path}>
                <button
                  type="button"
                  title={entry.path}
                  className={entry.path === path ? 'active' : undefined}
                  onClick={() => void (entry.kind === 'dir' ? listDir(entry.path) : openPath(entry.path))}
                >
                  {entry.kind === 'dir' ? `${entry.name}/` : entry.name}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        {opened ? (
          <Workspace doc={doc} ui={ui} />
        ) : (
          <p className="app-message">
            Open a workflow from the list{host.kind === 'electron' ? ' or with File › Open' : ''}, or start a
            new one.
          </p>
        )}
      </div>
    </div>
  );
}
