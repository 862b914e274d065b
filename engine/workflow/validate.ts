// Validation of a loaded workflow: TEA's load-time errors (with TEA's codes) plus the graph
// mistakes that make a fan-out or a route misbehave at run time. Pure; positions come from spans,
// or from a lazy re-parse when a problem is about a key the model keeps no span for.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Node as YamlNode, YAMLMap } from 'yaml';
import {
  MAX_DYNAMIC_PARALLEL_ITEMS,
  MAX_ITERATIONS,
  MAX_MEMORY_LIMIT_MB,
  MAX_POOL_WORKERS,
  MAX_TIMEOUT_MS,
} from '../limits.ts';
import { checkExpression } from '../expr/index.ts';
import { branchPaths, buildGraph, edgeParallelForm } from './graph.ts';
import { llmProblems } from './llm-validate.ts';
import { redisUrlProblems } from './redis-url-problems.ts';
import { END, START } from './types.ts';
import type {
  EdgeSpec,
  LoadResult,
  NodeSpec,
  Problem,
  SourcePos,
  SourceSpan,
  WorkflowGraph,
  WorkflowModel,
} from './types.ts';

export interface ValidateOptions {
  /** Action names the runtime provides; `uses:` of anything else is UNKNOWN_ACTION. */
  knownActions?: string[];
  /** The graph of `load.model` when the caller already built it (saves rebuilding it). */
  graph?: WorkflowGraph;
}

// ---------- positions ----------

export interface Locator {
  /** Position of `key` (or of its value) inside the mapping that starts at `mapOffset`. */
  inMap(mapOffset: number, key: string, part?: 'key' | 'value'): SourcePos | null;
  /** Position of a key or list item reached by `path` from the document root. */
  at(path: (string | number)[], part?: 'key' | 'value'): SourcePos | null;
}

/** Column (0-based) of `offset` in its line. */
function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

const KEY_LINE = /^([ -]*)(["']?)([^"':#\s][^:#]*?)\2[ \t]*:(?:[ \t]+|$)/;

/**
 * Fast path for block mappings: scans the lines of the mapping that starts at `mapOffset` for `key:`
 * at the mapping's own indentation. Returns null when unsure (flow style, value on the next line…).
 */
function scanBlockKey(text: string, mapOffset: number, key: string, part: 'key' | 'value'): number | null {
  const indent = columnOf(text, mapOffset);
  const ch = text[mapOffset];
  if (ch === '{' || ch === '[') return null;
  let lineStart = mapOffset - indent;
  let first = true;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    const m = KEY_LINE.exec(line);
    const lead = line.length - line.trimStart().length;
    if (!first && line.trim() !== '' && !line.trimStart().startsWith('#')) {
      if (lead < indent || (lead === indent && line.trimStart().startsWith('-'))) return null;
    }
    if (m && (m[1] as string).length === indent && m[3] === key) {
      const keyAt = lineStart + indent;
      if (part === 'key') return keyAt;
      const valueAt = lineStart + m[0].length;
      const rest = text.slice(valueAt, lineEnd).trim();
      if (rest === '' || rest.startsWith('#') || rest.startsWith('&') || rest.startsWith('!')) return null;
      return valueAt;
    }
    first = false;
    lineStart = lineEnd + 1;
  }
  return null;
}

/**
 * Positions of keys the model keeps no span for. Block mappings are scanned as text; anything else
 * re-parses the document, once, the first time it is needed (problem paths are rare).
 */
export function createLocator(text: string): Locator {
  let parsed: { root: unknown; lc: LineCounter; maps: Map<number, YAMLMap> } | null = null;
  const load = () => {
    if (parsed) return parsed;
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
    const maps = new Map<number, YAMLMap>();
    visit(doc, {
      Map(_key, node) {
        if (node.range && !maps.has(node.range[0])) maps.set(node.range[0], node);
      },
    });
    parsed = { root: doc.contents, lc, maps };
    return parsed;
  };
  const posAt = (offset: number): SourcePos => {
    const line = countLines(text, offset);
    return { line, col: columnOf(text, offset) + 1, offset };
  };
  const pos = (node: unknown): SourcePos | null => {
    const range = (node as YamlNode | null)?.range;
    if (!range) return null;
    const { line, col } = load().lc.linePos(range[0]);
    return { line, col, offset: range[0] };
  };
  const pairIn = (map: unknown, key: string) =>
    isMap(map)
      ? map.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === key)
      : undefined;
  return {
    inMap(mapOffset, key, part = 'key') {
      const fast = scanBlockKey(text, mapOffset, key, part);
      if (fast !== null) return posAt(fast);
      const pair = pairIn(load().maps.get(mapOffset), key);
      if (!pair) return null;
      return pos(part === 'key' ? pair.key : pair.value);
    },
    at(path, part = 'key') {
      let node: unknown = load().root;
      let last: unknown = node;
      for (let i = 0; i < path.length; i++) {
        const step = path[i] as string | number;
        const final = i === path.length - 1;
        if (typeof step === 'number') {
          if (!isSeq(node)) return null;
          node = node.items[step];
          last = node;
        } else {
          const pair = pairIn(node, step);
          if (!pair) return null;
          node = pair.value;
          last = final && part === 'key' ? pair.key : pair.value;
        }
      }
      return pos(last);
    },
  };
}

