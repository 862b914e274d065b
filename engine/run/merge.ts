// How a node's return value changes the state (tea-format.md §4.1), decided once for every node kind.
import type { JsonObject } from './types.ts';

export interface NodeUpdate {
  /** Keys to shallow-merge into the state. */
  update: JsonObject;
  /** Set when the return value was not a key/value table and was stored as `result`. */
  warning?: string;
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * nil or `{}` changes nothing; a key/value table is shallow-merged; anything else (array, scalar) is
 * stored as `result`, as TEA Python does (TEA Rust would replace the whole state, which loses data).
 */
export function interpretReturn(node: string, value: unknown): NodeUpdate {
  if (value === null || value === undefined) return { update: {} };
  if (isPlainObject(value)) return { update: value };
  const what = Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  return {
    update: { result: value },
    warning: `node '${node}' returned ${what}, not a key/value table; stored it as state.result`,
  };
}

export function mergeState(state: JsonObject, update: JsonObject): JsonObject {
  return Object.keys(update).length === 0 ? state : { ...state, ...update };
}
