/**
 * Recursive-descent parser for Jinja2 expressions, with Jinja's precedence:
 * `x if c else y` < or < and < not < comparisons/in < + - < ~ < * / // % < ** < unary -,+ <
 * postfix (. [] method call) and then filters/tests (`| f`, `is t`) bind to the unary operand.
 */
import { EXPRESSION_LIMITS } from '../limits.ts';
import { FILTER_NAMES, METHOD_NAMES, TEST_NAMES } from './filters.ts';
import type { Token } from './lexer.ts';
import { ExprError } from './values.ts';

export interface Args {
  pos: Node[];
  kw: Record<string, Node>;
}

export type Node =
  | { t: 'lit'; v: unknown; pos: number }
  | { t: 'name'; name: string; pos: number }
  | { t: 'list'; items: Node[]; pos: number }
  | { t: 'dict'; entries: Array<[Node, Node]>; pos: number }
  | { t: 'attr'; obj: Node; name: string; pos: number }
  | { t: 'item'; obj: Node; key: Node; pos: number }
  | { t: 'call'; obj: Node; name: string; args: Args; pos: number }
  | { t: 'unary'; op: 'not' | '-' | '+'; x: Node; pos: number }
  | { t: 'bin'; op: string; a: Node; b: Node; pos: number }
  | { t: 'and' | 'or'; a: Node; b: Node; pos: number }
  | { t: 'cmp'; first: Node; rest: Array<{ op: string; x: Node; pos: number }>; pos: number }
  | { t: 'cond'; then: Node; test: Node; else: Node | null; pos: number }
  | { t: 'filter'; x: Node; name: string; args: Args; pos: number }
  | { t: 'test'; x: Node; name: string; args: Args; negate: boolean; pos: number };

const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const CONSTANTS: Record<string, unknown> = {
  true: true,
  True: true,
  false: false,
  False: false,
  none: null,
  None: null,
  null: null,
};
/** Names that end a bare test argument (`x is defined and y`). */
const NOT_TEST_ARG = new Set(['and', 'or', 'else', 'if', 'is', 'in', 'not']);

function describe(tok: Token): string {
  if (tok.kind === 'end') return 'end of expression';
  if (tok.kind === 'str') return `string '${tok.text}'`;
  return `'${tok.text}'`;
}

export class Parser {
  private i = 0;
  /** Recursion depth: `((((` or `not not not` must end in an error, not a stack overflow. */
  private depth = 0;
  constructor(private readonly toks: Token[]) {}

  private enter(): void {
    if (++this.depth > EXPRESSION_LIMITS.maxNesting) {
      this.fail(`expression nested deeper than ${EXPRESSION_LIMITS.maxNesting} levels`);
    }
  }

  peek(offset = 0): Token {
    return this.toks[Math.min(this.i + offset, this.toks.length - 1)]!;
  }
  next(): Token {
    const tok = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return tok;
  }
  isOp(text: string, offset = 0): boolean {
    const tok = this.peek(offset);
    return tok.kind === 'op' && tok.text === text;
  }
  isName(text: string, offset = 0): boolean {
    const tok = this.peek(offset);
    return tok.kind === 'name' && tok.text === text;
  }
  atEnd(): boolean {
    return this.peek().kind === 'end';
  }
  fail(message?: string): never {
    const tok = this.peek();
    throw new ExprError(message ?? `unexpected ${describe(tok)}`, tok.pos);
  }
  expectOp(text: string): Token {
    if (!this.isOp(text)) this.fail(`expected '${text}' but found ${describe(this.peek())}`);
    return this.next();
  }
  expectName(): Token {
    if (this.peek().kind !== 'name') this.fail(`expected a name but found ${describe(this.peek())}`);
    return this.next();
  }
  expectEnd(): void {
    if (!this.atEnd()) this.fail();
  }

  /** A full expression, including `a if c else b`. */
  parseExpression(): Node {
    this.enter();
    let x = this.parseOr();
    while (this.isName('if')) {
      const pos = this.next().pos;
      const test = this.parseOr();
      let otherwise: Node | null = null;
      if (this.isName('else')) {
        this.next();
        otherwise = this.parseExpression();
      }
      x = { t: 'cond', then: x, test, else: otherwise, pos };
    }
    this.depth--;
    return x;
  }

