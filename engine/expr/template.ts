/**
 * Jinja-style text templates: `{{ expr }}`, `{% if %}/{% elif %}/{% else %}/{% endif %}`,
 * `{% for x in xs %}/{% else %}/{% endfor %}`, `{# comments #}` and `-` whitespace control.
 * Rendering charges the budget per loop pass and per piece of output, whose total is bounded.
 */
import { EXPRESSION_LIMITS } from '../limits.ts';
import { TextBuilder, step } from './budget.ts';
import { compile } from './compile.ts';
import type { Compiled, Scope } from './compile.ts';
import { iterate } from './filters.ts';
import { tokenize } from './lexer.ts';
import { Parser } from './parser.ts';
import { ExprError, defined, outputText, pyTruthy } from './values.ts';

export type TemplateNode =
  | { t: 'text'; s: string }
  | { t: 'out'; f: Compiled }
  | { t: 'if'; branches: Array<{ test: Compiled; body: TemplateNode[] }>; else: TemplateNode[] | null }
  | {
      t: 'for';
      names: string[];
      iter: Compiled;
      body: TemplateNode[];
      else: TemplateNode[] | null;
      pos: number;
    };

type Item =
  | { k: 'text'; s: string }
  | { k: 'out'; f: Compiled }
  | { k: 'tag'; keyword: string; parser: Parser; pos: number };

