/**
 * TEA condition and template evaluation (tea-format.md §3.4 and §6): a Jinja2-compatible subset
 * used by goto `if:`, edge `when:`, while_loop `condition:` and action `with:` parameters.
 * Parsed forms are cached by source string, so repeated evaluation only walks closures.
 */
import { compile } from './compile.ts';
import type { Compiled, Scope } from './compile.ts';
import { tokenize } from './lexer.ts';
import { Parser } from './parser.ts';
import { parseTemplate, renderNodes } from './template.ts';
import type { TemplateNode } from './template.ts';
import { ExprError, Undef, conditionTruthy, setOwn } from './values.ts';
import type { Value } from './values.ts';

export { ExprError } from './values.ts';

export type ConditionContext = {
  state: Record<string, unknown>;
  variables?: Record<string, unknown>;
  [k: string]: unknown;
};
export type ConditionUse = 'goto' | 'when' | 'while';
export interface ConditionResult {
  value: boolean;
  /** Set when evaluation failed; `value` is then the policy default for the use. */
  error?: string;
}

/** A parsed source string: a native-valued expression, a text template, or a syntax error. */
type Parsed =
  | { kind: 'expr'; f: Compiled }
  | { kind: 'text'; nodes: TemplateNode[]; dollar: boolean }
  | { kind: 'error'; error: ExprError };

const CACHE_LIMIT = 5000;
const exprCache = new Map<string, Parsed>();
const templateCache = new Map<string, Parsed>();

function cached(cache: Map<string, Parsed>, key: string, parse: () => Parsed): Parsed {
  let hit = cache.get(key);
  if (hit === undefined) {
    try {
      hit = parse();
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      hit = { kind: 'error', error: e };
    }
    // Templates built at run time could grow the cache without bound; a full reset is cheap.
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, hit);
  }
  return hit;
}

/** A bare expression (no `{{ }}`); offsets refer to `src` itself. */
function parseExpressionSource(src: string): Parsed {
  return cached(exprCache, src, () => {
    const parser = new Parser(tokenize(src).tokens);
    if (parser.atEnd()) throw new ExprError('empty expression', 0);
    const node = parser.parseExpression();
    parser.expectEnd();
    return { kind: 'expr', f: compile(node) };
  });
}

/**
 * A string with template syntax. Like TEA Python, a string that is exactly one `{{ expr }}`
 * (after trimming, no `{%`) yields the expression's native value; anything else renders to text.
 */
function parseTemplateSource(src: string): Parsed {
  return cached(templateCache, src, () => {
    const trimmed = src.trim();
    if (
      trimmed.startsWith('{{') &&
      trimmed.endsWith('}}') &&
      !trimmed.includes('{%') &&
      trimmed.indexOf('{{', 2) < 0
    ) {
      const open = src.indexOf('{{');
      const lexed = tokenize(src, open + 2, '}}');
      if (src.slice(lexed.next).trim() === '') {
        const parser = new Parser(lexed.tokens);
        if (parser.atEnd()) throw new ExprError('empty expression', open);
        const node = parser.parseExpression();
        parser.expectEnd();
        return { kind: 'expr', f: compile(node) };
      }
    }
    return { kind: 'text', nodes: parseTemplate(src), dollar: src.includes('${') };
  });
}

function hasTemplateSyntax(s: string): boolean {
  return s.includes('{{') || s.includes('{%');
}

function scopeOf(ctx: ConditionContext): Scope {
  return { ctx, locals: null };
}

/** Jinja turns an undefined final value into None; JSON-friendly null here. */
function finalValue(v: Value): Value {
  return v === undefined || v instanceof Undef ? null : v;
}

/** GitLab-style `${name}` replaced from `variables` after rendering (TEA Python behaviour). */
function replaceDollar(text: string, ctx: ConditionContext): string {
  const vars = ctx.variables ?? {};
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : whole,
  );
}

