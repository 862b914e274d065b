// Parsing of the inspector's and settings' text fields into YAML values, with messages for bad input.
// An empty field means "not set": the key is deleted rather than written empty.

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export interface IntRange {
  min: number;
  max: number;
}

/** A whole number in `range`; '' → undefined (unset). */
export function parseIntField(input: string, label: string, range: IntRange): Parsed<number | undefined> {
  const s = input.trim();
  if (s === '') return { ok: true, value: undefined };
  if (!/^[+-]?\d+$/.test(s)) return { ok: false, error: `${label} must be a whole number` };
  const n = Number(s);
  if (n < range.min || n > range.max) {
    return { ok: false, error: `${label} must be between ${range.min} and ${range.max}` };
  }
  return { ok: true, value: n };
}

export const TIMEOUT_RANGE: IntRange = { min: 1, max: 86_400_000 };
export const MAX_ITERATIONS_RANGE: IntRange = { min: 1, max: 1_000_000 };
export const LOOP_ITERATIONS_RANGE: IntRange = { min: 1, max: 1000 };
export const MEMORY_RANGE: IntRange = { min: 1, max: 65_536 };

/** `initial_state` as JSON text: must be an object; '' → undefined (unset). */
export function parseInitialState(input: string): Parsed<Record<string, unknown> | undefined> {
  if (input.trim() === '') return { ok: true, value: undefined };
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch (e) {
    return { ok: false, error: `initial_state is not valid JSON: ${(e as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: 'initial_state must be a JSON object like {"items": []}' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

export function formatInitialState(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

/**
 * A `with:` parameter value: JSON numbers, booleans, null, arrays and objects keep their type;
 * anything else (including `{{ state.x }}` templates) is a string.
 */
export function parseParamValue(input: string): unknown {
  const s = input.trim();
  if (/^(-?\d|true$|false$|null$|\[|\{(?!\{)|")/.test(s)) {
    try {
      return JSON.parse(s);
    } catch {
      // Not JSON after all: keep the text.
    }
  }
  return input;
}

export function formatParamValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface KeyValueRow {
  key: string;
  value: string;
}

/** Rows → mapping. Blank keys are skipped; a duplicate key is an error. Empty → undefined (unset). */
export function rowsToMap(
  rows: readonly KeyValueRow[],
  parse: (value: string) => unknown,
): Parsed<Record<string, unknown> | undefined> {
  const out: Record<string, unknown> = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (key === '') continue;
    if (Object.prototype.hasOwnProperty.call(out, key)) return { ok: false, error: `Duplicate key '${key}'` };
    out[key] = parse(row.value);
  }
  return { ok: true, value: Object.keys(out).length > 0 ? out : undefined };
}

export function mapToRows(map: unknown, format: (value: unknown) => string): KeyValueRow[] {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) return [];
  return Object.entries(map as Record<string, unknown>).map(([key, value]) => ({
    key,
    value: format(value),
  }));
}

/** Setting paths the workflow settings form edits. */
export type SettingsPath =
  ['timeout_ms'] | ['max_iterations'] | ['memory_limit_mb'] | ['parallel', 'fail_fast'];

function asMap(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? { ...(value as Record<string, unknown>) }
    : {};
}

/**
 * The new `settings:` value with one field set (or deleted with undefined), keeping every other key.
 * Returns undefined when nothing is left, so the whole key goes away.
 */
export function withSetting(
  settings: unknown,
  path: SettingsPath,
  value: unknown,
): Record<string, unknown> | undefined {
  const out = asMap(settings);
  if (path.length === 1) {
    if (value === undefined) delete out[path[0]];
    else out[path[0]] = value;
  } else {
    const parallel = asMap(out.parallel);
    if (value === undefined) delete parallel[path[1]];
    else parallel[path[1]] = value;
    if (Object.keys(parallel).length > 0) out.parallel = parallel;
    else delete out.parallel;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
