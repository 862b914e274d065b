// Graph (canvas) edits mapped back to minimal document edits. The canvas works on buildGraph's view;
// each GraphEdit here becomes a few surgical edits of edit.ts in the document's own style (a node
// that routes by `goto` gets goto edits, a file that routes by `edges:` gets entries), fan-outs are
// written in the portable hybrid form (tea-format.md §3.3) and every new node gets an explicit
// successor, so nothing relies on list order. Results are checked: an edit that would add validation
// errors throws EditError instead.
import { parseDocument } from 'yaml';
import { applyEdits, batchEdit } from './batch.ts';
import {
  addEdge,
  addNode,
  EditError,
  removeEdge,
  removeNode,
  renameNode,
  setEdgeField,
  setNodeField,
} from './edit.ts';
import { buildGraph, edgeParallelForm } from './graph.ts';
import { loadWorkflow } from './load.ts';
import { renderFlow, renderScalar, serializeWorkflow } from './serialize.ts';
import type { PlainEdge, PlainGotoRule, PlainNode } from './serialize.ts';
import { END, START } from './types.ts';
import type {
  EdgeSpec,
  FanOut,
  GotoRule,
  GraphEdge,
  NodeSpec,
  Position,
  WorkflowGraph,
  WorkflowModel,
} from './types.ts';
import { validateWorkflow } from './validate.ts';

export type GraphEdit =
  | { type: 'connect'; source: string; target: string; condition?: string }
  | { type: 'disconnect'; edge: GraphEdge }
  | { type: 'set-condition'; edge: GraphEdge; condition: string | undefined }
  | { type: 'add-node'; node: PlainNode; position?: Position; after?: string }
  | { type: 'delete-nodes'; names: string[] }
  | { type: 'rename-node'; from: string; to: string }
  | { type: 'move-nodes'; positions: Record<string, Position> }
  | { type: 'add-parallel-branches'; source: string; count: number; fanIn?: string; template?: string }
  | { type: 'add-branch'; source: string; name?: string }
  | { type: 'remove-branch'; source: string; branch: string }
  | { type: 'duplicate-nodes'; names: string[]; suffix?: string }
  | { type: 'paste'; yaml: string; position?: Position };

/** Code of a fan-in created by add-parallel-branches: gathers the branch states. */
export const FAN_IN_CODE = [
  '-- Collect the state of every branch (state.parallel_results, in branch order).',
  'local results = {}',
  'for i, r in ipairs(state.parallel_results or {}) do',
  '  results[i] = r.state',
  'end',
  'return { branch_results = results }',
  '',
].join('\n');

const MAX_BRANCHES = 64;

export function applyGraphEdit(text: string, edit: GraphEdit): { text: string } {
  // Positions live in node metadata, which validation never reads: a move cannot add errors, so it
  // skips the before/after validation (most of a drop's cost on a 1,000-node file).
  if (edit.type === 'move-nodes') return { text: moveNodesOnly(text, edit.positions) };
  loaded(text); // refuses documents that do not load
  const doc = new Doc(text);
  switch (edit.type) {
    case 'connect':
      connect(doc, edit.source, edit.target, edit.condition);
      break;
    case 'disconnect':
      disconnect(doc, edit.edge);
      break;
    case 'set-condition':
      setCondition(doc, edit.edge, edit.condition);
      break;
    case 'add-node':
      addGraphNode(doc, edit.node, edit.position, edit.after);
      break;
    case 'delete-nodes':
      deleteNodes(doc, edit.names);
      break;
    case 'rename-node':
      doc.edit((t) => renameNode(t, edit.from, edit.to));
      break;
    case 'add-parallel-branches':
      addParallelBranches(doc, edit.source, edit.count, edit.fanIn, edit.template);
      break;
    case 'add-branch':
      addBranch(doc, edit.source, edit.name);
      break;
    case 'remove-branch':
      removeBranch(doc, edit.source, edit.branch);
      break;
    case 'duplicate-nodes':
      pasteNodes(doc, copyNodesAsYaml(text, edit.names), undefined, edit.suffix ?? '_copy', { x: 40, y: 40 });
      break;
    case 'paste':
      pasteNodes(doc, edit.yaml, edit.position, undefined);
      break;
    default:
      throw new EditError(`Unknown graph edit ${(edit as { type: string }).type}`);
  }
  if (doc.text !== text) checkNoNewErrors(text, doc.text);
  return { text: doc.text };
}

// ---------------------------------------------------------------- document state

interface Loaded {
  model: WorkflowModel;
  graph: WorkflowGraph;
}

function loaded(text: string): Loaded {
  const load = loadWorkflow(text);
  if (!load.model) {
    const first = load.problems[0];
    throw new EditError(`Cannot edit the graph: ${first ? first.message : 'the document does not load'}`);
  }
  return { model: load.model, graph: buildGraph(load.model) };
}