function run(parsed: Parsed, ctx: ConditionContext): Value {
  switch (parsed.kind) {
    case 'error':
      throw parsed.error;
    case 'expr':
      return finalValue(parsed.f(scopeOf(ctx)));
    case 'text': {
      const text = renderNodes(parsed.nodes, scopeOf(ctx));
      return parsed.dollar ? replaceDollar(text, ctx) : text;
    }
  }
}

const IDENT = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const NEGATED_IDENT = /^!\s*([\p{L}_][\p{L}\p{N}_]*)$/u;
const BOOL_TEXT = /^(true|false)$/i;

function stateValue(ctx: ConditionContext, key: string): Value {
  const state = ctx.state ?? {};
  return Object.hasOwn(state, key) ? state[key] : undefined;
}

/** The value a condition string stands for, before truthiness. Throws ExprError. */
function conditionValue(expr: string, ctx: ConditionContext): Value {
  const s = expr.trim();
  if (s === '') throw new ExprError('empty condition', 0);
  if (BOOL_TEXT.test(s)) return s.toLowerCase() === 'true';
  const negated = NEGATED_IDENT.exec(s);
  if (negated) return !conditionTruthy(stateValue(ctx, negated[1]!));
  if (IDENT.test(s)) return stateValue(ctx, s);
  return run(hasTemplateSyntax(s) ? parseTemplateSource(expr) : parseExpressionSource(expr), ctx);
}

function describeError(e: unknown, source: string): string {
  const detail =
    e instanceof ExprError
      ? e.pos !== undefined // only syntax errors carry a position
        ? `${e.message} (column ${e.pos + 1})`
        : e.message
      : e instanceof Error
        ? e.message
        : String(e);
  return `${JSON.stringify(source)}: ${detail}`;
}

/**
 * Evaluates a condition. Error policy (TEA Python, whose results the fixtures record): for `goto`
 * and `when` a failed evaluation counts as false; for `while` as true (TEA returns the raw
 * template text, which is truthy). `error` always carries the reason so the caller can warn.
 * `when` also accepts YAML booleans; every use accepts the strings "true"/"false".
 */
export function evaluateCondition(
  expr: string | boolean,
  ctx: ConditionContext,
  use: ConditionUse,
): ConditionResult {
  if (typeof expr === 'boolean') return { value: expr };
  if (typeof expr !== 'string') return { value: conditionTruthy(expr) };
  try {
    return { value: conditionTruthy(conditionValue(expr, ctx)) };
  } catch (e) {
    return { value: use === 'while', error: describeError(e, expr) };
  }
}

/** Static syntax check for validation and the editor. `col` is 1-based within `expr`. */
export function checkExpression(expr: string): { ok: true } | { ok: false; message: string; col: number } {
  const s = expr.trim();
  if (s === '') return { ok: false, message: 'empty expression', col: 1 };
  if (BOOL_TEXT.test(s) || NEGATED_IDENT.test(s) || IDENT.test(s)) return { ok: true };
  const parsed = hasTemplateSyntax(s) ? parseTemplateSource(expr) : parseExpressionSource(expr);
  if (parsed.kind !== 'error') return { ok: true };
  return { ok: false, message: parsed.error.message, col: (parsed.error.pos ?? 0) + 1 };
}

function renderString(template: string, ctx: ConditionContext): Value {
  if (!hasTemplateSyntax(template)) {
    return template.includes('${') ? replaceDollar(template, ctx) : template;
  }
  try {
    return run(parseTemplateSource(template), ctx);
  } catch (e) {
    throw new ExprError(`template ${describeError(e, template)}`);
  }
}

/**
 * Renders `with:`-style parameters: strings are templates (a lone `{{ expr }}` keeps its native
 * value), maps and lists are rendered recursively, other values pass through. Map keys are not
 * rendered. Native values are returned by reference, not copied. Throws ExprError on failure.
 */
export function renderTemplate(template: unknown, ctx: ConditionContext): unknown {
  if (typeof template === 'string') return renderString(template, ctx);
  if (Array.isArray(template)) return template.map((x) => renderTemplate(x, ctx));
  if (typeof template === 'object' && template !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) setOwn(out, k, renderTemplate(v, ctx));
    return out;
  }
  return template;
}
