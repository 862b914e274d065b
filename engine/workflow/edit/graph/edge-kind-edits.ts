// Edge kinds changed on the edge (the edge inspector): sequential <-> conditional <-> parallel, and
// an edge's target. Each change keeps the other edges of the source; where it cannot (a fan-out with
// other branches has no sequential way on in TEA's portable form), it refuses with the reason.
import { batchEdit } from '../../batch.ts';
import { edgeParallelForm } from '../../graph.ts';
import { END, START } from '../../types.ts';
import type { GraphEdge } from '../../types.ts';
import { EditError } from '../splice.ts';
import { connect, currentEdge, disconnect, redirect, setCondition } from './connect-edits.ts';
import { addBranchTo, makeFanOut, writeFanOut } from './fan-out-edits.ts';
import type { GraphDoc } from './graph-doc.ts';
import { outgoing, portableGoto, setWayOn, wayOn } from './routing.ts';

export type EdgeKind = 'sequential' | 'conditional' | 'parallel';

/** The kind the inspector shows for an edge (a fallback rule is the sequential way on). */
export function editableKind(edge: GraphEdge): EdgeKind | 'fan-in' | 'entry' {
  if (edge.source === START) return 'entry';
  if (edge.kind === 'fan-in') return 'fan-in';
  if (edge.kind === 'parallel') return 'parallel';
  if (edge.kind === 'conditional' && !edge.fallback) return 'conditional';
  return 'sequential';
}

function refuse(edge: GraphEdge, why: string): never {
  throw new EditError(`The edge ${edge.source} → ${edge.target} ${why}`);
}

/** Removes `source`'s whole fan-out (every parallel entry), leaving it with no routing of its own. */
function dropFanOut(doc: GraphDoc, source: string): void {
  const entries = doc.model.edges.filter((e) => e.from === source && edgeParallelForm(e));
  for (const e of [...entries].sort((a, b) => b.index - a.index)) doc.edit(batchEdit.removeEdge(e.index));
}

export function setEdgeKind(doc: GraphDoc, stale: GraphEdge, kind: EdgeKind, condition?: string): void {
  portableGoto(doc, stale.source);
  const edge = currentEdge(doc, stale);
  const from = editableKind(edge);
  if (from === 'entry') refuse(edge, 'is the entry edge; it is always sequential');
  if (from === 'fan-in') refuse(edge, 'joins its fan-in; change the branch edge instead');
  if (kind === 'conditional' && (condition === undefined || condition.trim() === '')) {
    throw new EditError('A conditional edge needs a condition');
  }
  if (from === kind) {
    if (kind === 'conditional') setCondition(doc, edge, condition);
    return;
  }
  const { source, target } = edge;
  if (from === 'parallel') {
    const fo = doc.fanOut(source)!;
    if (fo.branches.length > 1) {
      refuse(
        edge,
        `is one of ${fo.branches.length} parallel branches of '${source}'; a node that fans out cannot also go on by itself — remove the other branches first`,
      );
    }
    // The only branch: the source goes to it directly; it still goes on to the old fan-in.
    const join = fo.fanIn;
    dropFanOut(doc, source);
    if (join !== null && !outgoing(doc, target).some((e) => e.target === join)) setWayOn(doc, target, join);
    if (kind === 'sequential') setWayOn(doc, source, target);
    else {
      setWayOn(doc, source, join ?? END);
      connect(doc, source, target, condition);
    }
    return;
  }
  if (kind === 'parallel') {
    if (target === END) refuse(edge, 'ends the run; __end__ cannot be a branch');
    const fo = doc.fanOut(source);
    if (fo) {
      addBranchTo(doc, fo, target);
      return;
    }
    const next = wayOn(doc, source);
    const branches = next !== null && next !== END && next !== target ? [next, target] : [target];
    if (from === 'conditional') disconnect(doc, edge);
    makeFanOut(doc, source, branches);
    return;
  }
  if (kind === 'conditional') {
    setCondition(doc, edge, condition);
    return;
  }
  // conditional -> sequential: the edge becomes the way on (the inspector names the one it replaces).
  const goto = doc.node(source).goto;
  if (Array.isArray(goto) && goto.length === 1 && edge.origin.type === 'goto') {
    doc.edit(batchEdit.setNodeField(source, 'goto', target)); // its only rule: a plain goto again
    return;
  }
  disconnect(doc, edge);
  setWayOn(doc, source, target);
}

/** Points an edge at another node; a parallel edge swaps the branch, keeping the others and the fan-in. */
export function setEdgeTarget(doc: GraphDoc, stale: GraphEdge, to: string): void {
  const edge = currentEdge(doc, stale);
  if (to === edge.target) return;
  if (to === START) throw new EditError('Nothing can connect to __start__');
  if (to !== END) doc.node(to);
  const kind = editableKind(edge);
  if (kind === 'fan-in') refuse(edge, 'joins its fan-in; set the fan-in on the fan-out instead');
  if (kind === 'parallel') {
    const fo = doc.fanOut(edge.source)!;
    if (to === END || to === fo.fanIn || fo.branches.includes(to)) {
      throw new EditError(`'${to}' cannot be a branch of the fan-out from '${edge.source}'`);
    }
    writeFanOut(
      doc,
      edge.source,
      fo.branches.map((b) => (b === edge.target ? to : b)),
      fo.fanIn,
    );
    if (fo.fanIn !== null && !outgoing(doc, to).some((e) => e.target === fo.fanIn))
      setWayOn(doc, to, fo.fanIn);
    return;
  }
  if (edge.source === START) {
    connect(doc, START, to);
    return;
  }
  redirect(doc, edge, to);
}