/** The text being edited, with its model and graph re-loaded lazily after each change. */
class Doc {
  private cache: Loaded | null = null;
  constructor(public text: string) {}
  get model(): WorkflowModel {
    return this.state.model;
  }
  get graph(): WorkflowGraph {
    return this.state.graph;
  }
  private get state(): Loaded {
    this.cache ??= loaded(this.text);
    return this.cache;
  }
  edit(fn: (text: string) => string): void {
    const out = fn(this.text);
    if (out !== this.text) {
      this.text = out;
      this.cache = null;
    }
  }
  node(name: string): NodeSpec {
    const node = this.model.nodes.find((n) => n.name === name);
    if (!node) throw new EditError(`No node named '${name}' on the canvas`);
    return node;
  }
  fanOut(source: string): FanOut | undefined {
    return this.graph.fanOuts.find((f) => f.source === source);
  }
  names(): Set<string> {
    const out = new Set<string>();
    const walk = (nodes: NodeSpec[]) => {
      for (const n of nodes) {
        if (n.name) out.add(n.name);
        if (n.body) walk(n.body);
      }
    };
    walk(this.model.nodes);
    return out;
  }
}

/** Validation errors per code (a rename changes messages, not how many errors there are). */
function errorCounts(text: string): Map<string, { count: number; message: string }> {
  const out = new Map<string, { count: number; message: string }>();
  for (const p of validateWorkflow(loadWorkflow(text))) {
    if (p.severity !== 'error') continue;
    const entry = out.get(p.code) ?? { count: 0, message: p.message };
    entry.count++;
    entry.message = p.message;
    out.set(p.code, entry);
  }
  return out;
}

/** Refuses a result with validation errors the input did not have (a graph edit must not break it). */
function checkNoNewErrors(before: string, after: string): void {
  const old = errorCounts(before);
  for (const [code, { count, message }] of errorCounts(after)) {
    if (count > (old.get(code)?.count ?? 0)) {
      throw new EditError(`This change would make the workflow invalid: ${message}`);
    }
  }
}

// ---------------------------------------------------------------- routing helpers

type Style = 'goto' | 'edges';

function sequentialEntries(model: WorkflowModel, source: string): EdgeSpec[] {
  return model.edges.filter((e) => e.from === source && !edgeParallelForm(e));
}

/** How `source` is (or, for a node without explicit routing, would be) routed. */
function styleOf(doc: Doc, source: string): Style {
  const node = doc.node(source);
  if (node.goto !== undefined) return 'goto';
  if (sequentialEntries(doc.model, source).length > 0) return 'edges';
  return fileStyle(doc.model);
}

/** Successors go into `edges:` when the file routes that way (sequential entries, no goto). */
function fileStyle(model: WorkflowModel): Style {
  const hasGoto = model.nodes.some((n) => n.goto !== undefined);
  const hasSequential = model.edges.some((e) => e.from !== START && !edgeParallelForm(e));
  return hasSequential && !hasGoto ? 'edges' : 'goto';
}

function outgoing(doc: Doc, source: string): GraphEdge[] {
  return doc.graph.edges.filter((e) => e.source === source);
}

/** The node's one unconditional way on: a sequential edge, else its goto fallback rule. */
function wayOn(doc: Doc, source: string): string | null {
  const out = outgoing(doc, source);
  const seq = out.find((e) => e.kind === 'sequential' || e.kind === 'fan-in');
  if (seq) return seq.target;
  return out.find((e) => e.fallback)?.target ?? null;
}

function ruleToPlain(rule: GotoRule): PlainGotoRule {
  return rule.if === undefined ? { to: rule.to } : { if: rule.if, to: rule.to };
}

