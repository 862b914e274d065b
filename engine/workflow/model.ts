// Builds a WorkflowModel (with source spans) from a parsed YAML document.
// Only problems that stop us from building the model are reported here (wrong types of known keys,
// parallel forms that run nowhere); semantic validation lives in validate.ts.

import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node as YamlNode, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { readNotes } from './notes.ts';
import type {
  DynamicParallelMode,
  DynamicParallelSpec,
  EdgeRoute,
  EdgeSpec,
  GotoRule,
  NodeKind,
  NodeSpec,
  ParallelForm,
  Problem,
  SourcePos,
  SourceSpan,
  WorkflowModel,
  WorkflowSettings,
} from './types.ts';

/** Languages whose `run:` code is not Lua (kind 'other-code'). */
const LUA_MARKER = /^\s*--\s?lua\b/;
/** Node keys that make a node something we cannot run (Python-only features). */
const UNSUPPORTED_NODE_KEYS = ['steps', 'script', 'parallel_each'];

interface Ctx {
  doc: Document;
  lc: LineCounter;
  problems: Problem[];
  file?: string;
}

export function posAt(lc: LineCounter, offset: number): SourcePos {
  const { line, col } = lc.linePos(offset);
  return { line, col, offset };
}

function spanOf(ctx: Ctx, node: YamlNode | null | undefined, fallback?: SourceSpan): SourceSpan {
  const range = node?.range;
  if (!range) return fallback ?? { start: posAt(ctx.lc, 0), end: posAt(ctx.lc, 0) };
  return { start: posAt(ctx.lc, range[0]), end: posAt(ctx.lc, range[1]) };
}

/** Follows an alias to the node it names, so spans and types come from real content. */
function deref(ctx: Ctx, node: unknown): YamlNode | null {
  if (isAlias(node)) return (node.resolve(ctx.doc) as YamlNode | undefined) ?? null;
  return (node as YamlNode | null) ?? null;
}

function wrongType(
  ctx: Ctx,
  node: YamlNode | null,
  what: string,
  expected: string,
  extra?: Partial<Problem>,
) {
  const span = spanOf(ctx, node);
  ctx.problems.push({
    severity: 'error',
    code: 'WRONG_TYPE',
    message: `${what} must be ${expected}`,
    file: ctx.file,
    line: span.start.line,
    col: span.start.col,
    ...extra,
  });
}

function pairKey(pair: Pair): string {
  const key = pair.key as unknown;
  if (isScalar(key)) return String(key.value);
  return String(key);
}

/** Pairs of a mapping node by key (first occurrence wins; duplicates are YAML errors anyway). */
function pairsOf(map: YAMLMap): Map<string, Pair> {
  const out = new Map<string, Pair>();
  for (const pair of map.items) {
    const key = pairKey(pair);
    if (!out.has(key)) out.set(key, pair);
  }
  return out;
}

function valueNode(ctx: Ctx, pair: Pair | undefined): YamlNode | null {
  return pair ? deref(ctx, pair.value) : null;
}

/** A scalar that must be text; numbers/bools are converted (TEA would read them as text too). */
function readString(
  ctx: Ctx,
  node: YamlNode | null,
  what: string,
  extra?: Partial<Problem>,
): string | undefined {
  if (node === null) return undefined;
  if (isScalar(node)) {
    if (node.value === null || node.value === undefined) return undefined;
    if (typeof node.value === 'object') return undefined;
    return String(node.value);
  }
  wrongType(ctx, node, what, 'a string', extra);
  return undefined;
}

function readNumber(
  ctx: Ctx,
  node: YamlNode | null,
  what: string,
  extra?: Partial<Problem>,
): number | undefined {
  if (node === null) return undefined;
  if (isScalar(node)) {
    if (node.value === null) return undefined;
    if (typeof node.value === 'number' && Number.isFinite(node.value)) return node.value;
  }
  wrongType(ctx, node, what, 'a number', extra);
  return undefined;
}

function readBool(
  ctx: Ctx,
  node: YamlNode | null,
  what: string,
  extra?: Partial<Problem>,
): boolean | undefined {
  if (node === null) return undefined;
  if (isScalar(node)) {
    if (node.value === null) return undefined;
    if (typeof node.value === 'boolean') return node.value;
  }
  wrongType(ctx, node, what, 'true or false', extra);
  return undefined;
}

