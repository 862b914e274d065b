// Regression tests for issue #11 against the real `fanout serve` over real HTTP and WebSocket: no
// request can take the host down or make it read what it refused (findings 3, 5, 8, 9, 10).
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_FILE_BYTES, MAX_WS_CLIENTS } from '../limits.ts';
import { startServer, type ServeHandle } from './server.ts';

const FLOW = `name: tiny
nodes:
  - name: a
    language: lua
    run: return { n = 1 }
edges:
  - {from: __start__, to: a}
  - {from: a, to: __end__}
`;

let root: string;
let server: ServeHandle;

interface Reply {
  status: number;
  body: { ok: boolean; value?: unknown; error?: { code: string; message: string } };
}

async function api(endpoint: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`${server.origin}/api/${endpoint}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Reply['body'] };
}

/** Everything the server writes to stderr while `work` runs (the server runs in this process). */
async function stderrOf(work: () => Promise<void>): Promise<string> {
  let captured = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    captured += String(chunk);
    return true;
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return captured;
}

const STREAM_LIMIT = 64 * 1024 * 1024;

/**
 * Declares a 2 GB body on a raw socket and keeps sending until the server answers and hangs up (or
 * 64 MiB went out). Returns the status line, the reply and how much was written.
 */
function declareHugeBody(
  headers: string,
): Promise<{ statusLine: string; reply: string; written: number; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connectTcp(server.port, '127.0.0.1');
    socket.write(
      `POST /api/validate HTTP/1.1\r\n${headers}Content-Type: application/json\r\n` +
        `Content-Length: ${2 * 1024 * 1024 * 1024}\r\n\r\n`,
    );
    const chunk = Buffer.alloc(64 * 1024, 32);
    let written = 0;
    let reply = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ statusLine: reply.split('\r\n')[0] ?? '', reply, written, closed });
    };
    const pump = () => {
      while (!done && written < STREAM_LIMIT) {
        written += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      if (written >= STREAM_LIMIT) setTimeout(() => finish(false), 2_000);
    };
    socket.on('data', (data: Buffer) => (reply += data.toString('utf8')));
    socket.on('error', () => undefined); // EPIPE/ECONNRESET once the server hangs up: expected.
    socket.on('close', () => finish(true));
    pump();
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fanout-harden-'));
  await writeFile(join(root, 'flow.yaml'), FLOW);
  server = await startServer({ root, staticDir: null, workers: 1 });
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('bad paths and bodies are 400s with a JSON body, never a 500 or a stack', () => {
  it('a 5,000-character path, and a path with a 300-character name', async () => {
    const log = await stderrOf(async () => {
      for (const path of ['a/'.repeat(2500), `${'x'.repeat(300)}.yaml`, `${'d'.repeat(300)}/f.yaml`]) {
        for (const endpoint of ['files/open', 'files/save', 'files/list']) {
          const body = endpoint === 'files/list' ? { dir: path } : { path, text: FLOW };
          const reply = await api(endpoint, endpoint === 'files/open' ? { path } : body);
          expect(reply.status, `${endpoint} ${path.length}`).toBe(400);
          expect(reply.body.error?.code).toBe('BAD_REQUEST');
        }
      }
    });
    expect(log).not.toMatch(/\n\s+at /);
  });

  it('/api/run with an input nested 6,000 deep (a 12 KB body) is refused, and serve stays up', async () => {
    const body = `{"text":${JSON.stringify(FLOW)},"input":${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}}`;
    expect(body.length).toBeLessThan(40_000);
    const reply = await api('run', body);
    expect(reply.status).toBe(400);
    expect(reply.body.error?.message).toMatch(/run: 'input' is nested deeper than 200 levels/);
    expect((await api('info', {})).status).toBe(200);
  });

  it('a request body nested 100,000 deep is parsed without crashing and refused', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const reply = await api('validate', deep);
    expect(reply.status).toBe(400);
    expect(reply.body.error?.message).toMatch(/must be an object, got an array/);
    const resume = await api(
      'resume',
      `{"runId":"r","state":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`,
    );
    expect(resume.status).toBe(400);
    expect(resume.body.error?.message).toMatch(/nested deeper/);
    expect((await api('info', {})).status).toBe(200);
  });
});

describe('refused requests: the answer comes at once and the declared 2 GB body is not read', () => {
  it.each([
    ['401, no token', '', 'HTTP/1.1 401 Unauthorized', 'UNAUTHORIZED'],
    ['403, foreign Origin', 'Origin: http://evil.example\r\n', 'HTTP/1.1 403 Forbidden', 'FORBIDDEN'],
    ['413, over the body limit', null, 'HTTP/1.1 413 Payload Too Large', 'TOO_LARGE'],
  ])('%s', async (_name, extra, statusLine, code) => {
    const auth = extra === '' ? '' : `Authorization: Bearer ${server.token}\r\n`;
    const outcome = await declareHugeBody(`Host: 127.0.0.1:${server.port}\r\n${auth}${extra ?? ''}`);
    expect(outcome.statusLine).toBe(statusLine);
    expect(outcome.reply).toMatch(/connection: close/i);
    expect(outcome.reply).toContain(`"code":"${code}"`);
    expect(outcome.closed).toBe(true);
    expect(outcome.written).toBeLessThan(STREAM_LIMIT);
  });
});

describe('the body limit fits every file that opens', () => {
  it.each([
    ['quotes (2 bytes each as JSON)', '"'],
    ['control characters (6 bytes each as JSON)', '\u0001'],
  ])(`a ${MAX_FILE_BYTES}-byte file of %s saves back`, async (_what, char) => {
    const name = `full-${char.charCodeAt(0)}.yaml`;
    await writeFile(join(root, name), char.repeat(MAX_FILE_BYTES));
    const opened = await api('files/open', { path: name });
    expect(opened.status).toBe(200);
    const { text, hash } = opened.body.value as { text: string; hash: string };
    const saved = await api('files/save', { path: name, text, expectedHash: hash });
    expect(saved.status).toBe(200);
    expect((await stat(join(root, name))).size).toBe(MAX_FILE_BYTES);
    await rm(join(root, name));
  });

  it('one byte more does not open', async () => {
    await writeFile(join(root, 'over.yaml'), 'x'.repeat(MAX_FILE_BYTES + 1));
    const reply = await api('files/open', { path: 'over.yaml' });
    expect(reply.status).toBe(413);
    expect(reply.body.error?.message).toMatch(/larger than 5 MiB/);
  });
});

describe('saves: conflicts by content hash under a per-file lock', () => {
  it('20 simultaneous saves expecting the same version: exactly one 200 and 19 409s (5 rounds)', async () => {
    for (let round = 0; round < 5; round++) {
      const opened = (await api('files/open', { path: 'flow.yaml' })).body.value as { hash: string };
      const texts = Array.from({ length: 20 }, (_, i) => `${FLOW}# round ${round} writer ${i}\n`);
      const replies = await Promise.all(
        texts.map((text) => api('files/save', { path: 'flow.yaml', text, expectedHash: opened.hash })),
      );
      const statuses = replies.map((r) => r.status);
      expect(
        statuses.filter((s) => s === 200),
        `round ${round}`,
      ).toHaveLength(1);
      expect(
        statuses.filter((s) => s === 409),
        `round ${round}`,
      ).toHaveLength(19);
      const winner = texts[statuses.indexOf(200)];
      expect(await readFile(join(root, 'flow.yaml'), 'utf8')).toBe(winner);
    }
    await writeFile(join(root, 'flow.yaml'), FLOW);
  });

  it('an external edit that keeps the mtime (and the size) is still a conflict', async () => {
    const file = join(root, 'flow.yaml');
    // A whole-second mtime, so setting it back is exact (utimes takes milliseconds at best).
    const when = new Date('2030-01-01T00:00:00Z');
    await utimes(file, when, when);
    const opened = (await api('files/open', { path: 'flow.yaml' })).body.value as {
      hash: string;
      mtimeMs: number;
    };
    await writeFile(file, FLOW.replace('tiny', 'tinY')); // same size
    await utimes(file, when, when);
    expect((await stat(file)).mtimeMs).toBe(opened.mtimeMs);
    const reply = await api('files/save', { path: 'flow.yaml', text: 'lost', expectedHash: opened.hash });
    expect(reply.status).toBe(409);
    expect(reply.body.error?.code).toBe('CONFLICT');
    expect(await readFile(file, 'utf8')).toBe(FLOW.replace('tiny', 'tinY'));
    await writeFile(file, FLOW);
  });

  it('a save expecting a version of a file deleted meanwhile is a conflict; without one it creates', async () => {
    await writeFile(join(root, 'gone.yaml'), FLOW);
    const gone = (await api('files/open', { path: 'gone.yaml' })).body.value as { hash: string };
    await rm(join(root, 'gone.yaml'));
    expect((await api('files/save', { path: 'gone.yaml', text: FLOW, expectedHash: gone.hash })).status).toBe(
      409,
    );
    expect((await api('files/save', { path: 'gone.yaml', text: FLOW })).status).toBe(200);
  });
});

