// ONE contract for the HostApi, run against BOTH transports over the one host service:
// - serve: the real `fanout serve` on 127.0.0.1 over real HTTP + WebSocket, files under a temp --root;
// - ipc: Electron's IPC handlers registered on a fake ipcMain `handle` registry, invoked from the
//   app's own (trusted) frame, files in a folder the user granted.
// Same inputs give the same results and the same error codes. Paths differ only in form (serve: relative
// to the root; Electron: absolute), which each transport's `path()` supplies.
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createEngine, type Engine } from '../engine/index.ts';
import type { FolderChange, HostResult } from '../engine/host/types.ts';
import type { HostOp } from '../engine/host/schemas.ts';
import { MAX_FILE_BYTES, MAX_TEXT_CHARS, MAX_VALUE_DEPTH } from '../engine/limits.ts';
import { propertyBudget } from './budgets.ts';
import { chainYaml, fanOutYaml } from './helpers.ts';
import { luaValue } from './lua-values.ts';
import type { RunEvent } from '../engine/run/types.ts';
import { startServer, type ServeHandle } from '../engine/serve/server.ts';
import { FileAccess } from '../electron/main/access.ts';
import { createHandlers, registerHandlers, type InvokeEventLike } from '../electron/main/ipc-handlers.ts';
import type { IpcMain } from 'electron';
import { FileKeyStore } from '../engine/host/provider-keys.ts';
import type { ProviderKeysInfo, ProviderTestResult } from '../engine/host/types.ts';
import { completion, sendJson, startOpenAiServer } from './llm/openai-server.ts';

const FLOW = `name: contract
nodes:
  - name: bump
    language: lua
    run: |
      return { n = (state.n or 0) + 1 }
edges:
  - {from: __start__, to: bump}
  - {from: bump, to: __end__}
`;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

interface Transport {
  name: string;
  /** The folder files live in (serve's root; the folder granted to Electron). */
  dir: string;
  call(op: HostOp, payload?: unknown): Promise<HostResult<unknown>>;
  /** How this transport names a file of `dir`. */
  path(name: string): string;
  events: RunEvent[];
  /** Folder changes the host pushed (engine/host/folder-watch.ts). */
  folderChanges: FolderChange[];
  close(): Promise<void>;
}