function readMap(
  ctx: Ctx,
  node: YamlNode | null,
  js: unknown,
  what: string,
  extra?: Partial<Problem>,
): Record<string, unknown> | undefined {
  if (node === null) return undefined;
  if (isScalar(node) && node.value === null) return undefined;
  if (isMap(node) && js !== null && typeof js === 'object' && !Array.isArray(js)) {
    return js as Record<string, unknown>;
  }
  wrongType(ctx, node, what, 'a mapping', extra);
  return undefined;
}

function asRecord(js: unknown): Record<string, unknown> {
  return js !== null && typeof js === 'object' && !Array.isArray(js) ? (js as Record<string, unknown>) : {};
}

function isNullNode(node: YamlNode | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

/** Top-level keys a TEA overlay (`tea run --overlay`) may carry without being a workflow itself. */
const OVERLAY_KEYS = new Set(['settings', 'variables', 'config', 'initial_state', 'state_schema', 'edges']);

/**
 * NOT_A_WORKFLOW: a YAML mapping with neither `nodes` nor `name` (a JSON Schema, an overlay, input
 * data). One problem that says what the file looks like, instead of a list of workflow errors.
 */
function notAWorkflow(raw: Record<string, unknown>, file?: string): Problem {
  const keys = Object.keys(raw);
  let what: string;
  if (typeof raw.$schema === 'string' || (raw.type === 'object' && typeof raw.properties === 'object')) {
    what = 'a JSON Schema';
  } else if (keys.every((k) => OVERLAY_KEYS.has(k))) {
    what = `a TEA overlay (only ${keys.map((k) => `\`${k}\``).join(', ')}; merged onto a workflow with --overlay)`;
  } else {
    what = 'data (input, a spec or a scenario file)';
  }
  return {
    severity: 'error',
    code: 'NOT_A_WORKFLOW',
    message: `Not a workflow: the file has no \`nodes\` or \`name\` and looks like ${what}`,
    file,
    line: 1,
    col: 1,
  };
}

/** Builds the model. `rootJs` is `doc.toJS()` (computed once by the loader with alias limits). */
export function buildModel(
  doc: Document,
  lc: LineCounter,
  rootJs: unknown,
  problems: Problem[],
  file?: string,
): WorkflowModel | null {
  const ctx: Ctx = { doc, lc, problems, file };
  const root = deref(ctx, doc.contents);
  if (isNullNode(root)) {
    // An empty file is a new, empty workflow; validation reports what is missing.
    return { settings: {}, nodes: [], edges: [], raw: {} };
  }
  if (!isMap(root)) {
    const span = spanOf(ctx, root);
    problems.push({
      severity: 'error',
      code: 'NOT_A_MAPPING',
      message: 'A workflow file must be a YAML mapping with keys like name, nodes and edges',
      file,
      line: span.start.line,
      col: span.start.col,
    });
    return null;
  }
  const raw = asRecord(rootJs);
  const pairs = pairsOf(root);
  if (!pairs.has('nodes') && !pairs.has('name') && root.items.length > 0) {
    problems.push(notAWorkflow(raw, file));
    return null;
  }
  const model: WorkflowModel = { settings: {}, nodes: [], edges: [], raw };

  model.name = readString(ctx, valueNode(ctx, pairs.get('name')), '`name`');
  model.description = readString(ctx, valueNode(ctx, pairs.get('description')), '`description`');
  const mapKeys = [
    ['state_schema', 'stateSchema'],
    ['initial_state', 'initialState'],
    ['variables', 'variables'],
    ['config', 'config'],
  ] as const;
  for (const [key, prop] of mapKeys) {
    const value = readMap(ctx, valueNode(ctx, pairs.get(key)), raw[key], `\`${key}\``);
    if (value !== undefined) model[prop] = value;
  }
  model.settings = readSettings(ctx, valueNode(ctx, pairs.get('settings')));

  const nodesNode = valueNode(ctx, pairs.get('nodes'));
  if (isSeq(nodesNode)) model.nodes = readNodes(ctx, nodesNode, raw.nodes, 'nodes');
  else if (!isNullNode(nodesNode)) wrongType(ctx, nodesNode, '`nodes`', 'a list of node mappings');

  const edgesNode = valueNode(ctx, pairs.get('edges'));
  if (isSeq(edgesNode)) model.edges = readEdges(ctx, edgesNode, raw.edges);
  else if (!isNullNode(edgesNode)) wrongType(ctx, edgesNode, '`edges`', 'a list of edge mappings');

  const notes = readNotes(doc, lc, root, problems, file);
  if (notes) model.notes = notes;
  return model;
}

