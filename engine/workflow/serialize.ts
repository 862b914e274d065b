// Writes fresh TEA YAML from plain JS (new documents, copied node subsets) and provides the small
// rendering primitives that edit.ts uses to splice values into existing files.
//
// Style: 2-space indent, nodes in block style with a fixed key order, `run:` always a literal block
// scalar, edges as one-line flow maps (`- {from: a, to: b}`: one edge per line diffs well), positions as
// one-line `metadata: {fanout: {x: 1, y: 2}}`, a blank line between top-level sections and between nodes.

export interface PlainGotoRule {
  if?: string;
  to: string;
}

export interface PlainNode {
  name: string;
  type?: string;
  language?: string;
  uses?: string;
  with?: Record<string, unknown>;
  output?: string;
  run?: string;
  condition?: string;
  max_iterations?: number;
  body?: PlainNode[];
  goto?: string | PlainGotoRule[];
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface PlainEdge {
  from?: string;
  to?: string | string[];
  when?: string | boolean;
  type?: string;
  fan_in?: string;
  parallel?: string[] | boolean;
  [key: string]: unknown;
}

export interface PlainWorkflow {
  name: string;
  description?: string;
  state_schema?: Record<string, unknown>;
  initial_state?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  nodes: PlainNode[];
  edges?: PlainEdge[];
  [key: string]: unknown;
}

/** Key order of a node as written by us (unknown keys go after `goto`, before `metadata`). */
export const NODE_KEY_ORDER = [
  'name',
  'type',
  'language',
  'uses',
  'with',
  'output',
  'run',
  'condition',
  'max_iterations',
  'body',
  'goto',
  'metadata',
];

const TOP_KEY_ORDER = [
  'name',
  'description',
  'version',
  'state_schema',
  'initial_state',
  'variables',
  'settings',
  'nodes',
  'edges',
  'config',
];

const EDGE_KEY_ORDER = ['from', 'to', 'when', 'type', 'fan_in', 'parallel'];

/** Keys whose string value is code: always a literal block scalar, never a plain scalar. */
const CODE_KEYS = new Set(['run', 'code']);
/** Map keys written on one line in flow style when short (positions: one line per node). */
const FLOW_MAP_KEYS = new Set(['metadata', 'fanout']);
const MAX_FLOW_WIDTH = 100;

/** Words YAML 1.1/1.2 readers (PyYAML, serde_yaml, yaml) would turn into non-strings. */
const RESERVED_WORDS = /^(true|false|null|yes|no|on|off|~)$/i;
const PLAIN_SAFE = /^[A-Za-z_][A-Za-z0-9_ .\-/()+]*$/;
/** Characters a literal block scalar cannot carry faithfully. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_BLOCK_SAFE = /[\r\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0085\u2028\u2029\ufeff]/;

export function orderKeys(
  obj: Record<string, unknown>,
  order: readonly string[],
  lastKey?: string,
): string[] {
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  const known = order.filter((k) => keys.includes(k) && k !== lastKey);
  const rest = keys.filter((k) => !order.includes(k) && k !== lastKey);
  const out = [...known, ...rest];
  if (lastKey !== undefined && keys.includes(lastKey)) out.push(lastKey);
  return out;
}

/** Node keys in our canonical order, unknown keys before `metadata`. */
export function orderNodeKeys(node: Record<string, unknown>): string[] {
  return orderKeys(node, NODE_KEY_ORDER.slice(0, -1), 'metadata');
}

export function isPlainSafe(s: string): boolean {
  return PLAIN_SAFE.test(s) && !s.endsWith(' ') && !RESERVED_WORDS.test(s);
}

export function quoteString(s: string): string {
  return JSON.stringify(s);
}

/** A scalar in a form that is valid in both block and flow context. */
export function renderScalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return isPlainSafe(value) ? value : quoteString(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (value === Infinity) return '.inf';
    if (value === -Infinity) return '-.inf';
    return String(value);
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return quoteString(value.toISOString());
  return quoteString(String(value));
}

export function renderKey(key: string): string {
  return isPlainSafe(key) ? key : quoteString(key);
}

function isScalarValue(value: unknown): boolean {
  return value === null || typeof value !== 'object' || value instanceof Date;
}

/** One-line flow rendering (`{a: 1, b: [x, y]}`). */
export function renderFlow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(renderFlow).join(', ')}]`;
  if (!isScalarValue(value)) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
    return `{${keys.map((k) => `${renderKey(k)}: ${renderFlow(obj[k])}`).join(', ')}}`;
  }
  return renderScalar(value);
}

/**
 * A literal block scalar for `s`: header (`|` or `|-`, with an indentation indicator when the
 * first line starts with whitespace) and content lines indented by `indent`. Null when `s` cannot
 * be carried safely by a block scalar (control characters, CR, only newlines, 2+ trailing newlines,
 * a last line of only spaces).
 */
export function blockLiteral(
  s: string,
  parentIndent: number,
  step: number,
): { header: string; lines: string[] } | null {
  if (NOT_BLOCK_SAFE.test(s)) return null;
  const trailing = /\n*$/.exec(s)![0].length;
  const body = s.slice(0, s.length - trailing);
  // Keep chomping (`|+`) would swallow blank separator lines that follow it: quote such text instead.
  if (body.trim() === '' || trailing > 1) return null;
  // A last line of only spaces reads as a blank separator to edits that append after the block, so
  // text that ends that way is quoted too (found by the random-edit property test).
  if (/\n[ \t]+$/.test(body)) return null;
  const chomp = trailing === 0 ? '-' : '';
  const lines = body.split('\n');
  const firstContent = lines.find((l) => l.trim() !== '') ?? '';
  const leadingBlankWithSpaces = lines.slice(0, lines.indexOf(firstContent)).some((l) => l.length > 0);
  const needsIndicator = /^\s/.test(firstContent) || leadingBlankWithSpaces;
  const pad = ' '.repeat(parentIndent + step);
  const out = lines.map((l) => (l === '' ? '' : pad + l));
  // The indentation indicator is relative to the parent (the key's or the dash's column).
  return { header: `|${needsIndicator ? String(step) : ''}${chomp}`, lines: out };
}

export interface RenderOptions {
  /** Indentation step for nested block collections. */
  step: number;
}

/**
 * Lines of `key: value` in block context at `indent` (first line included, all lines fully indented).
 * Multi-line strings and code become literal block scalars; short scalar lists and positions are flow.
 */
export function renderEntry(key: string, value: unknown, indent: number, opts: RenderOptions): string[] {
  const pad = ' '.repeat(indent);
  const head = `${pad}${renderKey(key)}:`;
  if (typeof value === 'string' && (CODE_KEYS.has(key) || value.includes('\n'))) {
    const block = blockLiteral(value, indent, opts.step);
    if (block) return [`${head} ${block.header}`, ...block.lines];
    return [`${head} ${quoteString(value)}`];
  }
  if (isScalarValue(value)) return [`${head} ${renderScalar(value)}`];
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${head} []`];
    const flow = renderFlow(value);
    const allScalar = value.every((v) => isScalarValue(v) && !(typeof v === 'string' && v.includes('\n')));
    if (allScalar && head.length + 1 + flow.length <= MAX_FLOW_WIDTH) return [`${head} ${flow}`];
    return [head, ...value.flatMap((item) => renderSeqItem(item, indent + opts.step, opts))];
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  if (keys.length === 0) return [`${head} {}`];
  if (FLOW_MAP_KEYS.has(key)) {
    const flow = renderFlow(obj);
    if (head.length + 1 + flow.length <= MAX_FLOW_WIDTH && !flow.includes('\\n')) return [`${head} ${flow}`];
  }
  return [head, ...keys.flatMap((k) => renderEntry(k, obj[k], indent + opts.step, opts))];
}

