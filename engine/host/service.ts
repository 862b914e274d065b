// The HostApi, implemented once. `fanout serve` (engine/serve/api.ts) and Electron's IPC handlers
// (electron/main/ipc-handlers.ts) are thin transports over this service: they authenticate the caller,
// pass the raw payload to `parse` (one zod schema per operation, limits from engine/limits.ts) and the
// result to the caller. Files are confined by a FileScope (scope.ts); saves are atomic, keep the file's
// mode and owner, and detect conflicts by content hash under a per-file lock.
import { KeyStoreUnavailableError, PROVIDER_KEY_VARS, type ProviderKeyStore } from './provider-keys.ts';
import { testProviderKey } from './provider-test.ts';
import { createHash } from 'node:crypto';
import { lstat, mkdir, open, readdir, realpath, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Engine, RunHandle } from '../index.ts';
import { RunRequestError, WorkflowInvalidError } from '../index.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { withPathLock } from '../fs/path-lock.ts';
import { MAX_FILE_BYTES, MAX_RECENT_FILES, MAX_SNIFFED_PER_LISTING, formatBytes } from '../limits.ts';
import type { RunEvent } from '../run/types.ts';
import { exportPortable } from '../workflow/export.ts';
import type { Problem } from '../workflow/types.ts';
import { HostFailure, toHostFailure } from './errors.ts';
import { fileNameProblem, workflowFileNameProblem } from './names.ts';
import { SniffMemo } from './sniff.ts';
import { RunRecordings, type RunExchanges } from './run-recordings.ts';
import { BatchOps } from './batch-ops.ts';
import { FolderWatches } from './folder-watch.ts';
import { describeIssue, requestSchemas, type HostOp, type RequestOf } from './schemas.ts';
import {
  confine,
  isWorkflowFile,
  requireWorkflowFile,
  toForwardSlashes,
  type FileScope,
  type ScopedPath,
} from './scope.ts';
import type {
  FileEntry,
  FileStat,
  FolderChange,
  HostInfo,
  HostKind,
  HostResult,
  OpenedFile,
  ProviderKeysInfo,
  ProviderTestResult,
  SavedFile,
} from './types.ts';

export interface RecentList {
  list(): string[];
  add(path: string): Promise<unknown>;
}

/** Recent files kept in memory (serve: per server start). */
export function memoryRecentList(max = MAX_RECENT_FILES): RecentList {
  const paths: string[] = [];
  return {
    list: () => [...paths],
    add: async (path) => {
      const at = paths.indexOf(path);
      if (at >= 0) paths.splice(at, 1);
      paths.unshift(path);
      paths.length = Math.min(paths.length, max);
    },
  };
}

export interface HostServiceOptions {
  host: HostKind;
  engine: Pick<Engine, 'load' | 'validate' | 'run' | 'cancel' | 'resume'>;
  info: { appVersion: string; platform: string; workers: number };
  scope: FileScope;
  recent: RecentList;
  /** Folder file actions of an unsaved document are confined to. */
  scratchDir: string;
  /** API keys kept by the app's Providers page (browser host: a 0600 file; Electron: safeStorage). */
  keys?: ProviderKeyStore;
  /** The environment runs read keys from first (default process.env): the page says which are set. */
  env?: Record<string, string | undefined>;
  /** A run ended with an error the engine could not turn into a run-finished event. */
  onRunError?: (runId: string, error: Error) => void;
  /** Given: folders clients list are watched and their changes told here (folder-watch.ts). */
  onFilesChanged?: (change: FolderChange) => void;
}

/** What the transport knows about the caller. */
export interface Caller {
  /** Native file dialogs (Electron); without them, open and save need a path. Null = dismissed. */
  pickOpen?: () => Promise<string | null>;
  pickSave?: (defaultFolder: string) => Promise<string | null>;
  /** Where this caller's RunEvents go. */
  onEvent?: (event: RunEvent) => void;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Resolves with a HostResult: a HostFailure becomes its error; anything else is INTERNAL. */
export async function settle<T>(
  work: () => Promise<T>,
  onInternal?: (error: unknown) => void,
): Promise<HostResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const { failure, internal } = toHostFailure(error);
    if (internal) onInternal?.(error);
    return { ok: false, error: failure.toHostError() };
  }
}