function readSettings(ctx: Ctx, node: YamlNode | null): WorkflowSettings {
  const settings: WorkflowSettings = {};
  if (isNullNode(node)) return settings;
  if (!isMap(node)) {
    wrongType(ctx, node, '`settings`', 'a mapping');
    return settings;
  }
  const pairs = pairsOf(node);
  const timeoutMs = readNumber(ctx, valueNode(ctx, pairs.get('timeout_ms')), '`settings.timeout_ms`');
  if (timeoutMs !== undefined) settings.timeoutMs = timeoutMs;
  const maxIterations = readNumber(
    ctx,
    valueNode(ctx, pairs.get('max_iterations')),
    '`settings.max_iterations`',
  );
  if (maxIterations !== undefined) settings.maxIterations = maxIterations;
  const memory = readNumber(ctx, valueNode(ctx, pairs.get('memory_limit_mb')), '`settings.memory_limit_mb`');
  if (memory !== undefined) settings.memoryLimitMb = memory;
  const parallel = valueNode(ctx, pairs.get('parallel'));
  if (isMap(parallel)) {
    const pp = pairsOf(parallel);
    const failFast = readBool(ctx, valueNode(ctx, pp.get('fail_fast')), '`settings.parallel.fail_fast`');
    if (failFast !== undefined) settings.failFast = failFast;
    const workers = readNumber(ctx, valueNode(ctx, pp.get('max_workers')), '`settings.parallel.max_workers`');
    if (workers !== undefined) settings.maxWorkers = workers;
  } else if (!isNullNode(parallel)) {
    wrongType(ctx, parallel, '`settings.parallel`', 'a mapping');
  }
  return settings;
}

function readNodes(ctx: Ctx, seq: YAMLSeq, js: unknown, where: string): NodeSpec[] {
  const jsItems = Array.isArray(js) ? js : [];
  const out: NodeSpec[] = [];
  seq.items.forEach((item, i) => {
    const node = deref(ctx, item);
    if (!isMap(node)) {
      wrongType(ctx, node ?? seq, `Entry ${i + 1} of \`${where}\``, 'a node mapping (name, run, …)');
      return;
    }
    out.push(readNode(ctx, node, asRecord(jsItems[i])));
  });
  return out;
}

