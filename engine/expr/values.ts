/**
 * Value semantics of the expression language. TEA's Python engine (Jinja2 over Python objects)
 * is the reference, so equality, ordering, `in`, truthiness and str() follow Python 3 rules on
 * JSON-like JS values: null/undefined = None, boolean = bool (which Python treats as 0/1),
 * number = int/float, string = str, array = list, plain object = dict.
 */

/** An evaluation or syntax error. `pos` is a 0-based offset into the source when known. */
export class ExprError extends Error {
  constructor(
    message: string,
    readonly pos?: number,
  ) {
    super(message);
    this.name = 'ExprError';
  }
}

/**
 * Jinja's StrictUndefined: the result of naming an unknown variable or reading an attribute of
 * None/a scalar. Every use fails except `is defined`, `| default` and being the final result
 * (Jinja's compile_expression turns a final undefined into None).
 */
export class Undef {
  constructor(readonly hint: string) {}
}

export type Value = unknown;

/** Defines an own data property; plain assignment of `__proto__` would change the prototype instead. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isNone(v: Value): v is null | undefined {
  return v === null || v === undefined;
}

export function isPlainObject(v: Value): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Undef);
}

export function typeName(v: Value): string {
  if (isNone(v)) return 'NoneType';
  if (v instanceof Undef) return 'Undefined';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (isPlainObject(v)) return 'dict';
  return typeof v;
}

/** Throws when `v` is a strict undefined; returns it unchanged otherwise. */
export function defined(v: Value): Value {
  if (v instanceof Undef) throw new ExprError(v.hint);
  return v;
}

export function isNumeric(v: Value): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

/** Python bool(). Used by `and`, `or`, `not`, `if` blocks and the `default(x, true)` filter. */
export function pyTruthy(v: Value): boolean {
  defined(v);
  if (isNone(v)) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

const FALSY_TEXT = new Set(['', 'false', '0', 'no', 'none', 'null', '[]', '{}']);

/**
 * Truthiness of a condition's final value, TEA-style: the value is conceptually rendered to text,
 * and `"" false 0 no none null [] {}` (case-insensitive) or any number equal to 0 is false.
 * A strict undefined result counts as None (Jinja's undefined_to_none).
 */
export function conditionTruthy(v: Value): boolean {
  if (isNone(v) || v instanceof Undef) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (FALSY_TEXT.has(t)) return false;
    const n = Number(t);
    return !(Number.isFinite(n) && n === 0);
  }
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** Python ==. Never throws except on a strict undefined. */
export function pyEq(a: Value, b: Value): boolean {
  defined(a);
  defined(b);
  if (isNone(a) || isNone(b)) return isNone(a) && isNone(b);
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b);
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => pyEq(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && pyEq(a[k], b[k]));
  }
  return a === b;
}

/** Python ordering (<, <=, >, >=): numbers with numbers, str with str, list with list. */
export function pyCompare(a: Value, b: Value, op: string): number {
  defined(a);
  defined(b);
  if (isNumeric(a) && isNumeric(b)) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (!pyEq(a[i], b[i])) return pyCompare(a[i], b[i], op);
    }
    return a.length - b.length;
  }
  throw new ExprError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

/** Python `needle in haystack`. */
export function pyIn(needle: Value, haystack: Value): boolean {
  defined(needle);
  defined(haystack);
  if (typeof haystack === 'string') {
    if (typeof needle !== 'string') {
      throw new ExprError(`'in <string>' requires string as left operand, not ${typeName(needle)}`);
    }
    return haystack.includes(needle);
  }
  if (Array.isArray(haystack)) return haystack.some((x) => pyEq(x, needle));
  if (isPlainObject(haystack)) return typeof needle === 'string' && Object.hasOwn(haystack, needle);
  throw new ExprError(`argument of type '${typeName(haystack)}' is not iterable`);
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/** Python repr() for the JSON-like values we handle. */
export function pyRepr(v: Value): string {
  defined(v);
  if (typeof v === 'string') {
    const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
    let out = '';
    for (const ch of v) {
      if (ch === '\\') out += '\\\\';
      else if (ch === quote) out += '\\' + ch;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else out += ch;
    }
    return quote + out + quote;
  }
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  if (isPlainObject(v)) {
    return (
      '{' +
      Object.entries(v)
        .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
        .join(', ') +
      '}'
    );
  }
  return pyStr(v);
}

/** Python str(): what `~`, `| string` and `| join` produce. */
export function pyStr(v: Value): string {
  defined(v);
  if (isNone(v)) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'string') return v;
  return pyRepr(v);
}

/** Text written for `{{ expr }}` inside a larger template. None renders as '' (Tera-like). */
export function outputText(v: Value): string {
  return isNone(v) ? '' : pyStr(v);
}

/** Python json.dumps (default separators `, ` and `: `; indent gives newline + spaces). */
export function jsonDumps(v: Value, indent?: number, level = 0): string {
  defined(v);
  if (isNone(v)) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  const pretty = indent !== undefined && indent >= 0;
  const pad = pretty ? '\n' + ' '.repeat(indent * (level + 1)) : '';
  const close = pretty ? '\n' + ' '.repeat(indent * level) : '';
  const sep = pretty ? ',' : ', ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[' + v.map((x) => pad + jsonDumps(x, indent, level + 1)).join(sep) + close + ']';
  }
  if (isPlainObject(v)) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    return (
      '{' +
      entries.map(([k, x]) => pad + JSON.stringify(k) + ': ' + jsonDumps(x, indent, level + 1)).join(sep) +
      close +
      '}'
    );
  }
  throw new ExprError(`Object of type ${typeName(v)} is not JSON serializable`);
}