  parseOr(): Node {
    let a = this.parseAnd();
    while (this.isName('or')) {
      const pos = this.next().pos;
      a = { t: 'or', a, b: this.parseAnd(), pos };
    }
    return a;
  }

  private parseAnd(): Node {
    let a = this.parseNot();
    while (this.isName('and')) {
      const pos = this.next().pos;
      a = { t: 'and', a, b: this.parseNot(), pos };
    }
    return a;
  }

  private parseNot(): Node {
    if (this.isName('not')) {
      const pos = this.next().pos;
      this.enter();
      const x = this.parseNot();
      this.depth--;
      return { t: 'unary', op: 'not', x, pos };
    }
    return this.parseCompare();
  }

  private parseCompare(): Node {
    const first = this.parseMath1();
    const rest: Array<{ op: string; x: Node; pos: number }> = [];
    for (;;) {
      const tok = this.peek();
      let op: string;
      if (tok.kind === 'op' && COMPARE_OPS.has(tok.text)) {
        op = tok.text;
        this.next();
      } else if (this.isName('in')) {
        op = 'in';
        this.next();
      } else if (this.isName('not') && this.isName('in', 1)) {
        op = 'not in';
        this.next();
        this.next();
      } else if (tok.kind === 'op' && tok.text === '!') {
        this.fail("unexpected '!' (use 'not' or '!=')");
      } else {
        break;
      }
      rest.push({ op, x: this.parseMath1(), pos: tok.pos });
    }
    return rest.length === 0 ? first : { t: 'cmp', first, rest, pos: first.pos };
  }

  private parseBinary(ops: string[], operand: () => Node): Node {
    let a = operand();
    for (;;) {
      const tok = this.peek();
      if (tok.kind !== 'op' || !ops.includes(tok.text)) return a;
      this.next();
      a = { t: 'bin', op: tok.text, a, b: operand(), pos: tok.pos };
    }
  }

  private parseMath1(): Node {
    return this.parseBinary(['+', '-'], () => this.parseConcat());
  }
  private parseConcat(): Node {
    return this.parseBinary(['~'], () => this.parseMath2());
  }
  private parseMath2(): Node {
    return this.parseBinary(['*', '/', '//', '%'], () => this.parsePow());
  }
  private parsePow(): Node {
    return this.parseBinary(['**'], () => this.parseUnary(true));
  }

  private parseUnary(withFilter: boolean): Node {
    const tok = this.peek();
    let x: Node;
    if (tok.kind === 'op' && (tok.text === '-' || tok.text === '+')) {
      this.next();
      this.enter();
      x = { t: 'unary', op: tok.text, x: this.parseUnary(false), pos: tok.pos };
      this.depth--;
    } else {
      x = this.parsePrimary();
    }
    x = this.parsePostfix(x);
    return withFilter ? this.parseFilterExpr(x) : x;
  }

  private parsePrimary(): Node {
    const tok = this.next();
    switch (tok.kind) {
      case 'name':
        if (Object.hasOwn(CONSTANTS, tok.text)) return { t: 'lit', v: CONSTANTS[tok.text], pos: tok.pos };
        return { t: 'name', name: tok.text, pos: tok.pos };
      case 'num':
        return { t: 'lit', v: tok.num, pos: tok.pos };
      case 'str': {
        // Adjacent string literals concatenate, as in Jinja/Python.
        let v = tok.text;
        while (this.peek().kind === 'str') v += this.next().text;
        return { t: 'lit', v, pos: tok.pos };
      }
      case 'op':
        if (tok.text === '(') {
          const items = this.parseSequence(')');
          // `(a)` is grouping; `(a, b)` is a tuple, which we represent as a list.
          return items.trailingComma || items.nodes.length !== 1
            ? { t: 'list', items: items.nodes, pos: tok.pos }
            : items.nodes[0]!;
        }
        if (tok.text === '[') return { t: 'list', items: this.parseSequence(']').nodes, pos: tok.pos };
        if (tok.text === '{') return this.parseDict(tok.pos);
        break;
      case 'end':
        throw new ExprError('unexpected end of expression', tok.pos);
    }
    throw new ExprError(`unexpected ${describe(tok)}`, tok.pos);
  }

