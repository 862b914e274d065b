// What a node's output preview shows after a run: the keys its update added, changed or removed (TEA
// merges updates key by key at the top level), each value cut to one short line, at most a few keys.
// Bounded work whatever the state holds: values are written out only up to the preview's length.
import type { JsonObject } from '../../../../engine/run/types.ts';
import type { RowStatus, RunRecord } from '../../run/run-store.ts';
import { diffStates } from '../../run/state-diff.ts';
import { runStatusIndex } from './run-status.ts';

export const PREVIEW_LIMITS = { keys: 6, chars: 120, depth: 6 };

export interface PreviewEntry {
  key: string;
  kind: 'added' | 'changed' | 'removed';
  /** The value after the node (before it, for a removed key), cut to `chars`. */
  text: string;
}

export interface OutputPreview {
  status: RowStatus;
  error: string | undefined;
  entries: PreviewEntry[];
  /** Changed keys not listed. */
  more: number;
  /** Keys in the state after the node (0 when it has not finished). */
  stateKeys: number;
}

/** JSON text of `value`, stopping once `max` characters are written (then ending with `…`). */
export function boundedJson(value: unknown, max: number, depth = PREVIEW_LIMITS.depth): string {
  let out = '';
  const write = (s: string) => {
    if (out.length < max) out += s;
  };
  const walk = (v: unknown, level: number): void => {
    if (out.length >= max) return;
    if (v === null || typeof v !== 'object') {
      write(
        typeof v === 'string'
          ? JSON.stringify(v.length > max ? v.slice(0, max) : v)
          : String(JSON.stringify(v) ?? 'null'),
      );
      return;
    }
    if (level >= depth) return write(Array.isArray(v) ? '[…]' : '{…}');
    if (Array.isArray(v)) {
      write('[');
      for (let i = 0; i < v.length && out.length < max; i++) {
        if (i > 0) write(', ');
        walk(v[i], level + 1);
      }
      return write(']');
    }
    write('{');
    let first = true;
    for (const key in v as Record<string, unknown>) {
      if (out.length >= max) break;
      if (!first) write(', ');
      first = false;
      write(`${JSON.stringify(key)}: `);
      walk((v as Record<string, unknown>)[key], level + 1);
    }
    write('}');
  };
  walk(value, 0);
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

/** Whether the canvas run has something to preview for `node` (it finished or failed there). */
export function hasOutput(run: RunRecord | undefined, node: string): boolean {
  const status = run ? runStatusIndex(run).nodes.get(node) : undefined;
  if (!status || !run) return false;
  return status.error !== undefined || run.nodeStates.get(status.rowKey)?.after !== undefined;
}

export function nodeOutputPreview(
  run: RunRecord | undefined,
  node: string,
  limits = PREVIEW_LIMITS,
): OutputPreview | null {
  const status = run ? runStatusIndex(run).nodes.get(node) : undefined;
  if (!run || !status) return null;
  const states = run.nodeStates.get(status.rowKey);
  const after: JsonObject | undefined = states?.after;
  const changed = after && states ? diffStates(states.before, after).filter((d) => d.kind !== 'same') : [];
  const entries = changed.slice(0, limits.keys).map((d): PreviewEntry => ({
    key: d.key,
    kind: d.kind as PreviewEntry['kind'],
    text: boundedJson(d.kind === 'removed' ? d.before : d.after, limits.chars, limits.depth),
  }));
  return {
    status: status.status,
    error: status.error,
    entries,
    more: changed.length - entries.length,
    stateKeys: after ? Object.keys(after).length : 0,
  };
}
