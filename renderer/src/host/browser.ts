// HostApi for a plain browser talking to `fanout serve`: JSON over fetch with the bearer token, and
// one WebSocket (reconnecting with backoff) that carries RunEvent batches and folder changes. DOM APIs
// only.
import type {
  FileEntry,
  FileStat,
  FolderChange,
  HostApi,
  HostError,
  HostInfo,
  HostResult,
  OpenedFile,
  ProviderKeysInfo,
  ProviderTestResult,
  RunRequest,
  SavedFile,
} from '../../../engine/host/types.ts';
import type { Problem } from '../../../engine/workflow/types.ts';
import type { RunEvent } from '../../../engine/run/types.ts';
import type { BatchRowRun, BatchStarted, BatchStatus } from '../../../engine/batch/view-types.ts';

export interface BrowserHostBase {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  token: string;
}

/** Must match engine/serve/security.ts: the server selects `fanout`, the token rides as a second offer. */
const WS_PROTOCOL = 'fanout';
const WS_TOKEN_PREFIX = 'fanout.token.';
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 5_000;
/** How long run() waits for the event socket before starting the run anyway. */
const SOCKET_WAIT_MS = 3_000;

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'TOO_LARGE',
  422: 'INVALID_WORKFLOW',
  503: 'UNAVAILABLE',
};

function failure(code: string, message: string): { ok: false; error: HostError } {
  return { ok: false, error: { code, message } };
}

function isHostResult(value: unknown): value is HostResult<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (record.ok === true) return 'value' in record;
  const error = record.error as Record<string, unknown> | undefined;
  return record.ok === false && typeof error?.code === 'string' && typeof error.message === 'string';
}

