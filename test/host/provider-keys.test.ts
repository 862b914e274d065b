// Provider keys kept by the host (#13): the browser host's file is 0600 in a 0700 folder; the key set
// through the host op is used by a run's model calls (the server sees it) and never comes back through
// any op, RunEvent or result, even when the server echoes it. Real engine, real local OpenAI-wire server.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../engine/index.ts';
import { FileKeyStore } from '../../engine/host/provider-keys.ts';
import { testProviderKey } from '../../engine/host/provider-test.ts';
import { HostService, memoryRecentList } from '../../engine/host/service.ts';
import { rootScope } from '../../engine/host/scope.ts';
import type { RunEvent } from '../../engine/run/types.ts';
import type { ProviderKeysInfo } from '../../engine/host/types.ts';
import { completion, sendJson, startOpenAiServer, type OpenAiServer } from '../llm/openai-server.ts';

const PLANTED = 'sk-planted-provider-key-7f3a9c';

let engine: Engine;
let server: OpenAiServer;
let dir: string;

beforeAll(async () => {
  engine = await createEngine({ size: 1 });
  server = await startOpenAiServer();
  // The server refuses with the Authorization header echoed back in its error, as some gateways do.
  server.script('echo-auth', ({ req, res }) => {
    sendJson(res, 401, { error: { message: `bad key: you sent ${String(req.headers.authorization)}` } });
  });
  // A successful answer quoting the key (raw, not as a header) is scrubbed too.
  server.script('echo-key-ok', ({ req, res, body }) => {
    const key = String(req.headers.authorization).replace(/^Bearer /, '');
    sendJson(res, 200, completion(body, `your key is ${key}, keep it safe`));
  });
  dir = await mkdtemp(join(tmpdir(), 'fanout-keys-'));
});

afterAll(async () => {
  await engine?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function service(keys: FileKeyStore) {
  return new HostService({
    host: 'browser',
    engine,
    info: { appVersion: 'test', platform: process.platform, workers: 1 },
    scope: rootScope(dir),
    recent: memoryRecentList(),
    scratchDir: dir,
    keys,
  });
}

/** One llm.call node against the local server's scripted `model`, its answer under `answer`. */
function askFlow(name: string, model: string): string {
  return `name: ${name}
nodes:
  - name: ask
    uses: llm.call
    with:
      provider: openai
      api_base: ${server.base}
      model: ${model}
      prompt: hello
    output: answer
edges:
  - {from: __start__, to: ask}
  - {from: ask, to: __end__}
`;
}

describe('provider keys through the host', () => {
  it('keeps keys in a 0600 file in a 0700 folder and answers only set / not set', async () => {
    const path = join(dir, 'config', 'fanout', 'provider-keys.json');
    const host = service(new FileKeyStore(path));
    const stored = (info: ProviderKeysInfo) =>
      Object.fromEntries(info.providers.map((p) => [p.provider, p.stored]));
    expect(stored(await host.providerKeys())).toEqual({
      openai: false,
      azure: false,
      anthropic: false,
      litellm: false,
    });
    const answer = await host.setProviderKey(host.parseProviderKey({ provider: 'openai', key: PLANTED }));
    expect(stored(answer).openai).toBe(true);
    expect(answer.storage).toEqual({ kind: 'file', path });
    expect(answer.unavailable).toBeNull();
    expect(JSON.stringify(answer)).not.toContain(PLANTED);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'config', 'fanout'))).mode & 0o777).toBe(0o700);
    expect(JSON.stringify(host.info())).not.toContain(PLANTED);
    // Clearing works; bad payloads are refused without quoting the key.
    await host.setProviderKey(host.parseProviderKey({ provider: 'openai', key: null }));
    expect(stored(await host.providerKeys()).openai).toBe(false);
    expect(() => host.parseProviderKey({ provider: 'openai', key: 'has space' })).toThrow(/no spaces/);
    expect(() => host.parseProviderKey({ provider: 'nope', key: 'x' })).toThrow(/provider/);
  });

  it('keys set at the same time are all kept (one read-change-write at a time)', async () => {
    const keys = new FileKeyStore(join(dir, 'concurrent', 'provider-keys.json'));
    await Promise.all([
      keys.set('openai', 'sk-concurrent-openai'),
      keys.set('azure', 'sk-concurrent-azure'),
      keys.set('anthropic', 'sk-concurrent-anthropic'),
      keys.set('litellm', 'sk-concurrent-litellm'),
    ]);
    expect(await keys.values()).toEqual({
      OPENAI_API_KEY: 'sk-concurrent-openai',
      AZURE_OPENAI_API_KEY: 'sk-concurrent-azure',
      ANTHROPIC_API_KEY: 'sk-concurrent-anthropic',
      LITELLM_API_KEY: 'sk-concurrent-litellm',
    });
  });

  it('a run uses the stored key, and no event or result carries it', async () => {
    const host = service(new FileKeyStore(join(dir, 'keys2.json')));
    await host.setProviderKey({ provider: 'openai', key: PLANTED });
    const events: RunEvent[] = [];
    const text = askFlow('keyed', 'echo-auth');
    const { done } = await host.run(host.parse('run', { text }), { onEvent: (e) => events.push(e) });
    await done;
    const seen = server.requests.find((r) => r.body['model'] === 'echo-auth');
    expect(seen?.headers.authorization).toBe(`Bearer ${PLANTED}`);
    const finished = events.find((e) => e.type === 'run-finished');
    expect(finished && finished.type === 'run-finished' && finished.status).toBe('failed');
    expect(JSON.stringify(events)).toContain('you sent');
    expect(JSON.stringify(events)).not.toContain(PLANTED);
    expect(JSON.stringify(await host.providerKeys())).not.toContain(PLANTED);
    // The file itself is the only place the key is (plain JSON, owner-only, for the browser host).
    expect(await readFile(join(dir, 'keys2.json'), 'utf8')).toContain(PLANTED);
  });

  it('a successful answer that quotes the key reaches neither the state nor any event', async () => {
    const host = service(new FileKeyStore(join(dir, 'keys3.json')));
    await host.setProviderKey({ provider: 'openai', key: PLANTED });
    const events: RunEvent[] = [];
    const text = askFlow('quoted', 'echo-key-ok');
    const { done } = await host.run(host.parse('run', { text }), { onEvent: (e) => events.push(e) });
    await done;
    const finished = events.find((e) => e.type === 'run-finished');
    expect(finished && finished.type === 'run-finished' && finished.status).toBe('succeeded');
    expect(JSON.stringify(events)).toContain('your key is [redacted], keep it safe');
    expect(JSON.stringify(events)).not.toContain(PLANTED);
  });
});

