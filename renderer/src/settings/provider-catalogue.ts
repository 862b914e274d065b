// The providers the Providers page lists, in the page's order, with what the page says about each.
// Pure data plus the one status rule, so it is unit-tested without a DOM.
import type { KeyedProvider, TestedProvider } from '../../../engine/host/provider-vars.ts';
import type { ProviderKeyStatus } from '../../../engine/host/types.ts';

export interface ProviderRow {
  id: TestedProvider;
  label: string;
  /** One line under the name: what it is. */
  blurb: string;
  /** The base URL variable a run and the Test read before the default. */
  baseVariable: string;
  /** What Test requests when nothing else is set (Azure: no default, a resource URL is needed). */
  defaultBase: string | null;
  /** The provider has an API key (Ollama has none). */
  keyed: boolean;
}

export const PROVIDER_ROWS: readonly ProviderRow[] = [
  {
    id: 'openai',
    label: 'OpenAI',
    blurb: 'api.openai.com, or any OpenAI-compatible server (vLLM, LM Studio, llama.cpp) via api_base',
    baseVariable: 'OPENAI_BASE_URL',
    defaultBase: 'https://api.openai.com/v1',
    keyed: true,
  },
  {
    id: 'azure',
    label: 'Azure OpenAI',
    blurb: 'Your Azure resource; the deployment comes from the node or AZURE_OPENAI_DEPLOYMENT',
    baseVariable: 'AZURE_OPENAI_ENDPOINT',
    defaultBase: null,
    keyed: true,
  },
  {
    id: 'anthropic',
    label: 'Anthropic',
    blurb: 'Claude models through the Messages API',
    baseVariable: 'ANTHROPIC_API_BASE',
    defaultBase: 'https://api.anthropic.com/v1',
    keyed: true,
  },
  {
    id: 'litellm',
    label: 'LiteLLM',
    blurb: 'A LiteLLM proxy (the key is optional when the proxy takes none)',
    baseVariable: 'LITELLM_API_BASE',
    defaultBase: 'http://localhost:4000',
    keyed: true,
  },
  {
    id: 'ollama',
    label: 'Ollama',
    blurb: 'Local models; Ollama needs no key',
    baseVariable: 'OLLAMA_API_BASE',
    defaultBase: 'http://localhost:11434/v1',
    keyed: false,
  },
];

export type KeyState = 'environment' | 'stored' | 'both' | 'none' | 'keyless';

/** Which key a run would use, from the host's booleans: the environment wins over a kept key. */
export function keyState(row: ProviderRow, status: ProviderKeyStatus | undefined): KeyState {
  if (!row.keyed) return 'keyless';
  if (!status) return 'none';
  if (status.inEnvironment && status.stored) return 'both';
  if (status.inEnvironment) return 'environment';
  return status.stored ? 'stored' : 'none';
}

export const KEY_STATE_TEXT: Record<KeyState, { badge: string; detail: (variable: string) => string }> = {
  stored: { badge: 'Set', detail: () => 'Kept by Fanout; used when the environment does not set it' },
  environment: {
    badge: 'From environment',
    detail: (v) => `${v} is set in the environment of the host, so runs use it`,
  },
  both: {
    badge: 'Environment wins',
    detail: (v) => `${v} is set in the environment and wins over the key kept here`,
  },
  none: {
    badge: 'Not set',
    detail: (v) => `Runs need ${v} from the environment, a .env beside the workflow, or a key set here`,
  },
  keyless: { badge: 'No key needed', detail: () => 'Ollama takes no API key' },
};

export function isKeyed(id: TestedProvider): id is KeyedProvider {
  return id !== 'ollama';
}
