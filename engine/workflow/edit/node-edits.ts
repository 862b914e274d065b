// Node edits: rename (with every reference), code, fields, canvas position, add and remove.
import { isMap, isSeq } from 'yaml';
import type { Pair, Scalar, YAMLMap } from 'yaml';
import { NODE_KEY_ORDER, orderNodeKeys, renderNodeItem } from '../serialize.ts';
import type { Position } from '../types.ts';
import {
  allNodes,
  containerOf,
  deref,
  edgeItems,
  findNode,
  findPair,
  jsOf,
  nodeName,
  nodeRefScalars,
  pairEnd,
  pairValue,
  parseForEdit,
  scalarString,
  startOf,
} from './locate.ts';
import type { EditDoc } from './locate.ts';
import {
  deleteSeqItem,
  insertSeqItem,
  insertTopLevel,
  replacePair,
  replaceScalar,
  setInMap,
} from './primitives.ts';
import { EditError, finish, finishOrSame, NeedsReparse, wholeText } from './splice.ts';
import type { Splice } from './splice.ts';

const RESERVED_NAMES = new Set(['__start__', '__end__']);

function requireName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw new EditError(`${what} must be a non-empty string`);
  if (RESERVED_NAMES.has(name)) throw new EditError(`'${name}' is reserved by TEA and cannot name a node`);
  return name;
}

/**
 * Renames a node and every reference to it: goto strings and rule `to`s, edge `from`/`to`/`fan_in`,
 * `parallel` lists, node `fallback`, `config.interrupt_before/after`, inside while_loop bodies too;
 * the values of `_route` goto maps, `target`s of `to:` route lists, a dynamic_parallel `fan_in`.
 */
export function renameNode(text: string, oldName: string, newName: string): string {
  const p = parseForEdit(text);
  return finishOrSame(p, renameNodeSplices(p, oldName, newName));
}

export function renameNodeSplices(p: EditDoc, oldName: string, newName: string): Splice[] {
  requireName(newName, 'New node name');
  // Later edits look nodes up by name: a rename in a batch must be seen by a fresh parse.
  if (p.batch && p.batch.pending > 0) throw new NeedsReparse();
  const target = findNode(p, oldName);
  if (oldName === newName) return [];
  if (allNodes(p).some((r) => nodeName(p, r.map) === newName)) {
    throw new EditError(`A node named '${newName}' already exists`);
  }
  const splices: Splice[] = [replaceScalar(pairValue(p, target.map, 'name') as Scalar, newName)];
  for (const ref of nodeRefScalars(p))
    if (ref.name === oldName) splices.push(replaceScalar(ref.scalar, newName));
  splices[0]!.barrier = true;
  return splices;
}

/** Writes a node's `run:` code as a literal block scalar (Python map form: replaces its `code`). */
export function setNodeCode(text: string, node: string, code: string): string {
  if (typeof code !== 'string') throw new EditError('Code must be a string');
  const p = parseForEdit(text);
  return finishOrSame(p, setNodeCodeSplices(p, node, code));
}

export function setNodeCodeSplices(p: EditDoc, node: string, code: string): Splice[] {
  if (typeof code !== 'string') throw new EditError('Code must be a string');
  const ref = findNode(p, node);
  const run = pairValue(p, ref.map, 'run');
  if (isMap(run) && findPair(run, 'code')) return [setInMap(p, run, 'code', code)];
  return [setInMap(p, ref.map, 'run', code, NODE_KEY_ORDER)];
}

/** Sets, replaces or (with `undefined`) deletes one key of a node. `name` goes through renameNode. */
export function setNodeField(text: string, node: string, key: string, value: unknown): string {
  if (key === 'name') {
    if (value === undefined) throw new EditError('A node name cannot be deleted');
    return renameNode(text, node, String(value));
  }
  if (key === 'run' && typeof value === 'string') return setNodeCode(text, node, value);
  const p = parseForEdit(text);
  return finishOrSame(p, setNodeFieldSplices(p, node, key, value));
}