describe('event sockets', () => {
  it(`accepts ${MAX_WS_CLIENTS} at once; one more is refused with 503 until one closes`, async () => {
    const open = (): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, [
          'fanout',
          `fanout.token.${server.token}`,
        ]);
        ws.once('open', () => resolve(ws));
        ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
        ws.once('error', reject);
      });
    const sockets = await Promise.all(Array.from({ length: MAX_WS_CLIENTS }, open));
    await expect(open()).rejects.toThrow('refused 503');
    const closed = new Promise((r) => sockets[0]!.once('close', r));
    sockets[0]!.close();
    await closed;
    // The server frees the slot when it sees the close; on a loaded machine that may take a moment.
    let again: WebSocket | null = null;
    for (let attempt = 0; again === null; attempt++) {
      again = await open().catch((error: Error) => {
        if (attempt >= 50) throw error;
        return new Promise<null>((r) => setTimeout(() => r(null), 100));
      });
    }
    for (const ws of [again, ...sockets.slice(1)]) ws.terminate();
  });
});

describe('start-up', () => {
  it('sweeps temp files that a save killed mid-write left in the root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-harden-sweep-'));
    const deadPid = 2 ** 22 + 23;
    await writeFile(join(dir, 'a.yaml'), FLOW);
    await writeFile(join(dir, `.a.yaml.fanout-${deadPid}-0123456789ab.tmp`), '');
    await writeFile(join(dir, `.a.yaml.${deadPid}.0123456789ab.tmp`), ''); // earlier versions' name
    const other = await startServer({ root: dir, staticDir: null, workers: 1, warm: false });
    try {
      expect(await readdir(dir)).toEqual(['a.yaml']);
    } finally {
      await other.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
