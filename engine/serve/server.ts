// `fanout serve`: the browser host. Node http for the JSON API (a transport over engine/host's
// service) and the static renderer, `ws` for the RunEvent stream, bound to 127.0.0.1 only and guarded
// by a per-start token plus Host/Origin checks. Every API answer is JSON; a refused request (401, 403,
// 413, …) is answered without reading its body and the connection is dropped.
import { readFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, WebSocket } from 'ws';
import { Engine } from '../index.ts';
import type { RemoteBranchRunner } from '../run/branch-runner.ts';
import { defaultPoolSize } from '../run/pool.ts';
import type { RunEvent } from '../run/types.ts';
import { createApi } from './api.ts';
import { EventBatcher } from '../run/event-batcher.ts';
import { HostFailure, toHostFailure } from '../host/errors.ts';
import { HostService, memoryRecentList } from '../host/service.ts';
import type { FolderChange } from '../host/types.ts';
import { rootScope } from '../host/scope.ts';
import { FileKeyStore, PROVIDER_KEYS_FILE, defaultConfigDir } from '../host/provider-keys.ts';
import { sweepStaleTempFiles } from '../fs/temp-files.ts';
import { MAX_REQUEST_BODY_BYTES, MAX_WS_CLIENTS, MAX_WS_MESSAGE_BYTES, formatBytes } from '../limits.ts';
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

/** How long a refused request's answer has to reach the client before its connection is cut. */
const HANG_UP_GRACE_MS = 250;

// engine/serve/server.ts in development; bundled into dist/cli.js (scripts/build-engine.mjs) otherwise.
const packageRoot = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../' : '../', import.meta.url),
);
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
  /** Most WebSocket clients at once (default MAX_WS_CLIENTS). */
  maxSockets?: number;
  /** The Providers page's key file (default `$XDG_CONFIG_HOME/fanout/provider-keys.json`, 0600). */
  keysFile?: string;
  /** Queue mode (`--redis`, docs/queue.md): fan-out branches run on `fanout worker`s. */
  remoteBranches?: RemoteBranchRunner;
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

/**
 * Answers with the failure as JSON. A request whose body was not read completely (refused before or
 * while reading it) gets `Connection: close` and its socket is destroyed once the answer is out, so
 * a declared 2 GB body is never read (Node would otherwise drain it to keep the connection alive).
 */
function sendFailure(req: IncomingMessage, res: ServerResponse, failure: HostFailure): void {
  if (!req.complete) {
    res.setHeader('Connection', 'close');
    // Node closes a `Connection: close` socket as soon as the answer is written (destroySoon); closing
    // with the client's body still arriving sends a TCP reset, which can wipe the answer from the
    // client's receive queue before it reads it. So only half-close (FIN) then, and cut the connection
    // after a grace period, still without reading the body.
    const socket = req.socket as IncomingMessage['socket'] & { destroySoon?: () => void };
    socket.destroySoon = () => void socket.end();
    res.once('finish', () => setTimeout(() => socket.destroy(), HANG_UP_GRACE_MS).unref());
  }
  sendJson(res, failure.status, { ok: false, error: failure.toHostError() });
}