function readNode(ctx: Ctx, map: YAMLMap, raw: Record<string, unknown>): NodeSpec {
  const pairs = pairsOf(map);
  const get = (key: string) => valueNode(ctx, pairs.get(key));
  const nameNode = get('name');
  const name = readString(ctx, nameNode, 'Node `name`') ?? '';
  const at: Partial<Problem> = name ? { node: name } : {};
  const span = spanOf(ctx, map);
  const spec: NodeSpec = {
    name,
    span,
    nameSpan: nameNode ? spanOf(ctx, nameNode) : { start: span.start, end: span.start },
    kind: 'passthrough',
    raw,
  };

  const language = readString(ctx, get('language'), '`language`', at);
  if (language !== undefined) spec.language = language;

  const runNode = get('run');
  let runMapType: string | undefined;
  if (isMap(runNode)) {
    // Python's map form: {type: lua|prolog, code: "..."} or {type: expression, value, output_key}.
    const rp = pairsOf(runNode);
    runMapType = readString(ctx, valueNode(ctx, rp.get('type')), '`run.type`', at);
    const codeNode = valueNode(ctx, rp.get('code'));
    const code = readString(ctx, codeNode, '`run.code`', at);
    if (code !== undefined) {
      spec.run = code;
      spec.runSpan = spanOf(ctx, codeNode);
    }
    if (spec.language === undefined && runMapType !== undefined && runMapType !== 'expression') {
      spec.language = runMapType;
    }
  } else if (runNode !== null && !isNullNode(runNode)) {
    const code = readString(ctx, runNode, '`run`', at);
    if (code !== undefined) {
      spec.run = code;
      spec.runSpan = spanOf(ctx, runNode);
    }
  }

  const type = readString(ctx, get('type'), '`type`', at);
  if (type !== undefined) spec.type = type;
  // In a dynamic_parallel node `action:` is the branch body ({uses, with, output}), not a name.
  const actionNode = type === 'dynamic_parallel' && isMap(get('action')) ? null : get('action');
  const uses = readString(ctx, get('uses'), '`uses`', at) ?? readString(ctx, actionNode, '`action`', at);
  if (uses !== undefined) spec.uses = uses;
  const withMap = readMap(ctx, get('with'), raw.with, '`with`', at);
  if (withMap !== undefined) spec.with = withMap;
  const outputNode = get('output');
  if (isMap(outputNode)) {
    // TEA Python: each value is a template rendered with the action's `result` (yaml_nodes.py).
    spec.outputMap = asRecord(raw.output);
  } else {
    const output = readString(ctx, outputNode, '`output`', at);
    if (output !== undefined) spec.output = output;
  }

  const gotoNode = get('goto');
  if (gotoNode !== null && !isNullNode(gotoNode)) {
    const gotoValue = readGoto(ctx, gotoNode, at, spec);
    if (gotoValue !== undefined) {
      spec.goto = gotoValue;
      spec.gotoSpan = spanOf(ctx, gotoNode);
    }
  }

  if (type === 'dynamic_parallel') spec.dynamicParallel = readDynamicParallel(ctx, pairs, raw, at);
  const condition = readString(ctx, get('condition'), '`condition`', at);
  if (condition !== undefined) spec.condition = condition;
  const maxIterations = readNumber(ctx, get('max_iterations'), '`max_iterations`', at);
  if (maxIterations !== undefined) spec.maxIterations = maxIterations;
  const bodyNode = get('body');
  if (isSeq(bodyNode)) spec.body = readNodes(ctx, bodyNode, raw.body, `body of ${name || 'node'}`);
  else if (!isNullNode(bodyNode)) wrongType(ctx, bodyNode, '`body`', 'a list of node mappings', at);

  const timeoutMs = readNumber(ctx, get('timeout_ms'), '`timeout_ms`', at);
  if (timeoutMs !== undefined) spec.timeoutMs = timeoutMs;
  const fanIn = get('fan_in');
  if (fanIn !== null && isScalar(fanIn) && fanIn.value === true) spec.fanInMarker = true;

  const metadata = get('metadata');
  if (isMap(metadata)) {
    const fanout = valueNode(ctx, pairsOf(metadata).get('fanout'));
    if (isMap(fanout)) {
      const fp = pairsOf(fanout);
      const x = readNumber(ctx, valueNode(ctx, fp.get('x')), '`metadata.fanout.x`', at);
      const y = readNumber(ctx, valueNode(ctx, fp.get('y')), '`metadata.fanout.y`', at);
      if (x !== undefined && y !== undefined) spec.position = { x, y };
    }
  }

  spec.kind = nodeKind(spec, runMapType, pairs);
  return spec;
}

const DYN_MODES: DynamicParallelMode[] = ['action', 'steps', 'subgraph'];

