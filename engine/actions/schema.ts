/**
 * schema.merge — TEA Python schema_actions.py + schema/deep_merge.py: kubectl-style deep merge of
 * JSON Schemas (objects merge, arrays replace except `nodes`/`edges`/`goto` which merge by key,
 * scalars and null last-wins, `__delete__: true` removes a keyed element). Sources are
 * `{inline: {...}}` or `{path: file}` (JSON or YAML, confined to the workflow's folder, size-capped);
 * `{uses: ...}` (Git / fsspec) needs a network and is refused with a clear error.
 */
import { readFile, stat } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { MAX_FILE_BYTES } from '../limits.ts';
import { setOwn } from '../expr/values.ts';
import { resolveConfined } from './paths.ts';
import { ActionError } from './registry.ts';
import { aliasInfo } from './catalogue.ts';
import type { ActionContext, ActionRegistry } from './registry.ts';

type Obj = Record<string, unknown>;

const ARRAY_MERGE_KEYS: Record<string, string[]> = { nodes: ['name'], edges: ['from', 'to'], goto: ['to'] };
const DELETE_MARKER = '__delete__';

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function elementKey(element: unknown, keys: string[]): string | undefined {
  if (!isObject(element) || !keys.every((k) => Object.hasOwn(element, k))) return undefined;
  return JSON.stringify(keys.map((k) => element[k]));
}

function mergeArraysByKey(base: unknown[], overlay: unknown[], keys: string[], path: string): unknown[] {
  const result = base.map((e) => structuredClone(e));
  const index = new Map<string, number>();
  base.forEach((e, i) => {
    const k = elementKey(e, keys);
    if (k !== undefined) index.set(k, i);
  });
  const deleted = new Set<number>();
  for (const item of overlay) {
    if (!isObject(item)) {
      result.push(structuredClone(item));
      continue;
    }
    const k = elementKey(item, keys);
    if (item[DELETE_MARKER]) {
      if (k !== undefined && index.has(k)) deleted.add(index.get(k)!);
      continue;
    }
    if (k !== undefined && index.has(k)) {
      const i = index.get(k)!;
      result[i] = deepMerge(result[i], item, path);
    } else {
      result.push(structuredClone(item));
      if (k !== undefined) index.set(k, result.length - 1);
    }
  }
  return result.filter((_, i) => !deleted.has(i));
}

/** deep_merge.py `_deep_merge_impl`, path tracking included (it picks the array merge key). */
export function deepMerge(base: unknown, overlay: unknown, path = ''): unknown {
  if (overlay === null || overlay === undefined) return null;
  if (base === null || base === undefined) return structuredClone(overlay);
  if (Array.isArray(base) && Array.isArray(overlay)) {
    const name = path.split('.').pop() ?? '';
    const keys = ARRAY_MERGE_KEYS[name];
    return keys ? mergeArraysByKey(base, overlay, keys, path) : structuredClone(overlay);
  }
  if (!isObject(base) || !isObject(overlay)) return structuredClone(overlay);
  const result = structuredClone(base);
  for (const [key, value] of Object.entries(overlay)) {
    if (key === DELETE_MARKER) continue;
    const childPath = path ? `${path}.${key}` : key;
    setOwn(
      result,
      key,
      Object.hasOwn(result, key) ? deepMerge(result[key], value, childPath) : structuredClone(value),
    );
  }
  return result;
}

async function loadSpec(spec: unknown, ctx: ActionContext): Promise<unknown> {
  if (!isObject(spec))
    throw new Error(`must be a mapping with 'path', 'uses' or 'inline', got ${typeName(spec)}`);
  if (Object.hasOwn(spec, 'inline')) return spec['inline'];
  if (typeof spec['path'] === 'string') {
    const file = await resolveConfined(spec['path'], ctx, 'schema.merge');
    const info = await stat(file).catch(() => null);
    if (!info) throw new Error(`Schema file not found: ${spec['path']}`);
    if (info.size > MAX_FILE_BYTES)
      throw new Error(`Schema file ${spec['path']} is larger than ${MAX_FILE_BYTES} bytes`);
    const text = await readFile(file, 'utf8');
    return /\.ya?ml$/i.test(file)
      ? (parseYaml(text, { maxAliasCount: 100 }) as unknown)
      : (JSON.parse(text) as unknown);
  }
  if (Object.hasOwn(spec, 'uses')) {
    throw new Error(
      `'uses: ${String(spec['uses'])}' needs Git or remote storage, which Fanout does not fetch; use 'path' or 'inline'`,
    );
  }
  throw new Error(
    `Invalid schema spec: must have 'path', 'uses', or 'inline' key. Got: [${Object.keys(spec)
      .map((k) => `'${k}'`)
      .join(', ')}]`,
  );
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v;
}

