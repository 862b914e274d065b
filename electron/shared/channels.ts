// The one IPC channel map shared by main (handlers validate with these schemas), preload (builds the
// exposed API from it) and renderer (types only). Every invoke channel resolves with a HostResult.
import { z } from 'zod';
import type {
  FileEntry,
  FileStat,
  FolderChange,
  HostInfo,
  HostResult,
  OpenedFile,
  ProviderKeysInfo,
  ProviderTestResult,
  SavedFile,
} from '../../engine/host/types.ts';
import { requestSchemas } from '../../engine/host/schemas.ts';
import type { BatchRowRun, BatchStarted, BatchStatus } from '../../engine/batch/view-types.ts';
import { MENU_ACTION_IDS, type ActionId } from './actions.ts';
import type { Problem } from '../../engine/workflow/types.ts';
import type { RunEvent } from '../../engine/run/types.ts';

/** A channel: its preload method name, its payload schema and (phantom) its response value type. */
export interface ChannelSpec<Req extends z.ZodType, Res> {
  readonly method: string;
  readonly request: Req;
  /** Type-level only: the `value` of the HostResult the handler resolves with. */
  readonly response?: Res;
}

function channel<Res>() {
  return <const M extends string, Req extends z.ZodType>(method: M, request: Req) =>
    ({ method, request }) as ChannelSpec<Req, Res> & { readonly method: M };
}

/** HostApi channels validate with the host service's schemas (engine/host/schemas.ts): one set of limits. */
export const invokeChannels = {
  info: channel<HostInfo>()('info', requestSchemas.info),
  'files:list': channel<FileEntry[]>()('listFiles', requestSchemas['files/list']),
  'files:open': channel<OpenedFile | null>()('openFile', requestSchemas['files/open']),
  'files:save': channel<SavedFile | null>()('saveFile', requestSchemas['files/save']),
  'files:stat': channel<FileStat>()('statFile', requestSchemas['files/stat']),
  'files:mkdir': channel<FileEntry>()('createFolder', requestSchemas['files/mkdir']),
  'files:rename': channel<FileEntry>()('renameEntry', requestSchemas['files/rename']),
  'files:delete': channel<boolean>()('deleteEntry', requestSchemas['files/delete']),
  validate: channel<Problem[]>()('validate', requestSchemas.validate),
  export: channel<{ text: string; problems: Problem[] }>()('exportPortable', requestSchemas.export),
  run: channel<{ runId: string }>()('run', requestSchemas.run),
  cancel: channel<boolean>()('cancel', requestSchemas.cancel),
  /** Continues a run paused at a breakpoint. */
  'run:resume': channel<boolean>()('resume', requestSchemas.resume),
  recent: channel<string[]>()('recentFiles', requestSchemas.recent),
  /** Providers page: write-only keys (status booleans, set / clear, test), never a key back. */
  'providers:keys': channel<ProviderKeysInfo>()('providerKeys', requestSchemas['providers/keys']),
  'providers:set-key': channel<ProviderKeysInfo>()('setProviderKey', requestSchemas['providers/set-key']),
  'providers:test': channel<ProviderTestResult>()('testProvider', requestSchemas['providers/test']),
  /** Batch runs (the Batch tab): engine/host/batch-ops.ts behind both transports. */
  'batch:list': channel<FileEntry[]>()('batchList', requestSchemas['batch/list']),
  'batch:start': channel<BatchStarted>()('batchStart', requestSchemas['batch/start']),
  'batch:status': channel<BatchStatus>()('batchStatus', requestSchemas['batch/status']),
  'batch:row': channel<BatchRowRun>()('batchRow', requestSchemas['batch/row']),
  'batch:cancel': channel<boolean>()('batchCancel', requestSchemas['batch/cancel']),
  'batch:export': channel<{ path: string }>()('batchExport', requestSchemas['batch/export']),
  'window:set-dirty': channel<null>()('setDirty', z.strictObject({ dirty: z.boolean() })),
} as const;

export type InvokeChannel = keyof typeof invokeChannels;
export type RequestOf<C extends InvokeChannel> = z.infer<(typeof invokeChannels)[C]['request']>;
export type ResponseOf<C extends InvokeChannel> = Exclude<(typeof invokeChannels)[C]['response'], undefined>;
export type MethodOf<C extends InvokeChannel> = (typeof invokeChannels)[C]['method'];

/** Main -> renderer pushes. */
export const eventChannels = {
  /** RunEvent[] batches, flushed at most ~60 times a second, in order. */
  runEvents: 'run:events',
  /** A MenuCommandMessage from the native menu (or from main: command-line file, second instance). */
  menuCommand: 'menu:command',
  /** A FolderChange: a folder the app listed changed on disk (engine/host/folder-watch.ts). */
  filesChanged: 'files:changed',
} as const;

/** What the native menu (and main) may send: a registry action id (electron/shared/actions.ts), or
 * file:open-path for Open Recent, the command-line file and a second instance. */
export const MENU_COMMANDS = [...MENU_ACTION_IDS, 'file:open-path'] as const;
export type MenuCommand = ActionId | 'file:open-path';

export interface MenuCommandMessage {
  command: MenuCommand;
  /** For file:open-path. */
  path?: string;
  /** For file:save sent by the unsaved-changes prompt: close the window once saved. */
  closeAfter?: boolean;
}

type PayloadArgs<C extends InvokeChannel> =
  undefined extends RequestOf<C> ? [payload?: RequestOf<C>] : [payload: RequestOf<C>];

/** What the preload exposes as `window.fanout`: one function per invoke channel plus the subscriptions. */
export type PreloadApi = {
  readonly [C in InvokeChannel as MethodOf<C>]: (
    ...args: PayloadArgs<C>
  ) => Promise<HostResult<ResponseOf<C>>>;
} & {
  onRunEvents(listener: (events: RunEvent[]) => void): () => void;
  onMenuCommand(listener: (message: MenuCommandMessage) => void): () => void;
  onFilesChanged(listener: (change: FolderChange) => void): () => void;
};

/** The subscription methods PreloadApi adds on top of the invoke channels. */
export const SUBSCRIPTION_METHODS = ['onRunEvents', 'onMenuCommand', 'onFilesChanged'] as const;
