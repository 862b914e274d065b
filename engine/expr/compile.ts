/**
 * Turns a parsed expression into a closure tree, so a cached condition is evaluated without
 * re-dispatching on node kinds. No eval/Function: each closure is ordinary code below.
 * Each closure charges one budget step when it runs; evaluation recurses once per tree level, so
 * the tree's depth is bounded here.
 */
import { EXPRESSION_LIMITS } from '../limits.ts';
import { buildList, buildString, step } from './budget.ts';
import { applyFilter, applyTest, callMethod } from './filters.ts';
import type { Args, Node } from './parser.ts';
import {
  ExprError,
  Undef,
  codePoints,
  defined,
  isNone,
  isNumeric,
  isPlainObject,
  pyCompare,
  pyEq,
  pyIn,
  pyStr,
  pyTruthy,
  setOwn,
  typeName,
} from './values.ts';
import type { Value } from './values.ts';

export interface Scope {
  ctx: Record<string, unknown>;
  /** Loop variables of `{% for %}` blocks; shadow the context. */
  locals: Record<string, unknown> | null;
}

export type Compiled = (s: Scope) => Value;

/** Context names that exist (empty) even when the caller did not provide them, like TEA's DotDicts. */
const ALWAYS_PRESENT = new Set(['state', 'variables', 'secrets', 'settings', 'data', 'checkpoint']);
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

function lookup(s: Scope, name: string): Value {
  if (s.locals !== null && Object.hasOwn(s.locals, name)) return s.locals[name];
  if (Object.hasOwn(s.ctx, name)) return s.ctx[name];
  if (ALWAYS_PRESENT.has(name)) return EMPTY;
  return new Undef(`'${name}' is undefined`);
}

/** Attribute access: dict keys (missing key = None, like TEA's DotDict); anything else is undefined. */
export function getAttr(obj: Value, name: string): Value {
  defined(obj);
  if (isPlainObject(obj)) return Object.hasOwn(obj, name) ? obj[name] : undefined;
  return new Undef(`'${isNone(obj) ? 'None' : typeName(obj)}' has no attribute '${name}'`);
}

export function getItem(obj: Value, key: Value): Value {
  defined(obj);
  defined(key);
  if (isPlainObject(obj)) {
    return typeof key === 'string' && Object.hasOwn(obj, key) ? obj[key] : undefined;
  }
  if (Array.isArray(obj) || typeof obj === 'string') {
    if (typeof key === 'string') return getAttr(obj, key);
    if (!isNumeric(key) || !Number.isInteger(Number(key))) {
      throw new ExprError(`${typeName(obj)} indices must be integers, not ${typeName(key)}`);
    }
    const items = typeof obj === 'string' ? codePoints(obj, 'indexing a string') : obj;
    const n = Number(key);
    const i = n < 0 ? items.length + n : n;
    return i >= 0 && i < items.length ? items[i] : new Undef(`${typeName(obj)} index ${n} out of range`);
  }
  if (isNone(obj)) return new Undef("'None' is not subscriptable");
  return new Undef(`'${typeName(obj)}' object is not subscriptable`);
}

function unsupported(op: string, a: Value, b: Value): never {
  throw new ExprError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function repeat(seq: Value, times: Value): Value {
  const n = Math.max(0, Number(times));
  if (typeof seq === 'string') {
    buildString(seq.length * n, "'*'");
    return seq.repeat(n);
  }
  const items = seq as Value[];
  buildList(items.length * n, "'*'");
  const out: Value[] = [];
  for (let i = 0; i < n; i++) for (const x of items) out.push(x);
  return out;
}

function concat(a: string, b: string, op: string): string {
  buildString(a.length + b.length, `'${op}'`);
  return a + b;
}

export function arithmetic(op: string, a: Value, b: Value): Value {
  defined(a);
  defined(b);
  if (op === '~') return concat(pyStr(a), pyStr(b), op);
  if (isNumeric(a) && isNumeric(b)) {
    const x = Number(a);
    const y = Number(b);
    switch (op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      case '**':
        return x ** y;
    }
    if (y === 0) throw new ExprError(op === '/' ? 'division by zero' : 'integer division or modulo by zero');
    if (op === '/') return x / y;
    if (op === '//') return Math.floor(x / y);
    return x - y * Math.floor(x / y); // Python %: result takes the divisor's sign
  }
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return concat(a, b, op);
    if (Array.isArray(a) && Array.isArray(b)) {
      buildList(a.length + b.length, "'+'");
      return a.concat(b);
    }
  }
  if (op === '*') {
    const isSeq = (v: Value) => typeof v === 'string' || Array.isArray(v);
    const isInt = (v: Value) => isNumeric(v) && Number.isInteger(Number(v));
    if (isSeq(a) && isInt(b)) return repeat(a, b);
    if (isInt(a) && isSeq(b)) return repeat(b, a);
  }
  return unsupported(op, a, b);
}

