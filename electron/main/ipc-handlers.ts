// IPC handlers for every invoke channel: a thin transport over the host service (engine/host). Each one
// checks the sender frame, validates the payload with the service's schema and resolves with a
// HostResult: errors are typed values, never thrown. What stays here is what only Electron has: native
// dialogs, run ownership per window (a window cancels and resumes only its own runs), the dirty flag.
import type { IpcMain } from 'electron';
import type { Engine } from '../../engine/index.ts';
import type { FolderChange, HostInfo, HostError, HostResult } from '../../engine/host/types.ts';
import { HostFailure } from '../../engine/host/errors.ts';
import { HostService, settle, type Caller, type RecentList } from '../../engine/host/service.ts';
import type { HostOp } from '../../engine/host/schemas.ts';
import type { ProviderKeyStore } from '../../engine/host/provider-keys.ts';
import type { RunEvent } from '../../engine/run/types.ts';
import { invokeChannels, type InvokeChannel, type ResponseOf } from '../shared/channels.ts';
import type { FileAccess } from './access.ts';
import { isTrustedSender, type FrameLike, type TrustedPages } from './sender.ts';

export type { RecentList };

/**
 * Properties of every native save dialog: the OS asks before replacing a file (macOS and Windows always
 * do; Linux only with `showOverwriteConfirmation`), which is why a save whose path came from the dialog
 * replaces without a second question.
 */
export const SAVE_DIALOG_PROPERTIES = ['showOverwriteConfirmation', 'createDirectory'] as const;

/** The parts of an IpcMainInvokeEvent the handlers read (tests pass plain objects). */
export interface SenderLike {
  readonly id: number;
}
export interface InvokeEventLike {
  readonly senderFrame: FrameLike | null;
  readonly sender: SenderLike;
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
  /** The Providers page's keys (main: a FileKeyStore sealed by safeStorage, safe-storage-cipher.ts). */
  keys?: ProviderKeyStore;
  /** An unexpected failure (a bug, not a bad request): main logs it. */
  onInternalError?: (channel: InvokeChannel, error: unknown) => void;
  /** A folder a window listed changed on disk (engine/host/folder-watch.ts): main tells every window. */
  onFilesChanged?: (change: FolderChange) => void;
}

export type Handler<C extends InvokeChannel> = (
  event: InvokeEventLike,
  payload: unknown,
) => Promise<HostResult<ResponseOf<C>>>;
export type Handlers = { [C in InvokeChannel]: Handler<C> };

/** The host operation behind each HostApi channel (window:set-dirty is Electron's own). */
const OPS = {
  info: 'info',
  'files:list': 'files/list',
  'files:open': 'files/open',
  'files:save': 'files/save',
  'files:stat': 'files/stat',
  'files:mkdir': 'files/mkdir',
  'files:rename': 'files/rename',
  'files:delete': 'files/delete',
  validate: 'validate',
  export: 'export',
  run: 'run',
  cancel: 'cancel',
  'run:resume': 'resume',
  recent: 'recent',
  'providers:keys': 'providers/keys',
  'providers:set-key': 'providers/set-key',
  'providers:test': 'providers/test',
  'batch:list': 'batch/list',
  'batch:start': 'batch/start',
  'batch:status': 'batch/status',
  'batch:row': 'batch/row',
  'batch:cancel': 'batch/cancel',
  'batch:export': 'batch/export',
} as const satisfies Partial<Record<InvokeChannel, HostOp>>;