function countLines(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

// ---------- validation ----------

interface Ctx {
  problems: Problem[];
  file?: string;
  locator: Locator;
}

function push(
  ctx: Ctx,
  severity: Problem['severity'],
  code: string,
  message: string,
  where: SourcePos | SourceSpan | null | undefined,
  extra: Partial<Problem> = {},
): void {
  const p = where && 'start' in where ? where.start : where;
  const problem: Problem = { severity, code, message, line: p?.line ?? 1, col: p?.col ?? 1, ...extra };
  if (ctx.file !== undefined) problem.file = ctx.file;
  ctx.problems.push(problem);
}

/** Orders problems by position; stable, so load problems stay ahead of ours on the same spot. */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.line - b.p.line || a.p.col - b.p.col || a.i - b.i)
    .map((x) => x.p);
}

/** Drops repeats of the same code at the same place (load, validate and lint can meet). */
export function dedupeProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.code}:${p.line}:${p.col}:${p.node ?? ''}:${p.edgeIndex ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function validateWorkflow(load: LoadResult, opts: ValidateOptions = {}): Problem[] {
  const model = load.model;
  if (!model) return [...load.problems];
  const ctx: Ctx = { problems: [], locator: createLocator(load.text) };
  if (load.file !== undefined) ctx.file = load.file;
  const graph = opts.graph ?? buildGraph(model);
  checkTopLevel(ctx, model);
  checkNodes(ctx, model, opts);
  checkEdges(ctx, model);
  checkGraph(ctx, model, graph);
  checkLimitRanges(ctx, model);
  ctx.problems.push(...llmProblems(model, ctx.locator, ctx.file));
  ctx.problems.push(...redisUrlProblems(load));
  return dedupeProblems(sortProblems([...load.problems, ...ctx.problems]));
}

function checkTopLevel(ctx: Ctx, model: WorkflowModel): void {
  const raw = model.raw;
  // A missing `name` and `state_schema` fields written as mappings are TEA Rust-only rejections:
  // portability warnings in lint.ts (TEA Python runs such files).
  if (raw.name !== undefined && raw.name !== null && typeof raw.name !== 'string') {
    push(ctx, 'error', 'WRONG_TYPE', 'Workflow `name` must be a string', ctx.locator.at(['name'], 'value'));
  }
  if (model.nodes.length === 0 && !(Array.isArray(raw.nodes) && raw.nodes.length > 0)) {
    const where = ctx.locator.at(['nodes']);
    push(ctx, 'error', 'EMPTY_WORKFLOW', 'Workflow has no nodes', where);
  }
}

function checkNodes(ctx: Ctx, model: WorkflowModel, opts: ValidateOptions): void {
  const seen = new Set<string>();
  for (const node of model.nodes) {
    checkNodeCommon(ctx, node, opts);
    if (!node.name) continue;
    if (seen.has(node.name)) {
      push(ctx, 'error', 'DUPLICATE_NODE', `Duplicate node name '${node.name}'`, node.nameSpan, {
        node: node.name,
      });
    }
    seen.add(node.name);
    if (node.name === START || node.name === END) {
      push(
        ctx,
        'error',
        'RESERVED_NODE_NAME',
        `'${node.name}' is reserved and cannot name a node`,
        node.nameSpan,
        {
          node: node.name,
        },
      );
    }
  }
  const names = new Set(model.nodes.map((n) => n.name).filter((n) => n));
  for (const node of model.nodes) checkGoto(ctx, node, names);
  for (const node of model.nodes) if (node.dynamicParallel) checkDynamicParallel(ctx, node, names);
}

/**
 * An action the runtime does not provide: a warning, so the file still opens, draws and edits; a run
 * fails at that node (engine/actions names the action there).
 */
function unknownAction(ctx: Ctx, node: NodeSpec, action: string, where: SourcePos | null): void {
  push(
    ctx,
    'warning',
    'UNKNOWN_ACTION',
    `Node '${node.name}' uses action '${action}', which is not available in Fanout; a run fails at this node`,
    where ?? node.nameSpan,
    node.name ? { node: node.name } : {},
  );
}

/** TEA Python's load-time checks of a dynamic_parallel node (yaml_validation.py, yaml_nodes.py). */
function checkDynamicParallel(ctx: Ctx, node: NodeSpec, names: Set<string>): void {
  const dp = node.dynamicParallel;
  if (!dp) return;
  const at: Partial<Problem> = { node: node.name };
  const key = (k: string, part: 'key' | 'value' = 'key') =>
    ctx.locator.inMap(node.span.start.offset, k, part) ?? node.nameSpan;
  const label = `dynamic_parallel node '${node.name}'`;
  if (dp.items === undefined || dp.items === '') {
    push(
      ctx,
      'error',
      'DYN_PARALLEL_MISSING_ITEMS',
      `${label} has no \`items\` (the list to fan out over)`,
      node.nameSpan,
      at,
    );
  }
  if (dp.modes.length === 0) {
    push(
      ctx,
      'error',
      'DYN_PARALLEL_MODE',
      `${label} has no branch body: give exactly one of \`action\`, \`steps\` or \`subgraph\``,
      node.nameSpan,
      at,
    );
  } else if (dp.modes.length > 1) {
    push(
      ctx,
      'error',
      'DYN_PARALLEL_MODE',
      `${label} has ${dp.modes.map((m) => `\`${m}\``).join(' and ')}; exactly one of action, steps or subgraph is allowed`,
      key(dp.modes[1] as string),
      at,
    );
  }
  if (dp.action && dp.action.uses === undefined && dp.modes.length === 1) {
    push(ctx, 'error', 'DYN_PARALLEL_ACTION_USES', `${label}: \`action\` needs \`uses\``, key('action'), at);
  }
  if (dp.fanIn === undefined) {
    push(
      ctx,
      'error',
      'DYN_PARALLEL_MISSING_FAN_IN',
      `${label} has no \`fan_in\` (the node that collects the results)`,
      node.nameSpan,
      at,
    );
  } else if (!names.has(dp.fanIn)) {
    push(
      ctx,
      'error',
      'DYN_PARALLEL_FAN_IN_UNDEFINED',
      `${label} has fan_in to non-existent node '${dp.fanIn}'`,
      dp.fanInSpan ?? node.nameSpan,
      at,
    );
  }
  const max = dp.maxConcurrency;
  if (typeof max === 'number' && (!Number.isInteger(max) || max < 1)) {
    push(
      ctx,
      'error',
      'DYN_PARALLEL_MAX_CONCURRENCY',
      `${label}: max_concurrency must be a positive integer, got ${max}`,
      key('max_concurrency', 'value'),
      at,
    );
  }
}