async function serveTransport(): Promise<Transport> {
  const dir = await mkdtemp(join(tmpdir(), 'fanout-contract-serve-'));
  const server: ServeHandle = await startServer({
    root: dir,
    staticDir: null,
    workers: 1,
    keysFile: join(await mkdtemp(join(tmpdir(), 'fanout-contract-keys-')), 'provider-keys.json'),
  });
  const events: RunEvent[] = [];
  const folderChanges: FolderChange[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, ['fanout', `fanout.token.${server.token}`]);
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; events?: RunEvent[]; dir?: string };
    if (frame.type === 'files-changed') folderChanges.push({ dir: frame.dir! });
    else events.push(...frame.events!);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return {
    name: 'serve',
    dir,
    events,
    folderChanges,
    path: (name) => name,
    call: async (op, payload) => {
      const response = await fetch(`${server.origin}/api/${op}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(payload ?? {}),
      });
      return (await response.json()) as HostResult<unknown>;
    },
    close: async () => {
      ws.terminate();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const CHANNEL: Record<HostOp, string> = {
  info: 'info',
  'files/list': 'files:list',
  'files/open': 'files:open',
  'files/save': 'files:save',
  'files/stat': 'files:stat',
  'files/mkdir': 'files:mkdir',
  'files/rename': 'files:rename',
  'files/delete': 'files:delete',
  validate: 'validate',
  export: 'export',
  run: 'run',
  cancel: 'cancel',
  resume: 'run:resume',
  recent: 'recent',
  'providers/keys': 'providers:keys',
  'providers/set-key': 'providers:set-key',
  'providers/test': 'providers:test',
  'batch/list': 'batch:list',
  'batch/start': 'batch:start',
  'batch/status': 'batch:status',
  'batch/row': 'batch:row',
  'batch/cancel': 'batch:cancel',
  'batch/export': 'batch:export',
};

async function ipcTransport(engine: Engine): Promise<Transport> {
  const dir = await mkdtemp(join(tmpdir(), 'fanout-contract-ipc-'));
  const rendererIndex = '/app/out/renderer/index.html';
  const trusted: InvokeEventLike = {
    senderFrame: { url: pathToFileURL(rendererIndex).href, parent: null },
    sender: { id: 1 },
  };
  const events: RunEvent[] = [];
  const folderChanges: FolderChange[] = [];
  const recent: string[] = [];
  const registry = new Map<string, (event: InvokeEventLike, payload: unknown) => Promise<unknown>>();
  const ipcMain = { handle: (channel: string, fn: never) => registry.set(channel, fn) };
  registerHandlers(
    ipcMain as unknown as Pick<IpcMain, 'handle'>,
    createHandlers({
      pages: { rendererIndex },
      engine,
      info: { appVersion: '0.0.0', platform: process.platform, workers: 1 },
      access: new FileAccess(dir),
      recent: {
        list: () => [...recent],
        add: async (p) => void recent.splice(0, recent.length, p, ...recent.filter((r) => r !== p)),
      },
      dialogs: { open: async () => null, save: async () => null },
      runSink: () => (event) => events.push(event),
      setDirty: () => undefined,
      scratchDir: dir,
      keys: new FileKeyStore(
        join(await mkdtemp(join(tmpdir(), 'fanout-contract-keys-')), 'provider-keys.json'),
      ),
      onFilesChanged: (change) => folderChanges.push(change),
    }),
  );
  return {
    name: 'ipc',
    dir,
    events,
    folderChanges,
    path: (name) => join(dir, name),
    call: (op, payload) => registry.get(CHANNEL[op])!(trusted, payload) as Promise<HostResult<unknown>>,
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

let ipcEngine: Engine;
const transports: Transport[] = [];
beforeAll(async () => {
  ipcEngine = createEngine({ size: 1 });
  transports.push(await serveTransport(), await ipcTransport(ipcEngine));
});
afterAll(async () => {
  for (const t of transports) await t.close();
  await ipcEngine?.close();
});

/** Fresh files for each test: a workflow, a sub folder, a hidden file, a non-workflow file. */
async function seed(t: Transport): Promise<void> {
  await rm(t.dir, { recursive: true, force: true });
  await mkdir(join(t.dir, 'sub'), { recursive: true });
  await writeFile(join(t.dir, 'a.yaml'), FLOW);
  await writeFile(join(t.dir, '.hidden.yaml'), FLOW);
  await writeFile(join(t.dir, 'notes.txt'), 'not a workflow');
}

/** Runs `check` on both transports and returns their outcomes, for comparing them with each other. */
async function both<T>(check: (t: Transport) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const t of transports) {
    await seed(t);
    out.push(await check(t));
  }
  return out;
}

const codeOf = (r: HostResult<unknown>) => (r.ok ? 'ok' : r.error.code);

async function finished(t: Transport, runId: string): Promise<RunEvent> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const end = t.events.find((e) => e.runId === runId && e.type === 'run-finished');
    if (end) return end;
    if (Date.now() > deadline) throw new Error(`${t.name}: run ${runId} did not finish`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the HostApi contract, the same over serve and IPC', () => {
  it('lists folders and workflow files only, folders first', async () => {
    const [serve, ipc] = await both(async (t) => {
      const r = await t.call('files/list', {});
      return r.ok ? (r.value as { name: string; kind: string }[]).map((e) => `${e.kind}:${e.name}`) : r;
    });
    expect(serve).toEqual(['dir:sub', 'file:a.yaml']);
    expect(ipc).toEqual(serve);
  });

  it('a listed folder changed by another program is pushed to the client, as the client names it', async () => {
    const outcomes = await both(async (t) => {
      const sub = t.path('sub');
      expect(codeOf(await t.call('files/list', { dir: sub }))).toBe('ok');
      t.folderChanges.length = 0;
      await writeFile(join(t.dir, 'sub', 'new.yaml'), FLOW);
      const deadline = Date.now() + 5_000;
      while (!t.folderChanges.some((c) => c.dir === sub)) {
        if (Date.now() > deadline) throw new Error(`${t.name}: no folder change for ${sub}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      const listed = (await t.call('files/list', { dir: sub })) as HostResult<{ name: string }[]>;
      return listed.ok && listed.value.map((e) => e.name);
    });
    expect(outcomes).toEqual([['new.yaml'], ['new.yaml']]);
  });

  it('marks YAML files that are plainly not workflows, without opening them', async () => {
    const [serve, ipc] = await both(async (t) => {
      await writeFile(
        join(t.dir, 'schema.yaml'),
        '# a JSON Schema\ntype: object\nproperties:\n  x: {type: string}\n',
      );
      await writeFile(join(t.dir, 'flow.yaml'), '{"nodes": []}\n'); // flow style: left to the loader
      await writeFile(join(t.dir, 'named.yaml'), 'name: only-a-name\n');
      const r = await t.call('files/list', {});
      return r.ok
        ? (r.value as { name: string; notWorkflow?: boolean }[]).map(
            (e) => `${e.name}:${e.notWorkflow === true}`,
          )
        : r;
    });
    expect(serve).toEqual([
      'sub:false',
      'a.yaml:false',
      'flow.yaml:false',
      'named.yaml:false',
      'schema.yaml:true',
    ]);
    expect(ipc).toEqual(serve);
  });

  it('opens a file with its text and content hash, and remembers it as recent', async () => {
    const outcomes = await both(async (t) => {
      const r = await t.call('files/open', { path: t.path('a.yaml') });
      const recent = await t.call('recent');
      return { r, recent, expectedPath: t.path('a.yaml') };
    });
    for (const { r, recent, expectedPath } of outcomes) {
      expect(r).toMatchObject({ ok: true, value: { path: expectedPath, text: FLOW, hash: sha256(FLOW) } });
      expect(recent).toMatchObject({ ok: true, value: [expectedPath] });
    }
  });

  it('saves with the expected hash, then refuses a stale one with CONFLICT', async () => {
    const outcomes = await both(async (t) => {
      const opened = (await t.call('files/open', { path: t.path('a.yaml') })) as HostResult<{ hash: string }>;
      const hash = opened.ok ? opened.value.hash : '';
      const first = await t.call('files/save', {
        path: t.path('a.yaml'),
        text: 'name: one\n',
        expectedHash: hash,
      });
      const stale = await t.call('files/save', {
        path: t.path('a.yaml'),
        text: 'name: two\n',
        expectedHash: hash,
      });
      const onDisk = await readFile(join(t.dir, 'a.yaml'), 'utf8');
      return { first, stale: codeOf(stale), onDisk };
    });
    for (const o of outcomes) {
      expect(o.first).toMatchObject({ ok: true, value: { hash: sha256('name: one\n') } });
      expect(o.stale).toBe('CONFLICT');
      expect(o.onDisk).toBe('name: one\n');
    }
  });

  it('a save expecting a version of a deleted file is a CONFLICT; a new file is created', async () => {
    const outcomes = await both(async (t) => {
      await rm(join(t.dir, 'a.yaml'));
      return [
        codeOf(
          await t.call('files/save', { path: t.path('a.yaml'), text: FLOW, expectedHash: sha256(FLOW) }),
        ),
        codeOf(await t.call('files/save', { path: t.path('new.yaml'), text: FLOW })),
      ];
    });
    expect(outcomes).toEqual([
      ['CONFLICT', 'ok'],
      ['CONFLICT', 'ok'],
    ]);
  });

  it('save with overwrite: false answers EXISTS and keeps the file; a free name is created', async () => {
    const outcomes = await both(async (t) => {
      const taken = await t.call('files/save', {
        path: t.path('a.yaml'),
        text: 'name: new\n',
        overwrite: false,
      });
      const free = await t.call('files/save', {
        path: t.path('b.yaml'),
        text: 'name: b\n',
        overwrite: false,
      });
      const replaced = await t.call('files/save', {
        path: t.path('b.yaml'),
        text: 'name: c\n',
        overwrite: true,
      });
      return {
        taken: taken.ok ? 'ok' : `${taken.error.code}: ${taken.error.message.includes('a.yaml')}`,
        free: codeOf(free),
        replaced: codeOf(replaced),
        a: await readFile(join(t.dir, 'a.yaml'), 'utf8'),
        b: await readFile(join(t.dir, 'b.yaml'), 'utf8'),
      };
    });
    const expected = { taken: 'EXISTS: true', free: 'ok', replaced: 'ok', a: FLOW, b: 'name: c\n' };
    expect(outcomes).toEqual([expected, expected]);
  });

  it('makes folders (parent must exist, name must be free and valid) and saves into them', async () => {
    const outcomes = await both(async (t) => {
      const made = await t.call('files/mkdir', { path: t.path('new') });
      const saved = await t.call('files/save', { path: t.path('new/b.yaml'), text: FLOW });
      const missing = await t.call('files/save', { path: t.path('nope/b.yaml'), text: FLOW });
      const missingDir = await t.call('files/mkdir', { path: t.path('nope/deeper') });
      return {
        made: made.ok ? made.value : made.error,
        saved: codeOf(saved),
        onDisk: await readFile(join(t.dir, 'new', 'b.yaml'), 'utf8'),
        // NOT_FOUND naming the folder that is missing, not only the file.
        missing: missing.ok
          ? 'ok'
          : [missing.error.code, /folder '[^']*nope' does not exist/.test(missing.error.message)],
        missingDir: missingDir.ok ? 'ok' : [missingDir.error.code, missingDir.error.message.includes('nope')],
        codes: [
          codeOf(await t.call('files/mkdir', { path: t.path('new') })),
          codeOf(await t.call('files/mkdir', { path: t.path('a.yaml') })),
          codeOf(await t.call('files/mkdir', { path: t.path('.hidden') })),
          codeOf(await t.call('files/mkdir', { path: t.path('bell\u0007') })),
          codeOf(await t.call('files/mkdir', { path: t.path('trailing.') })),
          codeOf(await t.call('files/mkdir', { path: t.path('x'.repeat(256)) })),
          codeOf(await t.call('files/save', { path: t.path('.new.yaml'), text: FLOW })),
        ],
        exists: (await stat(join(t.dir, 'new'))).isDirectory(),
        t,
      };
    });
    for (const { made, t, ...rest } of outcomes) {
      expect(made, t.name).toMatchObject({ path: t.path('new'), name: 'new', kind: 'dir' });
      expect(rest, t.name).toEqual({
        saved: 'ok',
        onDisk: FLOW,
        missing: ['NOT_FOUND', true],
        missingDir: ['NOT_FOUND', true],
        codes: [
          'EXISTS',
          'EXISTS',
          'BAD_REQUEST',
          'BAD_REQUEST',
          'BAD_REQUEST',
          'BAD_REQUEST',
          'BAD_REQUEST',
        ],
        exists: true,
      });
    }
  });

  it('renames files and folders in place, never onto a taken name, never a root or out of scope', async () => {
    const outcomes = await both(async (t) => {
      const outside = await mkdtemp(join(tmpdir(), 'fanout-contract-outside-'));
      await writeFile(join(outside, 'secret.yaml'), 'secret');
      await symlink(join(outside, 'secret.yaml'), join(t.dir, 'out.yaml'));
      await symlink(join(t.dir, 'a.yaml'), join(t.dir, 'alias.yaml'));
      await writeFile(join(t.dir, 'c.yaml'), 'name: c\n');
      const renamed = await t.call('files/rename', { path: t.path('a.yaml'), name: 'b.yaml' });
      const codes = [
        codeOf(await t.call('files/rename', { path: t.path('b.yaml'), name: 'c.yaml' })),
        codeOf(await t.call('files/rename', { path: t.path('b.yaml'), name: 'sub' })),
        codeOf(await t.call('files/rename', { path: t.path('b.yaml'), name: 'b.txt' })),
        codeOf(await t.call('files/rename', { path: t.path('b.yaml'), name: 'x/b.yaml' })),
        codeOf(await t.call('files/rename', { path: t.path('notes.txt'), name: 'n.yaml' })),
        codeOf(await t.call('files/rename', { path: t.path('.'), name: 'root2' })),
        codeOf(await t.call('files/rename', { path: t.path('out.yaml'), name: 'o.yaml' })),
        codeOf(await t.call('files/rename', { path: join(outside, 'secret.yaml'), name: 'o.yaml' })),
        codeOf(await t.call('files/rename', { path: t.path('missing.yaml'), name: 'm.yaml' })),
        codeOf(await t.call('files/rename', { path: t.path('sub'), name: 'sub2' })),
      ];
      // A link is renamed itself (now dangling, since a.yaml became b.yaml), not what it points to.
      await rm(join(t.dir, 'alias.yaml'));
      await symlink(join(t.dir, 'c.yaml'), join(t.dir, 'alias.yaml'));
      const link = codeOf(await t.call('files/rename', { path: t.path('alias.yaml'), name: 'alias2.yaml' }));
      const after = {
        b: await readFile(join(t.dir, 'b.yaml'), 'utf8'),
        c: await readFile(join(t.dir, 'c.yaml'), 'utf8'),
        a: await stat(join(t.dir, 'a.yaml')).then(
          () => 'there',
          () => 'gone',
        ),
        sub2: (await stat(join(t.dir, 'sub2'))).isDirectory(),
        alias2:
          (await lstat(join(t.dir, 'alias2.yaml'))).isSymbolicLink() &&
          (await readlink(join(t.dir, 'alias2.yaml'))),
        secret: await readFile(join(outside, 'secret.yaml'), 'utf8'),
      };
      await rm(outside, { recursive: true, force: true });
      return { renamed: renamed.ok ? renamed.value : renamed.error, codes, link, after, t };
    });
    for (const { renamed, t, ...rest } of outcomes) {
      expect(renamed, t.name).toMatchObject({ path: t.path('b.yaml'), name: 'b.yaml', kind: 'file' });
      expect(rest, t.name).toEqual({
        codes: [
          'EXISTS',
          'BAD_REQUEST',
          'BAD_REQUEST',
          'BAD_REQUEST',
          'FORBIDDEN',
          'FORBIDDEN',
          'FORBIDDEN',
          'FORBIDDEN',
          'NOT_FOUND',
          'ok',
        ],
        link: 'ok',
        after: {
          b: FLOW,
          c: 'name: c\n',
          a: 'gone',
          sub2: true,
          alias2: join(t.dir, 'c.yaml'),
          secret: 'secret',
        },
      });
    }
  });

  it('deletes workflow files and empty folders only', async () => {
    const outcomes = await both(async (t) => {
      await mkdir(join(t.dir, 'full'));
      await writeFile(join(t.dir, 'full', 'x.yaml'), FLOW);
      const notEmpty = await t.call('files/delete', { path: t.path('full') });
      return {
        codes: [
          codeOf(await t.call('files/delete', { path: t.path('a.yaml') })),
          codeOf(await t.call('files/delete', { path: t.path('sub') })),
          notEmpty.ok ? 'ok' : notEmpty.error.code,
          codeOf(await t.call('files/delete', { path: t.path('notes.txt') })),
          codeOf(await t.call('files/delete', { path: t.path('missing.yaml') })),
          codeOf(await t.call('files/delete', { path: t.path('.') })),
          codeOf(await t.call('files/delete', { path: tmpdir() })),
        ],
        notEmptySays: !notEmpty.ok && notEmpty.error.message.includes('not empty'),
        left: await Promise.all(
          ['a.yaml', 'sub', 'full/x.yaml', 'notes.txt'].map((n) =>
            stat(join(t.dir, n)).then(
              () => `${n}:there`,
              () => `${n}:gone`,
            ),
          ),
        ),
      };
    });
    const expected = {
      codes: ['ok', 'ok', 'CONFLICT', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN', 'FORBIDDEN'],
      notEmptySays: true,
      left: ['a.yaml:gone', 'sub:gone', 'full/x.yaml:there', 'notes.txt:there'],
    };
    expect(outcomes).toEqual([expected, expected]);
  });

  it('stat gives the content hash, which changes with an edit that keeps size and mtime', async () => {
    const outcomes = await both(async (t) => {
      const first = (await t.call('files/stat', { path: t.path('a.yaml') })) as HostResult<{
        hash: string;
        size: number;
        mtimeMs: number;
      }>;
      const before = await stat(join(t.dir, 'a.yaml'));
      await writeFile(join(t.dir, 'a.yaml'), FLOW.replace('bump', 'pump'));
      const { utimes } = await import('node:fs/promises');
      await utimes(join(t.dir, 'a.yaml'), before.atime, before.mtime);
      const second = (await t.call('files/stat', { path: t.path('a.yaml') })) as HostResult<{
        hash: string;
        size: number;
        mtimeMs: number;
      }>;
      return {
        first: first.ok && { hash: first.value.hash, size: first.value.size },
        second: second.ok && { hash: second.value.hash, size: second.value.size },
        codes: [
          codeOf(await t.call('files/stat', { path: t.path('missing.yaml') })),
          codeOf(await t.call('files/stat', { path: t.path('notes.txt') })),
          codeOf(await t.call('files/stat', { path: t.path('sub') })),
        ],
      };
    });
    const expected = {
      first: { hash: sha256(FLOW), size: FLOW.length },
      second: { hash: sha256(FLOW.replace('bump', 'pump')), size: FLOW.length },
      codes: ['NOT_FOUND', 'FORBIDDEN', 'FORBIDDEN'],
    };
    expect(outcomes).toEqual([expected, expected]);
  });

  it('too large: files over the limit do not open; texts over it do not save', async () => {
    const outcomes = await both(async (t) => {
      await writeFile(join(t.dir, 'big.yaml'), 'x'.repeat(MAX_FILE_BYTES + 1));
      return [
        codeOf(await t.call('files/open', { path: t.path('big.yaml') })),
        // Under the character limit, over the byte limit: 3 bytes per character in UTF-8.
        codeOf(await t.call('files/save', { path: t.path('b.yaml'), text: '€'.repeat(MAX_TEXT_CHARS / 2) })),
        codeOf(await t.call('files/save', { path: t.path('b.yaml'), text: 'x'.repeat(MAX_TEXT_CHARS + 1) })),
      ];
    });
    expect(outcomes).toEqual([
      ['TOO_LARGE', 'TOO_LARGE', 'BAD_REQUEST'],
      ['TOO_LARGE', 'TOO_LARGE', 'BAD_REQUEST'],
    ]);
  });

  it('bad paths: too long, outside, leading out by symlink, not a workflow file, missing', async () => {
    const outcomes = await both(async (t) => {
      const outside = await mkdtemp(join(tmpdir(), 'fanout-contract-outside-'));
      await writeFile(join(outside, 'secret.yaml'), 'secret');
      await symlink(join(outside, 'secret.yaml'), join(t.dir, 'link.yaml'));
      const codes = [
        codeOf(await t.call('files/open', { path: 'a/'.repeat(2500) })),
        codeOf(await t.call('files/open', { path: t.path(`${'x'.repeat(300)}.yaml`) })),
        codeOf(await t.call('files/open', { path: join(outside, 'secret.yaml') })),
        codeOf(await t.call('files/open', { path: t.path('link.yaml') })),
        codeOf(await t.call('files/save', { path: t.path('link.yaml'), text: 'pwned' })),
        codeOf(await t.call('files/open', { path: t.path('notes.txt') })),
        codeOf(await t.call('files/save', { path: t.path('run.sh'), text: 'x' })),
        codeOf(await t.call('files/open', { path: t.path('missing.yaml') })),
        codeOf(await t.call('files/list', { dir: outside })),
        codeOf(await t.call('files/open', { path: t.path('a\0.yaml') })),
      ];
      expect(await readFile(join(outside, 'secret.yaml'), 'utf8')).toBe('secret');
      await rm(outside, { recursive: true, force: true });
      return codes;
    });
    const expected = [
      'BAD_REQUEST',
      'BAD_REQUEST',
      'FORBIDDEN',
      'FORBIDDEN',
      'FORBIDDEN',
      'FORBIDDEN',
      'FORBIDDEN',
      'NOT_FOUND',
      'FORBIDDEN',
      'BAD_REQUEST',
    ];
    expect(outcomes).toEqual([expected, expected]);
  });

  it('deep or malformed run requests are BAD_REQUEST before the engine sees them', async () => {
    const deep: Record<string, unknown> = {};
    let at = deep;
    // Far past the depth limit, yet shallow enough for the test's own JSON.stringify (the 6,000-deep
    // body of issue #11 is sent as raw text in engine/serve/hardening.test.ts).
    for (let i = 0; i < 1000; i++) at = (at.a = {}) as Record<string, unknown>;
    const outcomes = await both(async (t) => [
      codeOf(await t.call('run', { text: FLOW, input: deep })),
      codeOf(await t.call('resume', { runId: 'r', state: deep })),
      codeOf(await t.call('run', { text: FLOW, input: [1] })),
      codeOf(await t.call('run', { text: FLOW, timeoutMs: 25 * 3600 * 1000 })),
      codeOf(await t.call('run', { text: FLOW, startAt: 'bump', only: 'bump' })),
      codeOf(await t.call('run', { text: FLOW, extra: true })),
      codeOf(await t.call('run', { text: FLOW.replace('to: __end__', 'to: nowhere') })),
      codeOf(await t.call('cancel', { runId: 'no-such-run' })),
      codeOf(await t.call('info', [])),
    ]);
    const expected = [
      'BAD_REQUEST',
      'BAD_REQUEST',
      'BAD_REQUEST',
      'BAD_REQUEST',
      'BAD_REQUEST',
      'BAD_REQUEST',
      'INVALID_WORKFLOW',
      'ok',
      'BAD_REQUEST',
    ];
    expect(outcomes).toEqual([expected, expected]);
  });

  it('validates, exports and runs to the same results', async () => {
    const outcomes = await both(async (t) => {
      const validate = await t.call('validate', { text: FLOW });
      const exported = await t.call('export', { text: FLOW });
      const run = (await t.call('run', {
        text: FLOW,
        path: t.path('a.yaml'),
        input: { n: 41 },
      })) as HostResult<{
        runId: string;
      }>;
      const end = run.ok ? await finished(t, run.value.runId) : null;
      return {
        validate,
        exported,
        end: end && {
          status: (end as { status?: string }).status,
          state: (end as { state?: unknown }).state,
        },
      };
    });
    expect(outcomes[0]!.end).toEqual({ status: 'succeeded', state: { n: 42 } });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('re-runs with recorded responses: replay of a kept run answers from it; unknown or malformed is refused', async () => {
    const text = `name: recorded
nodes:
  - name: ask
    uses: llm.call
    with: {provider: mock, model: m, prompt: hello}
    output: answer
edges:
  - {from: __start__, to: ask}
  - {from: ask, to: __end__}
`;
    const outcomes = await both(async (t) => {
      const sourcesOf = (runId: string) =>
        t.events.flatMap((e) => (e.runId === runId && e.type === 'llm-call-finished' ? [e.source] : []));
      const first = (await t.call('run', { text })) as HostResult<{ runId: string }>;
      if (!first.ok) return first;
      const a = (await finished(t, first.value.runId)) as { state?: unknown };
      const again = (await t.call('run', { text, replay: { runId: first.value.runId } })) as HostResult<{
        runId: string;
      }>;
      if (!again.ok) return again;
      const b = (await finished(t, again.value.runId)) as { state?: unknown };
      return {
        sources: [sourcesOf(first.value.runId), sourcesOf(again.value.runId)],
        same: JSON.stringify(a.state) === JSON.stringify(b.state),
        unknown: codeOf(await t.call('run', { text, replay: { runId: 'not-a-run' } })),
        malformed: codeOf(await t.call('run', { text, replay: { run: 'x' } })),
      };
    });
    expect(outcomes[0]).toEqual({
      sources: [['mock'], ['replay']],
      same: true,
      unknown: 'NOT_FOUND',
      malformed: 'BAD_REQUEST',
    });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('a run asked to refuse unavailable actions is INVALID_WORKFLOW listing them; without, it fails at the node', async () => {
    const text = FLOW.replace(
      '  - name: bump\n',
      '  - name: send\n    uses: a2a.send\n    with: {to: x}\n  - name: bump\n',
    ).replace('{from: __start__, to: bump}', '{from: __start__, to: send}\n  - {from: send, to: bump}');
    const outcomes = await both(async (t) => {
      const refused = await t.call('run', { text, refuseUnavailableActions: true });
      const started = (await t.call('run', { text })) as HostResult<{ runId: string }>;
      const end = started.ok
        ? ((await finished(t, started.value.runId)) as { status?: string; error?: string })
        : null;
      return {
        refused: refused.ok ? 'ok' : `${refused.error.code}: ${refused.error.message}`,
        end: end && { status: end.status, error: end.error },
      };
    });
    expect(outcomes[0]!.refused).toMatch(/^INVALID_WORKFLOW: .*a2a\.send/);
    expect(outcomes[0]!.end?.status).toBe('failed');
    expect(outcomes[0]!.end?.error).toMatch(/action 'a2a\.send' is not available in Fanout/);
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('fuzz: any run input either is refused as BAD_REQUEST or runs to an end, the same on both', async () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(null, true, 0, -1.5, '', 'x'),
        fc.string({ maxLength: 20 }),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    // Mostly plain values, sometimes a chain deeper than the depth limit, sometimes not an object.
    const input = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 5 }),
      fc.integer({ min: 150, max: 400 }).map((depth) => {
        const top: Record<string, unknown> = {};
        let at = top;
        for (let i = 0; i < depth; i++) at = (at.d = {}) as Record<string, unknown>;
        return top;
      }),
      json,
    );
    const runs = Number(process.env['FANOUT_FUZZ_RUNS'] ?? 25);
    await fc.assert(
      fc.asyncProperty(input, async (value) => {
        const outcomes: string[] = [];
        for (const t of transports) {
          const started = (await t.call('run', { text: FLOW, input: value })) as HostResult<{
            runId: string;
          }>;
          if (!started.ok) {
            outcomes.push(started.error.code);
            continue;
          }
          const end = (await finished(t, started.value.runId)) as { status?: string };
          outcomes.push(
            `ended:${end.status === 'succeeded' || end.status === 'failed' ? 'yes' : end.status}`,
          );
        }
        expect(outcomes[0]).toMatch(/^(BAD_REQUEST|ended:yes)$/);
        expect(outcomes[1]).toBe(outcomes[0]);
        for (const t of transports) expect(codeOf(await t.call('info')), t.name).toBe('ok');
      }),
      { numRuns: runs },
    );
  }, 120_000);

  it('fuzz: whatever a Lua node returns, on the main line or in a branch, the run ends the same on both', async () => {
    const budget = propertyBudget(15, 400);
    await fc.assert(
      fc.asyncProperty(luaValue, fc.boolean(), async (v, inBranch) => {
        const code = `return { v = ${v.code} }`;
        const text = inBranch
          ? fanOutYaml({ branches: { fuzz: code, other: 'return {}' }, fanIn: 'return { joined = true }' })
          : chainYaml([code]);
        const outcomes: string[] = [];
        for (const t of transports) {
          const started = (await t.call('run', { text })) as HostResult<{ runId: string }>;
          expect(codeOf(started), t.name).toBe('ok');
          if (!started.ok) continue;
          const end = (await finished(t, started.value.runId)) as { status?: string; error?: string };
          expect(['succeeded', 'failed'], t.name).toContain(end.status);
          // The host is still up and answering after every run.
          expect(codeOf(await t.call('info')), t.name).toBe('ok');
          outcomes.push(end.status ?? '');
        }
        expect(outcomes[1]).toBe(outcomes[0]);
        if (!inBranch && (v.bad || v.depth >= MAX_VALUE_DEPTH)) expect(outcomes[0]).toBe('failed');
      }),
      { numRuns: budget.numRuns },
    );
  }, 180_000);
});

/** A key planted through the host: no answer, event or error may ever carry it. */
const PLANTED = 'sk-contract-planted-key-4e1d7b';

describe('provider keys, the same over serve and IPC', () => {
  // Both hosts read keys from this process's environment first: a developer's own key must not
  // stand in for the planted one (and must not be sent to the local server).
  const saved = new Map<string, string | undefined>();
  beforeAll(() => {
    for (const name of ['OPENAI_API_KEY', 'AZURE_OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'LITELLM_API_KEY']) {
      saved.set(name, process.env[name]);
      delete process.env[name];
    }
  });
  afterAll(() => {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  });
  const storedOf = (r: HostResult<unknown>) =>
    r.ok ? (r.value as ProviderKeysInfo).providers.map((p) => `${p.provider}:${p.stored}`) : codeOf(r);

  it('status, set and clear are write-only; bad payloads are BAD_REQUEST without quoting the key', async () => {
    const answers: HostResult<unknown>[] = [];
    const outcomes = await both(async (t) => {
      const before = await t.call('providers/keys');
      const set = await t.call('providers/set-key', { provider: 'anthropic', key: PLANTED });
      const after = await t.call('providers/keys');
      const cleared = await t.call('providers/set-key', { provider: 'anthropic', key: null });
      const bad = [
        await t.call('providers/set-key', { provider: 'anthropic', key: `${PLANTED} x` }),
        await t.call('providers/set-key', { provider: 'mock', key: PLANTED }),
        await t.call('providers/set-key', { provider: 'openai', key: PLANTED + 'k'.repeat(1024) }),
        await t.call('providers/set-key', { provider: 'openai', key: PLANTED, extra: PLANTED }),
        await t.call('providers/set-key', { provider: 'openai', key: 42 }),
        await t.call('providers/test', { provider: 'openai', apiBase: 'file:///etc/passwd' }),
      ];
      answers.push(before, set, after, cleared, ...bad);
      return {
        before: storedOf(before),
        set: storedOf(set),
        after: storedOf(after),
        cleared: storedOf(cleared),
        bad: bad.map(codeOf),
        storage: after.ok ? (after.value as ProviderKeysInfo).storage.kind : null,
      };
    });
    expect(outcomes[0]).toEqual({
      before: ['openai:false', 'azure:false', 'anthropic:false', 'litellm:false'],
      set: ['openai:false', 'azure:false', 'anthropic:true', 'litellm:false'],
      after: ['openai:false', 'azure:false', 'anthropic:true', 'litellm:false'],
      cleared: ['openai:false', 'azure:false', 'anthropic:false', 'litellm:false'],
      bad: Array<string>(6).fill('BAD_REQUEST'),
      storage: 'file',
    });
    expect(outcomes[1]).toEqual(outcomes[0]);
    // Every answer and every error message, on both transports, is free of the key.
    expect(JSON.stringify(answers)).not.toContain(PLANTED);
    expect(JSON.stringify(answers)).toContain('providers/set-key');
  });

  it('Test: a good key is ok, a refused key is its HTTP status and a scrubbed excerpt; runs use the key', async () => {
    const llm = await startOpenAiServer();
    try {
      // GET {base}/models has no body: the server's '' model. It echoes the Authorization header back.
      llm.script('', ({ req, res }) => {
        const auth = String(req.headers.authorization ?? '');
        if (auth === `Bearer ${PLANTED}`)
          sendJson(res, 200, { object: 'list', data: [{ id: 'm1' }, { id: 'm2' }] });
        else sendJson(res, 401, { error: { message: `invalid key, you sent '${auth}'` } });
      });
      llm.script('echo-auth', ({ req, res, body }) => {
        sendJson(res, 200, completion(body, `auth was ${String(req.headers.authorization)}`));
      });
      const flow = `name: keyed
nodes:
  - name: ask
    uses: llm.call
    with: { provider: openai, api_base: ${llm.base}, model: echo-auth, prompt: hi }
    output: answer
edges:
  - {from: __start__, to: ask}
  - {from: ask, to: __end__}
`;
      const seenEvents: RunEvent[] = [];
      const outcomes = await both(async (t) => {
        const none = (await t.call('providers/test', {
          provider: 'anthropic',
          apiBase: llm.base,
        })) as HostResult<ProviderTestResult>;
        await t.call('providers/set-key', { provider: 'openai', key: 'sk-wrong-key-000000' });
        const refused = (await t.call('providers/test', {
          provider: 'openai',
          apiBase: llm.base,
        })) as HostResult<ProviderTestResult>;
        await t.call('providers/set-key', { provider: 'openai', key: PLANTED });
        const good = (await t.call('providers/test', {
          provider: 'openai',
          apiBase: llm.base,
        })) as HostResult<ProviderTestResult>;
        const started = (await t.call('run', { text: flow })) as HostResult<{ runId: string }>;
        const end = started.ok ? await finished(t, started.value.runId) : null;
        seenEvents.push(...t.events.filter((e) => started.ok && e.runId === started.value.runId));
        await t.call('providers/set-key', { provider: 'openai', key: null });
        const pick = (r: HostResult<ProviderTestResult>) =>
          r.ok
            ? { ok: r.value.ok, status: r.value.status, message: r.value.message, source: r.value.keySource }
            : codeOf(r);
        return {
          none: pick(none),
          refused: pick(refused),
          good: pick(good),
          run: end && 'status' in end ? end.status : null,
          raw: JSON.stringify([none, refused, good]),
        };
      });
      for (const o of outcomes) {
        expect(o.none).toEqual({
          ok: false,
          status: undefined,
          message: 'no key: set one here or ANTHROPIC_API_KEY in the environment',
          source: 'none',
        });
        expect(o.refused).toMatchObject({ ok: false, status: 401, source: 'stored' });
        expect((o.refused as { message: string }).message).toMatch(
          /^HTTP 401 — the key was refused: invalid key, you sent 'Bearer \[redacted\]'$/,
        );
        expect(o.good).toEqual({
          ok: true,
          status: 200,
          message: 'OK · HTTP 200 · 2 models',
          source: 'stored',
        });
        expect(o.run).toBe('succeeded');
        expect(o.raw).not.toContain(PLANTED);
        expect(o.raw).not.toContain('sk-wrong-key-000000');
      }
      expect(outcomes[1]).toEqual(outcomes[0]);
      // The server got the planted key from both hosts' runs; no RunEvent of either carries it.
      const runAuth = llm.requests
        .filter((r) => r.body['model'] === 'echo-auth')
        .map((r) => r.headers.authorization);
      expect(runAuth).toEqual([`Bearer ${PLANTED}`, `Bearer ${PLANTED}`]);
      expect(JSON.stringify(seenEvents)).toContain('auth was Bearer [redacted]');
      expect(JSON.stringify(seenEvents)).not.toContain(PLANTED);
    } finally {
      await llm.close();
    }
  });
});
