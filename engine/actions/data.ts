/**
 * json.parse, json.stringify, data.merge — parameter names and result shapes follow TEA Python
 * (python/src/the_edge_agent/actions/data_actions.py): failures of the data itself come back as
 * `{success: false, error, error_type}` values, as TEA does, rather than as exceptions.
 */
import { jsonDumps, setOwn } from '../expr/values.ts';
import { truncateText } from '../limits.ts';
import { ActionError } from './registry.ts';
import type { ActionRegistry } from './registry.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Line/column of a JSON.parse failure, from V8's "at position N" (or "line L column C"). */
function errorPosition(text: string, message: string): { line: number; column: number } | undefined {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const at = /position (\d+)/.exec(message);
  if (!at) return undefined;
  const before = text.slice(0, Number(at[1]));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/** TEA's non-strict mode: drop line and block comments and trailing commas, then parse. */
function lenientClean(text: string): string {
  return text
    .replace(/\/\/.*$/gm, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/,\s*([}\]])/g, '$1');
}

function jsonParse(params: Record<string, unknown>): unknown {
  const text = params['text'];
  const strict = params['strict'] !== false;
  if (text === null || text === undefined) {
    return { success: false, error: 'Input text is None', error_type: 'parse' };
  }
  const source = typeof text === 'string' ? text : String(text);
  try {
    return { data: JSON.parse(source) as unknown, success: true };
  } catch (e) {
    const message = (e as Error).message;
    if (!strict && params['default'] !== undefined && params['default'] !== null) {
      return { data: params['default'], success: true };
    }
    if (!strict) {
      try {
        return { data: JSON.parse(lenientClean(source)) as unknown, success: true };
      } catch {
        // fall through to the error result, like TEA
      }
    }
    const position = errorPosition(source, message);
    return {
      success: false,
      error: `JSON parse error: ${message}`,
      error_type: 'parse',
      ...(position ? { position } : {}),
    };
  }
}

function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) setOwn(out, k, sortKeysDeep(v[k]));
  return out;
}

/**
 * Widest `indent` json.stringify takes. Python's json.dumps takes any, but each level of a deep value
 * repeats it: `indent: 1e9` would ask for gigabytes. Beyond a few dozen spaces nobody reads it anyway.
 */
export const MAX_JSON_INDENT = 64;

function jsonStringify(params: Record<string, unknown>): unknown {
  const indent = params['indent'];
  if (
    indent !== undefined &&
    indent !== null &&
    (typeof indent !== 'number' || !Number.isInteger(indent) || indent < 0 || indent > MAX_JSON_INDENT)
  ) {
    throw new ActionError(
      `json.stringify: parameter 'indent' must be a whole number from 0 to ${MAX_JSON_INDENT}, got ${truncateText(JSON.stringify(indent) ?? String(indent), 80)}`,
      'json.stringify',
    );
  }
  const data = params['sort_keys'] === true ? sortKeysDeep(params['data']) : params['data'];
  try {
    // Python json.dumps formatting (", " and ": " separators), so text matches TEA byte for byte.
    return { text: jsonDumps(data, typeof indent === 'number' ? indent : undefined), success: true };
  } catch (e) {
    return {
      success: false,
      error: `JSON serialization error: ${(e as Error).message}`,
      error_type: 'serialize',
    };
  }
}

function deepMerge(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(override)) {
    const existing = Object.hasOwn(out, k) ? out[k] : undefined;
    setOwn(out, k, isObject(existing) && isObject(v) ? deepMerge(existing, v) : structuredClone(v));
  }
  return out;
}

function dataMerge(params: Record<string, unknown>): unknown {
  const sources = params['sources'];
  const strategy = params['strategy'] ?? 'deep';
  const fail = (error: string) => ({ success: false, error, error_type: 'merge' });
  if (sources === null || sources === undefined) return fail('Sources is required');
  if (!Array.isArray(sources)) return fail('Sources must be a list');
  if (strategy !== 'shallow' && strategy !== 'deep' && strategy !== 'replace') {
    return fail(`Unknown strategy: ${String(strategy)}. Use 'shallow', 'deep', or 'replace'`);
  }
  let result: Record<string, unknown> = {};
  for (const source of sources) {
    if (source === null || source === undefined) continue;
    if (!isObject(source)) {
      const kind = Array.isArray(source) ? 'list' : typeof source;
      return fail(`All sources must be dictionaries, got ${kind}`);
    }
    if (strategy === 'replace') result = structuredClone(source);
    else if (strategy === 'shallow') result = { ...result, ...source };
    else result = deepMerge(result, source);
  }
  return { result, source_count: sources.length, success: true };
}

export function registerDataActions(registry: ActionRegistry): void {
  registry.register('json.parse', jsonParse);
  registry.register('json.stringify', jsonStringify);
  registry.register('data.merge', dataMerge);
}
