/**
 * Value semantics of the expression language. TEA's Python engine (Jinja2 over Python objects)
 * is the reference, so equality, ordering, `in`, truthiness and str() follow Python 3 rules on
 * JSON-like JS values: null/undefined = None, boolean = bool (which Python treats as 0/1),
 * number = int/float, string = str, array = list, plain object = dict.
 * Every helper that walks or builds a value charges the active budget (budget.ts).
 */
import { TextBuilder, buildList, scan, step, walk } from './budget.ts';

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

/** True when a dict has a key; unlike Object.keys(d).length, copies nothing. */
function hasKeys(d: Record<string, unknown>): boolean {
  for (const key in d) if (Object.hasOwn(d, key)) return true;
  return false;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Python len() of a str (code points), without copying the string. */
export function codePointLength(s: string): number {
  scan(s.length);
  if (!SURROGATE.test(s)) return s.length;
  walk(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

/**
 * A str's code points, indexable: the string itself when every code point is one UTF-16 unit
 * (no copy), otherwise a list of them (checked against the list bound first).
 */
export function codePoints(s: string, what: string): string | string[] {
  scan(s.length);
  if (!SURROGATE.test(s)) return s;
  buildList(s.length, what);
  return [...s];
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
  if (isPlainObject(v)) return hasKeys(v);
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
    scan(v.length);
    const t = v.trim();
    // The falsy words are at most 5 characters: never lower-case (copy) a long text.
    if (t.length <= 5 && FALSY_TEXT.has(t.toLowerCase())) return false;
    const n = Number(t);
    return !(Number.isFinite(n) && n === 0);
  }
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return hasKeys(v);
  return true;
}

/** Python ==. Never throws except on a strict undefined. */
export function pyEq(a: Value, b: Value): boolean {
  defined(a);
  defined(b);
  step();
  if (isNone(a) || isNone(b)) return isNone(a) && isNone(b);
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b);
  if (typeof a === 'string' || typeof b === 'string') {
    if (typeof a === 'string' && typeof b === 'string') scan(Math.min(a.length, b.length));
    return a === b;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => pyEq(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    step(ka.length); // two hash lookups per key, a dict may have thousands
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && pyEq(a[k], b[k]));
  }
  return a === b;
}

/** Python ordering (<, <=, >, >=): numbers with numbers, str with str, list with list. */
export function pyCompare(a: Value, b: Value, op: string): number {
  defined(a);
  defined(b);
  step();
  if (isNumeric(a) && isNumeric(b)) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    scan(Math.min(a.length, b.length));
    return a < b ? -1 : a > b ? 1 : 0;
  }
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
  step();
  if (typeof haystack === 'string') {
    if (typeof needle !== 'string') {
      throw new ExprError(`'in <string>' requires string as left operand, not ${typeName(needle)}`);
    }
    scan(haystack.length);
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

const REPR_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function reprString(v: string): string {
  walk(v.length);
  const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
  const special = quote === "'" ? /[\\'\n\r\t]/g : /[\\"\n\r\t]/g;
  return quote + v.replace(special, (ch) => REPR_ESCAPES[ch]!) + quote;
}

/** Python repr() for the JSON-like values we handle. */
export function pyRepr(v: Value): string {
  if (typeof v === 'string') return reprString(v);
  const out = new TextBuilder('repr()');
  reprInto(v, out);
  return out.text();
}

/** Writes piece by piece so a huge (or hugely shared: `[[0] * 1000] * 1000`) value fails early. */
function reprInto(v: Value, out: TextBuilder): void {
  defined(v);
  if (typeof v === 'string') {
    out.reserve(v.length);
    out.add(reprString(v));
  } else if (Array.isArray(v)) {
    out.add('[');
    v.forEach((x, i) => {
      if (i > 0) out.add(', ');
      reprInto(x, out);
    });
    out.add(']');
  } else if (isPlainObject(v)) {
    out.add('{');
    let first = true;
    for (const [k, x] of Object.entries(v)) {
      if (!first) out.add(', ');
      first = false;
      out.add(reprString(k) + ': ');
      reprInto(x, out);
    }
    out.add('}');
  } else {
    out.add(pyStr(v));
  }
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
export function jsonDumps(v: Value, indent?: number): string {
  const out = new TextBuilder('tojson');
  dumpInto(v, indent !== undefined && indent >= 0 ? indent : undefined, 0, out);
  return out.text();
}

function newline(indent: number, level: number, out: TextBuilder): string {
  const width = indent * level;
  out.reserve(width + 1); // before ' '.repeat, so a huge indent fails instead of allocating
  return '\n' + ' '.repeat(width);
}

function dumpInto(v: Value, indent: number | undefined, level: number, out: TextBuilder): void {
  defined(v);
  if (isNone(v)) return out.add('null');
  if (typeof v === 'boolean') return out.add(v ? 'true' : 'false');
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return out.add('NaN');
    if (!Number.isFinite(v)) return out.add(v > 0 ? 'Infinity' : '-Infinity');
    return out.add(String(v));
  }
  if (typeof v === 'string') {
    out.reserve(v.length + 2);
    scan(v.length);
    return out.add(JSON.stringify(v));
  }
  const isArray = Array.isArray(v);
  if (!isArray && !isPlainObject(v)) {
    throw new ExprError(`Object of type ${typeName(v)} is not JSON serializable`);
  }
  const entries: Array<[string | null, Value]> = isArray
    ? v.map((x) => [null, x])
    : Object.entries(v).filter(([, x]) => x !== undefined);
  walk(entries.length);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return out.add(open + close);
  out.add(open);
  entries.forEach(([key, x], i) => {
    if (i > 0) out.add(indent !== undefined ? ',' : ', ');
    if (indent !== undefined) out.add(newline(indent, level + 1, out));
    if (key !== null) out.add(JSON.stringify(key) + ': ');
    dumpInto(x, indent, level + 1, out);
  });
  if (indent !== undefined) out.add(newline(indent, level, out));
  out.add(close);
}