/** Offset range of a goto rule's own text (trailing blank and comment lines excluded). */
function ruleRange(text: string, rule: GotoRule): { start: number; end: number; dash: number } {
  let end = rule.span.end.offset;
  for (;;) {
    while (end > rule.span.start.offset && /\s/.test(text[end - 1]!)) end--;
    const ls = text.lastIndexOf('\n', end - 1) + 1;
    if (ls > rule.span.start.offset && text.slice(ls, end).trim().startsWith('#')) end = ls;
    else break;
  }
  let dash = rule.span.start.offset - 1;
  while (dash >= 0 && text[dash] !== '-') dash--;
  return { start: rule.span.start.offset, end, dash };
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEndInclOf(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

function isFlowGoto(text: string, node: NodeSpec): boolean {
  return node.gotoSpan !== undefined && text[node.gotoSpan.start.offset] === '[';
}

/** Rendered text of a rule as a mapping whose first key sits at the rule's start. */
function ruleText(text: string, rule: GotoRule, plain: PlainGotoRule): string {
  if (text[rule.span.start.offset] === '{') return renderFlow(plain);
  const col = rule.span.start.col - 1;
  const lines = [];
  if (plain.if !== undefined) lines.push(`if: ${renderScalar(plain.if)}`);
  lines.push(`to: ${renderScalar(plain.to)}`);
  return lines.join(`\n${' '.repeat(col)}`);
}

function splice(text: string, start: number, end: number, insert: string): string {
  const out = text.slice(0, start) + insert + text.slice(end);
  if (parseDocument(out).errors.length > 0) throw new EditError('internal: goto edit produced invalid YAML');
  return out;
}

/** Replaces rule `index` of `node`'s goto list. */
function replaceRule(doc: Doc, nodeName: string, index: number, plain: PlainGotoRule): void {
  const node = doc.node(nodeName);
  const rules = node.goto as GotoRule[];
  if (isFlowGoto(doc.text, node)) {
    const next = rules.map(ruleToPlain);
    next[index] = plain;
    doc.edit((t) => setNodeField(t, nodeName, 'goto', next));
    return;
  }
  const r = ruleRange(doc.text, rules[index]!);
  doc.edit((t) => splice(t, r.start, r.end, ruleText(t, rules[index]!, plain)));
}

/** Inserts a rule before rule `index` (or after the last when index = length). */
function insertRule(doc: Doc, nodeName: string, index: number, plain: PlainGotoRule): void {
  const node = doc.node(nodeName);
  const rules = node.goto as GotoRule[];
  if (isFlowGoto(doc.text, node) || rules.length === 0) {
    const next = rules.map(ruleToPlain);
    next.splice(index, 0, plain);
    doc.edit((t) => setNodeField(t, nodeName, 'goto', next));
    return;
  }
  const ref = rules[Math.min(index, rules.length - 1)]!;
  const r = ruleRange(doc.text, ref);
  const dashCol = r.dash - lineStartOf(doc.text, r.dash);
  const keyCol = ref.span.start.col - 1;
  const pad = ' '.repeat(dashCol);
  const lines = [
    `${pad}-${' '.repeat(keyCol - dashCol - 1)}${plain.if !== undefined ? `if: ${renderScalar(plain.if)}` : `to: ${renderScalar(plain.to)}`}`,
  ];
  if (plain.if !== undefined) lines.push(`${' '.repeat(keyCol)}to: ${renderScalar(plain.to)}`);
  const at = index >= rules.length ? lineEndInclOf(doc.text, r.end) : lineStartOf(doc.text, r.dash);
  const needsNl = at === doc.text.length && !doc.text.endsWith('\n');
  doc.edit((t) => splice(t, at, at, `${needsNl ? '\n' : ''}${lines.join('\n')}\n`));
}

/** Deletes rule `index`; the last rule takes the whole `goto` with it. */
function deleteRule(doc: Doc, nodeName: string, index: number): void {
  const node = doc.node(nodeName);
  const rules = node.goto as GotoRule[];
  if (rules.length === 1) {
    doc.edit((t) => setNodeField(t, nodeName, 'goto', undefined));
    return;
  }
  if (isFlowGoto(doc.text, node)) {
    const next = rules.map(ruleToPlain).filter((_, i) => i !== index);
    doc.edit((t) => setNodeField(t, nodeName, 'goto', next));
    return;
  }
  const r = ruleRange(doc.text, rules[index]!);
  doc.edit((t) => splice(t, lineStartOf(t, r.dash), lineEndInclOf(t, r.end), ''));
}

/** Makes `target` the unconditional way on of `source` (replacing the previous one). */
function setWayOn(doc: Doc, source: string, target: string): void {
  const node = doc.node(source);
  if (typeof node.goto === 'string' || (node.goto === undefined && styleOf(doc, source) === 'goto')) {
    if (node.goto !== target) doc.edit((t) => setNodeField(t, source, 'goto', target));
    return;
  }
  if (Array.isArray(node.goto)) {
    const fallback = node.goto.findIndex((r) => r.if === undefined);
    if (fallback >= 0) {
      if (node.goto[fallback]!.to !== target) replaceRule(doc, source, fallback, { to: target });
    } else insertRule(doc, source, node.goto.length, { to: target });
    return;
  }
  const plain = sequentialEntries(doc.model, source).find(
    (e) => e.when === undefined && typeof e.to === 'string',
  );
  if (plain) {
    if (plain.to !== target) doc.edit((t) => setEdgeField(t, plain.index, 'to', target));
  } else {
    doc.edit((t) => addEdge(t, { from: source, to: target }));
  }
}

/** Writes an implicit (list-order) successor explicitly, so list changes cannot move it. */
function materialize(doc: Doc, source: string): void {
  const implicit = outgoing(doc, source).find((e) => e.origin.type === 'implicit');
  if (implicit) setWayOn(doc, source, implicit.target);
}

/** Moves a node's `edges:` entries into goto rules (conditions need goto: see tea-format.md §3.2). */
function entriesToGoto(doc: Doc, source: string): void {
  const entries = sequentialEntries(doc.model, source).filter((e) => typeof e.to === 'string');
  if (entries.length === 0) return;
  const conditional = entries.filter((e) => e.when !== undefined && e.when !== true);
  const plain = entries.filter((e) => e.when === undefined || e.when === true);
  const rules: PlainGotoRule[] = [
    ...conditional.map((e) => ({ if: String(e.when), to: e.to as string })),
    ...plain.slice(0, 1).map((e) => ({ to: e.to as string })),
  ];
  doc.edit((t) => setNodeField(t, source, 'goto', rules));
  for (const e of [...entries].sort((a, b) => b.index - a.index)) doc.edit((t) => removeEdge(t, e.index));
}

// ---------------------------------------------------------------- connect / disconnect / condition

function requireTarget(doc: Doc, target: string): void {
  if (target === START) throw new EditError('Nothing can connect to __start__');
  if (target !== END) doc.node(target);
}

/**
 * A `_route` goto map (which no TEA engine runs) is rewritten as the goto rules it stands for before a
 * structural edit touches it: the same routes in TEA's portable form, rule indices unchanged.
 */
function portableGoto(doc: Doc, nodeName: string): void {
  const node = doc.model.nodes.find((n) => n.name === nodeName);
  if (node?.gotoForm !== 'map' || !Array.isArray(node.goto)) return;
  const rules = node.goto.map(ruleToPlain);
  doc.edit((t) => setNodeField(t, nodeName, 'goto', rules));
}

/** Edges of a `to: [{target, condition}]` list are edited in the YAML (the list is one entry). */
function refuseRouteList(edge: GraphEdge): void {
  if (edge.origin.type === 'edge' && edge.origin.route !== undefined) {
    throw new EditError(
      `The edge ${edge.source} → ${edge.target} is one route of a \`to:\` list in edge ${edge.origin.index + 1}; edit that list in the YAML`,
    );
  }
}

function connect(doc: Doc, source: string, target: string, condition?: string): void {
  requireTarget(doc, target);
  if (source === END) throw new EditError('__end__ has no outgoing edges');
  portableGoto(doc, source);
  if (source === START) {
    if (condition !== undefined) throw new EditError('The entry edge cannot have a condition');
    if (target === END) throw new EditError('__start__ cannot connect to __end__');
    const entry = doc.model.edges.find(
      (e) => e.from === START && !edgeParallelForm(e) && typeof e.to === 'string',
    );
    if (entry) doc.edit((t) => setEdgeField(t, entry.index, 'to', target));
    else if (doc.graph.entry !== target) doc.edit((t) => addEdge(t, { from: START, to: target }));
    return;
  }
  const node = doc.node(source);
  const fo = doc.fanOut(source);
  if (fo) {
    if (condition !== undefined)
      throw new EditError(`'${source}' fans out; its branches cannot have conditions`);
    if (target === END) throw new EditError(`'${source}' fans out; a branch cannot be __end__`);
    addBranchTo(doc, fo, target);
    return;
  }
  if (condition === undefined) {
    setWayOn(doc, source, target);
    return;
  }
  if (condition.trim() === '') throw new EditError('A condition cannot be empty');
  if (node.goto === undefined) {
    const entries = sequentialEntries(doc.model, source);
    if (entries.length > 0) entriesToGoto(doc, source);
    else {
      const next = wayOn(doc, source);
      doc.edit((t) =>
        setNodeField(t, source, 'goto', [{ if: condition, to: target }, ...(next ? [{ to: next }] : [])]),
      );
      return;
    }
  }
  const goto = doc.node(source).goto!;
  if (typeof goto === 'string') {
    doc.edit((t) => setNodeField(t, source, 'goto', [{ if: condition, to: target }, { to: goto }]));
    return;
  }
  const fallback = goto.findIndex((r) => r.if === undefined);
  insertRule(doc, source, fallback >= 0 ? fallback : goto.length, { if: condition, to: target });
}

/** The graph edge as it is in the current document (the canvas may hold a stale object). */
function currentEdge(doc: Doc, edge: GraphEdge): GraphEdge {
  const found = doc.graph.edges.find((e) => e.id === edge.id);
  if (!found) throw new EditError(`The edge ${edge.source} → ${edge.target} is no longer in the document`);
  return found;
}

function disconnect(doc: Doc, stale: GraphEdge): void {
  portableGoto(doc, stale.source);
  const edge = currentEdge(doc, stale);
  refuseRouteList(edge);
  const { source, target } = edge;
  if (source === START)
    throw new EditError('The entry edge cannot be deleted; connect __start__ to another node instead');
  if (edge.kind === 'parallel') {
    removeBranch(doc, source, target);
    return;
  }
  if (edge.kind === 'fan-in') {
    throw new EditError(`'${source}' must reach its fan-in '${target}'; remove the branch instead`);
  }
  const others = outgoing(doc, source).filter((e) => e.id !== edge.id);
  const origin = edge.origin;
  if (origin.type === 'goto' && origin.rule !== undefined) {
    if (others.length > 0) deleteRule(doc, source, origin.rule);
    else if (target !== END) replaceRule(doc, source, origin.rule, { to: END });
    return;
  }
  if (target === END) return; // a node always has a way on; __end__ is the last one
  if (origin.type === 'edge' && others.length > 0) {
    doc.edit((t) => removeEdge(t, origin.index));
    return;
  }
  if (origin.type === 'edge') {
    doc.edit((t) => setEdgeField(t, origin.index, 'when', undefined));
    doc.edit((t) => setEdgeField(t, origin.index, 'to', END));
    return;
  }
  setWayOn(doc, source, END);
}

function setCondition(doc: Doc, stale: GraphEdge, condition: string | undefined): void {
  portableGoto(doc, stale.source);
  const edge = currentEdge(doc, stale);
  refuseRouteList(edge);
  if (condition !== undefined && condition.trim() === '') condition = undefined;
  if (edge.source === START || edge.kind === 'parallel' || edge.kind === 'fan-in') {
    throw new EditError(`The edge ${edge.source} → ${edge.target} cannot have a condition`);
  }
  const origin = edge.origin;
  if (origin.type === 'goto' && origin.rule !== undefined) {
    const plain: PlainGotoRule =
      condition === undefined ? { to: edge.target } : { if: condition, to: edge.target };
    replaceRule(doc, edge.source, origin.rule, plain);
    return;
  }
  if (condition === undefined) return;
  if (origin.type === 'edge') {
    doc.edit((t) => setEdgeField(t, origin.index, 'when', condition));
    return;
  }
  doc.edit((t) => setNodeField(t, edge.source, 'goto', [{ if: condition, to: edge.target }]));
}

// ---------------------------------------------------------------- nodes

function freshName(taken: Set<string>, base: string, first = 1): string {
  for (let i = first; ; i++) {
    const name = i === 1 && first === 1 ? base : `${base}_${i}`;
    if (!taken.has(name)) return name;
  }
}

function withPosition(node: PlainNode, position?: Position): PlainNode {
  if (!position) return node;
  const meta = node.metadata ?? {};
  const fanout = (meta.fanout as Record<string, unknown> | undefined) ?? {};
  return {
    ...node,
    metadata: {
      ...meta,
      fanout: { ...fanout, x: Math.round(position.x) + 0, y: Math.round(position.y) + 0 },
    },
  };
}

/**
 * Inserts nodes after `after` (else at the end of `nodes:`). The list predecessor's implicit edge
 * is written out first so the insertion cannot re-route it.
 */
function insertNodes(doc: Doc, specs: PlainNode[], after?: string): void {
  const top = doc.model.nodes;
  const anchor = after ?? top[top.length - 1]?.name;
  if (anchor !== undefined && anchor !== '') materialize(doc, anchor);
  let prev = after;
  for (const spec of specs) {
    const current = prev;
    doc.edit((t) => addNode(t, spec, current === undefined ? {} : { after: current }));
    prev = spec.name;
  }
}

/** Gives a new node its explicit way on, in the file's style. */
function routeNew(
  doc: Doc,
  spec: PlainNode,
  target: string,
  style: Style,
): { spec: PlainNode; edge?: PlainEdge } {
  if (spec.goto !== undefined) return { spec };
  if (style === 'goto') return { spec: { ...spec, goto: target } };
  return { spec, edge: { from: spec.name, to: target } };
}

function addGraphNode(doc: Doc, node: PlainNode, position?: Position, after?: string): void {
  if (!node || typeof node.name !== 'string' || node.name.trim() === '')
    throw new EditError('A new node needs a name');
  if (node.name === START || node.name === END) throw new EditError(`'${node.name}' is reserved by TEA`);
  if (doc.names().has(node.name)) throw new EditError(`A node named '${node.name}' already exists`);
  let next: string = END;
  if (after !== undefined) {
    doc.node(after);
    if (doc.fanOut(after)) throw new EditError(`'${after}' fans out: use add-branch to add a node after it`);
    next = wayOn(doc, after) ?? END;
  }
  const style = fileStyle(doc.model);
  const routed = routeNew(doc, withPosition(node, position), next, style);
  insertNodes(doc, [routed.spec], after);
  if (routed.edge) doc.edit((t) => addEdge(t, routed.edge!));
  if (after !== undefined) setWayOn(doc, after, node.name);
}

/**
 * move-nodes: one parse and one batch splice, no load or validation (the splicer finds each node by
 * name and refuses an unknown one; the caller, the document store, loads the result anyway).
 */
function moveNodesOnly(text: string, positions: Record<string, Position>): string {
  // No re-parse check of the result either: position splices only rewrite one `metadata` mapping.
  return applyEdits(
    text,
    Object.entries(positions).map(([name, at]) => batchEdit.setNodePosition(name, at)),
    { verify: false },
  );
}

function deleteNodes(doc: Doc, names: string[]): void {
  const gone = new Set(names);
  for (const name of gone) doc.node(name);
  // Fan-outs first: branch heads leave through remove-branch (keeps the hybrid form).
  for (const fo of doc.graph.fanOuts) {
    if (gone.has(fo.source)) continue;
    if (fo.fanIn !== null && gone.has(fo.fanIn) && !fo.branches.every((b) => gone.has(b))) {
      throw new EditError(
        `'${fo.fanIn}' is the fan-in of the fan-out from '${fo.source}'; delete its branches or the source too`,
      );
    }
    for (const b of fo.branches) if (gone.has(b)) removeBranch(doc, fo.source, b);
  }
  // Bridge: an edge into a deleted node now goes where that node went.
  const bridge = (name: string): string => {
    const seen = new Set<string>();
    let at = name;
    while (gone.has(at) && !seen.has(at)) {
      seen.add(at);
      at = wayOn(doc, at) ?? END;
    }
    return gone.has(at) ? END : at;
  };
  // One edge at a time (each redirect re-loads); `done` guards against an edit that cannot move one.
  const done = new Set<string>();
  for (;;) {
    const edge = doc.graph.edges.find(
      (e) => gone.has(e.target) && !gone.has(e.source) && e.kind !== 'parallel' && !done.has(e.id),
    );
    if (!edge) break;
    done.add(edge.id);
    redirect(doc, edge, bridge(edge.target));
  }
  for (const name of gone) {
    const entryWasImplicit = doc.graph.edges.some(
      (e) => e.source === START && e.origin.type === 'implicit' && e.target === name,
    );
    const next = entryWasImplicit ? bridge(name) : null;
    doc.edit((t) => removeNode(t, name));
    if (next !== null && next !== END && doc.graph.entry !== next)
      doc.edit((t) => addEdge(t, { from: START, to: next }));
  }
}

/** Points an existing edge at another target, keeping its kind and condition. */
function redirect(doc: Doc, stale: GraphEdge, to: string): void {
  portableGoto(doc, stale.source);
  const edge = currentEdge(doc, stale);
  refuseRouteList(edge);
  const origin = edge.origin;
  if (origin.type === 'goto' && origin.rule !== undefined) {
    const rule = (doc.node(edge.source).goto as GotoRule[])[origin.rule]!;
    replaceRule(doc, edge.source, origin.rule, { ...ruleToPlain(rule), to });
  } else if (origin.type === 'goto') {
    doc.edit((t) => setNodeField(t, edge.source, 'goto', to));
  } else if (origin.type === 'edge') {
    if (edge.source === START && to === END) {
      doc.edit((t) => removeEdge(t, origin.index));
    } else doc.edit((t) => setEdgeField(t, origin.index, 'to', to));
  } else if (edge.source === START) {
    // The implicit entry moves with the list; deleteNodes sets it after the removal.
  } else {
    setWayOn(doc, edge.source, to);
  }
}

// ---------------------------------------------------------------- fan-outs

function parallelEntries(model: WorkflowModel, source: string): EdgeSpec[] {
  return model.edges.filter((e) => e.from === source && edgeParallelForm(e) !== undefined);
}

/** Writes the fan-out from `source` with `branches` in hybrid form: in place when it already is. */
function writeFanOut(doc: Doc, source: string, branches: string[], fanIn: string): void {
  const entries = parallelEntries(doc.model, source);
  const perBranch = (b: string, i: number): Record<string, unknown> => ({
    from: source,
    to: b,
    type: 'parallel',
    fan_in: fanIn,
    ...(i === 0 ? { parallel: [...branches] } : {}),
  });
  const inPlace =
    entries.length > 0 &&
    entries.every(
      (e, i) =>
        typeof e.to === 'string' && e.type === 'parallel' && e.fanIn === fanIn && e.to === branches[i],
    ) &&
    entries.length <= branches.length &&
    entries.slice(1).every((e) => e.parallel === undefined);
  if (!inPlace) {
    for (const e of [...entries].sort((a, b) => b.index - a.index)) doc.edit((t) => removeEdge(t, e.index));
    for (const [i, b] of branches.entries()) doc.edit((t) => addEdge(t, perBranch(b, i)));
    return;
  }
  const first = entries[0]!;
  const list = Array.isArray(first.parallel) ? first.parallel : null;
  if (!list || list.join('\u0000') !== branches.join('\u0000')) {
    doc.edit((t) => setEdgeField(t, first.index, 'parallel', [...branches]));
  }
  for (let i = entries.length; i < branches.length; i++)
    doc.edit((t) => addEdge(t, perBranch(branches[i]!, i)));
}

function reaches(doc: Doc, from: string, goal: string): boolean {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const e of outgoing(doc, n)) {
      if (e.kind === 'parallel') continue;
      if (e.target === goal) return true;
      if (e.target === END || seen.has(e.target)) continue;
      seen.add(e.target);
      queue.push(e.target);
    }
  }
  return false;
}

