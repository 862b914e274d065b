// The Providers page's "Test" button: one cheap authenticated request (GET the provider's model list)
// with the key a run would use (environment first, then the key kept by the app; a workflow's `.env` is
// not known here). The answer is ok, or the HTTP status with a short excerpt of what the server said,
// scrubbed of the key (a server may echo the request's headers). Bounded by a short deadline and a
// byte limit: a slow or endless server cannot stall the host.
import { MAX_PROVIDER_TEST_ANSWER_BYTES, PROVIDER_TEST_TIMEOUT_MS } from '../limits.ts';
import { Redactor, type EnvLookup } from '../llm/secrets.ts';
import { serverMessage } from '../llm/transport.ts';
import { PROVIDER_KEY_VARS, type TestedProvider } from './provider-vars.ts';
import type { ProviderTestResult } from './types.ts';

export type { ProviderTestResult };

export interface ProviderTestRequest {
  provider: TestedProvider;
  /** Server to test (else the provider's variable, e.g. OPENAI_BASE_URL, else its public default). */
  apiBase?: string | undefined;
}

const DEFAULT_BASE: Record<TestedProvider, string | null> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
  litellm: 'http://localhost:4000',
  ollama: 'http://localhost:11434/v1',
  azure: null, // a resource URL: AZURE_OPENAI_ENDPOINT or the field
};
const BASE_VARS: Record<TestedProvider, string[]> = {
  openai: ['OPENAI_BASE_URL', 'OPENAI_API_BASE'],
  anthropic: ['ANTHROPIC_API_BASE'],
  litellm: ['LITELLM_API_BASE'],
  ollama: ['OLLAMA_API_BASE'],
  azure: ['AZURE_OPENAI_ENDPOINT'],
};
/** Azure's model list is versioned; this version lists models (2024-10-21 is GA). */
const AZURE_MODELS_VERSION = '2024-10-21';
const ANTHROPIC_VERSION = '2023-06-01';

/** The base URL the test would use (for the page's placeholder too). */
export function testBase(provider: TestedProvider, env: EnvLookup, apiBase?: string): string | null {
  if (apiBase) return apiBase;
  for (const name of BASE_VARS[provider]) {
    const value = env(name);
    if (value) return value;
  }
  return DEFAULT_BASE[provider];
}

/**
 * Tests `provider`'s key: the host's environment first (as runs read it), then the keys kept by the
 * app (`stored`, as variables). Never throws: every failure is a result.
 */
export async function testProviderKey(
  { provider, apiBase }: ProviderTestRequest,
  processEnv: Record<string, string | undefined>,
  stored: Record<string, string>,
  timeoutMs = PROVIDER_TEST_TIMEOUT_MS,
): Promise<ProviderTestResult> {
  const redactor = new Redactor();
  const env: EnvLookup = (name) => processEnv[name] || stored[name] || undefined;
  const keyVar = provider === 'ollama' ? null : PROVIDER_KEY_VARS[provider];
  const key = keyVar ? env(keyVar) : undefined;
  redactor.add(key);
  const keySource: ProviderTestResult['keySource'] = !key
    ? 'none'
    : processEnv[keyVar!]
      ? 'environment'
      : 'stored';
  const base = testBase(provider, env, apiBase);
  const result = (ok: boolean, message: string, url: string, status?: number): ProviderTestResult => ({
    ok,
    message: redactor.redact(message),
    url: redactor.redact(url),
    keySource,
    ...(status === undefined ? {} : { status }),
  });
  if (!base) return result(false, `set the Azure resource URL (AZURE_OPENAI_ENDPOINT) to test`, '');
  let url: URL;
  try {
    url = new URL(base.replace(/\/+$/, '') + modelsPath(provider));
  } catch {
    return result(false, `'${base}' is not a URL`, '');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return result(false, `'${base}' must be an http(s) URL`, '');
  }
  if (url.username || url.password) return result(false, 'the URL must not carry credentials', '');
  const shown = url.href;
  if (keyVar && !key && provider !== 'litellm' && !(provider === 'openai' && !isOpenAi(url))) {
    return result(false, `no key: set one here or ${keyVar} in the environment`, shown);
  }
  if (provider === 'azure') url.searchParams.set('api-version', AZURE_MODELS_VERSION);
  try {
    const response = await fetch(url, {
      method: 'GET',
      headers: headers(provider, key),
      redirect: 'manual', // a redirect must not carry the key to another server
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await readBounded(response);
    if (response.ok)
      return result(true, `OK · HTTP ${response.status}${modelCount(text)}`, shown, response.status);
    const said = serverMessage(text);
    const hint =
      response.status === 401 || response.status === 403
        ? ' — the key was refused'
        : response.status >= 300 && response.status < 400
          ? ' — a redirect, not followed (it would take the key to another address)'
          : '';
    return result(false, `HTTP ${response.status}${hint}${said ? `: ${said}` : ''}`, shown, response.status);
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      const limit = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
      return result(false, `no answer within ${limit}`, shown);
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return result(
      false,
      `cannot reach ${url.host}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      shown,
    );
  }
}

function modelsPath(provider: TestedProvider): string {
  return provider === 'azure' ? '/openai/models' : '/models';
}

function isOpenAi(url: URL): boolean {
  return url.origin === 'https://api.openai.com';
}

function headers(provider: TestedProvider, key: string | undefined): Record<string, string> {
  if (!key) return {};
  if (provider === 'azure') return { 'api-key': key };
  if (provider === 'anthropic') return { 'x-api-key': key, 'anthropic-version': ANTHROPIC_VERSION };
  return { authorization: `Bearer ${key}` };
}

/** The body up to MAX_PROVIDER_TEST_ANSWER_BYTES (the rest is not read). */
async function readBounded(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      chunks.push(chunk.value);
      size += chunk.value.length;
      if (size >= MAX_PROVIDER_TEST_ANSWER_BYTES) break;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, MAX_PROVIDER_TEST_ANSWER_BYTES).toString('utf8');
}

function modelCount(text: string): string {
  try {
    const json = JSON.parse(text) as { data?: unknown; models?: unknown };
    const list = Array.isArray(json.data) ? json.data : Array.isArray(json.models) ? json.models : null;
    return list ? ` · ${list.length} model${list.length === 1 ? '' : 's'}` : '';
  } catch {
    return '';
  }
}