export class HostService {
  private readonly active = new Map<string, RunHandle>();
  /** Every run's model exchanges, for "Re-run with recorded responses" (request.replay). */
  readonly recordings = new RunRecordings();
  /** The exchange stores of recording runs still going (a Continue may switch one to replay). */
  private readonly liveExchanges = new Map<string, RunExchanges>();

  private batchOps: BatchOps | null = null;
  private readonly watches: FolderWatches | null;
  /** "Not a workflow" marks of listed files, so a re-list opens only files that changed. */
  private readonly sniffs = new SniffMemo();

  constructor(private readonly options: HostServiceOptions) {
    this.watches = options.onFilesChanged ? new FolderWatches(options.onFilesChanged) : null;
  }

  /** Batch runs over datasets (the Batch tab): list, start, status, row, cancel, export. */
  get batch(): BatchOps {
    this.batchOps ??= new BatchOps(this.options);
    return this.batchOps;
  }

  /** Validates a raw payload; a bad one is a BAD_REQUEST naming the operation (`label`) and field. */
  parse<Op extends HostOp>(op: Op, payload: unknown, label: string = op): RequestOf<Op> {
    const parsed = requestSchemas[op].safeParse(payload);
    if (parsed.success) return parsed.data as RequestOf<Op>;
    const issue = parsed.error.issues[0];
    const why = issue ? describeIssue(issue, payload) : 'rejected';
    throw new HostFailure('BAD_REQUEST', `${label}: ${why}`);
  }

  info(): HostInfo {
    const { scope, host, info } = this.options;
    return { host, ...info, root: toForwardSlashes(scope.base ?? scope.defaultFolder()) };
  }

