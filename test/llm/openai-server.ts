// A real local HTTP server speaking OpenAI's chat-completions wire format (JSON and SSE streaming with
// stream_options.include_usage, tool calls, embeddings), also at Ollama's OpenAI-compatible /v1 path and
// Azure's deployment path. Models name behaviours; tests may script their own per model. It records
// every request and when each one's connection closed, so tests can see cancellation reach the wire.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** ms (performance.now) when the request arrived and when its connection closed (if it did). */
  at: number;
  closedAt?: number;
}

export type Handler = (ctx: {
  req: IncomingMessage;
  res: ServerResponse;
  body: Record<string, unknown>;
  /** How many requests this model got before this one. */
  count: number;
  seen: SeenRequest;
}) => void | Promise<void>;

export interface OpenAiServer {
  url: string;
  /** Base URL in OpenAI's form (`…/v1`). */
  base: string;
  requests: SeenRequest[];
  script(model: string, handler: Handler): void;
  close(): Promise<void>;
}

type Body = Record<string, unknown>;
type Message = { role: string; content: string | null };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function lastUser(body: Body): string {
  const messages = (body['messages'] ?? []) as Message[];
  return [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
}

export function reply(body: Body): string {
  return `echo: ${lastUser(body)}`;
}

export function usage(body: Body, text: string) {
  const prompt = JSON.stringify(body['messages'] ?? body['input'] ?? '').length;
  const completion = text.split(/\s+/).filter(Boolean).length;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  json: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(json));
}

export function completion(body: Body, text: string | null, extra: Record<string, unknown> = {}) {
  return {
    id: 'chatcmpl-local',
    object: 'chat.completion',
    model: body['model'],
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, ...extra },
        finish_reason: extra['tool_calls'] ? 'tool_calls' : 'stop',
      },
    ],
    usage: usage(body, text ?? ''),
  };
}

/** Streams `pieces` as chat.completion.chunk events, the usage chunk when asked for, then [DONE]. */
export async function streamPieces(
  res: ServerResponse,
  body: Body,
  pieces: string[],
  opts: {
    gapMs?: number;
    firstMs?: number;
    cutAfter?: number;
    /** After the pieces, they go round again, one every gapMs, until this settles (a test saw it live). */
    holdOpen?: Promise<unknown>;
  } = {},
) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-local', object: 'chat.completion.chunk', model: body['model'], choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  res.write(chunk({ role: 'assistant', content: '' }));
  if (opts.firstMs) await sleep(opts.firstMs);
  for (let i = 0; i < pieces.length; i++) {
    if (res.destroyed) return;
    if (opts.cutAfter !== undefined && i === opts.cutAfter) {
      res.socket?.destroy(); // the connection drops mid-stream
      return;
    }
    res.write(chunk({ content: pieces[i] }));
    if (opts.gapMs) await sleep(opts.gapMs);
  }
  let open = opts.holdOpen !== undefined;
  void opts.holdOpen?.then(() => (open = false));
  for (let k = 0; open && !res.destroyed && pieces.length > 0; k++) {
    res.write(chunk({ content: pieces[k % pieces.length] }));
    await sleep(opts.gapMs ?? 10);
  }
  res.write(chunk({}, 'stop'));
  const options = body['stream_options'] as { include_usage?: boolean } | undefined;
  if (options?.include_usage) {
    res.write(
      `data: ${JSON.stringify({ id: 'chatcmpl-local', object: 'chat.completion.chunk', choices: [], usage: usage(body, pieces.join('')) })}\n\n`,
    );
  }
  res.end('data: [DONE]\n\n');
}

export function words(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/** Default behaviour: echo the last user message (JSON or streamed), embeddings from text length. */
const defaultHandler: Handler = async ({ req, res, body }) => {
  if (req.url?.includes('/embeddings')) {
    const input = Array.isArray(body['input']) ? (body['input'] as string[]) : [String(body['input'])];
    sendJson(res, 200, {
      object: 'list',
      data: input.map((t, index) => ({ object: 'embedding', index, embedding: [t.length, 1, 0.5] })),
      model: body['model'],
      usage: { prompt_tokens: input.join(' ').length, total_tokens: input.join(' ').length },
    });
    return;
  }
  const model = String(body['model'] ?? '');
  const delay = /^delay-(\d+)/.exec(model);
  if (delay) await sleep(Number(delay[1]));
  const text = reply(body);
  if (body['stream']) await streamPieces(res, body, words(text), { gapMs: 5 });
  else sendJson(res, 200, completion(body, text));
};

export async function startOpenAiServer(): Promise<OpenAiServer> {
  const requests: SeenRequest[] = [];
  const scripts = new Map<string, Handler>();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Body = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Body;
      } catch {
        // leave empty
      }
      const seen: SeenRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        at: performance.now(),
      };
      requests.push(seen);
      res.on('close', () => (seen.closedAt = performance.now()));
      const model = String(body['model'] ?? '');
      const count = counts.get(model) ?? 0;
      counts.set(model, count + 1);
      const handler = scripts.get(model) ?? defaultHandler;
      Promise.resolve(handler({ req, res, body, count, seen })).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 599, { error: { message: String(error) } });
        else res.destroy();
      });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    base: `${url}/v1`,
    requests,
    script: (model, handler) => scripts.set(model, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
