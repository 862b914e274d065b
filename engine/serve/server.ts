// `fanout serve`: the browser host. Node http for the JSON API and the static renderer, `ws` for the
// RunEvent stream, bound to 127.0.0.1 only and guarded by a per-start token plus Host/Origin checks.
import { readFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, WebSocket } from 'ws';
import { Engine } from '../index.ts';
import type { RunHandle } from '../index.ts';
import { defaultPoolSize } from '../run/pool.ts';
import type { RunEvent } from '../run/types.ts';
import { createApi } from './api.ts';
import { EventBatcher } from '../run/event-batcher.ts';
import { HostFailure } from './errors.ts';
import { MAX_FILE_BYTES } from './files.ts';
import {
  WS_PROTOCOL,
  bearerToken,
  checkHostAndOrigin,
  cookieName,
  cookieValue,
  newToken,
  sessionCookie,
  setSecurityHeaders,
  tokenMatches,
  wsProtocolToken,
} from './security.ts';
import { sendText, serveStatic } from './static.ts';

/** Largest request body: a workflow text of the largest file `open` returns, plus JSON overhead. */
export const MAX_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024;
/** The client never needs to send much over the socket; anything bigger is a misbehaving peer. */
const MAX_WS_MESSAGE_BYTES = 64 * 1024;

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_STATIC_DIR = `${packageRoot}out/renderer`;

export interface ServeOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Folder the file API is confined to (default: the current directory). */
  root?: string;
  /** Built renderer folder (default out/renderer of this package); null serves the "not built" page. */
  staticDir?: string | null;
  /** Worker processes of the engine's pool (default: defaultPoolSize()). */
  workers?: number;
  /** Start the workers right away so the first run is fast (default true). */
  warm?: boolean;
}

export interface ServeHandle {
  /** The URL to open, token included: `http://127.0.0.1:PORT/?token=TOKEN`. */
  url: string;
  origin: string;
  token: string;
  port: number;
  /** Stops accepting, cancels runs, closes sockets and the engine's workers. Idempotent. */
  close(): Promise<void>;
}

function appVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(`${packageRoot}package.json`, 'utf8')) as { version?: string }).version ??
      '0.0.0'
    );
  } catch {
    return '0.0.0';
  }
}

