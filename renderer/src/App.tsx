// Minimal shell UI (the designer replaces it): host kind, file list, read-only view of the opened
// workflow with its problems, and a Run button with the streamed run status.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FileEntry, HostApi, HostInfo, OpenedFile } from '../../engine/host/types.ts';
import type { Problem } from '../../engine/workflow/types.ts';
import type { RunEvent, RunStatus } from '../../engine/run/types.ts';
import type { HostChoice } from './host/index.ts';
import { onMenuCommand } from './host/electron.ts';

type ShownStatus = 'idle' | 'starting' | 'running' | RunStatus;

interface RunView {
  runId: string | null;
  status: ShownStatus;
  events: number;
  error?: string;
}

const styles = {
  app: {
    fontFamily: 'system-ui, sans-serif',
    margin: 0,
    display: 'flex',
    flexDirection: 'column',
    height: '100vh',
  },
  header: {
    display: 'flex',
    gap: '1rem',
    alignItems: 'center',
    padding: '0.5rem 1rem',
    borderBottom: '1px solid #ccc',
  },
  main: { display: 'flex', flex: 1, minHeight: 0 },
  files: { width: '16rem', overflow: 'auto', borderRight: '1px solid #ccc', padding: '0.5rem' },
  doc: { flex: 1, overflow: 'auto', padding: '0.5rem 1rem' },
  pre: { background: '#f6f6f6', padding: '0.5rem', whiteSpace: 'pre-wrap' },
  error: { color: '#b00020' },
} as const;

export function App({ host: choice }: { host: HostChoice }) {
  if (!choice.ok) {
    return (
      <div style={styles.app}>
        <header style={styles.header}>
          <strong>Fanout Studio</strong>
          <span data-testid="host-kind">none</span>
        </header>
        <p role="alert" data-testid="host-missing" style={{ padding: '1rem' }}>
          {choice.reason}
        </p>
      </div>
    );
  }
  return <Shell host={choice.host} />;
}

function Shell({ host }: { host: HostApi }) {
  const [info, setInfo] = useState<HostInfo | null>(null);
  const [files, setFiles] = useState<FileEntry[]>([]);
  const [doc, setDoc] = useState<OpenedFile | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [run, setRun] = useState<RunView>({ runId: null, status: 'idle', events: 0 });
  // Events can arrive before run() resolves with the id: keep them per run until we know which is ours.
  const perRun = useRef(new Map<string, { events: number; status: ShownStatus; error?: string }>());
  const currentRun = useRef<string | null>(null);

  const showRun = useCallback((runId: string) => {
    const seen = perRun.current.get(runId) ?? { events: 0, status: 'running' as ShownStatus };
    setRun({ runId, ...seen });
  }, []);

  const listDir = useCallback(
    async (dir?: string) => {
      const listed = await host.listFiles(dir);
      if (listed.ok) setFiles(listed.value);
      else setError(`${listed.error.code}: ${listed.error.message}`);
    },
    [host],
  );

  const openPath = useCallback(
    async (path?: string) => {
      const opened = await host.openFile(path);
      if (!opened.ok) return setError(`${opened.error.code}: ${opened.error.message}`);
      if (!opened.value) return;
      setError(null);
      setDoc(opened.value);
      setProblems([]);
      const checked = await host.validate(opened.value.text, opened.value.path);
      if (checked.ok) setProblems(checked.value);
      else setError(`${checked.error.code}: ${checked.error.message}`);
    },
    [host],
  );

  const startRun = useCallback(async () => {
    if (!doc) return;
    setRun({ runId: null, status: 'starting', events: 0 });
    const started = await host.run({ text: doc.text, path: doc.path });
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
  }, [doc, host, showRun]);

  const cancelRun = useCallback(() => {
    if (currentRun.current) void host.cancel(currentRun.current);
  }, [host]);

  useEffect(() => {
    void host.info().then((result) => (result.ok ? setInfo(result.value) : setError(result.error.message)));
    void listDir();
  }, [host, listDir]);

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

  useEffect(
    () =>
      onMenuCommand((message) => {
        if (message.command === 'file:open') void openPath();
        if (message.command === 'file:open-path' && message.path) void openPath(message.path);
        if (message.command === 'file:close') setDoc(null);
        if (message.command === 'run:run') void startRun();
        if (message.command === 'run:cancel') cancelRun();
      }),
    [openPath, startRun, cancelRun],
  );

  const running = run.status === 'starting' || run.status === 'running';
  return (
    <div style={styles.app}>
      <header style={styles.header}>
        <strong>Fanout Studio</strong>
        <span data-testid="host-kind">{host.kind}</span>
        {info && (
          <small>
            v{info.appVersion} · {info.platform} · {info.workers} workers
          </small>
        )}
        <button
          type="button"
          data-testid="run-button"
          disabled={!doc || running}
          onClick={() => void startRun()}
        >
          Run
        </button>
        <button type="button" data-testid="cancel-button" disabled={!running} onClick={cancelRun}>
          Cancel
        </button>
        <span data-testid="run-status">{run.status}</span>
        <span>
          events: <span data-testid="run-events">{run.events}</span>
        </span>
      </header>
      {error && (
        <p role="alert" style={{ ...styles.error, padding: '0 1rem' }}>
          {error}
        </p>
      )}
      <div style={styles.main}>
        <nav style={styles.files} aria-label="Files">
          <ul data-testid="file-list" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {files.map((entry) => (
              <li key={entry.path}>
                <button
                  type="button"
                  title={entry.path}
                  onClick={() => void (entry.kind === 'dir' ? listDir(entry.path) : openPath(entry.path))}
                >
                  {entry.kind === 'dir' ? `${entry.name}/` : entry.name}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <main style={styles.doc}>
          {doc ? (
            <>
              <h2 data-testid="doc-path" style={{ fontSize: '1rem' }}>
                {doc.path}
              </h2>
              {run.error && <p style={styles.error}>{run.error}</p>}
              <ul data-testid="problems">
                {problems.map((p, i) => (
                  <li key={i} style={p.severity === 'error' ? styles.error : undefined}>
                    {p.line}:{p.col} {p.severity} {p.code} {p.message}
                  </li>
                ))}
              </ul>
              <pre data-testid="doc-text" style={styles.pre}>
                {doc.text}
              </pre>
            </>
          ) : (
            <p>Open a workflow from the list{host.kind === 'electron' ? ' or with File › Open' : ''}.</p>
          )}
        </main>
      </div>
    </div>
  );
}
