// Portability lint: warnings for YAML that TEA Python and TEA Rust run differently, or not at all
// (tea-format.md §8, §9). Every warning names the engine it is about in `engine`.
import { branchPaths, edgeParallelForm } from './graph.ts';
import { createLocator } from './validate.ts';
import type { Locator } from './validate.ts';
import { END, START } from './types.ts';
import type {
  NodeSpec,
  Problem,
  SourcePos,
  SourceSpan,
  TeaEngine,
  WorkflowGraph,
  WorkflowModel,
} from './types.ts';

const PYTHON_ONLY_KEYS = ['steps', 'script', 'on_error', 'interrupt', 'parallel_each', 'strategy'];
const RUST_ONLY_KEYS = ['retry', 'fallback'];
const LUA_MARKER = /^\s*--\s?lua\b/;

type Where = SourcePos | SourceSpan | null | undefined;

interface Ctx {
  out: Problem[];
  text?: string;
  locator: Locator | null;
}

function warn(
  ctx: Ctx,
  engine: TeaEngine,
  code: string,
  message: string,
  where: Where,
  extra: Partial<Problem> = {},
) {
  const p = where && 'start' in where ? where.start : where;
  ctx.out.push({
    severity: 'warning',
    code,
    message,
    line: p?.line ?? 1,
    col: p?.col ?? 1,
    engine,
    ...extra,
  });
}

/**
 * Portability warnings. `text` (the loaded source) is optional: with it, warnings point at the exact
 * key and plain-scalar `run:` values can be told from quoted ones.
 */
export function lintPortability(model: WorkflowModel, graph: WorkflowGraph, text?: string): Problem[] {
  const ctx: Ctx = { out: [], locator: text === undefined ? null : createLocator(text) };
  if (text !== undefined) ctx.text = text;
  lintTopLevel(ctx, model);
  lintNodes(ctx, model);
  lintEdges(ctx, model, graph);
  lintFanOuts(ctx, model, graph);
  lintExtensions(ctx, model);
  return ctx.out.sort((a, b) => a.line - b.line || a.col - b.col);
}

function keyPos(ctx: Ctx, node: NodeSpec, key: string, part: 'key' | 'value' = 'key'): Where {
  return ctx.locator?.inMap(node.span.start.offset, key, part) ?? node.nameSpan;
}

// ---------- top level ----------

function lintTopLevel(ctx: Ctx, model: WorkflowModel): void {
  const raw = model.raw;
  if (raw.name === undefined || raw.name === null) {
    warn(
      ctx,
      'rust',
      'MISSING_NAME',
      'Workflow has no `name`: TEA Python runs it, TEA Rust rejects the file (`name` is required there)',
      null,
    );
  }
  const schema = raw.state_schema;
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return;
  for (const [field, type] of Object.entries(schema as Record<string, unknown>)) {
    if (typeof type === 'string') continue;
    const shown =
      type !== null && typeof type === 'object' && !Array.isArray(type) ? 'a mapping' : 'not a string';
    warn(
      ctx,
      'rust',
      'STATE_SCHEMA_NOT_STRING',
      `state_schema field '${field}' is ${shown}: TEA Python accepts it (the schema is informational), ` +
        "TEA Rust rejects the file; write a type name like 'list' or 'str'",
      ctx.locator?.at(['state_schema', field], 'value'),
    );
  }
}

// ---------- nodes ----------

