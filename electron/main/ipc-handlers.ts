// IPC handlers for every invoke channel. Each one checks the sender frame, validates the payload with
// the channel's schema and resolves with a HostResult: errors are typed values, never thrown.
import type { IpcMain } from 'electron';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../engine/fs/atomic-write.ts';
import { exportPortable } from '../../engine/workflow/export.ts';
import { WorkflowInvalidError, type Engine } from '../../engine/index.ts';
import type { FileEntry, HostError, HostInfo, HostResult } from '../../engine/host/types.ts';
import type { RunEvent } from '../../engine/run/types.ts';
import { invokeChannels, type InvokeChannel, type RequestOf, type ResponseOf } from '../shared/channels.ts';
import type { FileAccess } from './access.ts';
import { isWorkflowFile, toForwardSlashes } from './access.ts';
import { isTrustedSender, type FrameLike, type TrustedPages } from './sender.ts';

/** Largest file openFile reads. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** The parts of an IpcMainInvokeEvent the handlers read (tests pass plain objects). */
export interface SenderLike {
  readonly id: number;
}
export interface InvokeEventLike {
  readonly senderFrame: FrameLike | null;
  readonly sender: SenderLike;
}

export interface RecentList {
  list(): string[];
  add(path: string): Promise<unknown>;
}

export interface HandlerDeps {
  pages: TrustedPages;
  engine: Pick<Engine, 'load' | 'validate' | 'run' | 'cancel' | 'resume'>;
  info: Omit<HostInfo, 'host' | 'root'>;
  access: FileAccess;
  recent: RecentList;
  /** Native dialogs for the sender's window; null when dismissed. */
  dialogs: {
    open(sender: SenderLike): Promise<string | null>;
    save(sender: SenderLike, defaultPath?: string): Promise<string | null>;
  };
  /** Where a sender's RunEvents go (a per-window EventBatcher). */
  runSink(sender: SenderLike): (event: RunEvent) => void;
  setDirty(sender: SenderLike, dirty: boolean): void;
  /** Folder file actions of an unsaved document are confined to. */
  scratchDir: string;
}

export class IpcFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly problems?: HostError['problems'],
  ) {
    super(message);
    this.name = 'IpcFailure';
  }
}

export type Handler<C extends InvokeChannel> = (
  event: InvokeEventLike,
  payload: unknown,
) => Promise<HostResult<ResponseOf<C>>>;
export type Handlers = { [C in InvokeChannel]: Handler<C> };

type Impl<C extends InvokeChannel> = (request: RequestOf<C>, sender: SenderLike) => Promise<ResponseOf<C>>;