describe("the Providers page's Test (one GET of the model list)", () => {
  it('uses the environment key over the stored one, as runs do, and says which it sent', async () => {
    const host = new HostService({
      host: 'browser',
      engine,
      info: { appVersion: 'test', platform: process.platform, workers: 1 },
      scope: rootScope(dir),
      recent: memoryRecentList(),
      scratchDir: dir,
      keys: new FileKeyStore(join(dir, 'keys-env.json')),
      env: { OPENAI_API_KEY: 'sk-from-the-environment-1' },
    });
    await host.setProviderKey({ provider: 'openai', key: PLANTED });
    const info = await host.providerKeys();
    expect(info.providers.find((p) => p.provider === 'openai')).toEqual({
      provider: 'openai',
      variable: 'OPENAI_API_KEY',
      stored: true,
      inEnvironment: true,
    });
    expect(JSON.stringify(info)).not.toContain('sk-from-the-environment-1');
    const before = server.requests.length;
    const result = await host.testProvider({ provider: 'litellm', apiBase: server.url });
    // litellm's variable is unset: no key sent, the server answered (the '' model, default handler).
    expect(result).toMatchObject({ ok: true, keySource: 'none', url: `${server.url}/models` });
    const openai = await host.testProvider({ provider: 'openai', apiBase: server.base });
    expect(openai.keySource).toBe('environment');
    const sent = server.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.headers.authorization}`);
    expect(sent).toEqual(['GET /models undefined', 'GET /v1/models Bearer sk-from-the-environment-1']);
  });

  it('a silent server is "no answer" within the deadline; a redirect is not followed; an endless body is cut', async () => {
    const { createServer } = await import('node:http');
    const hits: string[] = [];
    const odd = createServer((req, res) => {
      hits.push(`${req.url} ${req.headers.authorization ?? ''}`);
      if (req.url?.startsWith('/silent')) return; // never answers
      if (req.url?.startsWith('/moved')) {
        res.writeHead(302, { location: '/elsewhere/models' }).end();
        return;
      }
      // An endless 500 body: the test reads a bounded prefix and quotes an excerpt.
      res.writeHead(500, { 'content-type': 'text/html' });
      const chunk = `<p>${PLANTED} `.repeat(1000);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(odd.address() as { port: number }).port}`;
    try {
      const stored = { OPENAI_API_KEY: PLANTED };
      const started = performance.now();
      const silent = await testProviderKey(
        { provider: 'openai', apiBase: `${base}/silent` },
        {},
        stored,
        300,
      );
      expect(silent).toMatchObject({ ok: false, message: 'no answer within 300 ms', keySource: 'stored' });
      expect(performance.now() - started).toBeLessThan(5_000);
      const moved = await testProviderKey({ provider: 'openai', apiBase: `${base}/moved` }, {}, stored);
      expect(moved).toMatchObject({ ok: false, status: 302 });
      expect(moved.message).toMatch(/^HTTP 302 — a redirect, not followed/);
      expect(hits.filter((h) => h.startsWith('/elsewhere'))).toEqual([]);
      const endless = await testProviderKey({ provider: 'openai', apiBase: `${base}/endless` }, {}, stored);
      expect(endless.ok).toBe(false);
      expect(endless.status).toBe(500);
      expect(endless.message.length).toBeLessThan(300);
      expect(endless.message).toContain('[redacted]');
      expect(JSON.stringify([silent, moved, endless])).not.toContain(PLANTED);
    } finally {
      odd.closeAllConnections();
      await new Promise((r) => odd.close(r));
    }
  });
});