/** The fields of a dynamic_parallel node, as TEA Python reads them (yaml_nodes.py). */
function readDynamicParallel(
  ctx: Ctx,
  pairs: Map<string, Pair>,
  raw: Record<string, unknown>,
  at: Partial<Problem>,
): DynamicParallelSpec {
  const get = (key: string) => valueNode(ctx, pairs.get(key));
  const present = (key: string) => raw[key] !== undefined && raw[key] !== null;
  const modes = DYN_MODES.filter(present);
  const spec: DynamicParallelSpec = {
    itemVar: readString(ctx, get('item_var'), '`item_var`', at) ?? 'item',
    indexVar: readString(ctx, get('index_var'), '`index_var`', at) ?? 'index',
    mode: modes.length === 1 ? (modes[0] as DynamicParallelMode) : null,
    modes,
  };
  const items = get('items');
  if (isScalar(items)) {
    const text = readString(ctx, items, '`items`', at);
    if (text !== undefined) spec.items = text;
  } else if (items !== null && !isNullNode(items)) {
    // A literal list: TEA renders non-strings as they are; keep it as YAML-ish text for display.
    spec.items = JSON.stringify(raw.items);
  }
  const actionNode = get('action');
  if (isMap(actionNode)) {
    const ap = pairsOf(actionNode);
    const action: NonNullable<DynamicParallelSpec['action']> = {};
    const uses = readString(ctx, valueNode(ctx, ap.get('uses')), '`action.uses`', at);
    if (uses !== undefined) action.uses = uses;
    const actionRaw = asRecord(raw.action);
    const withMap = readMap(ctx, valueNode(ctx, ap.get('with')), actionRaw.with, '`action.with`', at);
    if (withMap !== undefined) action.with = withMap;
    const output = readString(ctx, valueNode(ctx, ap.get('output')), '`action.output`', at);
    if (output !== undefined) action.output = output;
    spec.action = action;
  } else if (actionNode !== null && !isNullNode(actionNode)) {
    wrongType(ctx, actionNode, '`action` of a dynamic_parallel node', 'a mapping {uses, with, output}', at);
  }
  if (Array.isArray(raw.steps)) spec.steps = raw.steps;
  const subgraph = readString(ctx, get('subgraph'), '`subgraph`', at);
  if (subgraph !== undefined) spec.subgraph = subgraph;
  const input = readMap(ctx, get('input'), raw.input, '`input`', at);
  if (input !== undefined) spec.input = input;
  const fanInNode = get('fan_in');
  const fanIn = readString(ctx, fanInNode, '`fan_in`', at);
  if (fanIn !== undefined) {
    spec.fanIn = fanIn;
    spec.fanInSpan = spanOf(ctx, fanInNode);
  }
  // Top level wins over `parallel_config`, as in TEA Python.
  const pc = get('parallel_config');
  const pcPairs = isMap(pc) ? pairsOf(pc) : new Map<string, Pair>();
  const concurrency = get('max_concurrency') ?? valueNode(ctx, pcPairs.get('max_concurrency'));
  if (
    isScalar(concurrency) &&
    (typeof concurrency.value === 'number' || typeof concurrency.value === 'string')
  ) {
    spec.maxConcurrency = concurrency.value;
  } else if (concurrency !== null && !isNullNode(concurrency)) {
    wrongType(ctx, concurrency, '`max_concurrency`', 'a positive integer or a template', at);
  }
  const failFast = readBool(
    ctx,
    get('fail_fast') ?? valueNode(ctx, pcPairs.get('fail_fast')),
    '`fail_fast`',
    at,
  );
  if (failFast !== undefined) spec.failFast = failFast;
  return spec;
}

function nodeKind(spec: NodeSpec, runMapType: string | undefined, pairs: Map<string, Pair>): NodeKind {
  if (spec.type === 'while_loop') return 'while_loop';
  if (spec.type !== undefined) return 'unsupported';
  if (runMapType === 'expression') return 'unsupported';
  if (spec.uses !== undefined) return 'action';
  if (spec.run !== undefined) {
    const lang = spec.language?.toLowerCase();
    if (lang === undefined || lang === 'lua' || LUA_MARKER.test(spec.run)) return 'lua';
    return 'other-code';
  }
  if (UNSUPPORTED_NODE_KEYS.some((key) => pairs.has(key))) return 'unsupported';
  return 'passthrough';
}