/** Reads the body up to `limit` bytes; past it, rejects at once without reading the rest. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      new HostFailure('TOO_LARGE', `the request body is larger than ${formatBytes(limit)}`);
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

function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404 | 503, reason: string): void {
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
  const engine = new Engine({
    size: workers,
    ...(options.remoteBranches ? { remoteBranches: options.remoteBranches } : {}),
  });
  // The first run's worker starts now, overlapping the sweep and the listen; the rest after `listen`.
  if (options.warm !== false) engine.service.pool.prestart(1);
  // Debris of saves killed mid-write in an earlier session (bounded walk of the root).
  await sweepStaleTempFiles([root]).catch(async (error: unknown) => {
    await engine.close();
    throw error;
  });
  const maxSockets = options.maxSockets ?? MAX_WS_CLIENTS;

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
    // Events are bounded where they are produced; should one still not serialize, this runs in the
    // batcher's timer, where a throw would take the server down: say so and skip the batch instead.
    let frame: string;
    try {
      frame = JSON.stringify({ type: 'events', events });
    } catch (error) {
      process.stderr.write(`fanout serve: dropped ${events.length} events: ${(error as Error).message}\n`);
      return;
    }
    for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(frame);
  };
  const batcher = new EventBatcher<RunEvent>(broadcast);
  // A listed folder changed on disk (engine/host/folder-watch.ts, throttled there): every client
  // re-lists the folder it shows, so one small frame for all of them.
  const broadcastFolderChange = (change: FolderChange) => {
    const frame = JSON.stringify({ type: 'files-changed', dir: change.dir });
    for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(frame);
  };

  let port = 0;
  let upgrading = 0;
  let closing: Promise<void> | null = null;
  const service = new HostService({
    host: 'browser',
    engine,
    info: { appVersion: appVersion(), platform: process.platform, workers },
    scope: rootScope(root),
    recent: memoryRecentList(),
    scratchDir: root,
    keys: new FileKeyStore(options.keysFile ?? join(defaultConfigDir(), PROVIDER_KEYS_FILE)),
    onRunError: (runId, error) => process.stderr.write(`fanout serve: run ${runId}: ${error.message}\n`),
    onFilesChanged: broadcastFolderChange,
  });
  const api = createApi(service, { onEvent: (event) => batcher.push(event) });

  async function handleApi(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (!tokenMatches(bearerToken(req), token)) {
      return sendFailure(req, res, new HostFailure('UNAUTHORIZED', 'missing or wrong access token'));
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendFailure(req, res, new HostFailure('METHOD_NOT_ALLOWED', `${pathname} takes POST`));
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return sendFailure(
        req,
        res,
        new HostFailure('UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json'),
      );
    }
    const handler = Object.hasOwn(api, pathname) ? api[pathname] : undefined;
    if (!handler) return sendFailure(req, res, new HostFailure('NOT_FOUND', `no API endpoint ${pathname}`));
    try {
      const raw = await readBody(req, MAX_REQUEST_BODY_BYTES);
      let body: unknown;
      try {
        // V8's JSON.parse is iterative: deep nesting parses; the schemas then bound the depth.
        body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
      } catch (error) {
        throw new HostFailure('BAD_REQUEST', `the body is not valid JSON: ${(error as Error).message}`);
      }
      sendJson(res, 200, { ok: true, value: await handler(body) });
    } catch (error) {
      const { failure, internal } = toHostFailure(error);
      // One line, never a stack: the message is what a maintainer needs and a client may send anything.
      if (internal) process.stderr.write(`fanout serve: ${pathname}: ${failure.message}\n`);
      return sendFailure(req, res, failure);
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
    const isApi = (req.url ?? '').startsWith('/api/');
    const refused = checkHostAndOrigin(req, port);
    if (refused) {
      if (isApi) return sendFailure(req, res, new HostFailure('FORBIDDEN', refused));
      res.setHeader('Connection', 'close');
      return sendText(res, 403, 'text/plain; charset=utf-8', `${refused}\n`);
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      if (isApi) return sendFailure(req, res, new HostFailure('BAD_REQUEST', 'bad request URL'));
      return sendText(res, 400, 'text/plain; charset=utf-8', 'bad request URL\n');
    }
    const work = isApi ? handleApi(req, res, url.pathname) : handlePage(req, res, url);
    work.catch((error: Error) => {
      process.stderr.write(`fanout serve: ${req.method} ${url.pathname}: ${error.message}\n`);
      if (res.headersSent) return void res.destroy();
      if (isApi) return sendFailure(req, res, new HostFailure('INTERNAL', 'internal error'));
      sendText(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
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
    // Upgrades still in their handshake count too, so a burst cannot slip past the cap.
    if (wss.clients.size + upgrading >= maxSockets) return refuseUpgrade(socket, 503, 'Service Unavailable');
    upgrading++;
    let counted = true;
    const settle = () => counted && ((counted = false), upgrading--);
    socket.once('close', settle);
    wss.handleUpgrade(req, socket, head, (ws) => {
      settle();
      wss.emit('connection', ws, req);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await engine.close(); // e.g. the port is taken: no worker may outlive the failed start
    throw error;
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
      service.cancelAll();
      service.stopWatching();
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
