// Edge gestures: connect (a way on, a conditional goto rule, or a new branch of a fan-out),
// disconnect, set or clear a condition, and redirect an edge (used when its target is deleted).
import { checkExpression } from '../../../expr/index.ts';
import { batchEdit } from '../../batch.ts';
import { edgeParallelForm } from '../../graph.ts';
import type { PlainGotoRule } from '../../serialize.ts';
import { END, START } from '../../types.ts';
import type { GotoRule, GraphEdge } from '../../types.ts';
import { EditError } from '../splice.ts';
import { addBranchTo, removeBranch } from './fan-out-edits.ts';
import type { GraphDoc } from './graph-doc.ts';
import {
  deleteRule,
  entriesToGoto,
  insertRule,
  outgoing,
  portableGoto,
  replaceRule,
  ruleToPlain,
  sequentialEntries,
  setWayOn,
  wayOn,
} from './routing.ts';

/**
 * A condition the canvas writes must parse (engine/expr): TEA would fail the run at that edge. Goto
 * `if` texts are not checked by validation, so an edit is the place to refuse them.
 */
export function requireCondition(condition: string): void {
  if (condition.trim() === '') throw new EditError('A condition cannot be empty');
  const checked = checkExpression(condition);
  if (!checked.ok) {
    throw new EditError(
      `The condition '${condition}' is invalid: ${checked.message} (column ${checked.col})`,
    );
  }
}

function requireTarget(doc: GraphDoc, target: string): void {
  if (target === START) throw new EditError('Nothing can connect to __start__');
  if (target !== END) doc.node(target);
}

/** Edges of a `to: [{target, condition}]` list are edited in the YAML (the list is one entry). */
function refuseRouteList(edge: GraphEdge): void {
  if (edge.origin.type === 'edge' && edge.origin.route !== undefined) {
    throw new EditError(
      `The edge ${edge.source} → ${edge.target} is one route of a \`to:\` list in edge ${edge.origin.index + 1}; edit that list in the YAML`,
    );
  }
}

export function connect(doc: GraphDoc, source: string, target: string, condition?: string): void {
  requireTarget(doc, target);
  if (source === END) throw new EditError('__end__ has no outgoing edges');
  portableGoto(doc, source);
  if (source === START) {
    if (condition !== undefined) throw new EditError('The entry edge cannot have a condition');
    if (target === END) throw new EditError('__start__ cannot connect to __end__');
    const entry = doc.model.edges.find(
      (e) => e.from === START && !edgeParallelForm(e) && typeof e.to === 'string',
    );
    if (entry) doc.edit(batchEdit.setEdgeField(entry.index, 'to', target));
    else if (doc.graph.entry !== target) doc.edit(batchEdit.addEdge({ from: START, to: target }));
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
  requireCondition(condition);
  if (node.goto === undefined) {
    const entries = sequentialEntries(doc.model, source);
    if (entries.length > 0) entriesToGoto(doc, source);
    else {
      const next = wayOn(doc, source);
      const rules = [{ if: condition, to: target }, ...(next ? [{ to: next }] : [])];
      doc.edit(batchEdit.setNodeField(source, 'goto', rules));
      return;
    }
  }
  const goto = doc.node(source).goto!;
  if (typeof goto === 'string') {
    doc.edit(batchEdit.setNodeField(source, 'goto', [{ if: condition, to: target }, { to: goto }]));
    return;
  }
  const fallback = goto.findIndex((r) => r.if === undefined);
  insertRule(doc, source, fallback >= 0 ? fallback : goto.length, { if: condition, to: target });
}

/** The graph edge as it is in the current document (the canvas may hold a stale object). */
export function currentEdge(doc: GraphDoc, edge: GraphEdge): GraphEdge {
  const found = doc.graph.edges.find((e) => e.id === edge.id);
  if (!found) throw new EditError(`The edge ${edge.source} → ${edge.target} is no longer in the document`);
  return found;
}

export function disconnect(doc: GraphDoc, stale: GraphEdge): void {
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
    doc.edit(batchEdit.removeEdge(origin.index));
    return;
  }
  if (origin.type === 'edge') {
    doc.edit(batchEdit.setEdgeField(origin.index, 'when', undefined));
    doc.edit(batchEdit.setEdgeField(origin.index, 'to', END));
    return;
  }
  setWayOn(doc, source, END);
}

export function setCondition(doc: GraphDoc, stale: GraphEdge, condition: string | undefined): void {
  portableGoto(doc, stale.source);
  const edge = currentEdge(doc, stale);
  refuseRouteList(edge);
  if (condition !== undefined && condition.trim() === '') condition = undefined;
  if (condition !== undefined) requireCondition(condition);
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
    doc.edit(batchEdit.setEdgeField(origin.index, 'when', condition));
    return;
  }
  doc.edit(batchEdit.setNodeField(edge.source, 'goto', [{ if: condition, to: edge.target }]));
}

/** Points an existing edge at another target, keeping its kind and condition. */
export function redirect(doc: GraphDoc, stale: GraphEdge, to: string): void {
  portableGoto(doc, stale.source);
  const edge = currentEdge(doc, stale);
  refuseRouteList(edge);
  const origin = edge.origin;
  if (origin.type === 'goto' && origin.rule !== undefined) {
    const rule = (doc.node(edge.source).goto as GotoRule[])[origin.rule]!;
    replaceRule(doc, edge.source, origin.rule, { ...ruleToPlain(rule), to });
  } else if (origin.type === 'goto') {
    doc.edit(batchEdit.setNodeField(edge.source, 'goto', to));
  } else if (origin.type === 'edge') {
    if (edge.source === START && to === END) {
      doc.edit(batchEdit.removeEdge(origin.index));
    } else doc.edit(batchEdit.setEdgeField(origin.index, 'to', to));
  } else if (edge.source === START) {
    // The implicit entry moves with the list; deleteNodes sets it after the removal.
  } else {
    setWayOn(doc, edge.source, to);
  }
}
