import { describe, expect, it } from 'vitest';
import { eventChannels, invokeChannels, SUBSCRIPTION_METHODS } from '../shared/channels.ts';
import { createPreloadApi, type IpcRendererLike } from './api.ts';

function fakeIpc() {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      invoked.push({ channel, args });
      return { ok: true, value: channel };
    },
    on: (channel, listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
    },
    removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
  };
  const emit = (channel: string, value: unknown) => {
    for (const l of listeners.get(channel) ?? []) l({ sender: 'secret ipc event' }, value);
  };
  return { ipc, invoked, listeners, emit };
}

describe('preload API and channel map stay in sync', () => {
  it('exposes exactly one function per invoke channel plus the subscriptions', () => {
    const api = createPreloadApi(fakeIpc().ipc);
    const methods = Object.values(invokeChannels).map((c) => c.method);
    expect(new Set(methods).size).toBe(methods.length); // no two channels share a method name
    expect(Object.keys(api).sort()).toEqual([...methods, ...SUBSCRIPTION_METHODS].sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('each method invokes its own channel with the payload, and nothing else', async () => {
    const { ipc, invoked } = fakeIpc();
    const api = createPreloadApi(ipc) as unknown as Record<string, (payload?: unknown) => Promise<unknown>>;
    for (const [channel, spec] of Object.entries(invokeChannels)) {
      const payload = { probe: channel };
      expect(await api[spec.method]!(payload)).toEqual({ ok: true, value: channel });
      expect(invoked.at(-1)).toEqual({ channel, args: [payload] });
    }
    expect(invoked).toHaveLength(Object.keys(invokeChannels).length);
  });

  it('subscriptions deliver only the value (never the IPC event) and unsubscribe cleanly', () => {
    const { ipc, listeners, emit } = fakeIpc();
    const api = createPreloadApi(ipc);
    const batches: unknown[] = [];
    const commands: unknown[] = [];
    const offEvents = api.onRunEvents((events) => batches.push(events));
    const offMenu = api.onMenuCommand((message) => commands.push(message));
    const folders: unknown[] = [];
    const offFiles = api.onFilesChanged((change) => folders.push(change));
    emit(eventChannels.runEvents, [{ type: 'run-started' }]);
    emit(eventChannels.menuCommand, { command: 'run:run' });
    emit(eventChannels.filesChanged, { dir: '/home/u/flows' });
    expect(batches).toEqual([[{ type: 'run-started' }]]);
    expect(commands).toEqual([{ command: 'run:run' }]);
    expect(folders).toEqual([{ dir: '/home/u/flows' }]);
    offEvents();
    offMenu();
    offFiles();
    expect(listeners.get(eventChannels.runEvents)?.size).toBe(0);
    expect(listeners.get(eventChannels.menuCommand)?.size).toBe(0);
    expect(listeners.get(eventChannels.filesChanged)?.size).toBe(0);
  });
});