  /** Folders and workflow files, folders first, by name; dot files and links leading out are hidden. */
  async listFiles({ dir }: RequestOf<'files/list'>): Promise<FileEntry[]> {
    const { scope } = this.options;
    const folder = await confine(scope, dir ?? scope.defaultFolder());
    let names: string[];
    try {
      names = await readdir(folder.abs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') {
        throw new HostFailure('BAD_REQUEST', `'${folder.shown}' is not a folder`);
      }
      throw error;
    }
    this.watches?.watch(folder.abs, folder.shown);
    const entries: FileEntry[] = [];
    let sniffed = 0;
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = folder.shown === '' ? name : `${folder.shown.replace(/\/$/, '')}/${name}`;
      try {
        // Confined like any request path: a link leading out of the scope is not listed.
        const { abs } = await confine(scope, path);
        const info = await stat(abs);
        if (info.isDirectory()) entries.push({ path, name, kind: 'dir', mtimeMs: info.mtimeMs });
        else if (info.isFile() && isWorkflowFile(name)) {
          const entry: FileEntry = { path, name, kind: 'file', size: info.size, mtimeMs: info.mtimeMs };
          if (
            sniffed++ < MAX_SNIFFED_PER_LISTING &&
            (await this.sniffs.looksNotWorkflow(abs, info.size, info.mtimeMs))
          ) {
            entry.notWorkflow = true;
          }
          entries.push(entry);
        }
      } catch {
        // Vanished, dangling or leading out since readdir: not listed.
      }
    }
    return entries.sort((a, b) =>
      a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1,
    );
  }

  async openFile({ path }: RequestOf<'files/open'>, caller: Caller = {}): Promise<OpenedFile | null> {
    const { scope, recent } = this.options;
    let target = path;
    if (target === undefined) {
      if (!caller.pickOpen) throw new HostFailure('BAD_REQUEST', 'this host opens files by path only');
      const picked = await caller.pickOpen();
      if (picked === null) return null;
      scope.grantFile?.(picked); // the user chose it
      target = picked;
    }
    const file = await confine(scope, target);
    requireWorkflowFile(file);
    const { bytes, mtimeMs } = await readWorkflowFile(file);
    const opened = { path: file.shown, text: bytes.toString('utf8'), mtimeMs, hash: sha256(bytes) };
    scope.grantFile?.(file.abs);
    await recent.add(file.shown);
    return opened;
  }

  /**
   * Saves atomically. With `expectedHash` (or, older clients, `expectedMtimeMs`), a file that changed
   * or vanished since it was opened is a CONFLICT and is left alone; the check and the write happen
   * under the file's lock, so of concurrent saves expecting one version exactly one succeeds.
   */
  async saveFile(request: RequestOf<'files/save'>, caller: Caller = {}): Promise<SavedFile | null> {
    const { scope, recent } = this.options;
    let target = request.path;
    // `overwrite: false` asks the host to refuse an existing file; a native dialog already asked the
    // user (the OS's own replace confirmation), so its answer stands.
    let overwrite = request.overwrite !== false;
    if (target === undefined) {
      if (!caller.pickSave) throw new HostFailure('BAD_REQUEST', 'this host saves files by path only');
      const picked = await caller.pickSave(scope.defaultFolder());
      if (picked === null) return null;
      scope.grantFile?.(picked);
      target = picked;
      overwrite = true;
    }
    const bytes = Buffer.from(request.text, 'utf8');
    if (bytes.length > MAX_FILE_BYTES) {
      throw new HostFailure('TOO_LARGE', `the text is larger than ${formatBytes(MAX_FILE_BYTES)}`);
    }
    const file = await confine(scope, target, { allowMissing: true });
    requireWorkflowFile(file);
    const saved = await withPathLock(file.abs, async () => {
      const existing = await lstat(file.abs).catch(() => null);
      if (existing && !overwrite) throw new HostFailure('EXISTS', `'${file.shown}' exists`);
      if (!existing) {
        // A new file gets a name the dialog could also have created (no hidden or odd names).
        const problem = workflowFileNameProblem(basename(file.abs));
        if (problem) throw new HostFailure('BAD_REQUEST', `cannot create '${file.shown}': ${problem}`);
      }
      await checkUnchanged(file.abs, file.shown, request);
      await writeFileAtomic(file.abs, bytes);
      const after = await stat(file.abs);
      return { path: file.shown, mtimeMs: after.mtimeMs, hash: sha256(bytes) };
    });
    scope.grantFile?.(file.abs);
    await recent.add(file.shown);
    return saved;
  }

  /** Size, mtime and content hash of a workflow file: what "changed on disk?" compares. */
  async statFile({ path }: RequestOf<'files/stat'>): Promise<FileStat> {
    const file = await confine(this.options.scope, path);
    requireWorkflowFile(file);
    const { bytes, mtimeMs } = await readWorkflowFile(file);
    return { path: file.shown, size: bytes.length, mtimeMs, hash: sha256(bytes) };
  }

  /** Creates one folder; its parent must exist (NOT_FOUND naming it), the name must be free (EXISTS). */
  async createFolder({ path }: RequestOf<'files/mkdir'>): Promise<FileEntry> {
    const folder = await confine(this.options.scope, path, { allowMissing: true });
    const name = basename(folder.shown);
    const problem = fileNameProblem(name);
    if (problem) throw new HostFailure('BAD_REQUEST', `cannot create '${folder.shown}': ${problem}`);
    // mkdir without `recursive` fails with EEXIST atomically: never a second folder of that name.
    await withPathLock(folder.abs, () => mkdir(folder.abs)).catch(existsAs(folder.shown));
    const info = await stat(folder.abs);
    return { path: folder.shown, name, kind: 'dir', mtimeMs: info.mtimeMs };
  }

  /**
   * Renames a file or folder inside its folder. The entry itself is renamed (a link, not what it
   * points to); a file keeps a workflow name; a taken name is EXISTS and nothing moves.
   */
  async renameEntry({ path, name }: RequestOf<'files/rename'>): Promise<FileEntry> {
    const entry = await this.entry(path, 'rename');
    if (!entry.isDir) {
      const problem = workflowFileNameProblem(name);
      if (problem)
        throw new HostFailure('BAD_REQUEST', `cannot rename '${entry.shown}' to '${name}': ${problem}`);
    }
    const to = join(entry.folder.abs, name);
    const shown = entry.folder.shown === '' ? name : `${entry.folder.shown.replace(/\/$/, '')}/${name}`;
    const [first, second] = [entry.abs, to].sort();
    await withPathLock(first!, () =>
      withPathLock(second!, async () => {
        const taken = await lstat(to).catch(() => null);
        // The same entry under another case (case-insensitive file systems) is a rename, not a clash.
        if (taken && taken.ino !== entry.info.ino) throw new HostFailure('EXISTS', `'${shown}' exists`);
        await rename(entry.abs, to);
      }),
    );
    const info = await stat(to);
    return info.isDirectory()
      ? { path: shown, name, kind: 'dir', mtimeMs: info.mtimeMs }
      : { path: shown, name, kind: 'file', size: info.size, mtimeMs: info.mtimeMs };
  }

  /** Deletes a workflow file, or a folder only when it is empty (CONFLICT otherwise). */
  async deleteEntry({ path }: RequestOf<'files/delete'>): Promise<boolean> {
    const entry = await this.entry(path, 'delete');
    await withPathLock(entry.abs, async () => {
      if (entry.isDir) {
        await rmdir(entry.abs).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOTEMPTY' || error.code === 'EEXIST') {
            throw new HostFailure(
              'CONFLICT',
              `'${entry.shown}' is not empty (only empty folders are deleted)`,
            );
          }
          throw error;
        });
      } else await unlink(entry.abs);
    });
    return true;
  }

  /**
   * An existing entry for rename/delete: confined like any path (a link leading out is FORBIDDEN), not
   * a root of the scope, a workflow file or a folder. `abs` is the entry itself in its real folder.
   */
  private async entry(path: string, verb: string) {
    const { scope } = this.options;
    const target = await confine(scope, path);
    const roots = await Promise.all(scope.roots().map((r) => realpath(resolve(r)).catch(() => resolve(r))));
    if (target.shown === '' || roots.includes(target.abs)) {
      throw new HostFailure(
        'FORBIDDEN',
        `cannot ${verb} '${target.shown || 'the root folder'}': it is a root folder`,
      );
    }
    const folder = await confine(scope, parentOf(target.shown, scope.base !== null));
    const abs = join(folder.abs, basename(target.shown));
    const info = await lstat(abs);
    const isDir = info.isDirectory();
    if (!isDir) requireWorkflowFile({ abs, shown: target.shown });
    return { abs, shown: target.shown, folder, info, isDir };
  }

  async validate({ text, path }: RequestOf<'validate'>): Promise<Problem[]> {
    const { engine } = this.options;
    return engine.validate(engine.load(text, path));
  }

  async exportPortable({ text }: RequestOf<'export'>): Promise<{ text: string; problems: Problem[] }> {
    const result = exportPortable(text);
    return { text: result.text, problems: result.problems };
  }

  /** Starts a run; `done` settles when it ends (never rejects). */
  async run(request: RequestOf<'run'>, caller: Caller = {}): Promise<{ runId: string; done: Promise<void> }> {
    const { engine, scope, scratchDir } = this.options;
    // The document's folder is where its file actions are confined, so it must be inside the scope.
    const file = request.path ? await confine(scope, request.path, { allowMissing: true }) : null;
    if (file) requireWorkflowFile(file);
    const load = engine.load(request.text, file?.shown);
    // Stored keys join the run's environment after env and .env (engine/llm/secrets.ts runEnvironment).
    const storedKeys = this.options.keys ? await this.options.keys.values() : undefined;
    // Every run records its model exchanges; a replay answers from an earlier run's (NOT_FOUND if gone).
    const replay = request.replay ? this.recordings.replayFrom(request.replay.runId) : null;
    const exchanges = replay ? replay.store : this.recordings.runExchanges();
    const hasKeys = storedKeys && Object.keys(storedKeys).length > 0;
    let handle: RunHandle;
    try {
      handle = engine.run(load, {
        baseDir: file ? dirname(file.abs) : scratchDir,
        ...(request.input ? { input: request.input } : {}),
        ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
        ...(request.failFast !== undefined ? { failFast: request.failFast } : {}),
        ...(request.refuseUnavailableActions ? { refuseUnavailableActions: true } : {}),
        ...(request.interruptBefore ? { interruptBefore: request.interruptBefore } : {}),
        ...(request.interruptAfter ? { interruptAfter: request.interruptAfter } : {}),
        ...(request.startAt !== undefined ? { startAt: request.startAt } : {}),
        ...(request.only !== undefined ? { only: request.only } : {}),
        ...(caller.onEvent ? { onEvent: caller.onEvent } : {}),
        llm: { exchanges, ...(hasKeys ? { storedKeys } : {}) },
      });
    } catch (error) {
      if (error instanceof WorkflowInvalidError) {
        throw new HostFailure('INVALID_WORKFLOW', error.message, error.problems);
      }
      // The engine's own check of the request (the schemas catch these first; kept as a backstop).
      if (error instanceof RunRequestError) throw new HostFailure('BAD_REQUEST', `run: ${error.message}`);
      throw error;
    }
    const runId = handle.runId;
    this.active.set(runId, handle);
    // A replay keeps the recording it answered from, so a replay of it (or run from here) works too.
    this.recordings.keep(runId, replay ? replay.exchanges : exchanges, request.replay?.runId);
    if (!replay) this.liveExchanges.set(runId, exchanges as RunExchanges);
    const done = handle.result.then(
      () => undefined,
      (error: Error) => this.options.onRunError?.(runId, error),
    );
    void done.finally(() => {
      this.active.delete(runId);
      this.liveExchanges.delete(runId);
      this.recordings.trim(); // the recording grew while the run went on
    });
    return { runId, done };
  }

  async cancel({ runId }: RequestOf<'cancel'>): Promise<boolean> {
    return this.options.engine.cancel(runId);
  }

  async resume({ runId, state, replay }: RequestOf<'resume'>): Promise<boolean> {
    // Continue with recorded responses: the run's later model calls answer from `replay.runId`'s
    // recording (NOT_FOUND if gone). A run that replays already goes on as it was.
    const live = replay ? this.liveExchanges.get(runId) : undefined;
    const switched = live && !live.replaying;
    if (switched) live.switchTo(this.recordings.replayFrom(replay!.runId).store);
    try {
      const resumed = this.options.engine.resume(runId, state);
      if (!resumed && switched) live.switchTo(null);
      return resumed;
    } catch (error) {
      if (switched) live.switchTo(null);
      // The engine's own check of the state (the schemas catch these first; kept as a backstop).
      if (error instanceof RunRequestError) throw new HostFailure('BAD_REQUEST', `resume: ${error.message}`);
      throw error;
    }
  }

  /** Validates a providers/set-key payload (as `parse` does; the error never quotes the key). */
  parseProviderKey(payload: unknown): RequestOf<'providers/set-key'> {
    return this.parse('providers/set-key', payload);
  }

  /** Per provider: kept by the app, set in the environment (booleans: the keys never leave the host). */
  async providerKeys(): Promise<ProviderKeysInfo> {
    const keys = this.requireKeys();
    const stored = await keys.status();
    const env = this.options.env ?? process.env;
    return {
      providers: (Object.keys(PROVIDER_KEY_VARS) as (keyof typeof PROVIDER_KEY_VARS)[]).map((provider) => ({
        provider,
        variable: PROVIDER_KEY_VARS[provider],
        stored: stored[provider],
        inEnvironment: Boolean(env[PROVIDER_KEY_VARS[provider]]),
      })),
      storage: keys.location,
      unavailable: keys.unavailable(),
    };
  }

  /** Sets or clears one provider's key; answers the new status, never the key. */
  async setProviderKey({ provider, key }: RequestOf<'providers/set-key'>): Promise<ProviderKeysInfo> {
    const keys = this.requireKeys();
    try {
      await keys.set(provider, key);
    } catch (error) {
      // A store that cannot keep keys says why in words that never hold a key; anything else (disk,
      // cipher) is reported without its message, which might.
      if (error instanceof KeyStoreUnavailableError) throw new HostFailure('UNAVAILABLE', error.message);
      throw new HostFailure('INTERNAL', `the ${provider} key could not be stored`);
    }
    return this.providerKeys();
  }

  /** The page's "Test": one GET of the provider's model list with the key a run would use. */
  async testProvider({ provider, apiBase }: RequestOf<'providers/test'>): Promise<ProviderTestResult> {
    const stored = this.options.keys ? await this.options.keys.values() : {};
    return testProviderKey({ provider, apiBase }, this.options.env ?? process.env, stored);
  }

  private requireKeys(): ProviderKeyStore {
    if (!this.options.keys) throw new HostFailure('UNAVAILABLE', 'this host keeps no provider keys');
    return this.options.keys;
  }

  async recent(): Promise<string[]> {
    return this.options.recent.list();
  }

  /** Runs still in flight (shutdown cancels them). */
  activeRuns(): string[] {
    return [...this.active.keys()];
  }

  /** Closes the folder watches (shutdown). */
  stopWatching(): void {
    this.watches?.close();
  }

  cancelAll(): void {
    for (const handle of this.active.values()) handle.cancel();
    void this.batchOps?.close(); // cancels running batches, removes their results files
  }
}

