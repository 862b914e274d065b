import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../engine/index.ts';
import type { RunEvent } from '../../engine/run/types.ts';
import { invokeChannels, type InvokeChannel } from '../shared/channels.ts';
import { FileAccess } from './access.ts';
import { FileKeyStore } from '../../engine/host/provider-keys.ts';
import { MAX_FILE_BYTES } from '../../engine/limits.ts';
import {
  createHandlers,
  registerHandlers,
  SAVE_DIALOG_PROPERTIES,
  type Handlers,
  type InvokeEventLike,
} from './ipc-handlers.ts';
import type { IpcMain } from 'electron';

const rendererIndex = '/app/out/renderer/index.html';
const goodFrame = { url: pathToFileURL(rendererIndex).href, parent: null };
const event = (frame: InvokeEventLike['senderFrame'], id = 1): InvokeEventLike => ({
  senderFrame: frame,
  sender: { id },
});
const good = event(goodFrame);

const WORKFLOW = `name: tiny
state_schema:
  n: int
nodes:
  - name: bump
    language: lua
    run: |
      return { n = (state.n or 0) + 1 }
edges:
  - from: __start__
    to: bump
  - from: bump
    to: __end__
`;

/** A valid payload for every channel (used to prove that only the sender made a call fail). */
const validPayloads = (dir: string): Record<InvokeChannel, unknown> => ({
  info: undefined,
  'files:list': { dir },
  'files:open': { path: join(dir, 'a.yaml') },
  'files:save': { path: join(dir, 'a.yaml'), text: WORKFLOW },
  'files:stat': { path: join(dir, 'a.yaml') },
  'files:mkdir': { path: join(dir, 'new') },
  'files:rename': { path: join(dir, 'a.yaml'), name: 'b.yaml' },
  'files:delete': { path: join(dir, 'a.yaml') },
  validate: { text: WORKFLOW },
  export: { text: WORKFLOW },
  run: { text: WORKFLOW },
  cancel: { runId: 'x' },
  'run:resume': { runId: 'x', state: { a: 1 } },
  recent: undefined,
  'providers:keys': undefined,
  'providers:set-key': { provider: 'openai', key: 'sk-valid-key-123' },
  'providers:test': { provider: 'ollama', apiBase: 'http://127.0.0.1:9' },
  'batch:list': { dir },
  'batch:start': { text: WORKFLOW, dataset: join(dir, 'rows.jsonl') },
  'batch:status': { batchId: 'x', since: 0 },
  'batch:row': { batchId: 'x', rowId: '1' },
  'batch:cancel': { batchId: 'x' },
  'batch:export': { batchId: 'x', path: join(dir, 'r.csv'), format: 'csv' },
  'window:set-dirty': { dirty: true },
});