export function createHandlers(deps: HandlerDeps): Handlers {
  const service = new HostService({
    host: 'electron',
    engine: deps.engine,
    info: deps.info,
    scope: deps.access.scope(),
    recent: deps.recent,
    scratchDir: deps.scratchDir,
    ...(deps.keys ? { keys: deps.keys } : {}),
    ...(deps.onFilesChanged ? { onFilesChanged: deps.onFilesChanged } : {}),
  });
  /** Runs of each sender, so a window can cancel only its own runs. */
  const runOwners = new Map<string, number>();
  /** Batches of each sender: a window sees and cancels only its own batches. */
  const batchOwners = new Map<string, number>();
  const ownBatch = (batchId: string, sender: SenderLike) => {
    if (batchOwners.get(batchId) !== sender.id) throw new HostFailure('NOT_FOUND', 'no such batch');
  };
  const callerOf = (sender: SenderLike): Caller => ({
    pickOpen: () => deps.dialogs.open(sender),
    pickSave: (folder) => deps.dialogs.save(sender, folder),
    onEvent: deps.runSink(sender),
  });

  /** Sender check, then the channel's work (which parses its payload) as a HostResult. */
  const gate =
    <C extends InvokeChannel>(
      channel: C,
      work: (payload: unknown, sender: SenderLike) => Promise<ResponseOf<C>>,
    ): Handler<C> =>
    async (event, payload) => {
      if (!isTrustedSender(event?.senderFrame, deps.pages)) {
        return fail('FORBIDDEN', `'${channel}' refused: the sender is not the app's own page`);
      }
      return settle(
        () => work(payload, event.sender),
        (error) => deps.onInternalError?.(channel, error),
      );
    };
  const parse = <C extends keyof typeof OPS>(channel: C, payload: unknown) =>
    service.parse(OPS[channel], payload, `'${channel}'`);

  return {
    info: gate('info', async (payload) => (parse('info', payload), service.info())),
    'files:list': gate('files:list', (payload) => service.listFiles(parse('files:list', payload))),
    'files:open': gate('files:open', (payload, sender) =>
      service.openFile(parse('files:open', payload), callerOf(sender)),
    ),
    'files:save': gate('files:save', (payload, sender) =>
      service.saveFile(parse('files:save', payload), callerOf(sender)),
    ),
    'files:stat': gate('files:stat', (payload) => service.statFile(parse('files:stat', payload))),
    'files:mkdir': gate('files:mkdir', (payload) => service.createFolder(parse('files:mkdir', payload))),
    'files:rename': gate('files:rename', (payload) => service.renameEntry(parse('files:rename', payload))),
    'files:delete': gate('files:delete', (payload) => service.deleteEntry(parse('files:delete', payload))),
    validate: gate('validate', (payload) => service.validate(parse('validate', payload))),
    export: gate('export', (payload) => service.exportPortable(parse('export', payload))),
    run: gate('run', async (payload, sender) => {
      const { runId, done } = await service.run(parse('run', payload), callerOf(sender));
      runOwners.set(runId, sender.id);
      // The outcome reaches the renderer as a run-finished event; only forget the owner here.
      void done.then(() => runOwners.delete(runId));
      return { runId };
    }),
    cancel: gate('cancel', async (payload, sender) => {
      const request = parse('cancel', payload);
      return runOwners.get(request.runId) === sender.id && service.cancel(request);
    }),
    'run:resume': gate('run:resume', async (payload, sender) => {
      const request = parse('run:resume', payload);
      return runOwners.get(request.runId) === sender.id && service.resume(request);
    }),
    recent: gate('recent', async (payload) => (parse('recent', payload), service.recent())),
    'providers:keys': gate('providers:keys', async (payload) => {
      parse('providers:keys', payload);
      return service.providerKeys();
    }),
    'providers:set-key': gate('providers:set-key', (payload) =>
      service.setProviderKey(parse('providers:set-key', payload)),
    ),
    'providers:test': gate('providers:test', (payload) =>
      service.testProvider(parse('providers:test', payload)),
    ),
    'batch:list': gate('batch:list', (payload) => service.batch.list(parse('batch:list', payload))),
    'batch:start': gate('batch:start', async (payload, sender) => {
      const started = await service.batch.start(parse('batch:start', payload));
      batchOwners.set(started.batchId, sender.id);
      return started;
    }),
    'batch:status': gate('batch:status', async (payload, sender) => {
      const request = parse('batch:status', payload);
      ownBatch(request.batchId, sender);
      return service.batch.status(request);
    }),
    'batch:row': gate('batch:row', async (payload, sender) => {
      const request = parse('batch:row', payload);
      ownBatch(request.batchId, sender);
      return service.batch.row(request);
    }),
    'batch:cancel': gate('batch:cancel', async (payload, sender) => {
      const request = parse('batch:cancel', payload);
      return batchOwners.get(request.batchId) === sender.id && service.batch.cancel(request);
    }),
    'batch:export': gate('batch:export', async (payload, sender) => {
      const request = parse('batch:export', payload);
      ownBatch(request.batchId, sender);
      return service.batch.export(request);
    }),
    'window:set-dirty': gate('window:set-dirty', async (payload, sender) => {
      const parsed = invokeChannels['window:set-dirty'].request.safeParse(payload);
      if (!parsed.success) {
        throw new HostFailure('BAD_REQUEST', `'window:set-dirty': the payload must be { dirty: boolean }`);
      }
      deps.setDirty(sender, parsed.data.dirty);
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