/** Checks that apply to top-level nodes and while-loop body nodes alike. */
function checkNodeCommon(ctx: Ctx, node: NodeSpec, opts: ValidateOptions, inBodyOf?: string): void {
  const at: Partial<Problem> = node.name ? { node: node.name } : {};
  if (node.raw.name === undefined || node.raw.name === null) {
    const where = inBodyOf ? `A node in the body of '${inBodyOf}'` : 'A node';
    push(ctx, 'error', 'MISSING_NODE_NAME', `${where} has no \`name\``, node.span, at);
  }
  if (opts.knownActions && node.uses !== undefined && !opts.knownActions.includes(node.uses)) {
    const key = node.raw.uses !== undefined ? 'uses' : 'action';
    unknownAction(ctx, node, node.uses, ctx.locator.inMap(node.span.start.offset, key, 'value'));
  }
  const branchAction = node.dynamicParallel?.action?.uses;
  if (opts.knownActions && branchAction !== undefined && !opts.knownActions.includes(branchAction)) {
    const actionAt = ctx.locator.inMap(node.span.start.offset, 'action', 'value');
    unknownAction(ctx, node, branchAction, actionAt && ctx.locator.inMap(actionAt.offset, 'uses', 'value'));
  }
  if (node.type === 'while_loop') checkWhileLoop(ctx, node, opts, inBodyOf);
}

