// Node gestures: add a node (optionally after another, taking over its way on), move nodes, delete
// nodes (edges into them are bridged to where they went; branches leave through remove-branch).
import { applyEdits, batchEdit } from '../../batch.ts';
import type { PlainNode } from '../../serialize.ts';
import { END, START } from '../../types.ts';
import type { Position } from '../../types.ts';
import { EditError } from '../splice.ts';
import { connect, redirect } from './connect-edits.ts';
import { fanOutTo, removeBranch } from './fan-out-edits.ts';
import type { GraphDoc } from './graph-doc.ts';
import { insertNodes, routeNew, withPosition } from './placement.ts';
import { fileStyle, setWayOn, wayOn } from './routing.ts';

/** How a node added from the node picker joins the node the edge was dragged from (gesture-plan.ts). */
export interface NewNodeLink {
  source: string;
  as: 'sequential' | 'parallel' | 'conditional' | 'after' | 'before-entry';
  condition?: string;
}

export function addGraphNode(
  doc: GraphDoc,
  node: PlainNode,
  position?: Position,
  after?: string,
  from?: NewNodeLink,
): void {
  if (!node || typeof node.name !== 'string' || node.name.trim() === '')
    throw new EditError('A new node needs a name');
  if (node.name === START || node.name === END) throw new EditError(`'${node.name}' is reserved by TEA`);
  if (doc.names().has(node.name)) throw new EditError(`A node named '${node.name}' already exists`);
  if (from !== undefined && after !== undefined)
    throw new EditError('add-node takes `after` or `from`, not both');
  if (from?.as === 'after') {
    addGraphNode(doc, node, position, from.source);
    return;
  }
  if (from?.as === 'before-entry') {
    // A new first node: it goes on to the old entry, which nothing loses.
    const entry = doc.graph.entry;
    const routed = routeNew(doc, withPosition(node, position), entry ?? END, fileStyle(doc.model));
    insertNodes(doc, [routed.spec]);
    if (routed.edge) doc.edit(batchEdit.addEdge(routed.edge));
    connect(doc, START, node.name);
    return;
  }
  if (from !== undefined) {
    addGraphNode(doc, node, position);
    if (from.as === 'parallel') fanOutTo(doc, from.source, node.name);
    else connect(doc, from.source, node.name, from.as === 'conditional' ? from.condition : undefined);
    return;
  }
  let next: string = END;
  if (after !== undefined) {
    doc.node(after);
    if (doc.fanOut(after)) throw new EditError(`'${after}' fans out: use add-branch to add a node after it`);
    next = wayOn(doc, after) ?? END;
  }
  const style = fileStyle(doc.model);
  const routed = routeNew(doc, withPosition(node, position), next, style);
  insertNodes(doc, [routed.spec], after);
  if (routed.edge) doc.edit(batchEdit.addEdge(routed.edge!));
  if (after !== undefined) setWayOn(doc, after, node.name);
}

/**
 * move-nodes: one parse and one batch splice, no load or validation (the splicer finds each node by
 * name and refuses an unknown one; the caller, the document store, loads the result anyway).
 */
export function moveNodesOnly(text: string, positions: Record<string, Position>, oneAtATime = false): string {
  // No re-parse check of the result either: position splices only rewrite one `metadata` mapping.
  return applyEdits(
    text,
    Object.entries(positions).map(([name, at]) => batchEdit.setNodePosition(name, at)),
    { verify: false, sequential: oneAtATime },
  );
}

export function deleteNodes(doc: GraphDoc, names: string[]): void {
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
    doc.edit(batchEdit.removeNode(name));
    if (next !== null && next !== END && doc.graph.entry !== next)
      doc.edit(batchEdit.addEdge({ from: START, to: next }));
  }
}