const badPayloads: Record<InvokeChannel, unknown[]> = {
  // No payload, or `{}` as serve sends (one schema for both transports).
  info: ['x', 1, { all: true }],
  'files:list': [undefined, { dir: 5 }, { dir: '' }, { dir: '/x', extra: 1 }],
  'files:open': [undefined, { path: 7 }, { path: 'x'.repeat(5000) }, 'a.yaml'],
  'files:save': [undefined, { path: '/a.yaml' }, { text: 5 }, { text: 'x', expectedMtimeMs: -1 }],
  'files:stat': [undefined, {}, { path: 1 }, { path: '/a.yaml', extra: 1 }],
  'files:mkdir': [undefined, {}, { path: '' }, { path: 'x'.repeat(5000) }],
  'files:rename': [
    undefined,
    { path: '/a.yaml' },
    { path: '/a.yaml', name: '' },
    { path: '/a.yaml', name: 'x/y.yaml' },
    { path: '/a.yaml', name: '..' },
    { path: '/a.yaml', name: 'a\u0007.yaml' },
    { path: '/a.yaml', name: `${'x'.repeat(300)}.yaml` },
  ],
  'files:delete': [undefined, {}, { path: 3 }],
  validate: [undefined, {}, { text: null }, { text: 'x'.repeat(5 * 1024 * 1024 + 1) }],
  export: [undefined, { text: 1 }, { text: 'x', path: '/a.yaml' }],
  run: [
    undefined,
    { text: 'x', timeoutMs: -5 },
    { text: 'x', input: [] },
    { text: 'x', failFast: 'yes' },
    { text: 'x', interruptBefore: 'bump' },
    { text: 'x', interruptAfter: ['bump', 3] },
    { text: 'x', interruptBefore: [''] },
    { text: 'x', interruptBefore: Array<string>(1001).fill('bump') },
    { text: 'x', startAt: 'x'.repeat(201) },
    { text: 'x', only: 5 },
    { text: 'x', startAt: 'bump', only: 'bump' },
  ],
  cancel: [undefined, {}, { runId: '' }, { runId: 3 }],
  'run:resume': [
    undefined,
    {},
    { runId: '' },
    { runId: 'x', state: [1] },
    { runId: 'x', state: 'text' },
    { runId: 'x', extra: 1 },
  ],
  recent: [{ all: true }, [], 'x'],
  'batch:list': [{ dir: 5 }, { dir: '' }, 'x'],
  'batch:start': [
    undefined,
    { text: 'x' },
    { text: 'x', dataset: 'd.jsonl', concurrency: 0 },
    { text: 'x', dataset: 'd.jsonl', concurrency: 1000 },
    { text: 'x', dataset: 'd.jsonl', expect: 'x'.repeat(5000) },
  ],
  'batch:status': [undefined, { batchId: 'x' }, { batchId: 'x', since: -1 }, { batchId: 'x', since: 1.5 }],
  'batch:row': [undefined, { batchId: 'x' }, { batchId: 'x', rowId: '' }],
  'batch:cancel': [undefined, {}, { batchId: '' }],
  'batch:export': [
    undefined,
    { batchId: 'x', path: '/r.csv' },
    { batchId: 'x', path: '/r.csv', format: 'xlsx' },
  ],
  'providers:keys': [{ all: true }, 'x'],
  'providers:set-key': [
    undefined,
    { provider: 'openai' },
    { provider: 'nope', key: 'sk-x' },
    { provider: 'openai', key: '' },
    { provider: 'openai', key: 'has space' },
    { provider: 'openai', key: 'k'.repeat(1025) },
    { provider: 'openai', key: 'sk-x', extra: 1 },
  ],
  'providers:test': [
    undefined,
    { provider: 'mock' },
    { provider: 'openai', apiBase: 'file:///etc/passwd' },
    { provider: 'openai', apiBase: `http://${'x'.repeat(2100)}` },
  ],
  'window:set-dirty': [undefined, { dirty: 'yes' }, {}],
};

let engine: Engine;
let dir: string;
let handlers: Handlers;
let recent: string[];
let dirty: { id: number; dirty: boolean }[];
let events: RunEvent[];
let dialogAnswer: string | null;

beforeAll(() => {
  engine = createEngine({ size: 1 });
});
afterAll(async () => {
  await engine.close();
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-ipc-'));
  await writeFile(join(dir, 'a.yaml'), WORKFLOW);
  recent = [];
  dirty = [];
  events = [];
  dialogAnswer = null;
  handlers = createHandlers({
    pages: { rendererIndex },
    engine,
    info: { appVersion: '9.9.9', platform: 'linux', workers: 1 },
    access: new FileAccess(dir),
    recent: {
      list: () => [...recent],
      add: async (p) => {
        recent = [p, ...recent.filter((r) => r !== p)];
      },
    },
    dialogs: { open: async () => dialogAnswer, save: async () => dialogAnswer },
    runSink: () => (e) => events.push(e),
    setDirty: (sender, value) => dirty.push({ id: sender.id, dirty: value }),
    scratchDir: dir,
    keys: new FileKeyStore(join(dir, 'keys', 'provider-keys.json')),
  });
  return () => rm(dir, { recursive: true, force: true });
});

