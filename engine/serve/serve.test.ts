// `fanout serve` over real HTTP and WebSocket on 127.0.0.1, with the real engine and workers.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import {
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect as connectTcp } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunEvent } from '../run/types.ts';
import { MAX_REQUEST_BODY_BYTES } from '../limits.ts';
import { workerPids } from '../../test/helpers.ts';
import { startServer } from './server.ts';
import type { ServeHandle } from './server.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const examples = join(repo, 'resources/examples');
const MAP_REDUCE = readFileSync(join(examples, 'map-reduce.yaml'), 'utf8');
const SLEEPY = `name: sleepy
nodes:
  - name: nap
    language: lua
    run: |
      sleep(20000)
      return { woke = true }
edges:
  - {from: __start__, to: nap}
  - {from: nap, to: __end__}
`;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: () => {
    ok: boolean;
    value?: unknown;
    error?: { code: string; message: string; problems?: unknown[] };
  };
}

const OVERFEED_BYTES = 64 * 1024 * 1024;

/** Sends /api/validate a body of up to 64 MiB over a raw socket until the server answers or hangs up. */
function overfeed(chunked: boolean): Promise<{ statusLine: string; body: string; written: number }> {
  return new Promise((resolve) => {
    const socket = connectTcp(server.port, '127.0.0.1');
    const head =
      `POST /api/validate HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\n` +
      `Content-Type: application/json\r\n${chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${MAX_REQUEST_BODY_BYTES + 1}`}\r\n\r\n`;
    socket.write(head);
    const chunk = Buffer.alloc(64 * 1024, 32);
    const frame = chunked ? Buffer.concat([Buffer.from('10000\r\n'), chunk, Buffer.from('\r\n')]) : chunk;
    let written = 0;
    let reply = '';
    let done = false;
    const pump = () => {
      while (!done && written < OVERFEED_BYTES) {
        written += chunk.length;
        if (!socket.write(frame)) return void socket.once('drain', pump);
      }
    };
    socket.on('data', (data: Buffer) => (reply += data.toString('utf8')));
    socket.on('error', () => undefined); // EPIPE/ECONNRESET once the server hangs up: expected.
    socket.on('close', () => {
      done = true;
      resolve({ statusLine: reply.split('\r\n')[0] ?? '', body: reply, written });
    });
    pump();
  });
}

let base: string;
let root: string;
let staticDir: string;
let server: ServeHandle;

/** Raw HTTP so Host, Origin and Content-Length can be set to anything. */
function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; port?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: options.port ?? server.port,
        path,
        method: options.method ?? 'GET',
        headers: { Host: `127.0.0.1:${options.port ?? server.port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function api(
  endpoint: string,
  body: unknown,
  headers: Record<string, string> = {},
  port?: number,
): Promise<Reply> {
  return send(`/api/${endpoint}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(port ? { port } : {}),
  });
}

/**
 * Opens the event socket; `frames` collects every RunEvent frame, `others` every other message (the
 * folder changes a listed folder's watch pushes: engine/host/folder-watch.ts).
 */
function connect(
  options: { protocols?: string[]; origin?: string; port?: number; token?: string } = {},
): Promise<{
  ws: WebSocket;
  frames: { type: string; events: RunEvent[] }[];
  others: { type: string; dir?: string }[];
}> {
  const port = options.port ?? server.port;
  const protocols = options.protocols ?? ['fanout', `fanout.token.${options.token ?? server.token}`];
  const ws = new WebSocket(
    `ws://127.0.0.1:${port}/ws`,
    protocols,
    options.origin ? { origin: options.origin } : {},
  );
  const frames: { type: string; events: RunEvent[] }[] = [];
  const others: { type: string; dir?: string }[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; events: RunEvent[] };
    (frame.type === 'events' ? frames : others).push(frame);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, others }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function eventsUntilFinished(
  frames: { events: RunEvent[] }[],
  runId: string,
  timeoutMs = 20_000,
): Promise<RunEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = frames.flatMap((f) => f.events).filter((e) => e.runId === runId);
    if (events.some((e) => e.type === 'run-finished')) return events;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not finish; got ${events.length} events`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Timings differ from run to run; everything else must match. */
function withoutTimings(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v) => (key === 'timing_ms' ? undefined : v));
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'fanout-serve-'));
  root = join(base, 'root');
  staticDir = join(base, 'static');
  await cp(examples, root, { recursive: true });
  await mkdir(join(base, 'outside'));
  await writeFile(join(base, 'outside/secret.txt'), 'secret\n');
  await symlink(join(base, 'outside/secret.txt'), join(root, 'escape.yaml'));
  await symlink(join(base, 'outside'), join(root, 'escape-dir'));
  await mkdir(join(staticDir, 'assets'), { recursive: true });
  await writeFile(
    join(staticDir, 'index.html'),
    '<!doctype html><title>t</title><script src="/assets/app.js"></script>',
  );
  await writeFile(join(staticDir, 'assets/app.js'), 'console.log(1);\n');
  server = await startServer({ root, staticDir, workers: 3 });
  base = base.replace(/\/$/, '');
});

afterAll(async () => {
  await server?.close();
  await rm(base, { recursive: true, force: true });
});

describe('access control', () => {
  it('binds to 127.0.0.1 and prints a tokenised URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('answers 401 without a token or with a wrong one', async () => {
    const none = await send('/api/info', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(none.status).toBe(401);
    expect(none.json().error?.code).toBe('UNAUTHORIZED');
    const wrong = await api('info', {}, { Authorization: `Bearer ${server.token.slice(0, -1)}x` });
    expect(wrong.status).toBe(401);
    const short = await api('info', {}, { Authorization: 'Bearer abc' });
    expect(short.status).toBe(401);
    expect((await send('/')).status).toBe(401);
    expect((await send('/?token=nope')).status).toBe(401);
    expect((await send('/assets/app.js')).status).toBe(401);
    const ok = await api('info', {});
    expect(ok.status).toBe(200);
    expect(ok.json().value).toMatchObject({
      host: 'browser',
      workers: 3,
      root: expect.stringContaining('root'),
    });
  });

  it('answers 403 to a foreign Origin and a foreign Host (DNS rebinding)', async () => {
    expect((await api('info', {}, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await api('info', {}, { Origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await api('info', {}, { Origin: 'null' })).status).toBe(403);
    expect((await api('info', {}, { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await api('info', {}, { Host: '127.0.0.1' })).status).toBe(403);
    expect((await send(`/?token=${server.token}`, { headers: { Host: 'rebound.example' } })).status).toBe(
      403,
    );
    expect(
      (await api('info', {}, { Origin: `http://localhost:${server.port}`, Host: `localhost:${server.port}` }))
        .status,
    ).toBe(200);
  });

  it('serves the page with ?token=, sets a strict cookie and security headers, then assets by cookie', async () => {
    const page = await send(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(
      `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws://127.0.0.1:${server.port} ws://localhost:${server.port}; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = page.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const pair = cookie.split(';')[0]!;
    const asset = await send('/assets/app.js', { headers: { Cookie: pair } });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    // No directory listing, no traversal out of the static folder.
    expect((await send('/assets/', { headers: { Cookie: pair } })).status).toBe(404);
    expect((await send('/../outside/secret.txt', { headers: { Cookie: pair } })).status).toBe(404);
    expect((await send('/%2e%2e/outside/secret.txt', { headers: { Cookie: pair } })).status).toBe(404);
    expect((await send('/assets/%00', { headers: { Cookie: pair } })).status).toBe(400);
    // The cookie does not open the API: that needs the bearer header.
    const viaCookie = await send('/api/info', {
      method: 'POST',
      headers: { Cookie: pair, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(viaCookie.status).toBe(401);
  });
});

describe('file API confinement', () => {
  it('refuses `..`, absolute paths outside the root, NUL bytes and escaping symlinks', async () => {
    for (const path of [
      '../outside/secret.txt',
      'a/../../outside/secret.txt',
      join(base, 'outside/secret.txt'),
      '/etc/passwd',
      'escape.yaml',
      'escape-dir/secret.txt',
    ]) {
      const reply = await api('files/open', { path });
      expect(reply.status, path).toBe(403);
      expect(reply.json().error?.code).toBe('FORBIDDEN');
    }
    const save = await api('files/save', { path: 'escape-dir/new.yaml', text: 'x' });
    expect(save.status).toBe(403);
    expect(existsSync(join(base, 'outside/new.yaml'))).toBe(false);
    const overwrite = await api('files/save', { path: 'escape.yaml', text: 'pwned' });
    expect(overwrite.status).toBe(403);
    expect(await readFile(join(base, 'outside/secret.txt'), 'utf8')).toBe('secret\n');
    expect((await api('files/list', { dir: 'escape-dir' })).status).toBe(403);
    expect((await api('files/list', { dir: '..' })).status).toBe(403);
    // A malformed path is a bad request, not a confinement question.
    expect((await api('files/open', { path: 'map\0.yaml' })).json().error).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/'path' contains a NUL byte/),
    });
  });

  it('lists the root without escaping links; absolute paths inside the root work', async () => {
    const list = await api('files/list', {});
    const names = (list.json().value as { name: string }[]).map((e) => e.name);
    expect(names).toContain('map-reduce.yaml');
    expect(names).not.toContain('escape.yaml');
    expect(names).not.toContain('escape-dir');
    const opened = await api('files/open', { path: join(root, 'map-reduce.yaml') });
    expect(opened.status).toBe(200);
    expect(opened.json().value).toMatchObject({ path: 'map-reduce.yaml', text: MAP_REDUCE });
  });

  it('round-trips open/save atomically and reports a stale mtime as CONFLICT', async () => {
    const opened = (await api('files/open', { path: 'map-reduce.yaml' })).json().value as {
      mtimeMs: number;
      text: string;
    };
    const edited = opened.text.replace('name: map-reduce', 'name: map-reduce-edited');
    const saved = await api('files/save', {
      path: 'map-reduce.yaml',
      text: edited,
      expectedMtimeMs: opened.mtimeMs,
    });
    expect(saved.status).toBe(200);
    const savedValue = saved.json().value as { path: string; mtimeMs: number };
    expect(savedValue.path).toBe('map-reduce.yaml');
    expect(await readFile(join(root, 'map-reduce.yaml'), 'utf8')).toBe(edited);
    expect(savedValue.mtimeMs).toBe((await stat(join(root, 'map-reduce.yaml'))).mtimeMs);
    expect((await readdir(root)).filter((n) => n.endsWith('.tmp') || n.startsWith('.'))).toEqual([]);

    // Someone else changes the file: the old mtime is stale now.
    await utimes(join(root, 'map-reduce.yaml'), new Date(), new Date(Date.now() + 5_000));
    const stale = await api('files/save', {
      path: 'map-reduce.yaml',
      text: 'clobbered',
      expectedMtimeMs: savedValue.mtimeMs,
    });
    expect(stale.status).toBe(409);
    expect(stale.json().error?.code).toBe('CONFLICT');
    expect(await readFile(join(root, 'map-reduce.yaml'), 'utf8')).toBe(edited);

    const created = await api('files/save', { path: 'sub-new.yaml', text: 'name: x\n' });
    expect(created.status).toBe(200);
    expect(await readFile(join(root, 'sub-new.yaml'), 'utf8')).toBe('name: x\n');
    const recent = (await api('recent', {})).json().value as string[];
    expect(recent.slice(0, 2)).toEqual(['sub-new.yaml', 'map-reduce.yaml']);
    await writeFile(join(root, 'map-reduce.yaml'), MAP_REDUCE);
  });
});

describe('request validation', () => {
  it('answers 413 to an oversized body without reading it', async () => {
    // Declared too large (Content-Length) and streamed too large (chunked): either way the answer
    // comes while the client is still sending, and the server drops the connection.
    for (const chunked of [false, true]) {
      const outcome = await overfeed(chunked);
      expect(outcome.statusLine, `chunked=${chunked}`).toBe('HTTP/1.1 413 Payload Too Large');
      expect(outcome.body).toContain('TOO_LARGE');
      expect(outcome.written).toBeLessThan(OVERFEED_BYTES);
    }
  });

  it('answers 400 with a clear message to bad payloads', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['files/open', {}, /opens files by path only/],
      ['files/open', { path: 3 }, /'path' must be a string, got a number/],
      [
        'files/save',
        { path: 'a.yaml', text: 'x', expectedMtimeMs: 'soon' },
        /'expectedMtimeMs' must be a number/,
      ],
      ['run', { text: 'x', timeoutMs: -5 }, /'timeoutMs' must be a positive integer/],
      ['run', { text: 'x', input: [1] }, /'input' must be a JSON object, got an array/],
      ['cancel', { runId: 'a', extra: 1 }, /unknown field 'extra'/],
      ['info', [], /must be an object, got an array/],
      ['validate', '{"text": ', /not valid JSON/],
    ];
    for (const [endpoint, body, message] of cases) {
      const reply = await api(endpoint, body);
      expect(reply.status, endpoint).toBe(400);
      expect(reply.json().error?.code).toBe('BAD_REQUEST');
      expect(reply.json().error?.message).toMatch(message);
    }
    expect((await api('info', '{}', { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await send('/api/info', { headers: { Authorization: `Bearer ${server.token}` } })).status).toBe(
      405,
    );
    expect((await api('nope', {})).status).toBe(404);
  });

  it('validates and exports documents', async () => {
    const problems = (await api('validate', { text: 'nodes: 3\n', path: 'bad.yaml' })).json();
    expect(problems.ok).toBe(true);
    expect((problems.value as { severity: string }[]).some((p) => p.severity === 'error')).toBe(true);
    const exported = (await api('export', { text: MAP_REDUCE })).json().value as { text: string };
    expect(exported.text).toContain('name: map-reduce');
  });
});

describe('runs over the WebSocket', () => {
  it('streams every RunEvent in order and ends in the same state as `fanout run`', async () => {
    const { ws, frames, others } = await connect();
    expect(ws.protocol).toBe('fanout');
    const second = await connect({ origin: `http://localhost:${server.port}` });
    const started = await api('run', { text: MAP_REDUCE, path: 'map-reduce.yaml' });
    expect(started.status).toBe(200);
    const { runId } = started.json().value as { runId: string };
    const events = await eventsUntilFinished(frames, runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events[0]!.type).toBe('run-started');
    expect(events.at(-1)!.type).toBe('run-finished');
    expect(frames.every((f) => f.type === 'events' && f.events.length > 0)).toBe(true);
    // Any other frame is a folder change of the file tests above, relative to the root.
    expect(others.every((f) => f.type === 'files-changed' && f.dir === '')).toBe(true);
    // Every client of this server gets the same stream.
    const mirrored = await eventsUntilFinished(second.frames, runId);
    expect(mirrored).toEqual(events);
    const finished = events.at(-1) as Extract<RunEvent, { type: 'run-finished' }>;
    expect(finished.status).toBe('succeeded');

    const cli = await promisify(execFile)(
      process.execPath,
      ['bin/fanout.js', 'run', 'resources/examples/map-reduce.yaml'],
      { cwd: repo },
    );
    expect(withoutTimings(finished.state)).toEqual(withoutTimings(JSON.parse(cli.stdout)));
    ws.close();
    second.ws.close();
  });

  it('reports validation errors as INVALID_WORKFLOW with problems', async () => {
    const reply = await api('run', {
      text: 'name: x\nnodes:\n  - name: a\n    run: 1\nedges:\n  - {from: __start__, to: missing}\n',
    });
    expect(reply.status).toBe(422);
    const error = reply.json().error!;
    expect(error.code).toBe('INVALID_WORKFLOW');
    expect(error.problems?.length).toBeGreaterThan(0);
  });

  it('cancels a run by id', async () => {
    const { ws, frames } = await connect();
    const { runId } = (await api('run', { text: SLEEPY })).json().value as { runId: string };
    const t0 = Date.now();
    for (;;) {
      if (frames.flatMap((f) => f.events).some((e) => e.runId === runId && e.type === 'node-started')) break;
      if (Date.now() - t0 > 15_000) throw new Error('node never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await api('cancel', { runId })).json()).toEqual({ ok: true, value: true });
    const events = await eventsUntilFinished(frames, runId, 10_000);
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'cancelled' });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect((await api('cancel', { runId })).json()).toEqual({ ok: true, value: false });
    ws.close();
  });

  it('refuses sockets with a foreign Origin, no token or a wrong token', async () => {
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow('refused 403');
    await expect(connect({ protocols: ['fanout'] })).rejects.toThrow('refused 401');
    await expect(connect({ token: 'x'.repeat(43) })).rejects.toThrow('refused 401');
  });
});