/** The condition a `_route` goto key stands for; the key is quoted as a Jinja/Tera string literal. */
export function routeCondition(key: string): string {
  return `state._route == '${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export const ROUTE_DEFAULT = '_default';

/**
 * `goto:` as a mapping keyed by the `_route` value a node returns (`goto: {store: x, _default: y}`).
 * Neither TEA engine accepts it (lint says so); read as goto rules in key order, `_default` last.
 */
function readGotoMap(ctx: Ctx, node: YAMLMap, at: Partial<Problem>): GotoRule[] {
  const rules: GotoRule[] = [];
  let fallback: GotoRule | undefined;
  for (const pair of node.items) {
    const key = pairKey(pair);
    const toNode = deref(ctx, pair.value);
    const to = readString(ctx, toNode, `\`goto\` route '${key}'`, at) ?? '';
    const keyNode = deref(ctx, pair.key);
    const span = spanOf(ctx, keyNode, spanOf(ctx, node));
    const rule: GotoRule = {
      to,
      span: toNode?.range ? { start: span.start, end: spanOf(ctx, toNode).end } : span,
      toSpan: spanOf(ctx, toNode, span),
      route: key,
    };
    if (key === ROUTE_DEFAULT) fallback ??= rule;
    else {
      rule.if = routeCondition(key);
      rules.push(rule);
    }
  }
  if (fallback) rules.push(fallback);
  return rules;
}

function readGoto(
  ctx: Ctx,
  node: YamlNode,
  at: Partial<Problem>,
  spec: NodeSpec,
): string | GotoRule[] | undefined {
  if (isScalar(node)) return readString(ctx, node, '`goto`', at);
  if (isMap(node)) {
    const keys = node.items.map(pairKey);
    if (keys.includes('to') && keys.every((k) => k === 'to' || k === 'if')) {
      // A single rule written without its list dash, not a `_route` map.
      wrongType(
        ctx,
        node,
        '`goto`',
        'a node name or a list of {if, to} rules (write the rule as `- to: ...`)',
        at,
      );
      return undefined;
    }
    spec.gotoForm = 'map';
    return readGotoMap(ctx, node, at);
  }
  if (!isSeq(node)) {
    wrongType(ctx, node, '`goto`', 'a node name or a list of {if, to} rules', at);
    return undefined;
  }
  const rules: GotoRule[] = [];
  for (const item of node.items) {
    const rule = deref(ctx, item);
    if (!isMap(rule)) {
      wrongType(ctx, rule ?? node, 'A `goto` rule', 'a mapping with `to` and optional `if`', at);
      continue;
    }
    const rp = pairsOf(rule);
    const toNode = valueNode(ctx, rp.get('to'));
    const to = readString(ctx, toNode, '`goto` rule `to`', at) ?? '';
    const entry: GotoRule = {
      to,
      span: spanOf(ctx, rule),
      toSpan: spanOf(ctx, toNode, spanOf(ctx, rule)),
    };
    const cond = readString(ctx, valueNode(ctx, rp.get('if')), '`goto` rule `if`', at);
    if (cond !== undefined) entry.if = cond;
    rules.push(entry);
  }
  return rules;
}

function readEdges(ctx: Ctx, seq: YAMLSeq, js: unknown): EdgeSpec[] {
  const jsItems = Array.isArray(js) ? js : [];
  const out: EdgeSpec[] = [];
  seq.items.forEach((item, index) => {
    const node = deref(ctx, item);
    if (!isMap(node)) {
      wrongType(ctx, node ?? seq, `Entry ${index + 1} of \`edges\``, 'a mapping like {from: a, to: b}', {
        edgeIndex: index,
      });
      return;
    }
    out.push(readEdge(ctx, node, index, asRecord(jsItems[index])));
  });
  return out;
}

function readStringList(ctx: Ctx, seq: YAMLSeq, what: string, at: Partial<Problem>): string[] {
  const out: string[] = [];
  for (const item of seq.items) {
    const value = readString(ctx, deref(ctx, item), what, at);
    if (value !== undefined) out.push(value);
  }
  return out;
}

/** `to:` as a list of `{target, condition}` (a bare name is an unconditional route). */
function readRoutes(ctx: Ctx, seq: YAMLSeq, at: Partial<Problem>): EdgeRoute[] {
  const routes: EdgeRoute[] = [];
  for (const item of seq.items) {
    const node = deref(ctx, item);
    const span = spanOf(ctx, node, spanOf(ctx, seq));
    if (isScalar(node)) {
      const target = readString(ctx, node, 'Edge `to` entry', at);
      if (target !== undefined) routes.push({ target, span, targetSpan: span });
      continue;
    }
    if (!isMap(node)) {
      wrongType(ctx, node, 'Edge `to` entry', 'a node name or a mapping {target, condition}', at);
      continue;
    }
    const rp = pairsOf(node);
    const targetNode = valueNode(ctx, rp.get('target'));
    const target = readString(ctx, targetNode, 'Edge route `target`', at) ?? '';
    const route: EdgeRoute = { target, span, targetSpan: spanOf(ctx, targetNode, span) };
    const condNode = valueNode(ctx, rp.get('condition'));
    const condition = readString(ctx, condNode, 'Edge route `condition`', at);
    if (condition !== undefined) route.condition = condition;
    routes.push(route);
  }
  return routes;
}