function addBranchTo(doc: Doc, fo: FanOut, head: string): void {
  if (fo.fanIn === null)
    throw new EditError(`The fan-out from '${fo.source}' has no fan-in; give it one first`);
  if (fo.branches.includes(head)) return;
  if (head === fo.fanIn || head === fo.source)
    throw new EditError(`'${head}' cannot be a branch of the fan-out from '${fo.source}'`);
  const fanIn = fo.fanIn;
  writeFanOut(doc, fo.source, [...fo.branches, head], fanIn);
  if (!reaches(doc, head, fanIn)) setWayOn(doc, head, fanIn);
}

function branchSpec(name: string, template?: string): PlainNode {
  return { name, language: 'lua', run: template ?? 'return {}\n' };
}

function addParallelBranches(
  doc: Doc,
  source: string,
  count: number,
  fanIn?: string,
  template?: string,
): void {
  const node = doc.node(source);
  if (!Number.isInteger(count) || count < 1 || count > MAX_BRANCHES) {
    throw new EditError(`Branch count must be a whole number from 1 to ${MAX_BRANCHES}`);
  }
  if (doc.fanOut(source)) throw new EditError(`'${source}' already fans out; use add-branch`);
  if (Array.isArray(node.goto) && node.goto.some((r) => r.if !== undefined)) {
    throw new EditError(`'${source}' routes by conditions; remove them before fanning out`);
  }
  if (sequentialEntries(doc.model, source).some((e) => e.when !== undefined)) {
    throw new EditError(`'${source}' routes by conditions; remove them before fanning out`);
  }
  const old = wayOn(doc, source) ?? END;
  const taken = doc.names();
  const heads: string[] = [];
  for (let i = 1; heads.length < count; i++) {
    const name = `${source}_branch_${i}`;
    if (!taken.has(name)) heads.push(name);
  }
  const joinExists = fanIn !== undefined && taken.has(fanIn);
  if (fanIn !== undefined && (fanIn === source || fanIn === START || fanIn === END)) {
    throw new EditError(`'${fanIn}' cannot be the fan-in of '${source}'`);
  }
  const join = fanIn ?? freshName(taken, `${source}_join`, 1);
  if (joinExists) doc.node(join);
  const style = fileStyle(doc.model);
  const newEdges: PlainEdge[] = [];
  const specs: PlainNode[] = [];
  for (const head of heads) {
    const r = routeNew(doc, branchSpec(head, template), join, style);
    specs.push(r.spec);
    if (r.edge) newEdges.push(r.edge);
  }
  if (!joinExists) {
    const r = routeNew(doc, { name: join, language: 'lua', run: FAN_IN_CODE }, old, style);
    specs.push(r.spec);
    if (r.edge) newEdges.push(r.edge);
  }
  // The source's old way on moves to the fan-in: drop it from the source.
  insertNodes(doc, specs, source);
  if (doc.node(source).goto !== undefined) doc.edit((t) => setNodeField(t, source, 'goto', undefined));
  for (const e of [...sequentialEntries(doc.model, source)].sort((a, b) => b.index - a.index)) {
    doc.edit((t) => removeEdge(t, e.index));
  }
  writeFanOut(doc, source, heads, join);
  for (const e of newEdges) doc.edit((t) => addEdge(t, e));
}