function lintNodes(ctx: Ctx, model: WorkflowModel): void {
  const all: NodeSpec[] = [];
  for (const n of model.nodes) {
    all.push(n);
    for (const b of n.body ?? []) all.push(b);
  }
  for (const node of all) {
    const at: Partial<Problem> = node.name ? { node: node.name } : {};
    lintCode(ctx, node, at);
    if (node.type === 'dynamic_parallel') {
      const rejects = node.dynamicParallel?.action !== undefined;
      warn(
        ctx,
        'rust',
        'PYTHON_ONLY_FEATURE',
        `\`type: dynamic_parallel\` exists only in TEA Python; ` +
          (rejects
            ? `TEA Rust rejects the file (\`action:\` of '${node.name}' is a mapping, Rust wants an action name)`
            : `TEA Rust runs '${node.name}' as a plain node`),
        keyPos(ctx, node, 'type', 'value'),
        at,
      );
    }
    if (node.outputMap !== undefined) {
      warn(
        ctx,
        'rust',
        'OUTPUT_MAP',
        `\`output:\` of '${node.name}' is a mapping of templates: TEA Python renders each with \`result\`, ` +
          'TEA Rust rejects the file (it wants a key name)',
        keyPos(ctx, node, 'output'),
        at,
      );
    }
    for (const key of PYTHON_ONLY_KEYS) {
      if (node.raw[key] === undefined) continue;
      warn(
        ctx,
        'rust',
        'PYTHON_ONLY_FEATURE',
        `\`${key}:\` on '${node.name}' is a TEA Python feature; TEA Rust ignores it`,
        keyPos(ctx, node, key),
        at,
      );
    }
    for (const key of RUST_ONLY_KEYS) {
      if (node.raw[key] === undefined) continue;
      warn(
        ctx,
        'python',
        'RUST_ONLY_FEATURE',
        `\`${key}:\` on '${node.name}' is a TEA Rust feature; TEA Python ignores it`,
        keyPos(ctx, node, key),
        at,
      );
    }
    lintGoto(ctx, node, at);
  }
}

function lintCode(ctx: Ctx, node: NodeSpec, at: Partial<Problem>): void {
  if (node.run === undefined) return;
  const runIsMap = typeof node.raw.run === 'object' && node.raw.run !== null;
  if (runIsMap) {
    warn(
      ctx,
      'rust',
      'PYTHON_ONLY_FEATURE',
      `\`run:\` of '${node.name}' is a mapping ({type, code}); TEA Rust only accepts a string`,
      keyPos(ctx, node, 'run'),
      at,
    );
  }
  if (node.kind !== 'lua') return;
  if (node.language === undefined && !runIsMap) {
    if (LUA_MARKER.test(node.run)) {
      warn(
        ctx,
        'python',
        'LUA_MARKER_IGNORED',
        `'${node.name}' marks its code with \`-- lua\` but has no \`language: lua\`; the TEA Python CLI ignores the marker and runs it as Python`,
        keyPos(ctx, node, 'run'),
        at,
      );
    } else {
      warn(
        ctx,
        'python',
        'RUN_WITHOUT_LANGUAGE',
        `\`run:\` of '${node.name}' has no \`language: lua\`; TEA Python runs it as Python code (TEA Rust as Lua)`,
        keyPos(ctx, node, 'run'),
        at,
      );
    }
  }
  const style = scalarStyle(ctx, node);
  if (style === 'plain') {
    warn(
      ctx,
      'both',
      'PLAIN_SCALAR_RUN',
      `\`run:\` of '${node.name}' is a plain scalar: a \` #\` in it starts a YAML comment (Lua's length operator); use a \`|\` block`,
      node.runSpan,
      at,
    );
  }
  for (const hit of lua54Syntax(node.run)) {
    const where = codePos(ctx, node, style, hit.line, hit.col);
    warn(
      ctx,
      'python',
      'LUA54_SYNTAX',
      `${hit.what} in '${node.name}' is Lua 5.4 only; LuaJIT (TEA Python) rejects it`,
      where,
      at,
    );
  }
}

type ScalarStyle = 'block' | 'quoted' | 'plain' | 'unknown';

function scalarStyle(ctx: Ctx, node: NodeSpec): ScalarStyle {
  if (!node.runSpan) return 'unknown';
  if (ctx.text === undefined) return node.run?.includes('\n') ? 'block' : 'unknown';
  const ch = ctx.text[node.runSpan.start.offset];
  if (ch === '|' || ch === '>') return 'block';
  if (ch === '"' || ch === "'") return 'quoted';
  return 'plain';
}