/** Lines of one `- item` of a block sequence whose dash is at `indent`. */
export function renderSeqItem(
  value: unknown,
  indent: number,
  opts: RenderOptions,
  keyOrder?: string[],
): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) return [`${pad}- ${renderFlow(value)}`];
  if (!isScalarValue(value)) {
    const obj = value as Record<string, unknown>;
    const keys = keyOrder ?? Object.keys(obj).filter((k) => obj[k] !== undefined);
    if (keys.length === 0) return [`${pad}- {}`];
    const lines = keys.flatMap((k) => renderEntry(k, obj[k], indent + 2, opts));
    lines[0] = `${pad}- ${lines[0]!.slice(indent + 2)}`;
    return lines;
  }
  if (typeof value === 'string' && value.includes('\n')) {
    const block = blockLiteral(value, indent, opts.step);
    if (block) return [`${pad}- ${block.header}`, ...block.lines];
  }
  return [`${pad}- ${renderScalar(value)}`];
}

/** A node as block-sequence item lines (canonical key order; nested bodies too). */
export function renderNodeItem(node: Record<string, unknown>, indent: number, opts: RenderOptions): string[] {
  const keys = orderNodeKeys(node);
  const lines: string[] = [];
  for (const key of keys) {
    const value = node[key];
    if (key === 'body' && Array.isArray(value)) {
      lines.push(`${' '.repeat(indent + 2)}body:${value.length === 0 ? ' []' : ''}`);
      for (const child of value) lines.push(...renderAnyNodeItem(child, indent + 2 + opts.step, opts));
    } else {
      lines.push(...renderEntry(key, value, indent + 2, opts));
    }
  }
  if (lines.length === 0) return [`${' '.repeat(indent)}- {}`];
  lines[0] = `${' '.repeat(indent)}- ${lines[0]!.slice(indent + 2)}`;
  return lines;
}