function addBranch(doc: Doc, source: string, name?: string): void {
  doc.node(source);
  const fo = doc.fanOut(source);
  if (!fo) throw new EditError(`'${source}' does not fan out; use add-parallel-branches`);
  if (fo.fanIn === null) throw new EditError(`The fan-out from '${source}' has no fan-in; give it one first`);
  const taken = doc.names();
  let head = name;
  if (head === undefined) {
    for (let i = fo.branches.length + 1; head === undefined || taken.has(head); i++)
      head = `${source}_branch_${i}`;
  } else if (taken.has(head)) throw new EditError(`A node named '${head}' already exists`);
  if (head === START || head === END || head.trim() === '')
    throw new EditError(`'${head}' cannot name a node`);
  const r = routeNew(doc, branchSpec(head), fo.fanIn, fileStyle(doc.model));
  const lastBranch = fo.branches[fo.branches.length - 1]!;
  const after = doc.model.nodes.some((n) => n.name === lastBranch) ? lastBranch : source;
  insertNodes(doc, [r.spec], after);
  writeFanOut(doc, source, [...fo.branches, head], fo.fanIn);
  if (r.edge) doc.edit((t) => addEdge(t, r.edge!));
}

function removeBranch(doc: Doc, source: string, branch: string): void {
  const fo = doc.fanOut(source);
  if (!fo || !fo.branches.includes(branch))
    throw new EditError(`'${branch}' is not a branch of a fan-out from '${source}'`);
  const rest = fo.branches.filter((b) => b !== branch);
  if (fo.fanIn === null) throw new EditError(`The fan-out from '${source}' has no fan-in`);
  if (rest.length === 0) {
    // No branches left: the source goes straight to the fan-in.
    const fanIn = fo.fanIn;
    const entries = parallelEntries(doc.model, source);
    for (const e of [...entries].sort((a, b) => b.index - a.index)) doc.edit((t) => removeEdge(t, e.index));
    setWayOn(doc, source, fanIn);
    return;
  }
  const entries = parallelEntries(doc.model, source);
  const inPlace =
    entries.length === fo.branches.length &&
    entries.every((e, i) => typeof e.to === 'string' && e.type === 'parallel' && e.to === fo.branches[i]);
  if (!inPlace) {
    for (const e of [...entries].sort((a, b) => b.index - a.index)) doc.edit((t) => removeEdge(t, e.index));
    writeFanOut(doc, source, rest, fo.fanIn);
    return;
  }
  const gone = entries[fo.branches.indexOf(branch)]!;
  if (gone === entries[0]) {
    // The rust list moves to the next entry, then the first goes.
    doc.edit((t) => setEdgeField(t, entries[1]!.index, 'parallel', rest));
    doc.edit((t) => removeEdge(t, gone.index));
  } else {
    doc.edit((t) => setEdgeField(t, entries[0]!.index, 'parallel', rest));
    doc.edit((t) => removeEdge(t, gone.index));
  }
}