describe('every IPC handler', () => {
  const channels = Object.keys(invokeChannels) as InvokeChannel[];

  it.each(channels)('%s refuses senders that are not the app page', async (channel) => {
    const wrong = [
      event(null),
      event({ url: 'https://evil.example/', parent: null }),
      event({ url: pathToFileURL('/app/out/renderer/other.html').href, parent: null }),
      event({ url: 'file:///etc/passwd', parent: null }),
      event({ url: goodFrame.url, parent: { url: goodFrame.url } }), // a sub-frame of our page
      event({ url: 'http://localhost:5173/', parent: null }), // no dev server configured
    ];
    for (const e of wrong) {
      const result = await handlers[channel](e, validPayloads(dir)[channel]);
      expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    // The same payload from the right sender passes the gate.
    const accepted = await handlers[channel](good, validPayloads(dir)[channel]);
    expect(accepted.ok ? 'ok' : accepted.error.code).not.toBe('FORBIDDEN');
  });

  it.each(channels)('%s rejects malformed payloads with BAD_REQUEST', async (channel) => {
    for (const payload of badPayloads[channel]) {
      const result = await handlers[channel](good, payload);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('BAD_REQUEST');
        expect(result.error.message).toContain(channel);
      }
    }
  });

  it('registers one handler per channel and nothing else', () => {
    const registered: string[] = [];
    registerHandlers(
      { handle: (c: string) => registered.push(c) } as unknown as Pick<IpcMain, 'handle'>,
      handlers,
    );
    expect(registered.sort()).toEqual([...channels].sort());
  });
});