async function existingDir(path: string | null | undefined): Promise<string | null> {
  if (!path) return null;
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function sendFailure(res: ServerResponse, failure: HostFailure): void {
  sendJson(res, failure.status, { ok: false, error: failure.toHostError() });
}

/** Reads the body up to `limit` bytes; past it, rejects at once without reading the rest. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new HostFailure('TOO_LARGE', `the request body is larger than ${limit} bytes`);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length + 1}\r\n\r\n${reason}\n`,
  );
  socket.destroy();
}

export async function startServer(options: ServeOptions = {}): Promise<ServeHandle> {
  const root = await realpath(options.root ?? process.cwd()).catch(() => {
    throw new Error(`root folder '${options.root}' does not exist`);
  });
  const staticDir = await existingDir(
    options.staticDir === undefined ? DEFAULT_STATIC_DIR : options.staticDir,
  );
  const token = newToken();
  const workers = options.workers ?? defaultPoolSize();
  const engine = new Engine({ size: workers });
  const runs = new Map<string, RunHandle>();

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WS_MESSAGE_BYTES,
    // Select our protocol; never echo the token-carrying one back.
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  wss.on('connection', (socket) => {
    socket.on('error', () => socket.terminate());
    // The socket is one-way (server → client); incoming messages are ignored.
  });
  const broadcast = (events: RunEvent[]) => {
    const frame = JSON.stringify({ type: 'events', events });
    for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(frame);
  };
  const batcher = new EventBatcher<RunEvent>(broadcast);

  let port = 0;
  let closing: Promise<void> | null = null;
  const api = createApi(
    { engine, root, appVersion: appVersion(), workers, onEvent: (event) => batcher.push(event) },
    runs,
  );

  async function handleApi(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (!tokenMatches(bearerToken(req), token)) {
      return sendFailure(res, new HostFailure('UNAUTHORIZED', 'missing or wrong access token'));
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendFailure(res, new HostFailure('METHOD_NOT_ALLOWED', `${pathname} takes POST`));
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return sendFailure(res, new HostFailure('UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json'));
    }
    const handler = Object.hasOwn(api, pathname) ? api[pathname] : undefined;
    let body: unknown;
    try {
      const raw = await readBody(req, MAX_BODY_BYTES);
      if (!handler) throw new HostFailure('NOT_FOUND', `no API endpoint ${pathname}`);
      try {
        body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
      } catch (error) {
        throw new HostFailure('BAD_REQUEST', `the body is not valid JSON: ${(error as Error).message}`);
      }
      sendJson(res, 200, { ok: true, value: await handler(body) });
    } catch (error) {
      if (error instanceof HostFailure) {
        // Past the size limit the rest of the body is not read: the connection is closed instead.
        if (error.code === 'TOO_LARGE' && !req.complete) {
          res.setHeader('Connection', 'close');
          // Node would otherwise drain (read) the rest of the body; give the answer a moment to
          // reach the client, then drop the connection.
          res.once('finish', () => setTimeout(() => req.socket.destroy(), 250).unref());
        }
        return sendFailure(res, error);
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return sendFailure(res, new HostFailure('NOT_FOUND', (error as Error).message));
      if (code === 'EACCES' || code === 'EPERM') {
        return sendFailure(res, new HostFailure('FORBIDDEN', (error as Error).message));
      }
      process.stderr.write(`fanout serve: ${pathname}: ${(error as Error).stack ?? String(error)}\n`);
      return sendFailure(res, new HostFailure('INTERNAL', (error as Error).message));
    }
  }

  async function handlePage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const queryToken = url.searchParams.get('token');
    const extra: Record<string, string> = {};
    if (queryToken !== null) {
      if (!tokenMatches(queryToken, token))
        return sendText(res, 401, 'text/plain; charset=utf-8', 'wrong access token\n');
      // Lets the page's own assets load without the token in their URLs.
      extra['Set-Cookie'] = sessionCookie(port, token);
    } else if (!tokenMatches(cookieValue(req, cookieName(port)), token)) {
      return sendText(
        res,
        401,
        'text/plain; charset=utf-8',
        'Fanout Studio: open the URL that `fanout serve` printed (it carries the access token).\n',
      );
    }
    await serveStatic(req, res, url.pathname, staticDir, extra);
  }

  const server = createServer((req, res) => {
    setSecurityHeaders(res, port);
    const refused = checkHostAndOrigin(req, port);
    if (refused) return sendText(res, 403, 'text/plain; charset=utf-8', `${refused}\n`);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      return sendText(res, 400, 'text/plain; charset=utf-8', 'bad request URL\n');
    }
    const work = url.pathname.startsWith('/api/')
      ? handleApi(req, res, url.pathname)
      : handlePage(req, res, url);
    work.catch((error: Error) => {
      process.stderr.write(`fanout serve: ${error.stack ?? error.message}\n`);
      if (!res.headersSent) sendText(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', `http://127.0.0.1:${port}`).pathname;
    } catch {
      return refuseUpgrade(socket, 404, 'Not Found');
    }
    if (pathname !== '/ws') return refuseUpgrade(socket, 404, 'Not Found');
    if (checkHostAndOrigin(req, port)) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!tokenMatches(wsProtocolToken(req), token)) return refuseUpgrade(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  if (options.warm !== false) {
    engine.start().catch((error: Error) => {
      if (!closing) process.stderr.write(`fanout serve: workers: ${error.message}\n`);
    });
  }

  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const handle of runs.values()) handle.cancel();
      await engine.close();
      batcher.flush();
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      // A client that does not answer the close handshake within a second is cut off.
      const wssClosed = new Promise<void>((resolve) => wss.close(() => resolve()));
      await Promise.race([wssClosed, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
      for (const client of wss.clients) client.terminate();
      await wssClosed;
      server.closeAllConnections();
      await stopped;
    })());

  const origin = `http://127.0.0.1:${port}`;
  return { url: `${origin}/?token=${token}`, origin, token, port, close };
}