/** File position of (line, col) of the code: block scalars start on the line after the indicator. */
function codePos(ctx: Ctx, node: NodeSpec, style: ScalarStyle, line: number, col: number): SourcePos {
  const span = node.runSpan ?? node.nameSpan;
  const fileLine = span.start.line + line - (style === 'block' ? 0 : 1);
  let fileCol = col;
  if (style === 'block' && ctx.text !== undefined) {
    const lines = ctx.text.split('\n', fileLine);
    const fileText = lines[fileLine - 1] ?? '';
    const codeText = node.run?.split('\n')[line - 1] ?? '';
    fileCol = Math.max(1, fileText.replace(/\r$/, '').length - codeText.length + col);
  } else if (style !== 'block' && line === 1) {
    fileCol = span.start.col + col - (style === 'quoted' ? 0 : 1);
  }
  return { line: fileLine, col: fileCol, offset: -1 };
}

export interface Lua54Hit {
  what: string;
  /** 1-based line and column inside the code. */
  line: number;
  col: number;
}

/** Replaces comments and string literals with spaces, keeping newlines (so positions stay right). */
export function stripLuaStringsAndComments(code: string): string {
  const out = code.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  const longOpen = (i: number): number => {
    // `[`, `=`*, `[`: returns the level or -1.
    if (code[i] !== '[') return -1;
    let j = i + 1;
    while (code[j] === '=') j++;
    return code[j] === '[' ? j - i - 1 : -1;
  };
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    if (c === '-' && code[i + 1] === '-') {
      const level = longOpen(i + 2);
      let end: number;
      if (level >= 0) {
        const close = code.indexOf(`]${'='.repeat(level)}]`, i + 4 + level);
        end = close < 0 ? code.length : close + level + 2;
      } else {
        const nl = code.indexOf('\n', i);
        end = nl < 0 ? code.length : nl;
      }
      blank(i, end);
      i = end;
    } else if (c === '[' && longOpen(i) >= 0) {
      const level = longOpen(i);
      const close = code.indexOf(`]${'='.repeat(level)}]`, i + 2 + level);
      const end = close < 0 ? code.length : close + level + 2;
      blank(i, end);
      i = end;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < code.length && code[j] !== c && code[j] !== '\n') j += code[j] === '\\' ? 2 : 1;
      const end = Math.min(j + 1, code.length);
      blank(i, end);
      i = end;
    } else {
      i++;
    }
  }
  return out.join('');
}

