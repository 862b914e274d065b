/**
 * Tokenizer for the Jinja2/Tera expression subset used by TEA conditions and templates.
 * Positions are 0-based offsets into the *whole* source string so errors can point at the
 * right column even when the expression sits inside a larger template.
 */
import { ExprError } from './values.ts';

export type TokenKind = 'name' | 'num' | 'str' | 'op' | 'end';

export interface Token {
  kind: TokenKind;
  /** Identifier text, operator text, or the decoded string literal. */
  text: string;
  /** Numeric value for `num`. */
  num?: number;
  pos: number;
}

/** Longest operators first so `//` wins over `/` and `<=` over `<`. */
const OPERATORS = [
  '**',
  '//',
  '==',
  '!=',
  '<=',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '~',
  '<',
  '>',
  '|',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  '.',
  ':',
  '=',
  '!',
];

const NAME_START_RE = /[\p{L}_]/u;
const NAME_PART_RE = /[\p{L}\p{N}_]/u;

/** ASCII fast path; the Unicode regexes only run for non-ASCII characters. */
function isNameStart(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 128) return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  return NAME_START_RE.test(c);
}
function isNamePart(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 128) return isNameStart(c) || (code >= 48 && code <= 57);
  return NAME_PART_RE.test(c);
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

export interface LexResult {
  tokens: Token[];
  /** Offset just past the closing delimiter (or the end of the source). */
  next: number;
  /** True when the closing delimiter carried a `-` (strip following whitespace). */
  trimAfter: boolean;
}

/**
 * Tokenize from `start` until `close` (`}}` or `%}`, optionally preceded by `-`) or, when `close`
 * is null, until the end of the source. The last token is always `end`.
 */
export function tokenize(src: string, start = 0, close: '}}' | '%}' | null = null): LexResult {
  const tokens: Token[] = [];
  let i = start;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (close !== null) {
      if (src.startsWith(close, i)) {
        tokens.push({ kind: 'end', text: '', pos: i });
        return { tokens, next: i + 2, trimAfter: false };
      }
      if (c === '-' && src.startsWith(close, i + 1)) {
        tokens.push({ kind: 'end', text: '', pos: i });
        return { tokens, next: i + 3, trimAfter: true };
      }
    }
    if (c === "'" || c === '"') {
      const pos = i;
      let out = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExprError('unterminated string literal', pos);
        const d = src[i]!;
        if (d === c) {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < src.length) {
          const e = src[i + 1]!;
          out += ESCAPES[e] ?? '\\' + e;
          i += 2;
          continue;
        }
        out += d;
        i++;
      }
      tokens.push({ kind: 'str', text: out, pos });
      continue;
    }
    if (c >= '0' && c <= '9') {
      const m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i, i + 64))!;
      tokens.push({ kind: 'num', text: m[0], num: Number(m[0]), pos: i });
      i += m[0].length;
      continue;
    }
    if (isNameStart(c)) {
      const pos = i;
      i++;
      while (i < src.length && isNamePart(src[i]!)) i++;
      tokens.push({ kind: 'name', text: src.slice(pos, i), pos });
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op === undefined) {
      throw new ExprError(`unexpected character '${c}'`, i);
    }
    tokens.push({ kind: 'op', text: op, pos: i });
    i += op.length;
  }
  if (close !== null) throw new ExprError(`missing closing '${close}'`, start);
  tokens.push({ kind: 'end', text: '', pos: src.length });
  return { tokens, next: src.length, trimAfter: false };
}
