/**
 * Filters (`x | f(args)`), tests (`x is t`) and the few Python methods (`s.lower()`) the
 * expression language supports. Semantics follow Jinja2 on Python values (see values.ts).
 * Whatever builds a string or list is sized and checked against the budget before it is built.
 */
import { MAX_VALUE_DEPTH, jsonBoundsProblem } from '../limits.ts';
import { TextBuilder, buildList, buildString, scan, step, walk } from './budget.ts';
import {
  ExprError,
  Undef,
  codePointLength,
  codePoints,
  defined,
  isNone,
  isNumeric,
  isPlainObject,
  jsonDumps,
  pyCompare,
  pyEq,
  pyIn,
  pyStr,
  pyTruthy,
  typeName,
} from './values.ts';
import type { Value } from './values.ts';

type Kw = Record<string, Value>;
type Filter = (v: Value, args: Value[], kw: Kw) => Value;
type Test = (v: Value, args: Value[]) => boolean;

function arg(args: Value[], kw: Kw, index: number, name: string, fallback: Value): Value {
  if (Object.hasOwn(kw, name)) return kw[name];
  return index < args.length ? args[index] : fallback;
}

function length(v: Value): number {
  defined(v);
  if (typeof v === 'string') return codePointLength(v);
  if (Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return keysOf(v).length;
  throw new ExprError(`object of type '${typeName(v)}' has no len()`);
}

function keysOf(d: Record<string, unknown>): string[] {
  const keys = Object.keys(d);
  walk(keys.length);
  return keys;
}

/** Items of an iterable the Python way: list items, str characters, dict keys. */
export function iterate(v: Value): Value[] {
  defined(v);
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') {
    buildList(v.length, 'iterating a string');
    return [...v];
  }
  if (isPlainObject(v)) return keysOf(v);
  throw new ExprError(`'${typeName(v)}' object is not iterable`);
}

/** A copy of an iterable's items, checked against the list bound first. */
function listOf(v: Value, what: string): Value[] {
  const items = iterate(v);
  if (items !== v) return items; // already a new list
  buildList(items.length, what);
  return [...items];
}

/** A case mapping or similar over the text of `v`, checked against the string bound. */
function mapText(v: Value, what: string, f: (s: string) => string): string {
  const s = pyStr(v);
  buildString(s.length, what);
  const out = f(s);
  if (out.length > s.length) buildString(out.length, what); // upper() may grow: 'ß' -> 'SS'
  return out;
}

/** Non-overlapping occurrences of a non-empty `sub` (at most `max`), one step each. */
function occurrences(s: string, sub: string, max: number): number[] {
  scan(s.length);
  const found: number[] = [];
  for (let at = s.indexOf(sub); at >= 0 && found.length < max; at = s.indexOf(sub, at + sub.length)) {
    step();
    found.push(at);
  }
  return found;
}

/**
 * Python str.replace(old, new[, count]) (a negative or missing count replaces all). The result's
 * size is known and checked before it is built; every pass is linear.
 */
function replaceText(s: string, old: string, replacement: string, count: number): string {
  const max = count < 0 ? Infinity : count;
  if (old === '') {
    // Python inserts `new` before each code point and at the end: 'ab' -> '-a-b-'.
    const chars = codePoints(s, 'replace');
    const slots = Math.min(max, chars.length + 1);
    if (!(slots > 0) || replacement === '') return s;
    buildString(s.length + slots * replacement.length, 'replace');
    const head = typeof chars === 'string' ? chars.slice(0, slots) : chars.slice(0, slots).join('');
    buildList(head.length, 'replace');
    const rest = typeof chars === 'string' ? chars.slice(slots) : chars.slice(slots).join('');
    return [...head].map((c) => replacement + c).join('') + rest + (slots > chars.length ? replacement : '');
  }
  const at = occurrences(s, old, max);
  if (at.length === 0) return s;
  buildString(s.length + at.length * (replacement.length - old.length), 'replace');
  const parts: string[] = [];
  let from = 0;
  for (const i of at) {
    parts.push(s.slice(from, i), replacement);
    from = i + old.length;
  }
  parts.push(s.slice(from));
  return parts.join('');
}

/** The count argument of replace: None = all; a non-number replaces nothing (as before). */
function replaceCount(limit: Value): number {
  if (isNone(limit)) return -1;
  const n = Number(limit);
  return Number.isNaN(n) ? 0 : Math.floor(n);
}