const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

/**
 * The structural part of Draft 2020-12's meta-schema that merged schemas get wrong in practice
 * (TEA uses jsonschema's check_schema; Fanout carries no JSON Schema library): `type` names,
 * `properties` / `$defs` as mappings of schemas, `required` as a list of strings, `items` a schema.
 */
export function schemaProblems(schema: unknown, at = ''): string[] {
  if (typeof schema === 'boolean') return [];
  if (!isObject(schema))
    return [`${at || 'schema'}: ${JSON.stringify(schema)} is not of type 'object', 'boolean'`];
  const problems: string[] = [];
  const t = schema['type'];
  const types = Array.isArray(t) ? t : t === undefined ? [] : [t];
  for (const x of types)
    if (typeof x !== 'string' || !JSON_TYPES.has(x))
      problems.push(`${at}type: ${JSON.stringify(x)} is not a JSON Schema type`);
  const required = schema['required'];
  if (required !== undefined && (!Array.isArray(required) || required.some((r) => typeof r !== 'string'))) {
    problems.push(`${at}required: must be a list of strings`);
  }
  for (const group of ['properties', '$defs', 'definitions', 'patternProperties']) {
    const value = schema[group];
    if (value === undefined) continue;
    if (!isObject(value)) problems.push(`${at}${group}: must be a mapping`);
    else
      for (const [k, sub] of Object.entries(value))
        problems.push(...schemaProblems(sub, `${at}${group}.${k}.`));
  }
  for (const one of ['items', 'additionalProperties', 'not']) {
    if (schema[one] !== undefined) problems.push(...schemaProblems(schema[one], `${at}${one}.`));
  }
  return problems;
}

async function schemaMerge(params: Obj, ctx: ActionContext): Promise<unknown> {
  const schemas = params['schemas'];
  if (!Array.isArray(schemas)) {
    throw new ActionError(
      `schema.merge: parameter 'schemas' must be a list of {inline|path|uses} sources, got ${typeName(schemas)}`,
      'schema.merge',
    );
  }
  const outputKey = params['output_key'] ?? 'merged_schema';
  if (typeof outputKey !== 'string' || outputKey === '') {
    throw new ActionError("schema.merge: parameter 'output_key' must be a non-empty string", 'schema.merge');
  }
  const loaded: unknown[] = [];
  const errors: string[] = [];
  for (const [i, spec] of schemas.entries()) {
    try {
      const schema = await loadSpec(spec, ctx);
      if (schema !== null && schema !== undefined) loaded.push(schema);
    } catch (e) {
      errors.push(`Schema ${i}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (errors.length) return { success: false, error: 'Failed to load schemas', errors };
  if (loaded.length === 0) return { success: false, error: 'No schemas provided' };
  let merged: unknown = structuredClone(loaded[0]);
  for (const next of loaded.slice(1)) merged = deepMerge(merged, next);
  const result: Obj = { success: true };
  setOwn(result, outputKey, merged ?? {});
  if (params['validate'] === true) {
    const problems = schemaProblems(merged).map((p) => `Schema validation error: ${p}`);
    result['validation'] = {
      valid: problems.length === 0,
      errors: problems,
      schema: problems.length ? null : merged,
    };
    if (problems.length) {
      result['success'] = false;
      result['error'] = 'Merged schema is not valid JSON Schema';
    }
  }
  return result;
}

export function registerSchemaActions(registry: ActionRegistry): void {
  registry.register('schema.merge', schemaMerge);
  registry.register('actions.schema_merge', schemaMerge, aliasInfo('schema.merge'));
}