/** Splits the source into text, output and tag items, applying `-` whitespace control. */
function lexItems(src: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  let trimNext = false;
  const pushText = (s: string) => {
    const t = trimNext ? s.trimStart() : s;
    trimNext = false;
    if (t !== '') items.push({ k: 'text', s: t });
  };
  const trimPrevious = () => {
    const last = items[items.length - 1];
    if (last?.k === 'text') {
      // trimEnd, not /\s+$/: that regex is quadratic on long runs of spaces inside the text.
      last.s = last.s.trimEnd();
      if (last.s === '') items.pop();
    }
  };
  while (i < src.length) {
    const open = src.slice(i).search(/\{[{%#]/);
    if (open < 0) {
      pushText(src.slice(i));
      break;
    }
    const at = i + open;
    pushText(src.slice(i, at));
    const kind = src[at + 1]!;
    let start = at + 2;
    if (src[start] === '-') {
      trimPrevious();
      start++;
    }
    if (kind === '#') {
      const close = src.indexOf('#}', start);
      if (close < 0) throw new ExprError("missing closing '#}'", at);
      trimNext = src[close - 1] === '-';
      i = close + 2;
      continue;
    }
    const lexed = tokenize(src, start, kind === '{' ? '}}' : '%}');
    const parser = new Parser(lexed.tokens);
    if (kind === '{') {
      const node = parser.parseExpression();
      parser.expectEnd();
      items.push({ k: 'out', f: compile(node) });
    } else {
      const kw = parser.next();
      if (kw.kind !== 'name') throw new ExprError('expected a tag name after {%', kw.pos);
      items.push({ k: 'tag', keyword: kw.text, parser, pos: kw.pos });
    }
    trimNext = lexed.trimAfter;
    i = lexed.next;
  }
  return items;
}

class Builder {
  private i = 0;
  /** Open blocks: parsing and rendering recurse per level. */
  private depth = 0;
  constructor(private readonly items: Item[]) {}

  private enter(pos: number): void {
    if (++this.depth > EXPRESSION_LIMITS.maxNesting) {
      throw new ExprError(`blocks nested deeper than ${EXPRESSION_LIMITS.maxNesting} levels`, pos);
    }
  }

  /** Parses nodes until one of `stops` (returned as the stopping tag) or the end. */
  nodes(stops: ReadonlySet<string>): { nodes: TemplateNode[]; stop: Extract<Item, { k: 'tag' }> | null } {
    const nodes: TemplateNode[] = [];
    while (this.i < this.items.length) {
      const item = this.items[this.i++]!;
      if (item.k === 'text') nodes.push({ t: 'text', s: item.s });
      else if (item.k === 'out') nodes.push({ t: 'out', f: item.f });
      else if (stops.has(item.keyword)) return { nodes, stop: item };
      else if (item.keyword === 'if' || item.keyword === 'for') {
        this.enter(item.pos);
        const block =
          item.keyword === 'if' ? this.ifBlock(item.parser, item.pos) : this.forBlock(item.parser, item.pos);
        this.depth--;
        nodes.push(block);
      } else throw new ExprError(`unknown or unexpected tag '${item.keyword}'`, item.pos);
    }
    return { nodes, stop: null };
  }

  private ifBlock(first: Parser, pos: number): TemplateNode {
    const branches: Array<{ test: Compiled; body: TemplateNode[] }> = [];
    let parser = first;
    for (;;) {
      const test = parser.parseExpression();
      parser.expectEnd();
      const { nodes, stop } = this.nodes(new Set(['elif', 'else', 'endif']));
      branches.push({ test: compile(test), body: nodes });
      if (stop === null) throw new ExprError("missing '{% endif %}'", pos);
      if (stop.keyword === 'elif') {
        parser = stop.parser;
        continue;
      }
      stop.parser.expectEnd();
      if (stop.keyword === 'endif') return { t: 'if', branches, else: null };
      const tail = this.nodes(new Set(['endif']));
      if (tail.stop === null) throw new ExprError("missing '{% endif %}'", pos);
      tail.stop.parser.expectEnd();
      return { t: 'if', branches, else: tail.nodes };
    }
  }

  private forBlock(parser: Parser, pos: number): TemplateNode {
    const names = [parser.expectName().text];
    while (parser.isOp(',')) {
      parser.next();
      names.push(parser.expectName().text);
    }
    if (!parser.isName('in')) parser.fail("expected 'in' in for loop");
    parser.next();
    const iter = compile(parser.parseOr());
    parser.expectEnd();
    const { nodes, stop } = this.nodes(new Set(['else', 'endfor']));
    if (stop === null) throw new ExprError("missing '{% endfor %}'", pos);
    stop.parser.expectEnd();
    if (stop.keyword === 'endfor') return { t: 'for', names, iter, body: nodes, else: null, pos };
    const tail = this.nodes(new Set(['endfor']));
    if (tail.stop === null) throw new ExprError("missing '{% endfor %}'", pos);
    tail.stop.parser.expectEnd();
    return { t: 'for', names, iter, body: nodes, else: tail.nodes, pos };
  }
}

/** Parses a whole template. Throws ExprError with the offset of the problem. */
export function parseTemplate(src: string): TemplateNode[] {
  const builder = new Builder(lexItems(src));
  const { nodes, stop } = builder.nodes(new Set());
  if (stop !== null) throw new ExprError(`unexpected tag '${stop.keyword}'`, stop.pos);
  return nodes;
}

function renderInto(nodes: TemplateNode[], scope: Scope, out: TextBuilder): void {
  for (const node of nodes) {
    switch (node.t) {
      case 'text':
        out.add(node.s);
        break;
      case 'out':
        out.add(outputText(node.f(scope)));
        break;
      case 'if': {
        const hit = node.branches.find((b) => pyTruthy(b.test(scope)));
        if (hit) renderInto(hit.body, scope, out);
        else if (node.else) renderInto(node.else, scope, out);
        break;
      }
      case 'for': {
        const items = iterate(node.iter(scope));
        if (items.length === 0 && node.else) renderInto(node.else, scope, out);
        items.forEach((item, index) => {
          step();
          const locals: Record<string, unknown> = { ...scope.locals };
          if (node.names.length === 1) {
            locals[node.names[0]!] = item;
          } else {
            if (!Array.isArray(item) || item.length !== node.names.length) {
              throw new ExprError(`cannot unpack ${outputText(item)} into ${node.names.length} names`);
            }
            node.names.forEach((n, j) => (locals[n] = defined(item[j])));
          }
          locals['loop'] = {
            index: index + 1,
            index0: index,
            revindex: items.length - index,
            revindex0: items.length - index - 1,
            first: index === 0,
            last: index === items.length - 1,
            length: items.length,
          };
          renderInto(node.body, { ctx: scope.ctx, locals }, out);
        });
        break;
      }
    }
  }
}

export function renderNodes(nodes: TemplateNode[], scope: Scope): string {
  const out = new TextBuilder('rendering');
  renderInto(nodes, scope, out);
  return out.text();
}