function renderAnyNodeItem(value: unknown, indent: number, opts: RenderOptions): string[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return renderNodeItem(value as Record<string, unknown>, indent, opts);
  }
  return renderSeqItem(value, indent, opts);
}

/** An edge as one flow-map line in canonical key order. */
export function renderEdgeFlow(edge: Record<string, unknown>): string {
  const keys = orderKeys(edge, EDGE_KEY_ORDER);
  return `{${keys.map((k) => `${renderKey(k)}: ${renderFlow(edge[k])}`).join(', ')}}`;
}

export function edgeKeyOrder(edge: Record<string, unknown>): string[] {
  return orderKeys(edge, EDGE_KEY_ORDER);
}

/** Serialises a fresh workflow document. */
export function serializeWorkflow(doc: PlainWorkflow): string {
  const opts: RenderOptions = { step: 2 };
  const record = doc as Record<string, unknown>;
  const sections: string[][] = [];
  for (const key of orderKeys(record, TOP_KEY_ORDER.filter((k) => k !== 'config').concat(), 'config')) {
    const value = record[key];
    if (key === 'nodes' && Array.isArray(value)) {
      if (value.length === 0) {
        sections.push(['nodes: []']);
        continue;
      }
      const lines = ['nodes:'];
      value.forEach((node, i) => {
        if (i > 0) lines.push('');
        lines.push(...renderAnyNodeItem(node, 2, opts));
      });
      sections.push(lines);
    } else if (key === 'edges' && Array.isArray(value)) {
      if (value.length === 0) {
        sections.push(['edges: []']);
        continue;
      }
      const lines = ['edges:'];
      for (const edge of value) {
        if (edge !== null && typeof edge === 'object' && !Array.isArray(edge)) {
          lines.push(`  - ${renderEdgeFlow(edge as Record<string, unknown>)}`);
        } else {
          lines.push(...renderSeqItem(edge, 2, opts));
        }
      }
      sections.push(lines);
    } else {
      sections.push(renderEntry(key, value, 0, opts));
    }
  }
  // A blank line separates multi-line sections; consecutive one-liners (name, description) stay together.
  const out: string[] = [];
  sections.forEach((lines, i) => {
    const prev = sections[i - 1];
    if (prev && (prev.length > 1 || lines.length > 1)) out.push('');
    out.push(...lines);
  });
  return out.join('\n') + '\n';
}
