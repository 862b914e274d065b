/**
 * validate.input and validate.schema — TEA Python input_validation_actions.py over
 * validation/{schema,validators,errors}.py: a field schema (`type` str|int|float|bool|list|dict,
 * required, default, min_length, max_length, pattern, min, max, choices, properties, items),
 * coercion as TEA does it ("12" -> 12, "yes" -> true, 3 -> "3"), every error collected with its
 * dotted path. Results: `{valid: true, data}` or `{valid: false, errors: [{field, error, message,
 * value?, constraint?, expected?}]}`.
 *
 * Differences that JSON cannot carry: TEA's float coercion of 5 gives 5.0, here 5; `choices`
 * messages print lists the way Python does for strings, numbers and booleans only.
 */
import { ActionError } from './registry.ts';
import { aliasInfo } from './catalogue.ts';
import type { ActionContext, ActionRegistry } from './registry.ts';

type Obj = Record<string, unknown>;
const TYPES = ['str', 'int', 'float', 'bool', 'list', 'dict'] as const;
type FieldType = (typeof TYPES)[number];
const FIELD_KEYS = new Set([
  'type',
  'required',
  'default',
  'min_length',
  'max_length',
  'pattern',
  'min',
  'max',
  'choices',
  'properties',
  'items',
]);
/** A regex runs in the host: bound its size and refuse nested quantifiers (catastrophic backtracking). */
const MAX_PATTERN_CHARS = 1000;
const MAX_PATTERN_INPUT_CHARS = 100_000;
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d)/;

interface Field {
  type: FieldType;
  required: boolean;
  default: unknown;
  min_length?: number;
  max_length?: number;
  pattern?: string;
  min?: number;
  max?: number;
  choices?: unknown[];
  properties?: Record<string, Field>;
  items?: Field;
}