describe('without a built renderer', () => {
  it('serves a page that says how to build it', async () => {
    const bare = await startServer({ root, staticDir: null, workers: 1, warm: false });
    try {
      const page = await send(`/?token=${bare.token}`, { port: bare.port });
      expect(page.status).toBe(200);
      expect(page.text).toContain('npm run build');
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    } finally {
      await bare.close();
    }
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('fanout serve process', () => {
  it.skipIf(process.platform !== 'linux')('exits 0 on SIGTERM and leaves no worker processes', async () => {
    const child = spawn(process.execPath, ['bin/fanout.js', 'serve', '--root', root, '--workers', '3'], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('\n')) resolve(stdout);
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const match = /^Fanout Studio: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+)\n$/.exec(line);
    expect(match, line).not.toBeNull();
    const port = Number(match![1]);
    const token = match![2]!;
    const { ws, frames } = await connect({ port, token });
    const started = await api(
      'run',
      { text: MAP_REDUCE },
      { Authorization: `Bearer ${token}`, Host: `127.0.0.1:${port}` },
      port,
    );
    const { runId } = started.json().value as { runId: string };
    await eventsUntilFinished(frames, runId);
    // A second run left in flight: shutdown must cancel it.
    await api('run', { text: SLEEPY }, { Authorization: `Bearer ${token}`, Host: `127.0.0.1:${port}` }, port);

    const workers = workerPids(child.pid!);
    expect(workers.length).toBeGreaterThanOrEqual(3);
    const wsClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const t0 = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const shutdownMs = Date.now() - t0;
    expect(shutdownMs).toBeLessThan(10_000);
    console.log(`serve shutdown on SIGTERM: ${shutdownMs} ms`);
    expect(await wsClosed).toBe(1001);
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(1);
    // The pool waits for its workers' exits before close() resolves: none may be left.
    expect(workers.filter(alive)).toEqual([]);
  });
});