function checkWhileLoop(ctx: Ctx, node: NodeSpec, opts: ValidateOptions, inBodyOf?: string): void {
  const at: Partial<Problem> = node.name ? { node: node.name } : {};
  const key = (k: string, part: 'key' | 'value' = 'key') =>
    ctx.locator.inMap(node.span.start.offset, k, part) ?? node.nameSpan;
  if (inBodyOf) {
    push(
      ctx,
      'error',
      'WHILE_LOOP_NESTED',
      `while_loop '${node.name}' is inside the body of '${inBodyOf}'; TEA rejects nested while-loops`,
      key('type', 'value'),
      at,
    );
  }
  const max = node.raw.max_iterations;
  if (max === undefined || max === null) {
    push(
      ctx,
      'error',
      'WHILE_LOOP_MAX_ITERATIONS',
      `while_loop '${node.name}' needs \`max_iterations\` (1-1000)`,
      node.nameSpan,
      at,
    );
  } else if (typeof max !== 'number' || !Number.isInteger(max)) {
    push(
      ctx,
      'error',
      'WRONG_TYPE',
      '`max_iterations` must be an integer',
      key('max_iterations', 'value'),
      at,
    );
  } else if (max < 1 || max > 1000) {
    push(
      ctx,
      'error',
      'WHILE_LOOP_MAX_ITERATIONS',
      `while_loop '${node.name}' has max_iterations ${max}; it must be between 1 and 1000`,
      key('max_iterations', 'value'),
      at,
    );
  }
  if (typeof node.condition !== 'string' || node.condition.trim() === '') {
    push(
      ctx,
      'error',
      'WHILE_LOOP_NO_CONDITION',
      `while_loop '${node.name}' has no \`condition\``,
      node.nameSpan,
      at,
    );
  }
  if (!node.body || node.body.length === 0) {
    push(
      ctx,
      'error',
      'WHILE_LOOP_NO_BODY',
      `while_loop '${node.name}' has an empty \`body\``,
      node.nameSpan,
      at,
    );
  }
  for (const child of node.body ?? []) checkNodeCommon(ctx, child, opts, node.name || 'while_loop');
}

function checkGoto(ctx: Ctx, node: NodeSpec, names: Set<string>): void {
  if (node.goto === undefined) return;
  const at: Partial<Problem> = node.name ? { node: node.name } : {};
  const undefinedTarget = (to: string, where: SourceSpan | undefined) => {
    push(
      ctx,
      'error',
      'GOTO_UNDEFINED',
      `Node '${node.name}' has goto to non-existent node '${to}'`,
      where ?? node.gotoSpan,
      at,
    );
  };
  if (typeof node.goto === 'string') {
    if (node.goto !== END && !names.has(node.goto)) undefinedTarget(node.goto, node.gotoSpan);
    return;
  }
  for (const rule of node.goto) {
    if (rule.to === '') {
      push(ctx, 'error', 'WRONG_TYPE', `A goto rule of '${node.name}' has no \`to\``, rule.span, at);
    } else if (rule.to !== END && !names.has(rule.to)) {
      undefinedTarget(rule.to, rule.toSpan);
    }
  }
  if (node.goto.length > 0 && node.goto.every((r) => typeof r.if === 'string')) {
    push(
      ctx,
      'warning',
      'GOTO_NO_FALLBACK',
      `goto of '${node.name}' has no fallback rule (\`- to: ...\` without \`if\`); when no rule matches, the run fails`,
      node.gotoSpan,
      at,
    );
  }
}