// ---------------------------------------------------------------- copy / paste

/** YAML text of the named nodes plus the edges among them (goto rules leaving the set are dropped). */
export function copyNodesAsYaml(text: string, names: string[]): string {
  const doc = new Doc(text);
  const set = new Set(names);
  for (const n of set) doc.node(n);
  const inSet = (t: string) => t === END || set.has(t);
  const nodes: PlainNode[] = [];
  for (const spec of doc.model.nodes) {
    if (!set.has(spec.name)) continue;
    const plain = { ...spec.raw } as PlainNode;
    delete plain.goto;
    if (typeof spec.goto === 'string' && inSet(spec.goto)) plain.goto = spec.goto;
    if (Array.isArray(spec.goto)) {
      const rules = spec.goto.filter((r) => inSet(r.to)).map(ruleToPlain);
      if (rules.length > 0) plain.goto = rules;
    }
    // An implicit successor inside the set is written out: the copy must not depend on list order.
    const implicit = doc.graph.edges.find((e) => e.source === spec.name && e.origin.type === 'implicit');
    if (implicit && inSet(implicit.target)) plain.goto = implicit.target;
    nodes.push(plain);
  }
  const edges: PlainEdge[] = [];
  for (const e of doc.model.edges) {
    if (typeof e.from !== 'string' || !set.has(e.from)) continue;
    const targets = [
      ...(Array.isArray(e.to) ? e.to : typeof e.to === 'string' ? [e.to] : []),
      ...(Array.isArray(e.parallel) ? e.parallel : []),
    ];
    if (targets.length === 0 || !targets.every(inSet) || (e.fanIn !== undefined && !inSet(e.fanIn))) continue;
    edges.push({ ...e.raw } as PlainEdge);
  }
  return serializeWorkflow({ name: 'clipboard', nodes, ...(edges.length > 0 ? { edges } : {}) });
}

