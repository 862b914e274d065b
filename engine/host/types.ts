// HostApi: the one interface the renderer uses to reach files and the engine. Implemented once by
// engine/host/service.ts, reached over two transports — Electron (preload + IPC) and browser (`fanout
// serve`: HTTP + WebSocket). Types only: the renderer imports this file.
import type { Problem } from '../workflow/types.ts';
import type { RunEvent, JsonObject } from '../run/types.ts';
import type { KeyedProvider, TestedProvider } from './provider-vars.ts';
import type { BatchApi } from '../batch/view-types.ts';

export type HostKind = 'electron' | 'browser';

/** Every call resolves (never rejects) with a typed result. */
export type HostResult<T> = { ok: true; value: T } | { ok: false; error: HostError };

export interface HostError {
  /** A code of the table in engine/host/errors.ts (BAD_REQUEST, FORBIDDEN, CONFLICT, TOO_LARGE, …). */
  code: string;
  message: string;
  problems?: Problem[];
}

export interface HostInfo {
  host: HostKind;
  appVersion: string;
  platform: string;
  /** Folder files are confined to (browser host) or the last folder used (Electron). */
  root?: string;
  workers: number;
}

export interface FileEntry {
  /** Path relative to the root (browser) or absolute (Electron). Forward slashes. */
  path: string;
  name: string;
  kind: 'file' | 'dir';
  size?: number;
  mtimeMs?: number;
  /** A YAML file plainly not a workflow (no top-level `nodes` or `name`): the list marks it. */
  notWorkflow?: true;
}

/** A folder a client listed changed on disk (pushed by the host: HostApi.onFilesChanged). */
export interface FolderChange {
  /** The folder as the client writes paths ('' = serve's root; absolute in Electron). */
  dir: string;
}

export interface OpenedFile {
  path: string;
  text: string;
  mtimeMs: number;
  /** Hex SHA-256 of the file's bytes: pass it back as `expectedHash` when saving. */
  hash: string;
}

export interface SavedFile {
  path: string;
  mtimeMs: number;
  /** Hex SHA-256 of the bytes written. */
  hash: string;
}

/** What "changed on disk?" compares: the file's content hash (size and mtime for display). */
export interface FileStat {
  path: string;
  size: number;
  mtimeMs: number;
  hash: string;
}

export interface SaveOptions {
  /** The file must still have this content (SHA-256 from OpenedFile/SavedFile), else CONFLICT. */
  expectedHash?: string;
  /** Older check by modification time (used only without expectedHash). */
  expectedMtimeMs?: number;
  /**
   * false: an existing file is never replaced; the save answers EXISTS (the in-app dialog then asks
   * "Replace / Cancel"). Ignored when a native dialog chose the path (the OS asked already).
   */
  overwrite?: boolean;
}

export interface RunRequest {
  /** The document as currently edited: runs need no save. */
  text: string;
  /** Path of the document, for error messages and the folder file actions are confined to. */
  path?: string;
  input?: JsonObject;
  timeoutMs?: number;
  failFast?: boolean;
  /** Refuse to start when the workflow uses actions Fanout does not have (the error lists them). */
  refuseUnavailableActions?: boolean;
  /** Breakpoints: see RunOptions.interruptBefore / interruptAfter. */
  interruptBefore?: string[];
  interruptAfter?: string[];
  /** Run from here: see RunOptions.startAt (`input` is then the whole state). */
  startAt?: string;
  /** Run this node alone: see RunOptions.only (`input` is then the whole state). */
  only?: string;
  /**
   * Re-run with recorded responses: every model call is answered from the recording the host kept of
   * run `runId` (no network; a call it did not make fails its node naming it).
   */
  replay?: { runId: string };
}

/** One provider on the Providers page: never its key, only where one is. */
export interface ProviderKeyStatus {
  provider: KeyedProvider;
  /** The environment variable the key stands for (OPENAI_API_KEY, …). */
  variable: string;
  /** A key is kept by the app. */
  stored: boolean;
  /** The host's environment sets the variable (it wins over the kept key). */
  inEnvironment: boolean;
}