function checkEdges(ctx: Ctx, model: WorkflowModel): void {
  const names = new Set(model.nodes.map((n) => n.name).filter((n) => n));
  for (const edge of model.edges) {
    const at: Partial<Problem> = { edgeIndex: edge.index };
    if (edge.from === undefined) {
      push(ctx, 'error', 'MISSING_EDGE_FROM', `Edge ${edge.index + 1} has no \`from\``, edge.span, at);
    } else if (edge.from !== START && !names.has(edge.from)) {
      push(ctx, 'error', 'EDGE_FROM_UNDEFINED', `Edge from non-existent node '${edge.from}'`, edge.fromSpan, {
        ...at,
        node: edge.from,
      });
    }
    const form = edgeParallelForm(edge);
    const targets: { name: string; where?: SourceSpan }[] = [];
    if (Array.isArray(edge.to)) edge.to.forEach((t) => targets.push({ name: t, where: edge.toSpan }));
    else if (typeof edge.to === 'string') targets.push({ name: edge.to, where: edge.toSpan });
    if (Array.isArray(edge.parallel))
      edge.parallel.forEach((t) => targets.push({ name: t, where: edge.parallelSpan }));
    for (const route of edge.routes ?? []) {
      if (route.target === '') {
        push(
          ctx,
          'error',
          'MISSING_EDGE_TO',
          `A route of edge ${edge.index + 1} has no \`target\``,
          route.span,
          at,
        );
      } else targets.push({ name: route.target, where: route.targetSpan });
    }
    if (targets.length === 0 && edge.raw.targets === undefined && !edge.routes?.length) {
      push(ctx, 'error', 'MISSING_EDGE_TO', `Edge ${edge.index + 1} has no \`to\``, edge.span, at);
    }
    for (const t of targets) {
      const okEnd = t.name === END && !form;
      if (okEnd || names.has(t.name)) continue;
      push(
        ctx,
        'error',
        'EDGE_TO_UNDEFINED',
        `Edge to non-existent node '${t.name}'`,
        t.where ?? edge.span,
        at,
      );
    }
    checkEdgeConditions(ctx, edge);
    if (edge.fanIn !== undefined && !names.has(edge.fanIn)) {
      push(
        ctx,
        'error',
        'PARALLEL_FAN_IN_UNDEFINED',
        `Parallel edge from '${edge.from ?? '?'}' has fan_in to non-existent node '${edge.fanIn}'`,
        edge.fanInSpan ?? edge.span,
        at,
      );
    }
  }
}

/**
 * TEA's validator (yaml_validation.py, INVALID_CONDITION): an edge's `condition`/`when` and the
 * conditions of a `to:` route list must parse as expressions.
 */
function checkEdgeConditions(ctx: Ctx, edge: EdgeSpec): void {
  const conditions: { text: string; where: SourcePos | SourceSpan | null }[] = [];
  const cond = edge.raw.condition;
  const condText =
    typeof cond === 'string'
      ? cond
      : cond !== null && typeof cond === 'object' && (cond as Record<string, unknown>).type === 'expression'
        ? (cond as Record<string, unknown>).value
        : undefined;
  if (typeof condText === 'string') {
    conditions.push({
      text: condText,
      where: ctx.locator.inMap(edge.span.start.offset, 'condition', 'value'),
    });
  } else if (typeof edge.when === 'string') {
    conditions.push({ text: edge.when, where: ctx.locator.inMap(edge.span.start.offset, 'when', 'value') });
  }
  for (const route of edge.routes ?? []) {
    if (route.condition !== undefined) conditions.push({ text: route.condition, where: route.span });
  }
  for (const { text, where } of conditions) {
    const checked = checkExpression(text);
    if (checked.ok) continue;
    push(
      ctx,
      'error',
      'INVALID_CONDITION',
      `Edge ${edge.index + 1} has an invalid condition '${text}': ${checked.message} (column ${checked.col})`,
      where ?? edge.span,
      { edgeIndex: edge.index },
    );
  }
}