function pasteNodes(
  doc: Doc,
  yamlText: string,
  position: Position | undefined,
  suffix: string | undefined,
  offset?: Position,
): void {
  const parsed = parseDocument(yamlText);
  if (parsed.errors.length > 0)
    throw new EditError(`Cannot paste: ${parsed.errors[0]!.message.split('\n')[0]}`);
  const js = parsed.toJS() as unknown;
  const rawNodes = Array.isArray(js)
    ? js
    : js && typeof js === 'object'
      ? (js as { nodes?: unknown }).nodes
      : undefined;
  const rawEdges =
    js && typeof js === 'object' && !Array.isArray(js) ? (js as { edges?: unknown }).edges : undefined;
  if (!Array.isArray(rawNodes) || rawNodes.length === 0)
    throw new EditError('Cannot paste: no nodes in the pasted text');
  const nodes = rawNodes.map((n) => {
    if (!n || typeof n !== 'object' || Array.isArray(n) || typeof (n as PlainNode).name !== 'string') {
      throw new EditError('Cannot paste: every pasted node needs a name');
    }
    return n as PlainNode;
  });
  // Fresh names for every pasted node (and while_loop body node) that clashes.
  const taken = doc.names();
  const rename = new Map<string, string>();
  const claim = (name: string) => {
    let fresh = suffix !== undefined ? `${name}${suffix}` : name;
    if (taken.has(fresh) || fresh === START || fresh === END) fresh = freshName(taken, fresh, 2);
    taken.add(fresh);
    rename.set(name, fresh);
  };
  const walk = (list: PlainNode[]) => {
    for (const n of list) {
      claim(n.name);
      if (Array.isArray(n.body)) walk(n.body);
    }
  };
  walk(nodes);
  const mapName = (t: unknown) => (typeof t === 'string' ? (rename.get(t) ?? t) : t);
  const pastedTop = new Set(nodes.map((n) => rename.get(n.name)!));
  const internal = (t: unknown) => t === END || (typeof t === 'string' && pastedTop.has(t));
  const shift = pasteShift(nodes, position, offset);
  const style = fileStyle(doc.model);
  const edges: PlainEdge[] = [];
  if (Array.isArray(rawEdges)) {
    for (const raw of rawEdges) {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) continue;
      const e = { ...(raw as PlainEdge) };
      e.from = mapName(e.from) as string;
      e.to = Array.isArray(e.to) ? e.to.map((t) => mapName(t) as string) : (mapName(e.to) as string);
      if (e.fan_in !== undefined) e.fan_in = mapName(e.fan_in) as string;
      if (Array.isArray(e.parallel)) e.parallel = e.parallel.map((t) => mapName(t) as string);
      const targets = [
        ...(Array.isArray(e.to) ? e.to : e.to === undefined ? [] : [e.to]),
        ...(Array.isArray(e.parallel) ? e.parallel : []),
      ];
      if (!internal(e.from) || e.from === END || !targets.every(internal)) continue;
      if (e.fan_in !== undefined && !internal(e.fan_in)) continue;
      edges.push(e);
    }
  }
  const edgeSources = new Set(edges.map((e) => e.from));
  const renameNode = (n: PlainNode): PlainNode => {
    const out: PlainNode = { ...n, name: rename.get(n.name)! };
    if (typeof n.goto === 'string') out.goto = mapName(n.goto) as string;
    else if (Array.isArray(n.goto)) out.goto = n.goto.map((r) => ({ ...r, to: mapName(r.to) as string }));
    if (Array.isArray(n.body)) out.body = n.body.map(renameNode);
    return out;
  };
  const specs: PlainNode[] = [];
  for (const n of nodes) {
    let spec = renameNode(n);
    if (typeof spec.goto === 'string' && !internal(spec.goto)) delete spec.goto;
    if (Array.isArray(spec.goto)) {
      const rules = spec.goto.filter((r) => internal(r.to));
      if (rules.length > 0) spec.goto = rules;
      else delete spec.goto;
    }
    const fanout = spec.metadata?.fanout as Position | undefined;
    if (shift && fanout && typeof fanout.x === 'number' && typeof fanout.y === 'number') {
      spec = withPosition(spec, { x: fanout.x + shift.x, y: fanout.y + shift.y });
    }
    if (spec.goto === undefined && !edgeSources.has(spec.name)) {
      const r = routeNew(doc, spec, END, style);
      spec = r.spec;
      if (r.edge) edges.push(r.edge);
    }
    specs.push(spec);
  }
  insertNodes(doc, specs);
  for (const e of edges) doc.edit((t) => addEdge(t, e as Record<string, unknown>));
}

/** How far pasted positions move: their top-left corner to `position`, or by `offset`. */
function pasteShift(nodes: PlainNode[], position?: Position, offset?: Position): Position | null {
  if (offset) return offset;
  if (!position) return null;
  const points = nodes
    .map((n) => n.metadata?.fanout as Position | undefined)
    .filter((p): p is Position => !!p && typeof p.x === 'number' && typeof p.y === 'number');
  if (points.length === 0) return null;
  return {
    x: position.x - Math.min(...points.map((p) => p.x)),
    y: position.y - Math.min(...points.map((p) => p.y)),
  };
}