export function setNodeFieldSplices(p: EditDoc, node: string, key: string, value: unknown): Splice[] {
  if (key === 'name') {
    if (value === undefined) throw new EditError('A node name cannot be deleted');
    return renameNodeSplices(p, node, String(value));
  }
  if (key === 'run' && typeof value === 'string') return setNodeCodeSplices(p, node, value);
  const ref = findNode(p, node);
  if (value === undefined && !findPair(ref.map, key)) return [];
  return [setInMap(p, ref.map, key, value, NODE_KEY_ORDER)];
}

/** Stores a canvas position as one line, `metadata: {fanout: {x, y}}`, keeping other metadata keys. */
export function setNodePosition(text: string, node: string, position: Position): string {
  checkPosition(position);
  const p = parseForEdit(text);
  return finishOrSame(p, setNodePositionSplices(p, node, position));
}

function checkPosition(position: Position): { x: number; y: number } {
  // `+ 0` turns -0 into 0 so a position never reads back as -0.
  const pos = { x: Math.round(position.x) + 0, y: Math.round(position.y) + 0 };
  if (!Number.isFinite(pos.x) || !Number.isFinite(pos.y))
    throw new EditError('Position must be finite numbers');
  return pos;
}

export function setNodePositionSplices(p: EditDoc, node: string, position: Position): Splice[] {
  const pos = checkPosition(position);
  const ref = findNode(p, node);
  const metadata = pairValue(p, ref.map, 'metadata');
  if (isMap(metadata) && !metadata.flow && metadata.items.length > 0) {
    const fanout = pairValue(p, metadata, 'fanout');
    const value = isMap(fanout) ? { ...(jsOf(p, fanout) as Record<string, unknown>), ...pos } : pos;
    return [setInMap(p, metadata, 'fanout', value)];
  }
  const current = isMap(metadata) ? ((jsOf(p, metadata) ?? {}) as Record<string, unknown>) : {};
  const fanout = current.fanout;
  const merged = {
    ...current,
    fanout: fanout && typeof fanout === 'object' && !Array.isArray(fanout) ? { ...fanout, ...pos } : pos,
  };
  return [setInMap(p, ref.map, 'metadata', merged, NODE_KEY_ORDER)];
}

/** Appends a node to `nodes:` (or after `opts.after`, in that node's list, e.g. a while_loop body). */
export function addNode(text: string, spec: Record<string, unknown>, opts: { after?: string } = {}): string {
  requireName(spec.name, 'Node name');
  const p = parseForEdit(text);
  return finish(p, addNodeSplices(p, spec, opts));
}

export function addNodeSplices(
  p: EditDoc,
  spec: Record<string, unknown>,
  opts: { after?: string } = {},
): Splice[] {
  const name = requireName(spec.name, 'Node name');
  // The name check and the anchor lookup need every pending node in the parse.
  if (p.batch && p.batch.pending > 0) throw new NeedsReparse();
  if (allNodes(p).some((r) => nodeName(p, r.map) === name)) {
    throw new EditError(`A node named '${name}' already exists`);
  }
  const ordered: Record<string, unknown> = {};
  for (const key of orderNodeKeys(spec)) ordered[key] = spec[key];
  if (opts.after !== undefined) {
    const anchor = findNode(p, opts.after);
    if (!anchor.seq.flow) {
      const render = (col: number) => renderNodeItem(ordered, col, p.opts);
      return [barrier(insertSeqItem(p, anchor.seq, render, anchor.index))];
    }
  }
  const nodesPair = p.root ? findPair(p.root, 'nodes') : undefined;
  const nodes = nodesPair ? deref(p, nodesPair.value) : null;
  if (isSeq(nodes) && !nodes.flow && nodes.items.length > 0) {
    return [barrier(insertSeqItem(p, nodes, (col) => renderNodeItem(ordered, col, p.opts)))];
  }
  const existing = isSeq(nodes) ? (jsOf(p, nodes) as unknown[]) : [];
  const lines = ['nodes:'];
  for (const item of [...existing, ordered]) {
    lines.push(...renderNodeItem(item as Record<string, unknown>, p.opts.step, p.opts));
  }
  if (nodesPair && p.root) {
    const start = startOf(nodesPair.key);
    return [wholeText({ start, end: pairEnd(p.text, nodesPair), text: lines.join('\n') })];
  }
  const insert = insertTopLevel(p, 'nodes', [], 'edges');
  insert.text = insert.text.replace(/nodes: \[\]/, lines.join('\n'));
  return [wholeText(insert)];
}