function checkGraph(ctx: Ctx, model: WorkflowModel, graph: WorkflowGraph): void {
  const specByName = new Map<string, NodeSpec>();
  for (const n of model.nodes) if (n.name && !specByName.has(n.name)) specByName.set(n.name, n);
  const succ = new Map<string, string[]>();
  for (const e of graph.edges) {
    let list = succ.get(e.source);
    if (!list) succ.set(e.source, (list = []));
    list.push(e.target);
  }

  // Fan-outs: a determined fan-in, and a path to it from every branch.
  for (const fo of graph.fanOuts) {
    const entries = model.edges.filter((e) => e.from === fo.source && edgeParallelForm(e));
    const first = entries[0];
    const at: Partial<Problem> = { node: fo.source };
    if (first) at.edgeIndex = first.index;
    if (fo.fanIn === null) {
      if (entries.some((e) => e.fanIn !== undefined)) continue; // PARALLEL_FAN_IN_UNDEFINED already
      push(
        ctx,
        'error',
        'FAN_IN_UNDETERMINED',
        `Fan-out from '${fo.source}' has no fan-in: its branches (${fo.branches.join(', ')}) share no common ` +
          'successor and no `fan_in` is given',
        first?.span,
        at,
      );
      continue;
    }
    const paths = branchPaths(graph, fo);
    fo.branches.forEach((head, i) => {
      const path = paths[i] ?? [head];
      const reaches = path.some((n) => (succ.get(n) ?? []).includes(fo.fanIn as string));
      if (reaches) return;
      const entry =
        entries.find((e) => e.to === head || (Array.isArray(e.to) && e.to.includes(head))) ?? first;
      push(
        ctx,
        'error',
        'BRANCH_NO_PATH_TO_FAN_IN',
        `Branch '${head}' of the fan-out from '${fo.source}' never reaches its fan-in '${fo.fanIn}'`,
        specByName.get(head)?.nameSpan ?? entry?.span,
        { node: head, ...(entry ? { edgeIndex: entry.index } : {}) },
      );
    });
  }

  // Reachability from __start__.
  const reached = new Set<string>([START]);
  const queue = [START];
  while (queue.length > 0) {
    const n = queue.pop() as string;
    for (const t of succ.get(n) ?? []) {
      if (reached.has(t)) continue;
      reached.add(t);
      queue.push(t);
    }
  }
  for (const node of graph.nodes) {
    if (!node.spec || reached.has(node.id)) continue;
    push(
      ctx,
      'warning',
      'UNREACHABLE_NODE',
      `Node '${node.id}' can never run: no path from __start__ reaches it`,
      node.spec.nameSpan,
      {
        node: node.id,
      },
    );
  }

  checkFallThrough(ctx, graph);
}

/**
 * NO_SUCCESSOR: a node without goto/edges falls through to the next node in the list, and that next
 * node is clearly not meant to follow it: a parallel branch head (the branch leaks into a sibling),
 * an alternative of the same conditional route (both `if` targets of one goto), or the fan-in of a
 * fan-out the node is not part of.
 */
function checkFallThrough(ctx: Ctx, graph: WorkflowGraph): void {
  const heads = new Set(graph.fanOuts.flatMap((f) => f.branches));
  const condTargets = new Map<string, Set<string>>(); // target -> conditional sources
  for (const e of graph.edges) {
    if (e.kind !== 'conditional') continue;
    let set = condTargets.get(e.target);
    if (!set) condTargets.set(e.target, (set = new Set()));
    set.add(e.source);
  }
  const branchMembers = new Map<string, Set<string>>(); // fan-in -> nodes on its branches
  for (const fo of graph.fanOuts) {
    if (fo.fanIn === null) continue;
    const set = branchMembers.get(fo.fanIn) ?? new Set<string>();
    branchPaths(graph, fo).forEach((p) => p.forEach((n) => set.add(n)));
    branchMembers.set(fo.fanIn, set);
  }
  const specOf = new Map(graph.nodes.map((n) => [n.id, n.spec]));
  for (const e of graph.edges) {
    if (e.origin.type !== 'implicit' || e.source === START || e.target === END) continue;
    const from = e.source;
    const to = e.target;
    let why: string | null = null;
    if (heads.has(to)) why = `'${to}' is the head of a parallel branch`;
    else if ([...(condTargets.get(to) ?? [])].some((s) => condTargets.get(from)?.has(s))) {
      why = `'${from}' and '${to}' are alternative targets of the same conditional route`;
    } else if (branchMembers.has(to) && !branchMembers.get(to)?.has(from)) {
      why = `'${to}' is the fan-in of a fan-out '${from}' is not part of`;
    }
    if (!why) continue;
    const spec = specOf.get(from);
    push(
      ctx,
      'warning',
      'NO_SUCCESSOR',
      `Node '${from}' has no goto or edge, so it falls through to the next node in the list, '${to}' (${why}); ` +
        'add an explicit goto or edge',
      spec?.nameSpan,
      { node: from },
    );
  }
}

