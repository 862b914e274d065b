// Which endpoint a model call goes to, with which credentials: TEA's providers and detection order
// (explicit `provider`, then OLLAMA_API_BASE → ollama, AZURE_OPENAI_API_KEY + AZURE_OPENAI_ENDPOINT →
// azure, else openai), TEA's environment variables, plus anthropic and the keyless mock provider.
import type { LlmCallKind } from './types.ts';
import type { EnvLookup, Redactor } from './secrets.ts';

export const PROVIDERS = ['auto', 'openai', 'azure', 'ollama', 'litellm', 'anthropic', 'mock'] as const;
export type ProviderName = Exclude<(typeof PROVIDERS)[number], 'auto'>;

export interface ProviderRequest {
  provider?: string;
  apiBase?: string;
  model: string;
  /** Azure deployment (TEA: `deployment` param → AZURE_OPENAI_DEPLOYMENT → model). */
  deployment?: string;
}

export interface Endpoint {
  provider: ProviderName;
  /** The wire format spoken. */
  wire: 'openai' | 'anthropic' | 'mock';
  /** Full URL of the request (chat completions, messages or embeddings). */
  url: string;
  /** Headers including credentials: never logged, recorded or put in an event. */
  headers: Record<string, string>;
  /** Model name sent in the body (Azure puts the deployment in the URL instead). */
  model: string;
}

export class ProviderError extends Error {}

const OPENAI_BASE = 'https://api.openai.com/v1';
const ANTHROPIC_BASE = 'https://api.anthropic.com/v1';
const OLLAMA_BASE = 'http://localhost:11434/v1';
const LITELLM_BASE = 'http://localhost:4000';
const AZURE_API_VERSION = '2024-02-15-preview';
const ANTHROPIC_VERSION = '2023-06-01';

/** TEA's provider resolution: explicit name (azure_openai → azure), else detection from the environment. */
export function resolveProviderName(requested: string | undefined, env: EnvLookup): ProviderName {
  const name = (requested ?? 'auto').toLowerCase();
  const normal = name === 'azure_openai' || name === 'azureopenai' ? 'azure' : name;
  if (!(PROVIDERS as readonly string[]).includes(normal)) {
    throw new ProviderError(
      `unknown provider '${requested}' (known: ${PROVIDERS.join(', ')}; any OpenAI-compatible server works as 'openai' with api_base)`,
    );
  }
  if (normal !== 'auto') return normal as ProviderName;
  if (env('OLLAMA_API_BASE')) return 'ollama';
  if (env('AZURE_OPENAI_API_KEY') && env('AZURE_OPENAI_ENDPOINT')) return 'azure';
  return 'openai';
}

/** The endpoint for one call; keys read here are registered with the redactor before use. */
export function resolveEndpoint(
  request: ProviderRequest,
  kind: LlmCallKind,
  env: EnvLookup,
  redactor: Redactor,
  keyHint: string,
): Endpoint {
  const provider = resolveProviderName(request.provider, env);
  const key = (name: string, required: boolean): string | undefined => {
    const value = env(name);
    redactor.add(value);
    if (required && !value) {
      throw new ProviderError(
        `no API key for provider '${provider}': set ${name} in the environment or in ${keyHint} ` +
          `(never in the workflow file)`,
      );
    }
    return value;
  };
  const openAiPath = kind === 'embed' ? '/embeddings' : '/chat/completions';
  switch (provider) {
    case 'mock':
      return { provider, wire: 'mock', url: 'mock:', headers: {}, model: request.model };
    case 'ollama': {
      const base = request.apiBase ?? env('OLLAMA_API_BASE') ?? OLLAMA_BASE;
      return { provider, wire: 'openai', url: join(base, openAiPath), headers: {}, model: request.model };
    }
    case 'litellm': {
      // TEA Python runs LiteLLM in-process; here it is the LiteLLM proxy, which speaks OpenAI's wire format.
      const base = request.apiBase ?? env('LITELLM_API_BASE') ?? LITELLM_BASE;
      const apiKey = key('LITELLM_API_KEY', false);
      return {
        provider,
        wire: 'openai',
        url: join(base, openAiPath),
        headers: bearer(apiKey),
        model: request.model,
      };
    }
    case 'azure': {
      const endpoint = request.apiBase ?? env('AZURE_OPENAI_ENDPOINT');
      if (!endpoint) {
        throw new ProviderError(
          `provider 'azure' needs AZURE_OPENAI_ENDPOINT (or api_base) set to the resource URL`,
        );
      }
      const apiKey = key('AZURE_OPENAI_API_KEY', true)!;
      const deployment = request.deployment ?? env('AZURE_OPENAI_DEPLOYMENT') ?? request.model;
      const version = env('OPENAI_API_VERSION') ?? AZURE_API_VERSION;
      const url = `${join(endpoint, `/openai/deployments/${encodeURIComponent(deployment)}${openAiPath}`)}?api-version=${encodeURIComponent(version)}`;
      return { provider, wire: 'openai', url, headers: { 'api-key': apiKey }, model: request.model };
    }
    case 'anthropic': {
      if (kind === 'embed') throw new ProviderError(`provider 'anthropic' has no embeddings API`);
      const base = request.apiBase ?? env('ANTHROPIC_API_BASE') ?? ANTHROPIC_BASE;
      const apiKey = key('ANTHROPIC_API_KEY', true)!;
      return {
        provider,
        wire: 'anthropic',
        url: join(base, '/messages'),
        headers: { 'x-api-key': apiKey, 'anthropic-version': ANTHROPIC_VERSION },
        model: request.model,
      };
    }
    case 'openai': {
      // OpenAI's own SDK reads OPENAI_BASE_URL too. A key is required for api.openai.com only: local
      // OpenAI-compatible servers (vLLM, llama.cpp, LM Studio) usually take none.
      const base = request.apiBase ?? env('OPENAI_BASE_URL') ?? env('OPENAI_API_BASE') ?? OPENAI_BASE;
      const apiKey = key('OPENAI_API_KEY', sameOrigin(base, OPENAI_BASE));
      return {
        provider,
        wire: 'openai',
        url: join(base, openAiPath),
        headers: bearer(apiKey),
        model: request.model,
      };
    }
  }
}

function bearer(key: string | undefined): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

function join(base: string, path: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new ProviderError(`api_base '${base}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProviderError(`api_base '${base}' must be an http(s) URL`);
  }
  return base.replace(/\/+$/, '') + path;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