const LUA54_PATTERNS: { re: RegExp; what: string }[] = [
  { re: /\/\//, what: 'Floor division `//`' },
  { re: /<<|>>/, what: 'Bit shift `<<`/`>>`' },
  { re: /~(?!=)/, what: 'Bitwise `~`' },
  { re: /&/, what: 'Bitwise `&`' },
  { re: /\|/, what: 'Bitwise `|`' },
  { re: /<\s*(?:const|close)\s*>/, what: 'Variable attribute `<const>`/`<close>`' },
  { re: /\butf8\s*\./, what: 'The `utf8` library' },
];

/** Lua 5.4-only syntax LuaJIT rejects; first occurrence of each kind. (`goto`/labels: LuaJIT has them.) */
export function lua54Syntax(code: string): Lua54Hit[] {
  const lines = stripLuaStringsAndComments(code).split('\n');
  const hits: Lua54Hit[] = [];
  for (const { re, what } of LUA54_PATTERNS) {
    for (let l = 0; l < lines.length; l++) {
      const m = re.exec(lines[l] ?? '');
      if (!m) continue;
      hits.push({ what, line: l + 1, col: m.index + 1 });
      break;
    }
  }
  return hits.sort((a, b) => a.line - b.line || a.col - b.col);
}

// ---------- goto ----------

function lintGoto(ctx: Ctx, node: NodeSpec, at: Partial<Problem>): void {
  if (!Array.isArray(node.goto)) return;
  if (node.gotoForm === 'map') {
    warn(
      ctx,
      'both',
      'GOTO_MAP_UNSUPPORTED',
      `\`goto:\` of '${node.name}' is a mapping keyed by \`_route\`, which neither TEA engine accepts ` +
        "(Python: 'invalid goto type'; Rust: parse error). Fanout reads it as goto rules on state._route " +
        '(`_default` = fallback); write those rules to run it in TEA',
      node.gotoSpan,
      at,
    );
    return; // the Rust ordering pitfalls below are about list rules TEA Rust would run
  }
  const rules = node.goto;
  const conditional = rules.filter((r) => typeof r.if === 'string');
  const fallbackEnd = rules.find((r) => r.if === undefined && r.to === END);
  if (fallbackEnd && conditional.length > 0) {
    warn(
      ctx,
      'rust',
      'GOTO_FALLBACK_END',
      `goto of '${node.name}' falls back to __end__: TEA Rust then always ends here without evaluating the \`if\` rules; route the fallback to a node with \`goto: __end__\``,
      fallbackEnd.span,
      at,
    );
  }
  if (conditional.length >= 2 && !mutuallyExclusive(conditional.map((r) => r.if as string))) {
    warn(
      ctx,
      'rust',
      'GOTO_RULES_OVERLAP',
      `The \`if\` rules of '${node.name}' may be true together: TEA Python takes the first true rule, TEA Rust the last; make them mutually exclusive`,
      node.gotoSpan,
      at,
    );
  }
}

type Cond =
  | { kind: 'truthy'; v: string; neg: boolean }
  | { kind: 'cmp'; v: string; op: string; lit: number | string | boolean };

function parseCond(text: string): Cond | null {
  const t = text.trim();
  let m = /^(not\s+|!\s*)?([A-Za-z_][\w.]*)$/.exec(t);
  if (m && m[2] !== 'true' && m[2] !== 'false') {
    return { kind: 'truthy', v: normVar(m[2] as string), neg: m[1] !== undefined };
  }
  m = /^([A-Za-z_][\w.]*)\s*(==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?|'[^']*'|"[^"]*"|true|false)$/.exec(t);
  if (!m) return null;
  const raw = m[3] as string;
  let lit: number | string | boolean;
  if (raw === 'true' || raw === 'false') lit = raw === 'true';
  else if (/^-?\d/.test(raw)) lit = Number(raw);
  else lit = raw.slice(1, -1);
  return { kind: 'cmp', v: normVar(m[1] as string), op: m[2] as string, lit };
}

function normVar(v: string): string {
  return v.startsWith('state.') ? v.slice(6) : v;
}

/** Interval [lo, hi] with open/closed ends for a numeric comparison. */
function interval(
  op: string,
  n: number,
): { lo: number; loOpen: boolean; hi: number; hiOpen: boolean } | null {
  switch (op) {
    case '==':
      return { lo: n, loOpen: false, hi: n, hiOpen: false };
    case '<':
      return { lo: -Infinity, loOpen: true, hi: n, hiOpen: true };
    case '<=':
      return { lo: -Infinity, loOpen: true, hi: n, hiOpen: false };
    case '>':
      return { lo: n, loOpen: true, hi: Infinity, hiOpen: true };
    case '>=':
      return { lo: n, loOpen: false, hi: Infinity, hiOpen: true };
    default:
      return null;
  }
}

function exclusive(a: Cond, b: Cond): boolean {
  if (a.v !== b.v) return false;
  if (a.kind === 'truthy' && b.kind === 'truthy') return a.neg !== b.neg;
  if (a.kind !== 'cmp' || b.kind !== 'cmp') return false;
  if (a.op === '==' && b.op === '==') return a.lit !== b.lit;
  if ((a.op === '==' && b.op === '!=') || (a.op === '!=' && b.op === '==')) return a.lit === b.lit;
  if (typeof a.lit !== 'number' || typeof b.lit !== 'number') return false;
  const x = interval(a.op, a.lit);
  const y = interval(b.op, b.lit);
  if (!x || !y) return false;
  const below = (p: typeof x, q: typeof x) => p.hi < q.lo || (p.hi === q.lo && (p.hiOpen || q.loOpen));
  return below(x, y) || below(y, x);
}

/** True when every pair of conditions is recognisably exclusive (same variable, disjoint values). */
export function mutuallyExclusive(conditions: string[]): boolean {
  const parsed = conditions.map(parseCond);
  if (parsed.some((c) => c === null)) return false;
  const cs = parsed as Cond[];
  for (let i = 0; i < cs.length; i++) {
    for (let j = i + 1; j < cs.length; j++) if (!exclusive(cs[i] as Cond, cs[j] as Cond)) return false;
  }
  return true;
}

// ---------- edges ----------

function lintEdges(ctx: Ctx, model: WorkflowModel, graph: WorkflowGraph): void {
  const gotoNodes = new Set(model.nodes.filter((n) => n.goto !== undefined).map((n) => n.name));
  for (const edge of model.edges) {
    const at: Partial<Problem> = { edgeIndex: edge.index };
    if (edge.from !== undefined && gotoNodes.has(edge.from)) {
      warn(
        ctx,
        'both',
        'EDGE_IGNORED_GOTO',
        `Edge ${edge.index + 1} from '${edge.from}' is ignored by TEA: the node has \`goto\`, which takes precedence`,
        edge.span,
        { ...at, node: edge.from },
      );
      continue;
    }
    if (edge.to === END && edge.when !== undefined) {
      warn(
        ctx,
        'python',
        'WHEN_ON_END_EDGE',
        `TEA Python drops \`when:\` on an edge to __end__ (the edge becomes unconditional); route to a terminal node instead`,
        edge.span,
        at,
      );
    }
    if (typeof edge.when === 'boolean') {
      warn(
        ctx,
        'rust',
        'WHEN_NOT_STRING',
        '`when:` is a YAML boolean; TEA Rust only accepts a string and rejects the file — quote it',
        edge.span,
        at,
      );
    }
    if (edge.raw.condition !== undefined) {
      warn(
        ctx,
        'rust',
        'EDGE_CONDITION_KEY',
        'TEA Rust ignores `condition:` on edges (the edge becomes unconditional); use goto rules',
        edge.span,
        at,
      );
    }
    if (edge.raw.targets !== undefined) {
      warn(
        ctx,
        'python',
        'RUST_ONLY_FEATURE',
        '`targets:` (string-match routing) is TEA Rust only; TEA Python fails on it',
        edge.span,
        at,
      );
    }
    if (edge.routes) {
      warn(
        ctx,
        'both',
        'EDGE_ROUTES_UNSUPPORTED',
        `Edge ${edge.index + 1} has \`to:\` as a list of {target, condition}, which neither TEA engine accepts ` +
          "(Python: 'unhashable type: list'; Rust: `to` must be a string). Fanout reads the routes as " +
          'conditional edges tried in order; write goto rules on the source node to run it in TEA',
        edge.span,
        at,
      );
    }
    const form = edgeParallelForm(edge);
    if (form === 'parallel-true' || form === 'to-list') {
      const shown = form === 'to-list' ? '`to: [..]` with `parallel: true`' : '`parallel: true`';
      warn(
        ctx,
        'both',
        'PARALLEL_FORM_UNSUPPORTED',
        `Edge ${edge.index + 1} uses ${shown}, which TEA runs in parallel in neither Python nor Rust; export writes the hybrid form`,
        edge.span,
        at,
      );
    }
  }
  const specs = new Map(model.nodes.map((n) => [n.name, n]));
  for (const e of graph.edges) {
    if (e.origin.type !== 'implicit' || e.source === START) continue;
    const spec = specs.get(e.source);
    warn(
      ctx,
      'both',
      'IMPLICIT_SUCCESSOR',
      `'${e.source}' has no goto or edge and relies on list order to reach '${e.target}'; add an explicit successor (export does)`,
      spec?.nameSpan,
      { node: e.source },
    );
  }
}

// ---------- fan-outs ----------

function lintFanOuts(ctx: Ctx, model: WorkflowModel, graph: WorkflowGraph): void {
  const specs = new Map(model.nodes.map((n) => [n.name, n]));
  const paths = new Map(graph.fanOuts.map((f) => [f, branchPaths(graph, f)]));
  for (const fo of graph.fanOuts) {
    const entries = model.edges.filter((e) => e.from === fo.source && edgeParallelForm(e));
    const first = entries[0];
    const at: Partial<Problem> = { node: fo.source, ...(first ? { edgeIndex: first.index } : {}) };
    const where = first?.span ?? specs.get(fo.source)?.nameSpan;
    if (fo.source === START) {
      warn(
        ctx,
        'python',
        'FAN_OUT_FROM_START',
        'TEA Python does not fan out from __start__ (it only sets the entry point); start with a node that fans out',
        where,
        at,
      );
    }
    if (graph.fanOuts.some((other) => other !== fo && other.fanIn === fo.source)) {
      warn(
        ctx,
        'python',
        'FAN_IN_FANS_OUT',
        `'${fo.source}' is a fan-in that fans out again: TEA Python then runs only its first branch, sequentially; put a plain node between`,
        where,
        at,
      );
    }
    for (const [other, otherPaths] of paths) {
      if (other === fo || !otherPaths.some((p) => p.includes(fo.source))) continue;
      warn(
        ctx,
        'both',
        'NESTED_FAN_OUT',
        `Fan-out from '${fo.source}' is inside a branch of the fan-out from '${other.source}'; neither TEA engine runs nested fan-outs`,
        where,
        at,
      );
      break;
    }
    (paths.get(fo) ?? []).forEach((path, i) => {
      if (path.length <= 1) return;
      const head = fo.branches[i] as string;
      warn(
        ctx,
        'rust',
        'MULTI_NODE_BRANCH',
        `Branch '${head}' of the fan-out from '${fo.source}' has ${path.length} nodes (${path.join(' -> ')}); TEA Rust runs only the first node of each branch`,
        specs.get(head)?.nameSpan ?? where,
        { node: head },
      );
    });
    if (fo.form === 'python') {
      warn(
        ctx,
        'rust',
        'PARALLEL_FORM_PYTHON_ONLY',
        `Fan-out from '${fo.source}' uses only \`type: parallel\` edges; TEA Rust runs them as plain edges (no parallelism). Write the hybrid form (export does)`,
        where,
        at,
      );
    } else if (fo.form === 'rust') {
      warn(
        ctx,
        'python',
        'PARALLEL_FORM_RUST_ONLY',
        `Fan-out from '${fo.source}' uses only \`parallel: [..]\`; TEA Python fails on it. Write the hybrid form (export does)`,
        where,
        at,
      );
    }
  }
}

// ---------- Fanout extensions ----------

function lintExtensions(ctx: Ctx, model: WorkflowModel): void {
  const ignored = (what: string) => `${what} is a Fanout extension; TEA ignores it`;
  for (const node of model.nodes) {
    if (node.raw.timeout_ms === undefined) continue;
    warn(
      ctx,
      'both',
      'FANOUT_EXTENSION',
      ignored(`\`timeout_ms\` on '${node.name}'`),
      keyPos(ctx, node, 'timeout_ms'),
      { node: node.name },
    );
  }
  const settings = model.raw.settings as Record<string, unknown> | undefined;
  for (const key of ['timeout_ms', 'memory_limit_mb']) {
    if (!settings || typeof settings !== 'object' || settings[key] === undefined) continue;
    warn(ctx, 'both', 'FANOUT_EXTENSION', ignored(`\`settings.${key}\``), ctx.locator?.at(['settings', key]));
  }
}