export function createBrowserHost(base: BrowserHostBase): HostApi {
  const origin = base.origin.replace(/\/+$/, '');
  const listeners = new Set<(events: RunEvent[]) => void>();
  const folderListeners = new Set<(change: FolderChange) => void>();

  async function call<T>(endpoint: string, body: object): Promise<HostResult<T>> {
    let response: Response;
    try {
      response = await fetch(`${origin}/api/${endpoint}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${base.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      return failure('INTERNAL', `cannot reach fanout serve: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      parsed = undefined;
    }
    if (isHostResult(parsed)) return parsed as HostResult<T>;
    return failure(
      CODE_BY_STATUS[response.status] ?? 'INTERNAL',
      `fanout serve answered HTTP ${response.status}`,
    );
  }

  // --- the event socket -------------------------------------------------------------------------
  let socket: WebSocket | null = null;
  let backoff = BACKOFF_FIRST_MS;
  let openWaiters: (() => void)[] = [];

  function connect(): void {
    const url = `${origin.replace(/^http/, 'ws')}/ws`;
    const ws = new WebSocket(url, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${base.token}`]);
    socket = ws;
    ws.onopen = () => {
      backoff = BACKOFF_FIRST_MS;
      // Folder changes told while the socket was not open (down, or not yet open: a list read before
      // its first open) are lost: have the lists read again.
      for (const listener of folderListeners) listener({ dir: '' });
      for (const wake of openWaiters) wake();
      openWaiters = [];
    };
    ws.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let frame: { type?: unknown; events?: unknown; dir?: unknown };
      try {
        frame = JSON.parse(message.data) as typeof frame;
      } catch {
        return;
      }
      if (frame.type === 'files-changed' && typeof frame.dir === 'string') {
        const change: FolderChange = { dir: frame.dir };
        for (const listener of folderListeners) listener(change);
        return;
      }
      if (frame.type !== 'events' || !Array.isArray(frame.events)) return;
      const events = frame.events as RunEvent[];
      for (const listener of listeners) {
        try {
          listener(events);
        } catch (error) {
          console.error('onRunEvents listener failed', error);
        }
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    };
  }

  /** Resolves once the socket is open (or after SOCKET_WAIT_MS), so a run's first events are not missed. */
  function socketReady(): Promise<void> {
    if (socket?.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, SOCKET_WAIT_MS);
      openWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  connect();

  return {
    kind: 'browser',
    info: () => call<HostInfo>('info', {}),
    listFiles: (dir?: string) => call<FileEntry[]>('files/list', dir === undefined ? {} : { dir }),
    openFile: async (path?: string) => {
      if (path === undefined) return failure('BAD_REQUEST', 'the browser host opens files by path only');
      return call<OpenedFile>('files/open', { path });
    },
    saveFile: async (path, text, options) => {
      if (path === undefined) return failure('BAD_REQUEST', 'the browser host saves files by path only');
      return call<SavedFile>('files/save', {
        path,
        text,
        ...(options?.expectedMtimeMs !== undefined ? { expectedMtimeMs: options.expectedMtimeMs } : {}),
        ...(options?.expectedHash !== undefined ? { expectedHash: options.expectedHash } : {}),
        ...(options?.overwrite !== undefined ? { overwrite: options.overwrite } : {}),
      });
    },
    statFile: (path) => call<FileStat>('files/stat', { path }),
    createFolder: (path) => call<FileEntry>('files/mkdir', { path }),
    renameEntry: (path, name) => call<FileEntry>('files/rename', { path, name }),
    deleteEntry: (path) => call<boolean>('files/delete', { path }),
    validate: (text, path) => call<Problem[]>('validate', path === undefined ? { text } : { text, path }),
    exportPortable: (text) => call<{ text: string; problems: Problem[] }>('export', { text }),
    run: async (request: RunRequest) => {
      await socketReady();
      return call<{ runId: string }>('run', request);
    },
    cancel: (runId) => call<boolean>('cancel', { runId }),
    resume: (runId, state, options) =>
      call<boolean>('resume', {
        runId,
        ...(state === undefined ? {} : { state }),
        ...(options?.replay ? { replay: options.replay } : {}),
      }),
    onRunEvents: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onFilesChanged: (listener) => {
      folderListeners.add(listener);
      return () => folderListeners.delete(listener);
    },
    recentFiles: () => call<string[]>('recent', {}),
    providerKeys: () => call<ProviderKeysInfo>('providers/keys', {}),
    setProviderKey: (provider, key) => call<ProviderKeysInfo>('providers/set-key', { provider, key }),
    testProvider: (provider, apiBase) =>
      call<ProviderTestResult>(
        'providers/test',
        apiBase === undefined ? { provider } : { provider, apiBase },
      ),
    batch: {
      list: (dir) => call<FileEntry[]>('batch/list', dir === undefined ? {} : { dir }),
      start: (request) => call<BatchStarted>('batch/start', request),
      status: (batchId, since) => call<BatchStatus>('batch/status', { batchId, since }),
      row: (batchId, rowId) => call<BatchRowRun>('batch/row', { batchId, rowId }),
      cancel: (batchId) => call<boolean>('batch/cancel', { batchId }),
      export: (batchId, path, format, overwrite) =>
        call<{ path: string }>('batch/export', {
          batchId,
          path,
          format,
          ...(overwrite !== undefined ? { overwrite } : {}),
        }),
    },
  };
}

/**
 * The browser host for the page `fanout serve` served, or null when there is no token (not served by
 * it). The token comes from `?token=` (then leaves the address bar and is kept in sessionStorage, so a
 * reload of this tab still works) or from sessionStorage.
 */
export function browserHostFromLocation(): HostApi | null {
  if (typeof location === 'undefined' || !/^https?:$/.test(location.protocol)) return null;
  const key = `fanout-token:${location.host}`;
  const params = new URLSearchParams(location.search);
  let token = params.get('token');
  if (token) {
    try {
      sessionStorage.setItem(key, token);
    } catch {
      // Storage disabled: a reload will need the printed URL again.
    }
    params.delete('token');
    const query = params.toString();
    history.replaceState(
      history.state,
      '',
      `${location.pathname}${query ? `?${query}` : ''}${location.hash}`,
    );
  } else {
    try {
      token = sessionStorage.getItem(key);
    } catch {
      token = null;
    }
  }
  return token ? createBrowserHost({ origin: location.origin, token }) : null;
}