/** Later edits look nodes up by name: the batch re-parses after a node is added. */
function barrier(splice: Splice): Splice {
  splice.barrier = true;
  return splice;
}

/**
 * Removes a node and what points at it, so the file stays loadable:
 * - `edges:` entries whose `from` or `to` is the node are deleted (they could only dangle);
 * - the name is dropped from `parallel: [..]` lists and `to: [..]` lists;
 * - goto rules whose `to` is the node are deleted; a plain `goto: <node>` (or a goto whose rules all
 *   pointed at it) is deleted, so the predecessor falls back to list order / its edges;
 * - `fan_in: <node>` on parallel edges is kept: the fan-out still exists and needs a new join, which
 *   validation reports. References inside while_loop bodies are handled the same way.
 * Applied one change at a time (re-parsing in between) because the changes can be nested.
 */
export function removeNode(text: string, name: string): string {
  let p = parseForEdit(text);
  const ref = findNode(p, name);
  const emptyList = (seqKeyPair: Pair | undefined, container: YAMLMap | null) => (): Splice => {
    if (!seqKeyPair || !container) throw new EditError('internal: list without a key');
    return replacePair(p, container, seqKeyPair, []);
  };
  const container = containerOf(p, ref.seq);
  let current = finish(p, [
    deleteSeqItem(p, ref.seq, ref.index, emptyList(container?.pair, container?.map ?? null)),
  ]);

  for (let guard = 0; guard < 10_000; guard++) {
    p = parseForEdit(current);
    const splice = nextReferenceRemoval(p, name);
    if (!splice) return current;
    current = finish(p, [splice]);
  }
  throw new EditError('internal: too many references to remove');
}

function nextReferenceRemoval(p: EditDoc, name: string): Splice | null {
  const { seq: edgesSeq, items } = edgeItems(p);
  for (let i = 0; i < items.length; i++) {
    const edge = items[i];
    if (!edge || !edgesSeq) continue;
    const from = scalarString(pairValue(p, edge, 'from'));
    const to = pairValue(p, edge, 'to');
    if (from === name || scalarString(to) === name) {
      const pair = findPair(p.root!, 'edges')!;
      return deleteSeqItem(p, edgesSeq, i, () => replacePair(p, p.root!, pair, []));
    }
    for (const key of ['to', 'parallel']) {
      const list = pairValue(p, edge, key);
      if (!isSeq(list)) continue;
      const idx = list.items.findIndex((it) => scalarString(deref(p, it)) === name);
      if (idx >= 0) return deleteSeqItem(p, list, idx, () => setInMap(p, edge, key, []));
    }
  }
  for (const ref of allNodes(p)) {
    const goto = pairValue(p, ref.map, 'goto');
    if (scalarString(goto) === name) return setInMap(p, ref.map, 'goto', undefined);
    if (isSeq(goto)) {
      const idx = goto.items.findIndex((rule) => {
        const r = deref(p, rule);
        return isMap(r) && scalarString(pairValue(p, r, 'to')) === name;
      });
      if (idx >= 0) return deleteSeqItem(p, goto, idx, () => setInMap(p, ref.map, 'goto', undefined));
    }
  }
  return null;
}