function readEdge(ctx: Ctx, map: YAMLMap, index: number, raw: Record<string, unknown>): EdgeSpec {
  const at: Partial<Problem> = { edgeIndex: index };
  const pairs = pairsOf(map);
  const get = (key: string) => valueNode(ctx, pairs.get(key));
  const edge: EdgeSpec = { index, span: spanOf(ctx, map), raw };

  const fromNode = get('from');
  const from = readString(ctx, fromNode, 'Edge `from`', at);
  if (from !== undefined) {
    edge.from = from;
    edge.fromSpan = spanOf(ctx, fromNode);
  }
  const toNode = get('to');
  if (isSeq(toNode) && toNode.items.some((item) => isMap(deref(ctx, item)))) {
    edge.routes = readRoutes(ctx, toNode, at);
    edge.toSpan = spanOf(ctx, toNode);
  } else if (isSeq(toNode)) {
    edge.to = readStringList(ctx, toNode, 'Edge `to` entry', at);
    edge.toSpan = spanOf(ctx, toNode);
  } else {
    const to = readString(ctx, toNode, 'Edge `to`', at);
    if (to !== undefined) {
      edge.to = to;
      edge.toSpan = spanOf(ctx, toNode);
    }
  }
  const whenNode = get('when');
  if (isScalar(whenNode) && typeof whenNode.value === 'boolean') edge.when = whenNode.value;
  else {
    const when = readString(ctx, whenNode, 'Edge `when`', at);
    if (when !== undefined) edge.when = when;
  }
  const type = readString(ctx, get('type'), 'Edge `type`', at);
  if (type !== undefined) edge.type = type;
  const fanInNode = get('fan_in');
  const fanIn = readString(ctx, fanInNode, 'Edge `fan_in`', at);
  if (fanIn !== undefined) {
    edge.fanIn = fanIn;
    edge.fanInSpan = spanOf(ctx, fanInNode);
  }
  const parallelNode = get('parallel');
  if (isSeq(parallelNode)) {
    edge.parallel = readStringList(ctx, parallelNode, 'Edge `parallel` entry', at);
    edge.parallelSpan = spanOf(ctx, parallelNode);
  } else if (parallelNode !== null && !isNullNode(parallelNode)) {
    const flag = readBool(ctx, parallelNode, 'Edge `parallel`', at);
    if (flag !== undefined) {
      edge.parallel = flag;
      edge.parallelSpan = spanOf(ctx, parallelNode);
    }
  }

  const form = parallelFormOf(edge);
  if (form !== undefined) edge.parallelForm = form;
  if (form === 'parallel-true' || form === 'to-list') {
    const shown = form === 'to-list' ? '`to: [..]` with `parallel: true`' : '`parallel: true`';
    ctx.problems.push({
      severity: 'warning',
      code: 'PARALLEL_FORM_UNSUPPORTED',
      message:
        `Edge ${index + 1} uses ${shown}, which TEA runs in parallel in neither Python nor Rust; ` +
        'export will write the portable hybrid form ({type: parallel, fan_in} plus a `parallel: [..]` list)',
      file: ctx.file,
      line: edge.span.start.line,
      col: edge.span.start.col,
      edgeIndex: index,
      engine: 'both',
    });
  }
  return edge;
}

function parallelFormOf(edge: EdgeSpec): ParallelForm | undefined {
  const list = Array.isArray(edge.parallel);
  if (Array.isArray(edge.to)) return 'to-list';
  if (edge.type === 'parallel') return list ? 'hybrid' : 'python';
  if (list) return 'rust';
  if (edge.parallel === true) return 'parallel-true';
  return undefined;
}
