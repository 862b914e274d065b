// The providers whose key the Providers page sets, and the variable each key stands in for (as
// engine/llm reads it). Pure data: schemas.ts (bundled into Electron's sandboxed preload) and the
// renderer import it, so no Node module may come in here.

export const PROVIDER_KEY_VARS = {
  openai: 'OPENAI_API_KEY',
  azure: 'AZURE_OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  litellm: 'LITELLM_API_KEY',
} as const;

export type KeyedProvider = keyof typeof PROVIDER_KEY_VARS;

/** Providers the page can test: the keyed ones and Ollama (no key: the test says whether it answers). */
export type TestedProvider = KeyedProvider | 'ollama';