describe('handler behaviour', () => {
  it('info reports the electron host and the current folder', async () => {
    const result = await handlers.info(good, undefined);
    expect(result).toEqual({
      ok: true,
      value: { host: 'electron', appVersion: '9.9.9', platform: 'linux', workers: 1, root: dir },
    });
  });

  it('lists workflow files and folders, hiding other files', async () => {
    await writeFile(join(dir, 'notes.txt'), 'x');
    await writeFile(join(dir, '.hidden.yaml'), 'x');
    const result = await handlers['files:list'](good, {});
    expect(result.ok && result.value.map((e) => e.name)).toEqual(['a.yaml']);
  });

  it('opens files inside granted folders only, and typed errors otherwise', async () => {
    const opened = await handlers['files:open'](good, { path: join(dir, 'a.yaml') });
    expect(opened).toMatchObject({ ok: true, value: { text: WORKFLOW } });
    expect(recent).toEqual([join(dir, 'a.yaml')]);
    expect(await handlers['files:open'](good, { path: '/etc/hostname.yaml' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await handlers['files:open'](good, { path: join(dir, 'gone.yaml') })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    await writeFile(join(dir, 'big.yaml'), Buffer.alloc(MAX_FILE_BYTES + 1, 0x20));
    expect(await handlers['files:open'](good, { path: join(dir, 'big.yaml') })).toMatchObject({
      ok: false,
      error: { code: 'TOO_LARGE' },
    });
    expect(await handlers['files:list'](good, { dir: '/' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('opening through the dialog grants the chosen folder; dismissing returns null', async () => {
    expect(await handlers['files:open'](good, {})).toEqual({ ok: true, value: null });
    const other = await mkdtemp(join(tmpdir(), 'fanout-ipc-other-'));
    try {
      await writeFile(join(other, 'b.yml'), WORKFLOW);
      dialogAnswer = join(other, 'b.yml');
      expect(await handlers['files:open'](good, {})).toMatchObject({ ok: true, value: { text: WORKFLOW } });
      expect(await handlers['files:list'](good, { dir: other })).toMatchObject({ ok: true });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('a save through the native dialog replaces only after the OS asked (overwrite: false is moot)', async () => {
    // The dialog itself asks before replacing on every platform (Linux only with this property).
    expect(SAVE_DIALOG_PROPERTIES).toContain('showOverwriteConfirmation');
    dialogAnswer = join(dir, 'a.yaml');
    const saved = await handlers['files:save'](good, { text: 'name: picked\n', overwrite: false });
    expect(saved).toMatchObject({ ok: true, value: { path: join(dir, 'a.yaml') } });
    expect(await readFile(join(dir, 'a.yaml'), 'utf8')).toBe('name: picked\n');
    // By path, overwrite: false keeps the file.
    const refused = await handlers['files:save'](good, {
      path: join(dir, 'a.yaml'),
      text: 'x',
      overwrite: false,
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'EXISTS' } });
    expect(await readFile(join(dir, 'a.yaml'), 'utf8')).toBe('name: picked\n');
  });

  it('saves atomically, detects conflicts and leaves no temp files', async () => {
    const file = join(dir, 'a.yaml');
    const before = await stat(file);
    const saved = await handlers['files:save'](good, {
      path: file,
      text: 'name: x\n',
      expectedMtimeMs: before.mtimeMs,
    });
    expect(saved).toMatchObject({ ok: true });
    expect(await readFile(file, 'utf8')).toBe('name: x\n');
    expect(await readdir(dir)).toEqual(['a.yaml']);

    await utimes(file, new Date(), new Date(Date.now() + 5_000)); // changed on disk meanwhile
    const conflict = await handlers['files:save'](good, {
      path: file,
      text: 'lost',
      expectedMtimeMs: before.mtimeMs,
    });
    expect(conflict).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await readFile(file, 'utf8')).toBe('name: x\n');

    expect(await handlers['files:save'](good, { path: join(dir, 'evil.sh'), text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('validates and exports', async () => {
    const problems = await handlers.validate(good, { text: 'nodes: [' });
    expect(problems.ok && problems.value.some((p) => p.severity === 'error')).toBe(true);
    const clean = await handlers.validate(good, { text: WORKFLOW });
    expect(clean.ok && clean.value.filter((p) => p.severity === 'error')).toEqual([]);
    const exported = await handlers.export(good, { text: WORKFLOW });
    expect(exported.ok && exported.value.text).toContain('name: tiny');
  });

  it('runs, streams events to the sender sink, and only the owner can cancel', async () => {
    const started = await handlers.run(good, { text: WORKFLOW, input: { n: 41 } });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    expect(await handlers.cancel(event(goodFrame, 2), { runId: started.value.runId })).toEqual({
      ok: true,
      value: false,
    });
    await expect.poll(() => events.at(-1)?.type, { timeout: 20_000 }).toBe('run-finished');
    const finished = events.at(-1);
    expect(finished).toMatchObject({ type: 'run-finished', status: 'succeeded', state: { n: 42 } });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
  });

  it('pauses at a breakpoint; only the owner resumes, with a state that must be plain JSON', async () => {
    const started = await handlers.run(good, { text: WORKFLOW, input: { n: 1 }, interruptBefore: ['bump'] });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    const { runId } = started.value;
    await expect.poll(() => events.find((e) => e.type === 'paused'), { timeout: 20_000 }).toBeTruthy();
    expect(events.find((e) => e.type === 'paused')).toMatchObject({ node: 'bump', state: { n: 1 } });
    // Another window cannot resume it; a non-JSON state is refused and the run stays paused.
    expect(await handlers['run:resume'](event(goodFrame, 2), { runId })).toEqual({ ok: true, value: false });
    const dated = await handlers['run:resume'](good, { runId, state: { when: new Date() } });
    expect(dated).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(!dated.ok && dated.error.message).toMatch(/run:resume.*'state' contains a Date/);
    expect(await handlers['run:resume'](good, { runId, state: { n: 10 } })).toEqual({
      ok: true,
      value: true,
    });
    await expect.poll(() => events.at(-1)?.type, { timeout: 20_000 }).toBe('run-finished');
    expect(events.at(-1)).toMatchObject({ status: 'succeeded', state: { n: 11 } });
    expect(await handlers['run:resume'](good, { runId })).toEqual({ ok: true, value: false });
  });

  it('passes startAt and only through', async () => {
    const only = await handlers.run(good, { text: WORKFLOW, only: 'bump', input: { n: 5 } });
    expect(only.ok).toBe(true);
    await expect.poll(() => events.at(-1)?.type, { timeout: 20_000 }).toBe('run-finished');
    expect(events[0]).toMatchObject({ type: 'run-started', mode: 'node', startAt: 'bump' });
    expect(events.at(-1)).toMatchObject({ status: 'succeeded', state: { n: 6 } });
  });

  it('an invalid workflow is INVALID_WORKFLOW with its problems', async () => {
    const result = await handlers.run(good, { text: WORKFLOW.replace('to: __end__', 'to: nowhere') });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_WORKFLOW' } });
    expect(!result.ok && result.error.problems?.length).toBeGreaterThan(0);
  });

  it('records dirty state per sender', async () => {
    await handlers['window:set-dirty'](event(goodFrame, 7), { dirty: true });
    expect(dirty).toEqual([{ id: 7, dirty: true }]);
  });
});