// ---------- limit ranges ----------

interface LimitRange {
  what: string;
  value: number | undefined;
  max: number;
  unit: string;
  where: () => SourcePos | SourceSpan | null;
  node?: string;
}

/**
 * Time, memory, iteration and worker settings must be whole numbers from 1 to a sane maximum
 * (engine/limits.ts). At run time the caller's limits are ceilings anyway; this tells the author that
 * `memory_limit_mb: 1000000`, a negative timeout or `max_iterations: 1e23` is not a setting.
 */
function checkLimitRanges(ctx: Ctx, model: WorkflowModel): void {
  const { settings } = model;
  const atSetting =
    (...path: string[]) =>
    () =>
      ctx.locator.at(['settings', ...path], 'value');
  const ranges: LimitRange[] = [
    {
      what: 'settings.timeout_ms',
      value: settings.timeoutMs,
      max: MAX_TIMEOUT_MS,
      unit: 'ms',
      where: atSetting('timeout_ms'),
    },
    {
      what: 'settings.memory_limit_mb',
      value: settings.memoryLimitMb,
      max: MAX_MEMORY_LIMIT_MB,
      unit: 'MiB',
      where: atSetting('memory_limit_mb'),
    },
    {
      what: 'settings.max_iterations',
      value: settings.maxIterations,
      max: MAX_ITERATIONS,
      unit: 'steps',
      where: atSetting('max_iterations'),
    },
    {
      what: 'settings.parallel.max_workers',
      value: settings.maxWorkers,
      max: MAX_POOL_WORKERS,
      unit: 'workers',
      where: atSetting('parallel', 'max_workers'),
    },
  ];
  const visit = (node: NodeSpec): void => {
    if (node.timeoutMs !== undefined) {
      ranges.push({
        what: `timeout_ms of node '${node.name}'`,
        value: node.timeoutMs,
        max: MAX_TIMEOUT_MS,
        unit: 'ms',
        where: () => ctx.locator.inMap(node.span.start.offset, 'timeout_ms', 'value') ?? node.nameSpan,
        ...(node.name ? { node: node.name } : {}),
      });
    }
    const concurrency = node.dynamicParallel?.maxConcurrency;
    // Below 1 is TEA's DYN_PARALLEL_MAX_CONCURRENCY error (checkDynamicParallel); a template is resolved at run time.
    if (typeof concurrency === 'number' && concurrency >= 1) {
      ranges.push({
        what: `max_concurrency of node '${node.name}'`,
        value: concurrency,
        max: MAX_DYNAMIC_PARALLEL_ITEMS,
        unit: 'branches',
        where: () =>
          ctx.locator.inMap(node.span.start.offset, 'max_concurrency', 'value') ??
          ctx.locator.inMap(node.span.start.offset, 'parallel_config', 'value') ??
          node.nameSpan,
        ...(node.name ? { node: node.name } : {}),
      });
    }
    for (const child of node.body ?? []) visit(child);
  };
  for (const node of model.nodes) visit(node);
  for (const range of ranges) {
    const { value, max } = range;
    if (value === undefined || (Number.isInteger(value) && value >= 1 && value <= max)) continue;
    push(
      ctx,
      'error',
      'OUT_OF_RANGE',
      `\`${range.what}\` must be a whole number from 1 to ${max} ${range.unit}, got ${value}`,
      range.where(),
      range.node !== undefined ? { node: range.node } : {},
    );
  }
}
