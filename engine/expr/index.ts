/**
 * TEA condition and template evaluation (tea-format.md §3.4 and §6): a Jinja2-compatible subset
 * used by goto `if:`, edge `when:`, while_loop `condition:` and action `with:` parameters.
 * Parsed forms are cached by source string, so repeated evaluation only walks closures.
 * Each evaluation runs under a budget (budget.ts, bounds in engine/limits.ts): running out throws
 * ExpressionBudgetError, which callers turn into a failure of the node.
 */
import {
  EXPRESSION_CACHE_MAX_CHARS,
  EXPRESSION_CACHE_MAX_ENTRIES,
  EXPRESSION_CACHE_MAX_SOURCE_CHARS,
  truncateText,
} from '../limits.ts';
import { ExpressionBudgetError, TextBuilder, metered, scan, sourceExcerpt } from './budget.ts';
import { compile } from './compile.ts';
import type { Compiled, Scope } from './compile.ts';
import { tokenize } from './lexer.ts';
import { Parser } from './parser.ts';
import { parseTemplate, renderNodes } from './template.ts';
import type { TemplateNode } from './template.ts';
import { ExprError, Undef, conditionTruthy, setOwn } from './values.ts';
import type { Value } from './values.ts';

export { ExprError } from './values.ts';
export { ExpressionBudgetError } from './budget.ts';

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

/** Parsed sources by text, bounded in entries and in characters kept. */
class ParseCache {
  private readonly map = new Map<string, Parsed>();
  private chars = 0;

  stats(): { entries: number; chars: number } {
    return { entries: this.map.size, chars: this.chars };
  }

  get(key: string, parse: () => Parsed): Parsed {
    const hit = this.map.get(key);
    if (hit !== undefined) return hit;
    let parsed: Parsed;
    try {
      parsed = parse();
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      parsed = { kind: 'error', error: e };
    }
    // A long source is parsed each time rather than kept; when full, a reset is cheap.
    if (key.length > EXPRESSION_CACHE_MAX_SOURCE_CHARS) return parsed;
    if (
      this.map.size >= EXPRESSION_CACHE_MAX_ENTRIES ||
      this.chars + key.length > EXPRESSION_CACHE_MAX_CHARS
    ) {
      this.map.clear();
      this.chars = 0;
    }
    this.map.set(key, parsed);
    this.chars += key.length;
    return parsed;
  }
}

const exprCache = new ParseCache();
const templateCache = new ParseCache();

/** Size of the parse caches (for tests and diagnostics). */
export function expressionCacheStats(): { entries: number; chars: number } {
  const a = exprCache.stats();
  const b = templateCache.stats();
  return { entries: a.entries + b.entries, chars: a.chars + b.chars };
}

/** A bare expression (no `{{ }}`); offsets refer to `src` itself. */
function parseExpressionSource(src: string): Parsed {
  return exprCache.get(src, () => {
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
  return templateCache.get(src, () => {
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

/**
 * GitLab-style `${name}` replaced from `variables` after rendering (TEA Python behaviour): what
 * `/\$\{([^}]+)\}/g` would match, found with indexOf because that regex is quadratic on `${${${…`.
 */
function replaceDollar(text: string, ctx: ConditionContext): string {
  const vars = ctx.variables ?? {};
  scan(text.length);
  const out = new TextBuilder('rendering');
  let from = 0;
  let at = text.indexOf('${');
  while (at >= 0) {
    const close = text.indexOf('}', at + 2);
    if (close < 0) break; // no later `${` has a closing brace either
    if (close === at + 2) {
      at = text.indexOf('${', at + 1); // `${}` is not a reference
      continue;
    }
    const name = text.slice(at + 2, close);
    if (Object.hasOwn(vars, name)) {
      out.add(text.slice(from, at));
      out.add(String(vars[name]));
      from = close + 1;
    }
    at = text.indexOf('${', close + 1);
  }
  if (from === 0) return text;
  out.add(text.slice(from));
  return out.text();
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

/** Bounded: a message may quote values (`… is not in list`) that are megabytes long. */
function describeError(e: unknown, source: string): string {
  const detail =
    e instanceof ExprError
      ? e.pos !== undefined // only syntax errors carry a position
        ? `${e.message} (column ${e.pos + 1})`
        : e.message
      : e instanceof Error
        ? e.message
        : String(e);
  return `${sourceExcerpt(source, 200)}: ${truncateText(detail, 500)}`;
}

const USE_LABELS: Record<ConditionUse, string> = {
  goto: 'goto condition',
  when: 'edge condition',
  while: 'while_loop condition',
};

/**
 * Evaluates a condition. Error policy (TEA Python, whose results the fixtures record): for `goto`
 * and `when` a failed evaluation counts as false; for `while` as true (TEA returns the raw
 * template text, which is truthy). `error` always carries the reason so the caller can warn.
 * `when` also accepts YAML booleans; every use accepts the strings "true"/"false".
 * Running out of budget is not an evaluation error: it throws ExpressionBudgetError, so a runaway
 * condition fails its node instead of silently counting as false (or, in a loop, as true).
 */
export function evaluateCondition(
  expr: string | boolean,
  ctx: ConditionContext,
  use: ConditionUse,
): ConditionResult {
  if (typeof expr === 'boolean') return { value: expr };
  if (typeof expr !== 'string') return { value: conditionTruthy(expr) };
  try {
    return { value: metered(() => conditionTruthy(conditionValue(expr, ctx))) };
  } catch (e) {
    if (e instanceof ExpressionBudgetError) throw e.of(USE_LABELS[use], expr);
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
    if (e instanceof ExpressionBudgetError) throw e.of('template', template);
    throw new ExprError(`template ${describeError(e, template)}`);
  }
}

/**
 * Renders `with:`-style parameters: strings are templates (a lone `{{ expr }}` keeps its native
 * value), maps and lists are rendered recursively, other values pass through. Map keys are not
 * rendered. Native values are returned by reference, not copied. The whole value is one evaluation
 * with one budget. Throws ExprError on failure, ExpressionBudgetError when out of budget.
 */
export function renderTemplate(template: unknown, ctx: ConditionContext): unknown {
  return metered(() => renderValue(template, ctx));
}

function renderValue(template: unknown, ctx: ConditionContext): unknown {
  if (typeof template === 'string') return renderString(template, ctx);
  if (Array.isArray(template)) return template.map((x) => renderValue(x, ctx));
  if (typeof template === 'object' && template !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) setOwn(out, k, renderValue(v, ctx));
    return out;
  }
  return template;
}
