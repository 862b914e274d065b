// Top-level diff between the state a node saw and the state after its update (TEA merges updates
// key by key at the top level, so that is the level users reason about).
import type { JsonObject } from '../../../engine/run/types.ts';

export type DiffKind = 'added' | 'removed' | 'changed' | 'same';

export interface DiffEntry {
  key: string;
  kind: DiffKind;
  before?: unknown;
  after?: unknown;
}

export function diffStates(before: JsonObject, after: JsonObject): DiffEntry[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.map((key) => {
    const inBefore = Object.hasOwn(before, key);
    const inAfter = Object.hasOwn(after, key);
    if (!inBefore) return { key, kind: 'added', after: after[key] };
    if (!inAfter) return { key, kind: 'removed', before: before[key] };
    const same = before[key] === after[key] || JSON.stringify(before[key]) === JSON.stringify(after[key]);
    return { key, kind: same ? 'same' : 'changed', before: before[key], after: after[key] };
  });
}
