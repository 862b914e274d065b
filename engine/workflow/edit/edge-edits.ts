// `edges:` edits: append an entry in the list's own style, delete one, set or delete one key.
import { isMap, isSeq } from 'yaml';
import type { YAMLMap } from 'yaml';
import { edgeKeyOrder, renderEdgeFlow, renderSeqItem } from '../serialize.ts';
import { deref, edgeAt, findPair, jsOf, pairEnd, parseForEdit, startOf } from './locate.ts';
import type { EditDoc } from './locate.ts';
import { deleteSeqItem, insertSeqItem, insertTopLevel, replacePair, setInMap } from './primitives.ts';
import { EditError, finish, finishOrSame, wholeText } from './splice.ts';
import type { Splice } from './splice.ts';

function requireEdge(edge: unknown): Record<string, unknown> {
  if (edge === null || typeof edge !== 'object' || Array.isArray(edge)) {
    throw new EditError('An edge must be a mapping like {from: a, to: b}');
  }
  return edge as Record<string, unknown>;
}

/** Appends an entry to `edges:` in the style of the existing entries (flow one-liners by default). */
export function addEdge(text: string, edge: Record<string, unknown>): string {
  requireEdge(edge);
  const p = parseForEdit(text);
  return finish(p, addEdgeSplices(p, edge));
}

export function addEdgeSplices(p: EditDoc, edge: Record<string, unknown>): Splice[] {
  const e = requireEdge(edge);
  const ordered: Record<string, unknown> = {};
  for (const key of edgeKeyOrder(e)) ordered[key] = e[key];
  const pair = p.root ? findPair(p.root, 'edges') : undefined;
  const seq = pair ? deref(p, pair.value) : null;
  if (isSeq(seq) && !seq.flow && seq.items.length > 0) {
    const firstBlock = isMap(deref(p, seq.items[0])) && !(deref(p, seq.items[0]) as YAMLMap).flow;
    return [
      insertSeqItem(p, seq, (col) =>
        firstBlock ? renderSeqItem(ordered, col, p.opts) : [`${' '.repeat(col)}- ${renderEdgeFlow(ordered)}`],
      ),
    ];
  }
  return [wholeText(addEdgeWhole(p, ordered))];
}

function addEdgeWhole(p: EditDoc, ordered: Record<string, unknown>): Splice {
  const pair = p.root ? findPair(p.root, 'edges') : undefined;
  const seq = pair ? deref(p, pair.value) : null;
  const existing = isSeq(seq) ? (jsOf(p, seq) as Record<string, unknown>[]) : [];
  const lines = [
    'edges:',
    ...[...existing, ordered].map((x) => `${' '.repeat(p.opts.step)}- ${renderEdgeFlow(x)}`),
  ];
  if (pair && p.root) {
    return { start: startOf(pair.key), end: pairEnd(p.text, pair), text: lines.join('\n') };
  }
  const insert = insertTopLevel(p, 'edges', []);
  insert.text = insert.text.replace(/edges: \[\]/, lines.join('\n'));
  return insert;
}
/** Deletes entry `index` of `edges:` (the last one leaves `edges: []`). */
export function removeEdge(text: string, index: number): string {
  const p = parseForEdit(text);
  return finish(p, removeEdgeSplices(p, index));
}

export function removeEdgeSplices(p: EditDoc, index: number): Splice[] {
  const { seq } = edgeAt(p, index);
  const pair = findPair(p.root!, 'edges')!;
  return [deleteSeqItem(p, seq, index, () => replacePair(p, p.root!, pair, []))];
}

/** Sets or (with `undefined`) deletes one key of edge `index`. */
export function setEdgeField(text: string, index: number, key: string, value: unknown): string {
  const p = parseForEdit(text);
  return finishOrSame(p, setEdgeFieldSplices(p, index, key, value));
}

export function setEdgeFieldSplices(p: EditDoc, index: number, key: string, value: unknown): Splice[] {
  const { map } = edgeAt(p, index);
  if (!map) throw new EditError(`Edge ${index} is not a mapping`);
  if (value === undefined && !findPair(map, key)) return [];
  if (!map.flow && value !== undefined && findPair(map, key) === undefined) {
    return [setInMap(p, map, key, value, ['from', 'to', 'when', 'type', 'fan_in', 'parallel'])];
  }
  return [setInMap(p, map, key, value)];
}
