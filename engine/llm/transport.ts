// One HTTP exchange with a model server over fetch: a JSON answer or an SSE stream, read with a size
// bound, under the caller's AbortSignal (run cancel + the call's deadline). Failures are classified
// for the retry policy and quote a short excerpt of what the server sent (the caller redacts it).
import { LLM_ERROR_EXCERPT_CHARS, MAX_LLM_RESPONSE_BYTES } from '../limits.ts';
import { SseParser } from './sse.ts';
import type { SseEvent } from './sse.ts';

/** The server answered with a non-2xx status. */
export class LlmHttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
  get retryable(): boolean {
    return this.status === 429 || this.status === 408 || this.status >= 500;
  }
}

/** The connection failed, or the answer was cut or unusable; `retryable` is false once tokens were used. */
export class LlmNetworkError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal: AbortSignal;
}

/** POSTs JSON and returns the decoded JSON answer. */
export async function postJson(request: HttpRequest): Promise<unknown> {
  const response = await send(request);
  const text = await readBounded(response);
  return decodeJson(text, response);
}

/**
 * POSTs JSON and feeds each SSE event to `onEvent` as it arrives. A server that ignores `stream: true`
 * and answers with JSON is tolerated: that JSON is returned instead (null for a stream).
 */
export async function postStream(request: HttpRequest, onEvent: (event: SseEvent) => void): Promise<unknown> {
  const response = await send(request);
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('text/event-stream')) return decodeJson(await readBounded(response), response);
  const parser = new SseParser();
  await readChunks(response, (text) => {
    for (const event of parser.push(text)) onEvent(event);
  });
  for (const event of parser.end()) onEvent(event);
  return null;
}

async function send(request: HttpRequest): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...request.headers,
      },
      body: JSON.stringify(request.body),
      signal: request.signal,
    });
  } catch (error) {
    if (request.signal.aborted) throw error;
    throw new LlmNetworkError(`cannot reach ${originOf(request.url)}: ${causeText(error)}`, true);
  }
  if (!response.ok) {
    const text = await readBounded(response).catch(() => '');
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const detail = serverMessage(text);
    throw new LlmHttpError(
      `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${originOf(request.url)}${detail ? `: ${detail}` : ''}`,
      response.status,
      retryAfterMs,
    );
  }
  return response;
}

async function readBounded(response: Response): Promise<string> {
  const parts: string[] = [];
  await readChunks(response, (text) => parts.push(text));
  return parts.join('');
}

async function readChunks(response: Response, onText: (text: string) => void): Promise<void> {
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new LlmNetworkError(
          `the answer was cut off after ${bytes} bytes: ${causeText(error)}`,
          bytes === 0,
          response.status,
        );
      }
      if (chunk.done) break;
      bytes += chunk.value.byteLength;
      if (bytes > MAX_LLM_RESPONSE_BYTES) {
        throw new LlmNetworkError(
          `the answer is larger than ${MAX_LLM_RESPONSE_BYTES} bytes`,
          false,
          response.status,
        );
      }
      onText(decoder.decode(chunk.value, { stream: true }));
    }
    const rest = decoder.decode();
    if (rest) onText(rest);
  } finally {
    reader.cancel().catch(() => {});
  }
}

function decodeJson(text: string, response: Response): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const type = response.headers.get('content-type') ?? 'no content-type';
    throw new LlmNetworkError(
      `HTTP ${response.status} answer is not JSON (${type}): ${excerpt(text) || '(empty body)'}`,
      false,
      response.status,
    );
  }
}

/** The server's own error message (OpenAI / Anthropic error shapes), else a short excerpt of the body. */
export function serverMessage(text: string): string {
  try {
    const json = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof json.error === 'string' ? json.error : (json.error?.message ?? json.message);
    if (typeof message === 'string') return excerpt(message);
  } catch {
    // not JSON: quote it
  }
  return excerpt(text);
}

export function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > LLM_ERROR_EXCERPT_CHARS ? `${line.slice(0, LLM_ERROR_EXCERPT_CHARS)}…` : line;
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the server';
  }
}

function causeText(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}