  private parseSequence(close: string): { nodes: Node[]; trailingComma: boolean } {
    const nodes: Node[] = [];
    let trailingComma = false;
    while (!this.isOp(close)) {
      if (nodes.length > 0) {
        if (!this.isOp(',')) this.fail(`expected ',' or '${close}' but found ${describe(this.peek())}`);
        this.next();
        trailingComma = true;
        if (this.isOp(close)) break;
      }
      trailingComma = false;
      nodes.push(this.parseExpression());
    }
    this.expectOp(close);
    return { nodes, trailingComma };
  }

  private parseDict(pos: number): Node {
    const entries: Array<[Node, Node]> = [];
    while (!this.isOp('}')) {
      if (entries.length > 0) {
        if (!this.isOp(',')) this.fail(`expected ',' or '}' but found ${describe(this.peek())}`);
        this.next();
        if (this.isOp('}')) break;
      }
      const key = this.parseExpression();
      this.expectOp(':');
      entries.push([key, this.parseExpression()]);
    }
    this.expectOp('}');
    return { t: 'dict', entries, pos };
  }

  private parsePostfix(x: Node): Node {
    for (;;) {
      const tok = this.peek();
      if (tok.kind !== 'op') return x;
      if (tok.text === '.') {
        this.next();
        const key = this.next();
        if (key.kind === 'name') {
          if (this.isOp('(')) {
            if (!METHOD_NAMES.has(key.text)) {
              throw new ExprError(`unknown method '${key.text}'`, key.pos);
            }
            this.next();
            x = { t: 'call', obj: x, name: key.text, args: this.parseArgs(), pos: key.pos };
          } else {
            x = { t: 'attr', obj: x, name: key.text, pos: key.pos };
          }
        } else if (key.kind === 'num' && Number.isInteger(key.num)) {
          x = { t: 'item', obj: x, key: { t: 'lit', v: key.num, pos: key.pos }, pos: key.pos };
        } else {
          throw new ExprError(`expected a name after '.' but found ${describe(key)}`, key.pos);
        }
      } else if (tok.text === '[') {
        this.next();
        const key = this.parseExpression();
        if (this.isOp(':')) this.fail('slices are not supported');
        this.expectOp(']');
        x = { t: 'item', obj: x, key, pos: tok.pos };
      } else if (tok.text === '(') {
        this.fail('calling functions is not supported (only methods like s.lower())');
      } else {
        return x;
      }
    }
  }

  /** Call arguments after '(' up to and including ')': positional then `name=value`. */
  private parseArgs(): Args {
    const args: Args = { pos: [], kw: {} };
    let first = true;
    while (!this.isOp(')')) {
      if (!first) this.expectOp(',');
      first = false;
      if (this.peek().kind === 'name' && this.isOp('=', 1)) {
        const name = this.next().text;
        this.next();
        args.kw[name] = this.parseExpression();
      } else {
        if (Object.keys(args.kw).length > 0) this.fail('positional argument after keyword argument');
        args.pos.push(this.parseExpression());
      }
    }
    this.expectOp(')');
    return args;
  }

  private parseFilterExpr(x: Node): Node {
    for (;;) {
      if (this.isOp('|')) {
        this.next();
        const name = this.expectName();
        if (!FILTER_NAMES.has(name.text)) throw new ExprError(`unknown filter '${name.text}'`, name.pos);
        let args: Args = { pos: [], kw: {} };
        if (this.isOp('(')) {
          this.next();
          args = this.parseArgs();
        }
        x = { t: 'filter', x, name: name.text, args, pos: name.pos };
      } else if (this.isName('is')) {
        this.next();
        let negate = false;
        if (this.isName('not')) {
          this.next();
          negate = true;
        }
        const name = this.next();
        // `none`, `true`, `false` are test names here even though they are also constants.
        if (name.kind !== 'name')
          throw new ExprError(`expected a test name but found ${describe(name)}`, name.pos);
        const testName = name.text.toLowerCase(); // `is None` works like `is none`
        if (!TEST_NAMES.has(testName)) throw new ExprError(`unknown test '${name.text}'`, name.pos);
        let args: Args = { pos: [], kw: {} };
        const tok = this.peek();
        if (this.isOp('(')) {
          this.next();
          args = this.parseArgs();
        } else if (
          tok.kind === 'num' ||
          tok.kind === 'str' ||
          (tok.kind === 'name' && !NOT_TEST_ARG.has(tok.text))
        ) {
          args = { pos: [this.parsePrimary()], kw: {} };
        }
        x = { t: 'test', x, name: testName, args, negate, pos: name.pos };
      } else {
        return x;
      }
    }
  }
}
