// Cost of a call from the editable price table (engine/llm/prices.json, USD per million tokens).
import prices from './prices.json' with { type: 'json' };

interface Price {
  input: number;
  output: number;
}

const TABLE: Array<[string, Price]> = Object.entries(prices as Record<string, unknown>)
  .filter((e): e is [string, Price] => typeof e[1] === 'object' && e[1] !== null && 'input' in e[1])
  .sort((a, b) => b[0].length - a[0].length);

/** The price of `model` (exact name, else the longest table entry it starts with), or null. */
export function priceOf(model: string): Price | null {
  const name = model.toLowerCase().replace(/^[a-z]+\//, ''); // litellm-style "openai/gpt-4o"
  return TABLE.find(([key]) => key === name)?.[1] ?? TABLE.find(([key]) => name.startsWith(key))?.[1] ?? null;
}

/** USD, rounded to a millionth of a dollar; local and mock providers are free. */
export function costUsd(
  provider: string,
  model: string,
  promptTokens: number,
  completionTokens: number,
): number {
  if (provider === 'ollama' || provider === 'mock') return 0;
  const price = priceOf(model);
  if (!price) return 0;
  return Math.round(((promptTokens * price.input + completionTokens * price.output) / 1e6) * 1e6) / 1e6;
}