export function createHandlers(deps: HandlerDeps): Handlers {
  /** Runs of each sender, so a window can cancel only its own runs. */
  const runOwners = new Map<string, number>();

  const wrap =
    <C extends InvokeChannel>(channel: C, impl: Impl<C>): Handler<C> =>
    async (event, payload) => {
      if (!isTrustedSender(event?.senderFrame, deps.pages)) {
        return fail('FORBIDDEN', `'${channel}' refused: the sender is not the app's own page`);
      }
      const parsed = invokeChannels[channel].request.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? ` at '${issue.path.join('.')}'` : '';
        return fail('BAD_REQUEST', `'${channel}': invalid payload${where}: ${issue?.message ?? 'rejected'}`);
      }
      try {
        return { ok: true, value: await impl(parsed.data as RequestOf<C>, event.sender) };
      } catch (err) {
        return { ok: false, error: toHostError(err) };
      }
    };

  const checkFile = (path: string): void => {
    if (!isWorkflowFile(path)) throw new IpcFailure('FORBIDDEN', `not a workflow file (.yaml/.yml): ${path}`);
    if (!deps.access.allowsFile(path)) {
      throw new IpcFailure('FORBIDDEN', `not inside a folder you opened: ${path}`);
    }
  };

  return {
    info: wrap('info', async () => ({
      host: 'electron',
      ...deps.info,
      root: toForwardSlashes(deps.access.currentFolder),
    })),

    'files:list': wrap('files:list', async ({ dir }) => {
      const folder = dir ?? deps.access.currentFolder;
      if (!deps.access.allowsFolder(folder)) {
        throw new IpcFailure('FORBIDDEN', `not inside a folder you opened: ${folder}`);
      }
      const entries = await readdir(folder, { withFileTypes: true });
      const listed: FileEntry[] = [];
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue;
        const full = join(folder, entry.name);
        if (entry.isDirectory()) {
          listed.push({ path: toForwardSlashes(full), name: entry.name, kind: 'dir' });
        } else if (entry.isFile() && isWorkflowFile(entry.name)) {
          const info = await stat(full).catch(() => null);
          if (!info) continue;
          listed.push({
            path: toForwardSlashes(full),
            name: entry.name,
            kind: 'file',
            size: info.size,
            mtimeMs: info.mtimeMs,
          });
        }
      }
      return listed.sort((a, b) =>
        a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1,
      );
    }),

    'files:open': wrap('files:open', async ({ path }, sender) => {
      let file = path;
      if (file === undefined) {
        const picked = await deps.dialogs.open(sender);
        if (picked === null) return null;
        file = picked;
        deps.access.grantFile(file); // the user chose it
      }
      checkFile(file);
      const info = await stat(file);
      if (!info.isFile()) throw new IpcFailure('BAD_REQUEST', `not a file: ${file}`);
      if (info.size > MAX_FILE_BYTES) {
        throw new IpcFailure('TOO_LARGE', `${file} is ${info.size} bytes (limit ${MAX_FILE_BYTES})`);
      }
      const text = await readFile(file, 'utf8');
      deps.access.grantFile(file);
      await deps.recent.add(file);
      return { path: toForwardSlashes(file), text, mtimeMs: info.mtimeMs };
    }),

    'files:save': wrap('files:save', async ({ path, text, expectedMtimeMs }, sender) => {
      let file = path;
      if (file === undefined) {
        const picked = await deps.dialogs.save(sender, deps.access.currentFolder);
        if (picked === null) return null;
        file = picked;
        deps.access.grantFile(file);
      }
      checkFile(file);
      if (expectedMtimeMs !== undefined) {
        const current = await stat(file).catch(() => null);
        if (current && current.mtimeMs !== expectedMtimeMs) {
          throw new IpcFailure('CONFLICT', `${file} changed on disk since it was opened`);
        }
      }
      await writeFileAtomic(file, text);
      const info = await stat(file);
      deps.access.grantFile(file);
      await deps.recent.add(file);
      return { path: toForwardSlashes(file), mtimeMs: info.mtimeMs };
    }),

    validate: wrap('validate', async ({ text, path }) => deps.engine.validate(deps.engine.load(text, path))),

    export: wrap('export', async ({ text }) => exportPortable(text)),

    run: wrap('run', async (request, sender) => {
      const { text, path, input, timeoutMs, failFast } = request;
      // The document's folder confines file actions, so it must be one the user opened.
      if (path !== undefined) checkFile(path);
      const load = deps.engine.load(text, path);
      const handle = deps.engine.run(load, {
        ...(input ? { input } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(failFast !== undefined ? { failFast } : {}),
        ...(request.interruptBefore ? { interruptBefore: request.interruptBefore } : {}),
        ...(request.interruptAfter ? { interruptAfter: request.interruptAfter } : {}),
        ...(request.startAt !== undefined ? { startAt: request.startAt } : {}),
        ...(request.only !== undefined ? { only: request.only } : {}),
        baseDir: path !== undefined ? dirname(path) : deps.scratchDir,
        onEvent: deps.runSink(sender),
      });
      runOwners.set(handle.runId, sender.id);
      // The outcome reaches the renderer as a run-finished event; only forget the owner here.
      handle.result.then(
        () => runOwners.delete(handle.runId),
        () => runOwners.delete(handle.runId),
      );
      return { runId: handle.runId };
    }),

    cancel: wrap('cancel', async ({ runId }, sender) => {
      if (runOwners.get(runId) !== sender.id) return false;
      return deps.engine.cancel(runId);
    }),

    'run:resume': wrap('run:resume', async ({ runId, state }, sender) => {
      if (runOwners.get(runId) !== sender.id) return false;
      try {
        return deps.engine.resume(runId, state);
      } catch (err) {
        // The engine refuses a state that is not plain JSON (IPC can carry Dates, Maps, cycles).
        if (err instanceof TypeError) throw new IpcFailure('BAD_REQUEST', `'run:resume': ${err.message}`);
        throw err;
      }
    }),

    recent: wrap('recent', async () => deps.recent.list()),

    'window:set-dirty': wrap('window:set-dirty', async ({ dirty }, sender) => {
      deps.setDirty(sender, dirty);
      return null;
    }),
  };
}

/** Registers every handler on ipcMain (or a fake with the same `handle`). */
export function registerHandlers(ipcMain: Pick<IpcMain, 'handle'>, handlers: Handlers): void {
  for (const channel of Object.keys(invokeChannels) as InvokeChannel[]) {
    const handler = handlers[channel] as Handler<InvokeChannel>;
    ipcMain.handle(channel, (event: InvokeEventLike, payload: unknown) => handler(event, payload));
  }
}

function fail(code: string, message: string): { ok: false; error: HostError } {
  return { ok: false, error: { code, message } };
}

export function toHostError(err: unknown): HostError {
  if (err instanceof IpcFailure) {
    return { code: err.code, message: err.message, ...(err.problems ? { problems: err.problems } : {}) };
  }
  if (err instanceof WorkflowInvalidError) {
    return { code: 'INVALID_WORKFLOW', message: err.message, problems: err.problems };
  }
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ENOENT') return { code: 'NOT_FOUND', message };
  if (code === 'EACCES' || code === 'EPERM') return { code: 'FORBIDDEN', message };
  if (code === 'EISDIR' || code === 'ENOTDIR') return { code: 'BAD_REQUEST', message };
  return { code: 'INTERNAL', message };
}