export interface ProviderKeysInfo {
  providers: ProviderKeyStatus[];
  /** Where kept keys live: a 0600 file (browser host) or encrypted by the OS keychain (Electron). */
  storage: { kind: 'file' | 'keychain'; path: string };
  /** Why keys cannot be kept now (Electron without OS encryption), else null. */
  unavailable: string | null;
}

/** The answer of a provider's "Test": ok, or the HTTP status and a short scrubbed excerpt. */
export interface ProviderTestResult {
  ok: boolean;
  status?: number;
  /** One line for the page, never the key. */
  message: string;
  /** The URL requested (never with credentials). */
  url: string;
  /** Which key was sent: the environment's, the one kept by the app, or none. */
  keySource: 'environment' | 'stored' | 'none';
}

export interface HostApi {
  readonly kind: HostKind;
  info(): Promise<HostResult<HostInfo>>;
  /** Files and folders in `dir` (default: the root). */
  listFiles(dir?: string): Promise<HostResult<FileEntry[]>>;
  /** Opens `path`; without a path Electron shows an open dialog (null when dismissed). */
  openFile(path?: string): Promise<HostResult<OpenedFile | null>>;
  /**
   * Saves atomically (temp file, fsync, rename; mode and owner kept). Without a path Electron shows a
   * save dialog (null when dismissed). With `expectedHash`, a file whose content changed on disk (or
   * that was deleted) since it was opened is a CONFLICT, also under concurrent saves.
   */
  saveFile(
    path: string | undefined,
    text: string,
    options?: SaveOptions,
  ): Promise<HostResult<SavedFile | null>>;
  /** Size, mtime and content hash of a workflow file (NOT_FOUND once deleted). */
  statFile(path: string): Promise<HostResult<FileStat>>;
  /** Creates the folder `path` (its parent must exist; EXISTS when the name is taken). */
  createFolder(path: string): Promise<HostResult<FileEntry>>;
  /** Renames a file or folder inside its folder to `name`; never replaces (EXISTS). */
  renameEntry(path: string, name: string): Promise<HostResult<FileEntry>>;
  /** Deletes a workflow file, or a folder only when empty (CONFLICT otherwise). */
  deleteEntry(path: string): Promise<HostResult<boolean>>;
  validate(text: string, path?: string): Promise<HostResult<Problem[]>>;
  exportPortable(text: string): Promise<HostResult<{ text: string; problems: Problem[] }>>;
  run(request: RunRequest): Promise<HostResult<{ runId: string }>>;
  cancel(runId: string): Promise<HostResult<boolean>>;
  /**
   * Continues a run paused at a breakpoint; with `state`, the run continues with that state instead
   * (the user edited it). False when the run is not paused.
   */
  resume(
    runId: string,
    state?: JsonObject,
    /** Continue with recorded responses: later model calls answer from run `replay.runId`'s recording. */
    options?: { replay?: { runId: string } },
  ): Promise<HostResult<boolean>>;
  /**
   * A folder this host listed changed on disk (another program, a run's file.write): re-list it.
   * Throttled by the host; absent on hosts that do not watch (the app then re-lists on focus only).
   */
  onFilesChanged?(listener: (change: FolderChange) => void): () => void;
  /** RunEvents of every run of this window, delivered in batches (≤ ~60 per second), in order. */
  onRunEvents(listener: (events: RunEvent[]) => void): () => void;
  recentFiles(): Promise<HostResult<string[]>>;
  /** Providers page: which keys are kept / in the environment, and where keys are kept. */
  providerKeys(): Promise<HostResult<ProviderKeysInfo>>;
  /** Sets (a key) or clears (null) one provider's kept key; answers the new status, never a key. */
  setProviderKey(provider: KeyedProvider, key: string | null): Promise<HostResult<ProviderKeysInfo>>;
  /** GETs the provider's model list with the key a run would use (`apiBase`: another server). */
  testProvider(provider: TestedProvider, apiBase?: string): Promise<HostResult<ProviderTestResult>>;
  /** Batch runs over datasets (the Batch tab; docs/batch.md); absent on hosts without them. */
  readonly batch?: BatchApi;
}