/** Throws CONFLICT when the file is not the version the client expects (call under the file's lock). */
async function checkUnchanged(
  abs: string,
  shown: string,
  expected: { expectedHash?: string | undefined; expectedMtimeMs?: number | undefined },
): Promise<void> {
  if (expected.expectedHash === undefined && expected.expectedMtimeMs === undefined) {
    const info = await stat(abs).catch(() => null);
    if (info && !info.isFile()) throw new HostFailure('BAD_REQUEST', `'${shown}' is not a file`);
    return;
  }
  const info = await stat(abs).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (!info) throw new HostFailure('CONFLICT', `'${shown}' was deleted since it was opened`);
  if (!info.isFile()) throw new HostFailure('BAD_REQUEST', `'${shown}' is not a file`);
  const changed = () => new HostFailure('CONFLICT', `'${shown}' changed on disk since it was opened`);
  if (expected.expectedHash !== undefined) {
    // The hash decides (an edit that keeps the mtime is still caught; a mere touch is not a conflict).
    // A file bigger than any we open cannot be the version the client has.
    if (info.size > MAX_FILE_BYTES) throw changed();
    const handle = await open(abs, 'r');
    try {
      if (sha256(await handle.readFile()) !== expected.expectedHash) throw changed();
    } finally {
      await handle.close();
    }
  } else if (info.mtimeMs !== expected.expectedMtimeMs) {
    throw changed();
  }
}