interface ErrorDetail {
  field: string;
  error: string;
  message: string;
  value?: unknown;
  constraint?: unknown;
  expected?: unknown;
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** InputSchemaField(**config): the same refusals as TEA's constructor, with its wording. */
function parseField(config: unknown, name: string): Field {
  if (!isObject(config))
    throw new Error(`Invalid schema config for '${name}': must be dict or InputSchemaField`);
  for (const key of Object.keys(config)) {
    if (!FIELD_KEYS.has(key))
      throw new Error(`InputSchemaField.__init__() got an unexpected keyword argument '${key}'`);
  }
  const type = config['type'];
  if (!TYPES.includes(type as FieldType)) {
    throw new Error(`Invalid type '${String(type)}'. Must be one of: ${TYPES.join(', ')}`);
  }
  const field: Field = {
    type: type as FieldType,
    required: config['required'] === true,
    default: config['default'] ?? null,
  };
  for (const k of ['min_length', 'max_length', 'min', 'max'] as const) {
    const v = config[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number') throw new Error(`'${k}' of field '${name}' must be a number`);
    field[k] = v;
  }
  if (config['pattern'] !== undefined && config['pattern'] !== null)
    field.pattern = String(config['pattern']);
  if (Array.isArray(config['choices'])) field.choices = config['choices'];
  if (config['properties'] !== undefined && config['properties'] !== null) {
    if (!isObject(config['properties'])) throw new Error(`'properties' of field '${name}' must be a mapping`);
    field.properties = {};
    for (const [k, v] of Object.entries(config['properties'])) field.properties[k] = parseField(v, k);
  }
  if (config['items'] !== undefined && config['items'] !== null) {
    if (!isObject(config['items'])) throw new Error('Invalid items config: must be dict or InputSchemaField');
    field.items = parseField(config['items'], `${name}[]`);
  }
  return field;
}

function parseSchema(schema: Obj): Record<string, Field> {
  const fields: Record<string, Field> = {};
  for (const [name, config] of Object.entries(schema)) fields[name] = parseField(config, name);
  return fields;
}

/** Python's repr of a JSON scalar or list (for messages that print a constraint). */
function pyRepr(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return typeof v === 'object' ? JSON.stringify(v) : String(v as number);
}

/** Python str() of a number or boolean. */
function pyStr(v: number | boolean): string {
  return typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
}

const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;
const PY_FLOAT = /^\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf(?:inity)?|nan)\s*$/i;

/** _validate_and_coerce_type: [value, ok]. Python's isinstance(True, int) is true, kept here. */
function coerce(value: unknown, type: FieldType): [unknown, boolean] {
  switch (type) {
    case 'str':
      if (typeof value === 'string') return [value, true];
      if (typeof value === 'number' || typeof value === 'boolean') return [pyStr(value), true];
      return [value, false];
    case 'int':
      if (typeof value === 'boolean') return [value, true];
      if (typeof value === 'number') return Number.isInteger(value) ? [value, true] : [value, false];
      if (typeof value === 'string' && PY_INT.test(value)) return [Number(value.replace(/_/g, '')), true];
      return [value, false];
    case 'float':
      if (typeof value === 'number' || typeof value === 'boolean') return [Number(value), true];
      if (typeof value === 'string' && PY_FLOAT.test(value)) return [Number.parseFloat(value.trim()), true];
      return [value, false];
    case 'bool': {
      if (typeof value === 'boolean') return [value, true];
      const lower = typeof value === 'string' ? value.toLowerCase() : undefined;
      if (lower === 'true' || lower === '1' || lower === 'yes') return [true, true];
      if (lower === 'false' || lower === '0' || lower === 'no') return [false, true];
      return [value, false];
    }
    case 'list':
      return [value, Array.isArray(value)];
    case 'dict':
      return [value, isObject(value)];
  }
}

function validateField(path: string, value: unknown, field: Field): [ErrorDetail[], unknown] {
  if (value === null || value === undefined) {
    if (field.required)
      return [[{ field: path, error: 'required', message: `Field '${path}' is required` }], null];
    return [[], field.default ?? null];
  }
  const [coerced, ok] = coerce(value, field.type);
  if (!ok) {
    const message = `Field '${path}' must be ${field.type}`;
    return [[{ field: path, error: 'type', message, value, expected: field.type }], null];
  }
  let out = coerced;
  const errors: ErrorDetail[] = [];
  if (field.type === 'str') errors.push(...stringProblems(path, out as string, field));
  if ((field.type === 'int' || field.type === 'float') && typeof out === 'number') {
    if (field.min !== undefined && out < field.min) {
      errors.push({
        field: path,
        error: 'min',
        message: `Field '${path}' must be at least ${field.min}`,
        value: out,
        constraint: field.min,
      });
    }
    if (field.max !== undefined && out > field.max) {
      errors.push({
        field: path,
        error: 'max',
        message: `Field '${path}' must be at most ${field.max}`,
        value: out,
        constraint: field.max,
      });
    }
  }
  if (field.choices !== undefined && !field.choices.some((c) => sameValue(c, out))) {
    const message = `Field '${path}' must be one of: ${pyRepr(field.choices)}`;
    errors.push({ field: path, error: 'choices', message, value: out, constraint: field.choices });
  }
  if (field.type === 'dict' && field.properties) {
    const [nested, validated] = validateObject(path, out as Obj, field.properties, true);
    errors.push(...nested);
    out = validated;
  }
  if (field.type === 'list' && field.items) {
    const items: unknown[] = [];
    (out as unknown[]).forEach((item, i) => {
      const [e, v] = validateField(`${path}[${i}]`, item, field.items!);
      errors.push(...e);
      items.push(v);
    });
    out = items;
  }
  return [errors, out];
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function stringProblems(path: string, value: string, field: Field): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const length = [...value].length; // Python counts code points
  if (field.min_length !== undefined && length < field.min_length) {
    const message = `Field '${path}' must have at least ${field.min_length} character(s)`;
    errors.push({ field: path, error: 'min_length', message, value, constraint: field.min_length });
  }
  if (field.max_length !== undefined && length > field.max_length) {
    const message = `Field '${path}' must have at most ${field.max_length} character(s)`;
    errors.push({ field: path, error: 'max_length', message, value, constraint: field.max_length });
  }
  if (field.pattern !== undefined) {
    const refused =
      field.pattern.length > MAX_PATTERN_CHARS
        ? `longer than ${MAX_PATTERN_CHARS} characters`
        : NESTED_QUANTIFIER.test(field.pattern)
          ? 'a nested quantifier (it can backtrack for ever)'
          : value.length > MAX_PATTERN_INPUT_CHARS
            ? `checked against a value longer than ${MAX_PATTERN_INPUT_CHARS} characters`
            : undefined;
    let regex: RegExp | undefined;
    let problem = refused;
    if (!problem) {
      try {
        regex = new RegExp(field.pattern, 'uy'); // sticky at 0 = Python's re.match
      } catch (e) {
        problem = (e as Error).message;
      }
    }
    if (problem || !regex) {
      const message = `Invalid regex pattern for '${path}': ${problem ?? 'unusable'}`;
      errors.push({ field: path, error: 'pattern', message, constraint: field.pattern });
    } else if (!regex.test(value)) {
      const message = `Field '${path}' must match pattern: ${field.pattern}`;
      errors.push({ field: path, error: 'pattern', message, value, constraint: field.pattern });
    }
  }
  return errors;
}

/** validate_input (top level: keeps schema fields only) / _validate_nested_object (keeps extras). */
function validateObject(
  prefix: string,
  data: Obj,
  fields: Record<string, Field>,
  keepExtra: boolean,
): [ErrorDetail[], Obj] {
  const errors: ErrorDetail[] = [];
  const validated: Obj = {};
  for (const [name, field] of Object.entries(fields)) {
    const value = Object.hasOwn(data, name) ? data[name] : undefined;
    const [e, v] = validateField(prefix ? `${prefix}.${name}` : name, value, field);
    errors.push(...e);
    const present = value !== null && value !== undefined;
    if (
      (v !== null && v !== undefined) ||
      (e.length === 0 && present) ||
      (field.default !== null && !present)
    ) {
      validated[name] = v;
    }
  }
  if (keepExtra) for (const [k, v] of Object.entries(data)) if (!Object.hasOwn(fields, k)) validated[k] = v;
  return [errors, validated];
}

function validateInput(params: Obj, ctx: ActionContext): unknown {
  let data = params['data'];
  if (data === undefined || data === null) {
    // TEA validates the whole state then; never a silent {} where the host passes no state.
    if (!ctx.state) {
      throw new ActionError(
        "validate.input: parameter 'data' is required here (this host passes actions no state)",
        'validate.input',
      );
    }
    data = { ...ctx.state };
  }
  const schema = params['schema'];
  if (schema === undefined || schema === null) {
    return {
      valid: false,
      errors: [
        { field: '__schema__', error: 'missing', message: 'Schema is required for validate.input action' },
      ],
    };
  }
  let fields: Record<string, Field>;
  try {
    if (!isObject(schema)) throw new Error(`'${pyRepr(schema)}' object has no attribute 'items'`);
    fields = parseSchema(schema);
  } catch (e) {
    if (params['raise_on_error'] === true)
      throw new ActionError(`validate.input: parameter 'schema': ${(e as Error).message}`, 'validate.input');
    return {
      valid: false,
      errors: [
        {
          field: '__schema__',
          error: 'invalid_schema',
          message: `Schema parsing error: ${(e as Error).message}`,
        },
      ],
    };
  }
  // TEA calls data.get(): a non-mapping `data` fails as a schema-parsing error there too.
  if (!isObject(data)) {
    const message = `Schema parsing error: '${Array.isArray(data) ? 'list' : typeof data}' object has no attribute 'get'`;
    return { valid: false, errors: [{ field: '__schema__', error: 'invalid_schema', message }] };
  }
  const [errors, validated] = validateObject('', data, fields, false);
  if (errors.length === 0) return { valid: true, data: validated };
  if (params['raise_on_error'] === true) {
    throw new ActionError(`validate.input: ${errors.map((e) => e.message).join('; ')}`, 'validate.input');
  }
  return { valid: false, errors };
}

/** validate.schema: TEA returns the parsed schema object; JSON cannot carry it, so its dict form. */
function validateSchema(params: Obj): unknown {
  const schema = params['schema'];
  try {
    if (!isObject(schema)) throw new Error("parameter 'schema' must be a mapping of field schemas");
    parseSchema(schema);
    return { schema, valid: true };
  } catch (e) {
    return { schema: null, valid: false, error: (e as Error).message };
  }
}

export function registerValidateActions(registry: ActionRegistry): void {
  registry.register('validate.input', validateInput);
  registry.register('actions.validate_input', validateInput, aliasInfo('validate.input'));
  registry.register('validate.schema', validateSchema);
  registry.register('actions.validate_schema', validateSchema, aliasInfo('validate.schema'));
}
