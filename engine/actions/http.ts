/**
 * http.get and http.post with global fetch. Like TEA Python (core_actions.py), the result is the
 * decoded JSON response body itself and a non-2xx status is an error. Differences: a body that is
 * not JSON is returned as text instead of failing, and there is a timeout (`timeout` seconds,
 * default 30, as TEA Rust's parameter) combined with the run's abort signal.
 */
import { MAX_STATE_BYTES, truncateText } from '../limits.ts';
import { ActionError, requireString } from './registry.ts';
import type { ActionContext, ActionRegistry } from './registry.ts';

const DEFAULT_TIMEOUT_S = 30;

function headersOf(params: Record<string, unknown>, action: string): Record<string, string> {
  const raw = params['headers'];
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ActionError(`${action}: 'headers' must be a map of strings`, action);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = String(v);
  return out;
}

function checkedUrl(params: Record<string, unknown>, action: string): string {
  const url = requireString(params, 'url', action);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ActionError(`${action}: invalid url '${url}'`, action);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ActionError(`${action}: only http and https urls are allowed, got '${url}'`, action);
  }
  return url;
}

/** Longest `timeout` (seconds) a request may ask for; Node's timers cannot wait much longer anyway. */
const MAX_TIMEOUT_S = 3600;

function timeoutOf(action: string, value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_TIMEOUT_S;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_S) {
    throw new ActionError(
      `${action}: parameter 'timeout' must be a number of seconds above 0 and at most ${MAX_TIMEOUT_S}, got ${truncateText(JSON.stringify(value) ?? String(value), 80)}`,
      action,
    );
  }
  return value;
}

/**
 * The response body, read up to the state size bound: a body that large could never join the state,
 * and reading it whole first would hold all of it (a huge download) in the host.
 */
async function boundedText(action: string, url: string, response: Response): Promise<string> {
  if (!response.body) return '';
  // A reader, not `for await`: ReadableStream is async-iterable in Node's types but not in the DOM
  // lib's, and cancelling through the reader is what really stops the download.
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > MAX_STATE_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw new ActionError(
          `${action} ${url} failed: the response is larger than ${MAX_STATE_BYTES} bytes`,
          action,
        );
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function request(
  action: string,
  url: string,
  init: RequestInit,
  params: Record<string, unknown>,
  ctx: ActionContext,
) {
  const timeoutS = timeoutOf(action, params['timeout']);
  const timeout = AbortSignal.timeout(timeoutS * 1000);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, { ...init, signal });
    body = await boundedText(action, url, response);
  } catch (e) {
    const reason = timeout.aborted
      ? `timed out after ${timeoutS} s`
      : ctx.signal?.aborted
        ? 'aborted'
        : (e as Error).message;
    throw new ActionError(`${action} ${url} failed: ${reason}`, action, { cause: e });
  }
  if (!response.ok) {
    throw new ActionError(
      `${action} ${url} failed: HTTP ${response.status} ${response.statusText}`.trim(),
      action,
    );
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

async function httpGet(params: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
  const url = checkedUrl(params, 'http.get');
  return request('http.get', url, { method: 'GET', headers: headersOf(params, 'http.get') }, params, ctx);
}

async function httpPost(params: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
  const url = checkedUrl(params, 'http.post');
  const headers = headersOf(params, 'http.post');
  let body: string | undefined;
  if (params['json'] !== undefined) {
    body = JSON.stringify(params['json']);
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
  } else if (params['body'] !== undefined && params['body'] !== null) {
    body = typeof params['body'] === 'string' ? params['body'] : JSON.stringify(params['body']);
  }
  return request('http.post', url, { method: 'POST', headers, body }, params, ctx);
}

export function registerHttpActions(registry: ActionRegistry): void {
  registry.register('http.get', httpGet);
  registry.register('http.post', httpPost);
}
