// The one IPC channel map shared by main (handlers validate with these schemas), preload (builds the
// exposed API from it) and renderer (types only). Every invoke channel resolves with a HostResult.
import { z } from 'zod';
import type { FileEntry, HostInfo, HostResult, OpenedFile, SavedFile } from '../../engine/host/types.ts';
import type { Problem } from '../../engine/workflow/types.ts';
import type { RunEvent } from '../../engine/run/types.ts';

/** Largest document accepted over IPC (characters); bigger texts are a BAD_REQUEST. */
export const MAX_TEXT_CHARS = 5 * 1024 * 1024;
const MAX_PATH_CHARS = 4096;

/** Longest node name accepted in breakpoint lists, startAt and only; most breakpoints per list. */
export const MAX_NODE_NAME_CHARS = 200;
export const MAX_BREAKPOINTS = 1000;

const path = z.string().min(1).max(MAX_PATH_CHARS);
const text = z.string().max(MAX_TEXT_CHARS);
const runId = z.string().min(1).max(200);
const nodeName = z.string().min(1).max(MAX_NODE_NAME_CHARS);
const nodeNames = z.array(nodeName).max(MAX_BREAKPOINTS);
const jsonObject = z.record(z.string(), z.unknown());

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

export const invokeChannels = {
  info: channel<HostInfo>()('info', z.undefined()),
  'files:list': channel<FileEntry[]>()('listFiles', z.strictObject({ dir: path.optional() })),
  'files:open': channel<OpenedFile | null>()('openFile', z.strictObject({ path: path.optional() })),
  'files:save': channel<SavedFile | null>()(
    'saveFile',
    z.strictObject({
      path: path.optional(),
      text,
      expectedMtimeMs: z.number().finite().nonnegative().optional(),
    }),
  ),
  validate: channel<Problem[]>()('validate', z.strictObject({ text, path: path.optional() })),
  export: channel<{ text: string; problems: Problem[] }>()('exportPortable', z.strictObject({ text })),
  run: channel<{ runId: string }>()(
    'run',
    z
      .strictObject({
        text,
        path: path.optional(),
        input: jsonObject.optional(),
        timeoutMs: z
          .number()
          .int()
          .positive()
          .max(24 * 3600 * 1000)
          .optional(),
        failFast: z.boolean().optional(),
        interruptBefore: nodeNames.optional(),
        interruptAfter: nodeNames.optional(),
        startAt: nodeName.optional(),
        only: nodeName.optional(),
      })
      .refine((r) => r.startAt === undefined || r.only === undefined, {
        message: 'give startAt or only, not both',
      }),
  ),
  cancel: channel<boolean>()('cancel', z.strictObject({ runId })),
  /** Continues a run paused at a breakpoint; the engine checks `state` is plain JSON. */
  'run:resume': channel<boolean>()('resume', z.strictObject({ runId, state: jsonObject.optional() })),
  recent: channel<string[]>()('recentFiles', z.undefined()),
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
} as const;

export const MENU_COMMANDS = [
  'file:new',
  'file:open',
  'file:open-path',
  'file:save',
  'file:save-as',
  'file:export',
  'file:close',
  'edit:undo',
  'edit:redo',
  'run:run',
  'run:cancel',
  'view:zoom-in',
  'view:zoom-out',
  'view:zoom-reset',
  'view:fit',
  'view:toggle-panels',
  'help:about',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export interface MenuCommandMessage {
  command: MenuCommand;
  /** For file:open-path. */
  path?: string;
  /** For file:save sent by the unsaved-changes prompt: close the window once saved. */
  closeAfter?: boolean;
}

type PayloadArgs<C extends InvokeChannel> =
  undefined extends RequestOf<C> ? [payload?: RequestOf<C>] : [payload: RequestOf<C>];

/** What the preload exposes as `window.fanout`: one function per invoke channel plus two subscriptions. */
export type PreloadApi = {
  readonly [C in InvokeChannel as MethodOf<C>]: (
    ...args: PayloadArgs<C>
  ) => Promise<HostResult<ResponseOf<C>>>;
} & {
  onRunEvents(listener: (events: RunEvent[]) => void): () => void;
  onMenuCommand(listener: (message: MenuCommandMessage) => void): () => void;
};

/** The subscription methods PreloadApi adds on top of the invoke channels. */
export const SUBSCRIPTION_METHODS = ['onRunEvents', 'onMenuCommand'] as const;
