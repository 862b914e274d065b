// Where new nodes go: fresh names, canvas positions, insertion into `nodes:` without re-routing the
// list predecessor, and an explicit way on for each new node in the file's style.
import { batchEdit } from '../../batch.ts';
import type { PlainEdge, PlainNode } from '../../serialize.ts';
import type { Position } from '../../types.ts';
import type { GraphDoc } from './graph-doc.ts';
import { materialize } from './routing.ts';
import type { Style } from './routing.ts';

export function freshName(taken: Set<string>, base: string, first = 1): string {
  for (let i = first; ; i++) {
    const name = i === 1 && first === 1 ? base : `${base}_${i}`;
    if (!taken.has(name)) return name;
  }
}

export function withPosition(node: PlainNode, position?: Position): PlainNode {
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
export function insertNodes(doc: GraphDoc, specs: PlainNode[], after?: string): void {
  const top = doc.model.nodes;
  const anchor = after ?? top[top.length - 1]?.name;
  if (anchor !== undefined && anchor !== '') materialize(doc, anchor);
  let prev = after;
  for (const spec of specs) {
    const current = prev;
    doc.edit(batchEdit.addNode(spec, current === undefined ? {} : { after: current }));
    prev = spec.name;
  }
}

/** Gives a new node its explicit way on, in the file's style. */
export function routeNew(
  doc: GraphDoc,
  spec: PlainNode,
  target: string,
  style: Style,
): { spec: PlainNode; edge?: PlainEdge } {
  if (spec.goto !== undefined) return { spec };
  if (style === 'goto') return { spec: { ...spec, goto: target } };
  return { spec, edge: { from: spec.name, to: target } };
}
