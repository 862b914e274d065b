// Builds the `window.fanout` API from the channel map: one typed function per invoke channel and the
// subscriptions. No ipcRenderer object, channel name or event object ever reaches the page.
import {
  eventChannels,
  invokeChannels,
  type InvokeChannel,
  type MenuCommandMessage,
  type PreloadApi,
} from '../shared/channels.ts';
import type { RunEvent } from '../../engine/run/types.ts';
import type { FolderChange } from '../../engine/host/types.ts';

/** The slice of Electron's ipcRenderer the preload needs (a fake in tests). */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createPreloadApi(ipc: IpcRendererLike): PreloadApi {
  const api: Record<string, unknown> = {};
  for (const name of Object.keys(invokeChannels) as InvokeChannel[]) {
    api[invokeChannels[name].method] = (payload?: unknown) => ipc.invoke(name, payload);
  }
  const subscribe =
    <T>(channel: string) =>
    (listener: (value: T) => void): (() => void) => {
      const wrapped = (_event: unknown, value: unknown) => listener(value as T);
      ipc.on(channel, wrapped);
      return () => {
        ipc.removeListener(channel, wrapped);
      };
    };
  api.onRunEvents = subscribe<RunEvent[]>(eventChannels.runEvents);
  api.onMenuCommand = subscribe<MenuCommandMessage>(eventChannels.menuCommand);
  api.onFilesChanged = subscribe<FolderChange>(eventChannels.filesChanged);
  return Object.freeze(api) as PreloadApi;
}