function toInt(v: Value, fallback: Value): Value {
  defined(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : fallback;
  if (typeof v === 'string') {
    scan(v.length);
    const s = v.trim().replace(/_/g, '');
    if (/^[+-]?\d+$/.test(s)) return Number.parseInt(s, 10);
    const f = Number(s);
    return s !== '' && Number.isFinite(f) ? Math.trunc(f) : fallback;
  }
  return fallback;
}

function toFloat(v: Value, fallback: Value): Value {
  defined(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    scan(v.length);
    const s = v.trim().toLowerCase();
    if (s === 'inf' || s === '+inf' || s === 'infinity') return Infinity;
    if (s === '-inf' || s === '-infinity') return -Infinity;
    if (s === 'nan') return NaN;
    const f = Number(s);
    return s !== '' && !Number.isNaN(f) ? f : fallback;
  }
  return fallback;
}

function num(v: Value, what: string): number {
  defined(v);
  if (!isNumeric(v)) throw new ExprError(`bad operand type for ${what}: '${typeName(v)}'`);
  return Number(v);
}

/** Python round(): half-to-even at the requested precision. */
function roundHalfEven(x: number, digits: number): number {
  const m = 10 ** digits;
  const y = x * m;
  const r = Math.round(y);
  const isHalf = Math.abs(y - Math.trunc(y)) === 0.5;
  return (isHalf && r % 2 !== 0 ? r - 1 : r) / m;
}

function entriesOf(d: Record<string, unknown>): Array<[string, unknown]> {
  const entries = Object.entries(d);
  walk(3 * entries.length);
  return entries;
}

function text(v: Value, what: string): string {
  defined(v);
  if (typeof v !== 'string') throw new ExprError(`${what} expects a string, got '${typeName(v)}'`);
  return v;
}

/** Every comparison charges a step, so sorting a long list runs out of budget, not of time. */
function sorted(items: Value[], reverse: boolean): Value[] {
  buildList(items.length, 'sort');
  const out = [...items].sort((a, b) => pyCompare(a, b, '<'));
  return reverse ? out.reverse() : out;
}

const FILTERS: Record<string, Filter> = {
  length: (v) => length(v),
  count: (v) => length(v),
  default: (v, a, kw) => {
    const useFalsy = pyTruthy(arg(a, kw, 1, 'boolean', false));
    if (v === undefined || v instanceof Undef || (useFalsy && !pyTruthy(v))) {
      return arg(a, kw, 0, 'default_value', '');
    }
    return v;
  },
  lower: (v) => mapText(v, 'lower', (s) => s.toLowerCase()),
  upper: (v) => mapText(v, 'upper', (s) => s.toUpperCase()),
  capitalize: (v) => mapText(v, 'capitalize', (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase()),
  title: (v) =>
    mapText(v, 'title', (s) => {
      walk(s.length); // a callback per word
      return s.replace(/[\p{L}\p{N}]+/gu, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase());
    }),
  trim: (v, a, kw) => {
    const s = pyStr(v);
    const chars = arg(a, kw, 0, 'chars', null);
    if (isNone(chars)) {
      scan(s.length);
      return s.trim();
    }
    const set = new Set(iterate(text(chars, 'trim')));
    const cs = iterate(s);
    let i = 0;
    let j = cs.length;
    while (i < j && set.has(cs[i]!)) i++;
    while (j > i && set.has(cs[j - 1]!)) j--;
    return cs.slice(i, j).join('');
  },
  replace: (v, a, kw) =>
    replaceText(
      pyStr(v),
      pyStr(arg(a, kw, 0, 'old', '')),
      pyStr(arg(a, kw, 1, 'new', '')),
      replaceCount(arg(a, kw, 2, 'count', null)),
    ),
  int: (v, a, kw) => toInt(v, arg(a, kw, 0, 'default', 0)),
  float: (v, a, kw) => toFloat(v, arg(a, kw, 0, 'default', 0)),
  string: (v) => pyStr(v),
  first: (v) => {
    const items = typeof v === 'string' ? codePoints(v, 'first') : iterate(v);
    return items.length > 0 ? items[0] : new Undef('No first item, sequence was empty.');
  },
  last: (v) => {
    const items = typeof v === 'string' ? codePoints(v, 'last') : iterate(v);
    return items.length > 0 ? items[items.length - 1] : new Undef('No last item, sequence was empty.');
  },
  join: (v, a, kw) => {
    const sep = pyStr(arg(a, kw, 0, 'd', ''));
    const attribute = arg(a, kw, 1, 'attribute', null);
    const out = new TextBuilder('join');
    iterate(v).forEach((x, i) => {
      if (i > 0) out.add(sep);
      out.add(pyStr(isNone(attribute) ? x : isPlainObject(x) ? x[pyStr(attribute)] : undefined));
    });
    return out.text();
  },
  tojson: (v, a, kw) => {
    const indent = arg(a, kw, 0, 'indent', null);
    return jsonDumps(v, isNone(indent) ? undefined : num(indent, 'indent'));
  },
  fromjson: (v) => {
    const source = text(v, 'fromjson');
    walk(source.length); // parsing, then the depth check below
    let parsed: Value;
    try {
      parsed = JSON.parse(source) as Value;
    } catch (e) {
      throw new ExprError(`fromjson: ${(e as Error).message}`);
    }
    // Deep nesting would overflow the stack of every recursive walk over the value later.
    const problem = jsonBoundsProblem(parsed, 'fromjson result', {
      maxDepth: MAX_VALUE_DEPTH,
      maxBytes: Infinity,
    });
    if (problem !== null) throw new ExprError(problem);
    return parsed;
  },
  abs: (v) => Math.abs(num(v, 'abs()')),
  round: (v, a, kw) => {
    const x = num(v, 'round()');
    const precision = Number(arg(a, kw, 0, 'precision', 0));
    const method = pyStr(arg(a, kw, 1, 'method', 'common'));
    const m = 10 ** precision;
    if (method === 'ceil') return Math.ceil(x * m) / m;
    if (method === 'floor') return Math.floor(x * m) / m;
    if (method !== 'common') throw new ExprError("method must be 'common', 'ceil' or 'floor'");
    return roundHalfEven(x, precision);
  },
  list: (v) => listOf(v, 'list'),
  reverse: (v) => {
    if (typeof v !== 'string') return listOf(v, 'reverse').reverse();
    buildString(v.length, 'reverse');
    return iterate(v).reverse().join('');
  },
  sort: (v, a, kw) => sorted(iterate(v), pyTruthy(arg(a, kw, 0, 'reverse', false))),
  unique: (v) => {
    const items = iterate(v);
    buildList(items.length, 'unique');
    return items.filter((x, i, all) => all.findIndex((y) => pyEq(x, y)) === i);
  },
  sum: (v, a, kw) => {
    const items = iterate(v);
    walk(items.length);
    return items.reduce<number>((s, x) => s + num(x, 'sum()'), num(arg(a, kw, 1, 'start', 0), 'sum()'));
  },
  min: (v) => {
    const items = iterate(v);
    return items.length > 0 ? sorted(items, false)[0] : new Undef('No aggregated item, sequence was empty.');
  },
  max: (v) => {
    const items = iterate(v);
    return items.length > 0 ? sorted(items, true)[0] : new Undef('No aggregated item, sequence was empty.');
  },
  items: (v) => {
    defined(v);
    if (!isPlainObject(v)) throw new ExprError(`items filter expects a mapping, got '${typeName(v)}'`);
    return entriesOf(v);
  },
};
FILTERS['d'] = FILTERS['default']!;
FILTERS['json'] = FILTERS['tojson']!;
FILTERS['from_json'] = FILTERS['fromjson']!;

const TESTS: Record<string, Test> = {
  defined: (v) => v !== undefined && !(v instanceof Undef),
  undefined: (v) => v === undefined || v instanceof Undef,
  none: (v) => isNone(v),
  boolean: (v) => typeof defined(v) === 'boolean',
  true: (v) => defined(v) === true,
  false: (v) => defined(v) === false,
  number: (v) => isNumeric(defined(v)),
  integer: (v) => typeof defined(v) === 'number' && Number.isInteger(v),
  float: (v) => typeof defined(v) === 'number' && !Number.isInteger(v),
  string: (v) => typeof defined(v) === 'string',
  mapping: (v) => isPlainObject(defined(v)),
  sequence: (v) => Array.isArray(defined(v)) || typeof v === 'string',
  iterable: (v) => Array.isArray(defined(v)) || typeof v === 'string' || isPlainObject(v),
  even: (v) => num(v, 'even') % 2 === 0,
  odd: (v) => Math.abs(num(v, 'odd') % 2) === 1,
  divisibleby: (v, a) => num(v, 'divisibleby') % num(a[0], 'divisibleby') === 0,
  lower: (v) => pyStr(v) === mapText(v, 'lower', (s) => s.toLowerCase()),
  upper: (v) => pyStr(v) === mapText(v, 'upper', (s) => s.toUpperCase()),
  eq: (v, a) => pyEq(v, a[0]),
  ne: (v, a) => !pyEq(v, a[0]),
  lt: (v, a) => pyCompare(v, a[0], '<') < 0,
  le: (v, a) => pyCompare(v, a[0], '<=') <= 0,
  gt: (v, a) => pyCompare(v, a[0], '>') > 0,
  ge: (v, a) => pyCompare(v, a[0], '>=') >= 0,
  in: (v, a) => pyIn(v, a[0]),
};
TESTS['equalto'] = TESTS['eq']!;
TESTS['sameas'] = TESTS['eq']!;

type Method = (self: Value, args: Value[]) => Value;

/** Python str.split(): on runs of whitespace when `sep` is None. Pieces are counted before the split. */
function splitText(s: string, sep: Value): string[] {
  if (isNone(sep)) {
    scan(s.length);
    let words = 0;
    for (const re = /\S+/g; re.exec(s) !== null;) {
      step();
      words++;
    }
    buildList(words, 'split');
    return s.split(/\s+/).filter((x) => x !== '');
  }
  const by = pyStr(sep);
  if (by === '') throw new ExprError('empty separator');
  buildList(occurrences(s, by, Infinity).length + 1, 'split');
  return s.split(by);
}

/** Python str.count(): non-overlapping occurrences; the empty string occurs len + 1 times. */
function countText(s: string, sub: string): number {
  return sub === '' ? codePointLength(s) + 1 : occurrences(s, sub, Infinity).length;
}

const STRING_METHODS: Record<string, Method> = {
  lower: (s) => mapText(s, 'lower', (x) => x.toLowerCase()),
  upper: (s) => mapText(s, 'upper', (x) => x.toUpperCase()),
  strip: (s) => (scan((s as string).length), (s as string).trim()),
  lstrip: (s) => (scan((s as string).length), (s as string).trimStart()),
  rstrip: (s) => (scan((s as string).length), (s as string).trimEnd()),
  startswith: (s, a) => (s as string).startsWith(pyStr(a[0])),
  endswith: (s, a) => (s as string).endsWith(pyStr(a[0])),
  split: (s, a) => splitText(s as string, a[0]),
  replace: (s, a) =>
    replaceText(s as string, pyStr(a[0]), pyStr(a[1]), a.length > 2 ? replaceCount(a[2]) : -1),
  find: (s, a) => (scan((s as string).length), (s as string).indexOf(pyStr(a[0]))),
  count: (s, a) => countText(s as string, pyStr(a[0])),
};

const DICT_METHODS: Record<string, Method> = {
  get: (d, a) => {
    const key = a[0];
    const obj = d as Record<string, unknown>;
    return typeof key === 'string' && Object.hasOwn(obj, key) ? obj[key] : a.length > 1 ? a[1] : null;
  },
  keys: (d) => keysOf(d as Record<string, unknown>),
  values: (d) => keysOf(d as Record<string, unknown>).map((k) => (d as Record<string, unknown>)[k]),
  items: (d) => entriesOf(d as Record<string, unknown>),
};

const LIST_METHODS: Record<string, Method> = {
  index: (l, a) => {
    const i = (l as Value[]).findIndex((x) => pyEq(x, a[0]));
    if (i < 0) throw new ExprError(`${pyStr(a[0])} is not in list`);
    return i;
  },
  count: (l, a) => (l as Value[]).filter((x) => pyEq(x, a[0])).length,
};

export const FILTER_NAMES: ReadonlySet<string> = new Set(Object.keys(FILTERS));
export const TEST_NAMES: ReadonlySet<string> = new Set(Object.keys(TESTS));
export const METHOD_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(STRING_METHODS),
  ...Object.keys(DICT_METHODS),
  ...Object.keys(LIST_METHODS),
]);

export function applyFilter(name: string, v: Value, args: Value[], kw: Kw): Value {
  return FILTERS[name]!(v, args, kw);
}

export function applyTest(name: string, v: Value, args: Value[]): boolean {
  return TESTS[name]!(v, args);
}

export function callMethod(self: Value, name: string, args: Value[]): Value {
  defined(self);
  const table =
    typeof self === 'string'
      ? STRING_METHODS
      : Array.isArray(self)
        ? LIST_METHODS
        : isPlainObject(self)
          ? DICT_METHODS
          : undefined;
  // A dict key of the same name shadows the method (TEA's DotDict), and data is never callable.
  if (isPlainObject(self) && Object.hasOwn(self, name)) {
    throw new ExprError(`'${typeName(self[name])}' object is not callable`);
  }
  const method = table && Object.hasOwn(table, name) ? table[name] : undefined;
  if (method === undefined) throw new ExprError(`'${typeName(self)}' object has no attribute '${name}'`);
  return method(self, args.map(defined));
}
