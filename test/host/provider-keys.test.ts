// Provider keys kept by the host (#13): the browser host's file is 0600 in a 0700 folder; the key set
// through the host op is used by a run's model calls (the server sees it) and never comes back through
// any op, RunEvent or result, even when the server echoes it. Real engine, real local OpenAI-wire server.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../engine/index.ts';
import { FileKeyStore } from '../../engine/host/provider-keys.ts';
import { HostService, memoryRecentList } from '../../engine/host/service.ts';
import { rootScope } from '../../engine/host/scope.ts';
import type { RunEvent } from '../../engine/run/types.ts';
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
    expect(await host.providerKeys()).toEqual({
      openai: false,
      azure: false,
      anthropic: false,
      litellm: false,
    });
    const answer = await host.setProviderKey(host.parseProviderKey({ provider: 'openai', key: PLANTED }));
    expect(answer.openai).toBe(true);
    expect(JSON.stringify(answer)).not.toContain(PLANTED);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'config', 'fanout'))).mode & 0o777).toBe(0o700);
    expect(JSON.stringify(host.info())).not.toContain(PLANTED);
    // Clearing works; bad payloads are refused without quoting the key.
    await host.setProviderKey(host.parseProviderKey({ provider: 'openai', key: null }));
    expect((await host.providerKeys()).openai).toBe(false);
    expect(() => host.parseProviderKey({ provider: 'openai', key: 'has space' })).toThrow(/no spaces/);
    expect(() => host.parseProviderKey({ provider: 'nope', key: 'x' })).toThrow(/provider/);
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
