// Renderer -> preload -> main agree: every HostApi call of the Electron host produces a payload that
// main's schema for that channel accepts, on the channel main registered for it.
import { describe, expect, it } from 'vitest';
import { createPreloadApi } from '../../../electron/preload/api.ts';
import { invokeChannels, type InvokeChannel } from '../../../electron/shared/channels.ts';
import { createElectronHost } from './electron.ts';

function recordingHost() {
  const calls: { channel: InvokeChannel; payload: unknown; accepted: boolean }[] = [];
  const api = createPreloadApi({
    invoke: async (channel, payload) => {
      const spec = invokeChannels[channel as InvokeChannel];
      calls.push({
        channel: channel as InvokeChannel,
        payload,
        accepted: spec.request.safeParse(payload).success,
      });
      return { ok: true, value: null };
    },
    on: () => undefined,
    removeListener: () => undefined,
  });
  return { host: createElectronHost(api), calls };
}

describe('Electron HostApi', () => {
  it('maps every HostApi call onto a channel whose schema accepts the payload', async () => {
    const { host, calls } = recordingHost();
    expect(host.kind).toBe('electron');
    await host.info();
    await host.listFiles();
    await host.listFiles('/w');
    await host.openFile();
    await host.openFile('/w/a.yaml');
    await host.saveFile(undefined, 'x');
    await host.saveFile('/w/a.yaml', 'x', { expectedMtimeMs: 12.5 });
    await host.saveFile('/w/a.yaml', 'x', { expectedHash: 'ab'.repeat(32) });
    await host.saveFile('/w/b.yaml', 'x', { overwrite: false });
    await host.statFile('/w/a.yaml');
    await host.createFolder('/w/new');
    await host.renameEntry('/w/a.yaml', 'b.yaml');
    await host.deleteEntry('/w/b.yaml');
    await host.validate('x');
    await host.validate('x', '/w/a.yaml');
    await host.exportPortable('x');
    await host.run({ text: 'x' });
    await host.run({ text: 'x', path: '/w/a.yaml', input: { n: 1 }, timeoutMs: 1000, failFast: true });
    await host.run({
      text: 'x',
      interruptBefore: ['a', 'b'],
      interruptAfter: ['c'],
      startAt: 'a',
      input: { s: 1 },
    });
    await host.run({ text: 'x', only: 'b', input: {} });
    await host.cancel('run-1');
    await host.resume('run-1');
    await host.resume('run-1', { edited: true });
    await host.recentFiles();
    await host.providerKeys();
    await host.setProviderKey('openai', 'sk-abc123');
    await host.setProviderKey('azure', null);
    await host.testProvider('ollama');
    await host.testProvider('openai', 'http://127.0.0.1:9/v1');
    const batch = host.batch!;
    await batch.list();
    await batch.list('/w/data');
    await batch.start({ text: 'x', dataset: '/w/rows.jsonl' });
    await batch.start({
      text: 'x',
      path: '/w/a.yaml',
      dataset: '/w/rows.csv',
      concurrency: 2,
      expect: 'state.ok',
      csvTypes: true,
    });
    await batch.status('batch-1', 0);
    await batch.row('batch-1', '3');
    await batch.cancel('batch-1');
    await batch.export('batch-1', '/w/out.csv', 'csv');
    await batch.export('batch-1', '/w/out.jsonl', 'jsonl', true);
    expect(calls.filter((c) => !c.accepted)).toEqual([]);
    const used = new Set(calls.map((c) => c.channel));
    // Everything but the window's dirty flag, which is not part of HostApi.
    expect([...used].sort()).toEqual(
      (Object.keys(invokeChannels) as InvokeChannel[]).filter((c) => c !== 'window:set-dirty').sort(),
    );
    // Optional arguments are left out, never sent as `undefined` keys.
    expect(calls.find((c) => c.channel === 'files:open')?.payload).toEqual({});
    expect(calls.filter((c) => c.channel === 'run:resume').map((c) => c.payload)).toEqual([
      { runId: 'run-1' },
      { runId: 'run-1', state: { edited: true } },
    ]);
    expect(calls.filter((c) => c.channel === 'batch:list').map((c) => c.payload)).toEqual([
      {},
      { dir: '/w/data' },
    ]);
    expect(calls.filter((c) => c.channel === 'batch:export').map((c) => c.payload)).toEqual([
      { batchId: 'batch-1', path: '/w/out.csv', format: 'csv' },
      { batchId: 'batch-1', path: '/w/out.jsonl', format: 'jsonl', overwrite: true },
    ]);
    expect(calls.filter((c) => c.channel === 'providers:test').map((c) => c.payload)).toEqual([
      { provider: 'ollama' },
      { provider: 'openai', apiBase: 'http://127.0.0.1:9/v1' },
    ]);
    expect(calls.filter((c) => c.channel === 'run').at(-2)?.payload).toEqual({
      text: 'x',
      input: { s: 1 },
      interruptBefore: ['a', 'b'],
      interruptAfter: ['c'],
      startAt: 'a',
    });
  });
});