function compare(op: string, a: Value, b: Value): boolean {
  switch (op) {
    case '==':
      return pyEq(a, b);
    case '!=':
      return !pyEq(a, b);
    case '<':
      return pyCompare(a, b, op) < 0;
    case '<=':
      return pyCompare(a, b, op) <= 0;
    case '>':
      return pyCompare(a, b, op) > 0;
    case '>=':
      return pyCompare(a, b, op) >= 0;
    case 'in':
      return pyIn(a, b);
    default:
      return !pyIn(a, b); // 'not in'
  }
}

function compileArgs(args: Args): (s: Scope) => { pos: Value[]; kw: Record<string, Value> } {
  const pos = args.pos.map(compile);
  const kw = Object.entries(args.kw).map(([k, n]) => [k, compile(n)] as const);
  return (s) => {
    const out: Record<string, Value> = {};
    for (const [k, f] of kw) out[k] = f(s);
    return { pos: pos.map((f) => f(s)), kw: out };
  };
}

let depth = 0;

/** Compiles an expression tree; throws ExprError when it is nested deeper than the bound. */
export function compile(node: Node): Compiled {
  if (depth >= EXPRESSION_LIMITS.maxNesting) {
    throw new ExprError(`expression nested deeper than ${EXPRESSION_LIMITS.maxNesting} levels`, node.pos);
  }
  depth++;
  try {
    const f = compileNode(node);
    return (s) => {
      step();
      return f(s);
    };
  } finally {
    depth--;
  }
}

function compileNode(node: Node): Compiled {
  switch (node.t) {
    case 'lit': {
      const v = node.v;
      return () => v;
    }
    case 'name': {
      const name = node.name;
      return (s) => lookup(s, name);
    }
    case 'list': {
      const items = node.items.map(compile);
      return (s) => items.map((f) => defined(f(s)));
    }
    case 'dict': {
      const entries = node.entries.map(([k, v]) => [compile(k), compile(v)] as const);
      return (s) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) setOwn(out, pyStr(k(s)), defined(v(s)));
        return out;
      };
    }
    case 'attr': {
      const obj = compile(node.obj);
      const name = node.name;
      return (s) => getAttr(obj(s), name);
    }
    case 'item': {
      const obj = compile(node.obj);
      const key = compile(node.key);
      return (s) => getItem(obj(s), key(s));
    }
    case 'call': {
      const obj = compile(node.obj);
      const args = compileArgs(node.args);
      const name = node.name;
      return (s) => callMethod(obj(s), name, args(s).pos);
    }
    case 'unary': {
      const x = compile(node.x);
      if (node.op === 'not') return (s) => !pyTruthy(x(s));
      const sign = node.op === '-' ? -1 : 1;
      return (s) => {
        const v = defined(x(s));
        if (!isNumeric(v)) throw new ExprError(`bad operand type for unary ${node.op}: '${typeName(v)}'`);
        return sign * Number(v);
      };
    }
    case 'bin': {
      const a = compile(node.a);
      const b = compile(node.b);
      const op = node.op;
      return (s) => arithmetic(op, a(s), b(s));
    }
    case 'and': {
      const a = compile(node.a);
      const b = compile(node.b);
      return (s) => {
        const x = a(s);
        return pyTruthy(x) ? b(s) : x;
      };
    }
    case 'or': {
      const a = compile(node.a);
      const b = compile(node.b);
      return (s) => {
        const x = a(s);
        return pyTruthy(x) ? x : b(s);
      };
    }
    case 'cmp': {
      const first = compile(node.first);
      const rest = node.rest.map((r) => ({ op: r.op, x: compile(r.x) }));
      return (s) => {
        let left = first(s);
        for (const r of rest) {
          const right = r.x(s);
          if (!compare(r.op, left, right)) return false;
          left = right;
        }
        return true;
      };
    }
    case 'cond': {
      const then = compile(node.then);
      const test = compile(node.test);
      const otherwise = node.else
        ? compile(node.else)
        : () => new Undef('conditional expression had no else branch');
      return (s) => (pyTruthy(test(s)) ? then(s) : otherwise(s));
    }
    case 'filter': {
      const x = compile(node.x);
      const args = compileArgs(node.args);
      const name = node.name;
      return (s) => {
        const a = args(s);
        return applyFilter(name, x(s), a.pos, a.kw);
      };
    }
    case 'test': {
      const x = compile(node.x);
      const args = compileArgs(node.args);
      const { name, negate } = node;
      return (s) => applyTest(name, x(s), args(s).pos) !== negate;
    }
  }
}
