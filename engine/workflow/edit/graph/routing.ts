// How a node goes on: the file's routing style (goto or `edges:`), a node's unconditional way on, and
// its goto rules. Writes routes in the style the node (or the file) already uses.
import { batchEdit } from '../../batch.ts';
import { edgeParallelForm } from '../../graph.ts';
import type { PlainGotoRule } from '../../serialize.ts';
import { START } from '../../types.ts';
import type { EdgeSpec, GotoRule, GraphEdge, NodeSpec, WorkflowModel } from '../../types.ts';
import type { GraphDoc } from './graph-doc.ts';

export type Style = 'goto' | 'edges';

export function sequentialEntries(model: WorkflowModel, source: string): EdgeSpec[] {
  return model.edges.filter((e) => e.from === source && !edgeParallelForm(e));
}

/** How `source` is (or, for a node without explicit routing, would be) routed. */
function styleOf(doc: GraphDoc, source: string): Style {
  const node = doc.node(source);
  if (node.goto !== undefined) return 'goto';
  if (sequentialEntries(doc.model, source).length > 0) return 'edges';
  return fileStyle(doc.model);
}

/** Successors go into `edges:` when the file routes that way (sequential entries, no goto). */
export function fileStyle(model: WorkflowModel): Style {
  const hasGoto = model.nodes.some((n) => n.goto !== undefined);
  const hasSequential = model.edges.some((e) => e.from !== START && !edgeParallelForm(e));
  return hasSequential && !hasGoto ? 'edges' : 'goto';
}

export function outgoing(doc: GraphDoc, source: string): GraphEdge[] {
  return doc.graph.edges.filter((e) => e.source === source);
}

/** The node's one unconditional way on: a sequential edge, else its goto fallback rule. */
export function wayOn(doc: GraphDoc, source: string): string | null {
  const out = outgoing(doc, source);
  const seq = out.find((e) => e.kind === 'sequential' || e.kind === 'fan-in');
  if (seq) return seq.target;
  return out.find((e) => e.fallback)?.target ?? null;
}

export function ruleToPlain(rule: GotoRule): PlainGotoRule {
  return rule.if === undefined ? { to: rule.to } : { if: rule.if, to: rule.to };
}

function isFlowGoto(text: string, node: NodeSpec): boolean {
  return node.gotoSpan !== undefined && text[node.gotoSpan.start.offset] === '[';
}

/** Replaces rule `index` of `node`'s goto list. */
export function replaceRule(doc: GraphDoc, nodeName: string, index: number, plain: PlainGotoRule): void {
  const node = doc.node(nodeName);
  const rules = node.goto as GotoRule[];
  if (isFlowGoto(doc.text, node)) {
    const next = rules.map(ruleToPlain);
    next[index] = plain;
    doc.edit(batchEdit.setNodeField(nodeName, 'goto', next));
    return;
  }
  doc.edit(batchEdit.replaceGotoRule(nodeName, index, plain));
}

/** Inserts a rule before rule `index` (or after the last when index = length). */
export function insertRule(doc: GraphDoc, nodeName: string, index: number, plain: PlainGotoRule): void {
  const node = doc.node(nodeName);
  const rules = node.goto as GotoRule[];
  if (isFlowGoto(doc.text, node) || rules.length === 0) {
    const next = rules.map(ruleToPlain);
    next.splice(index, 0, plain);
    doc.edit(batchEdit.setNodeField(nodeName, 'goto', next));
    return;
  }
  doc.edit(batchEdit.insertGotoRule(nodeName, index, plain));
}

/** Deletes rule `index`; the last rule takes the whole `goto` with it. */
export function deleteRule(doc: GraphDoc, nodeName: string, index: number): void {
  const node = doc.node(nodeName);
  const rules = node.goto as GotoRule[];
  if (rules.length === 1) {
    doc.edit(batchEdit.setNodeField(nodeName, 'goto', undefined));
    return;
  }
  if (isFlowGoto(doc.text, node)) {
    const next = rules.map(ruleToPlain).filter((_, i) => i !== index);
    doc.edit(batchEdit.setNodeField(nodeName, 'goto', next));
    return;
  }
  doc.edit(batchEdit.deleteGotoRule(nodeName, index));
}

/** Makes `target` the unconditional way on of `source` (replacing the previous one). */
export function setWayOn(doc: GraphDoc, source: string, target: string): void {
  const node = doc.node(source);
  if (typeof node.goto === 'string' || (node.goto === undefined && styleOf(doc, source) === 'goto')) {
    if (node.goto !== target) doc.edit(batchEdit.setNodeField(source, 'goto', target));
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
    if (plain.to !== target) doc.edit(batchEdit.setEdgeField(plain.index, 'to', target));
  } else {
    doc.edit(batchEdit.addEdge({ from: source, to: target }));
  }
}

/** Writes an implicit (list-order) successor explicitly, so list changes cannot move it. */
export function materialize(doc: GraphDoc, source: string): void {
  const implicit = outgoing(doc, source).find((e) => e.origin.type === 'implicit');
  if (implicit) setWayOn(doc, source, implicit.target);
}

/** Moves a node's `edges:` entries into goto rules (conditions need goto: see tea-format.md §3.2). */
export function entriesToGoto(doc: GraphDoc, source: string): void {
  const entries = sequentialEntries(doc.model, source).filter((e) => typeof e.to === 'string');
  if (entries.length === 0) return;
  const conditional = entries.filter((e) => e.when !== undefined && e.when !== true);
  const plain = entries.filter((e) => e.when === undefined || e.when === true);
  const rules: PlainGotoRule[] = [
    ...conditional.map((e) => ({ if: String(e.when), to: e.to as string })),
    ...plain.slice(0, 1).map((e) => ({ to: e.to as string })),
  ];
  doc.edit(batchEdit.setNodeField(source, 'goto', rules));
  for (const e of [...entries].sort((a, b) => b.index - a.index)) doc.edit(batchEdit.removeEdge(e.index));
}

/**
 * A `_route` goto map (which no TEA engine runs) is rewritten as the goto rules it stands for before a
 * structural edit touches it: the same routes in TEA's portable form, rule indices unchanged.
 */
export function portableGoto(doc: GraphDoc, nodeName: string): void {
  const node = doc.model.nodes.find((n) => n.name === nodeName);
  if (node?.gotoForm !== 'map' || !Array.isArray(node.goto)) return;
  const rules = node.goto.map(ruleToPlain);
  doc.edit(batchEdit.setNodeField(nodeName, 'goto', rules));
}
