// Serves the built renderer: files only (no directory listing), confined to the static folder by
// real path, with a fixed content-type table. Without a build, '/' explains how to make one.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve } from 'node:path';
import { isInside } from '../host/scope.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export const NOT_BUILT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fanout Studio</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Fanout Studio: the renderer is not built</h1>
<p>The server is running, but there is no built user interface to serve.</p>
<p>Build it with <code>npm run build</code> (output <code>out/renderer</code>), then restart
<code>fanout serve</code>, or point <code>--static DIR</code> at a built renderer.</p>
</body></html>
`;

export function sendText(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/** Sends the static file for `pathname`, or a 404; `staticDir` is a real path or null (not built). */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  staticDir: string | null,
  extraHeaders: Record<string, string> = {},
): Promise<void> {
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendText(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return sendText(res, 400, 'text/plain; charset=utf-8', 'bad path\n');
  }
  if (decoded.includes('\0')) return sendText(res, 400, 'text/plain; charset=utf-8', 'bad path\n');
  if (decoded === '/' || decoded === '/index.html') {
    if (!staticDir) return sendText(res, 200, TYPES['.html']!, NOT_BUILT_HTML);
    decoded = '/index.html';
  }
  if (!staticDir) return sendText(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  const lexical = resolve(staticDir, `.${decoded}`);
  const notFound = () => sendText(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  if (!isInside(staticDir, lexical)) return notFound();
  let file: string;
  let size: number;
  try {
    file = await realpath(lexical);
    const info = await stat(file);
    if (!info.isFile() || !isInside(staticDir, file)) return notFound();
    size = info.size;
  } catch {
    // Browsers ask for /favicon.ico on their own; without one, an empty answer keeps consoles quiet.
    if (decoded === '/favicon.ico') return void res.writeHead(204, { 'Cache-Control': 'no-cache' }).end();
    return notFound();
  }
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': size,
    // The HTML names hashed assets; it must be fetched fresh, the assets may be revalidated.
    'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
