/**
 * Filters (`x | f(args)`), tests (`x is t`) and the few Python methods (`s.lower()`) the
 * expression language supports. Semantics follow Jinja2 on Python values (see values.ts).
 */
import {
  ExprError,
  Undef,
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
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  throw new ExprError(`object of type '${typeName(v)}' has no len()`);
}

/** Items of an iterable the Python way: list items, str characters, dict keys. */
export function iterate(v: Value): Value[] {
  defined(v);
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isPlainObject(v)) return Object.keys(v);
  throw new ExprError(`'${typeName(v)}' object is not iterable`);
}

function toInt(v: Value, fallback: Value): Value {
  defined(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : fallback;
  if (typeof v === 'string') {
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

function text(v: Value, what: string): string {
  defined(v);
  if (typeof v !== 'string') throw new ExprError(`${what} expects a string, got '${typeName(v)}'`);
  return v;
}

function sorted(items: Value[], reverse: boolean): Value[] {
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
  lower: (v) => pyStr(v).toLowerCase(),
  upper: (v) => pyStr(v).toUpperCase(),
  capitalize: (v) => {
    const s = pyStr(v);
    return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
  },
  title: (v) =>
    pyStr(v).replace(/[\p{L}\p{N}]+/gu, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()),
  trim: (v, a, kw) => {
    const s = pyStr(v);
    const chars = arg(a, kw, 0, 'chars', null);
    if (isNone(chars)) return s.trim();
    const set = new Set([...text(chars, 'trim')]);
    const cs = [...s];
    let i = 0;
    let j = cs.length;
    while (i < j && set.has(cs[i]!)) i++;
    while (j > i && set.has(cs[j - 1]!)) j--;
    return cs.slice(i, j).join('');
  },
  replace: (v, a, kw) => {
    const s = pyStr(v);
    const from = pyStr(arg(a, kw, 0, 'old', ''));
    const to = pyStr(arg(a, kw, 1, 'new', ''));
    const limit = arg(a, kw, 2, 'count', null);
    if (isNone(limit)) return s.split(from).join(to);
    let out = s;
    let start = 0;
    for (let n = 0; n < Number(limit); n++) {
      const at = out.indexOf(from, start);
      if (at < 0) break;
      out = out.slice(0, at) + to + out.slice(at + from.length);
      start = at + to.length;
    }
    return out;
  },
  int: (v, a, kw) => toInt(v, arg(a, kw, 0, 'default', 0)),
  float: (v, a, kw) => toFloat(v, arg(a, kw, 0, 'default', 0)),
  string: (v) => pyStr(v),
  first: (v) => {
    const items = iterate(v);
    return items.length > 0 ? items[0] : new Undef('No first item, sequence was empty.');
  },
  last: (v) => {
    const items = iterate(v);
    return items.length > 0 ? items[items.length - 1] : new Undef('No last item, sequence was empty.');
  },
  join: (v, a, kw) => {
    const sep = pyStr(arg(a, kw, 0, 'd', ''));
    const attribute = arg(a, kw, 1, 'attribute', null);
    return iterate(v)
      .map((x) => pyStr(isNone(attribute) ? x : isPlainObject(x) ? x[pyStr(attribute)] : undefined))
      .join(sep);
  },
  tojson: (v, a, kw) => {
    const indent = arg(a, kw, 0, 'indent', null);
    return jsonDumps(v, isNone(indent) ? undefined : num(indent, 'indent'));
  },
  fromjson: (v) => {
    try {
      return JSON.parse(text(v, 'fromjson')) as Value;
    } catch (e) {
      throw new ExprError(`fromjson: ${(e as Error).message}`);
    }
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
  list: (v) => [...iterate(v)],
  reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...iterate(v)].reverse()),
  sort: (v, a, kw) => sorted(iterate(v), pyTruthy(arg(a, kw, 0, 'reverse', false))),
  unique: (v) => iterate(v).filter((x, i, all) => all.findIndex((y) => pyEq(x, y)) === i),
  sum: (v, a, kw) =>
    iterate(v).reduce<number>((s, x) => s + num(x, 'sum()'), num(arg(a, kw, 1, 'start', 0), 'sum()')),
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
    return Object.entries(v);
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
  lower: (v) => pyStr(v) === pyStr(v).toLowerCase(),
  upper: (v) => pyStr(v) === pyStr(v).toUpperCase(),
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

const STRING_METHODS: Record<string, Method> = {
  lower: (s) => (s as string).toLowerCase(),
  upper: (s) => (s as string).toUpperCase(),
  strip: (s) => (s as string).trim(),
  lstrip: (s) => (s as string).trimStart(),
  rstrip: (s) => (s as string).trimEnd(),
  startswith: (s, a) => (s as string).startsWith(pyStr(a[0])),
  endswith: (s, a) => (s as string).endsWith(pyStr(a[0])),
  split: (s, a) =>
    isNone(a[0]) ? (s as string).split(/\s+/).filter((x) => x !== '') : (s as string).split(pyStr(a[0])),
  replace: (s, a) => (s as string).split(pyStr(a[0])).join(pyStr(a[1])),
  find: (s, a) => (s as string).indexOf(pyStr(a[0])),
  count: (s, a) => (s as string).split(pyStr(a[0])).length - 1,
};

const DICT_METHODS: Record<string, Method> = {
  get: (d, a) => {
    const key = a[0];
    const obj = d as Record<string, unknown>;
    return typeof key === 'string' && Object.hasOwn(obj, key) ? obj[key] : a.length > 1 ? a[1] : null;
  },
  keys: (d) => Object.keys(d as object),
  values: (d) => Object.values(d as object),
  items: (d) => Object.entries(d as object),
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