/** Reads a workflow file whole, refusing one over MAX_FILE_BYTES (also when it grew since the stat). */
async function readWorkflowFile(file: ScopedPath): Promise<{ bytes: Buffer; mtimeMs: number }> {
  const handle = await open(file.abs, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new HostFailure('BAD_REQUEST', `'${file.shown}' is not a file`);
    const tooLarge = () =>
      new HostFailure('TOO_LARGE', `'${file.shown}' is larger than ${formatBytes(MAX_FILE_BYTES)}`);
    if (info.size > MAX_FILE_BYTES) throw tooLarge();
    // Read one byte past the limit: a file that grew since the stat is still refused.
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_FILE_BYTES) throw tooLarge();
    return { bytes: buffer.subarray(0, bytesRead), mtimeMs: info.mtimeMs };
  } finally {
    await handle.close();
  }
}

/** The folder of a client path, as the client writes paths ('' = serve's root). */
function parentOf(shown: string, relative: boolean): string {
  const at = shown.replace(/\/+$/, '').lastIndexOf('/');
  if (at < 0) return relative ? '' : '/';
  return at === 0 ? '/' : shown.slice(0, at);
}

/** EEXIST as the host's EXISTS naming the entry; anything else is rethrown. */
function existsAs(shown: string) {
  return (error: NodeJS.ErrnoException): never => {
    if (error.code === 'EEXIST') throw new HostFailure('EXISTS', `'${shown}' exists`);
    throw error;
  };
}
