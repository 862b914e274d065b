// Edits of one nested key (`with.provider`, `with.messages.1.content`, `settings.llm.model`), so a form
// field changes only its own line: the rest of the mapping (comments, unknown keys, order) stays as
// written. Replacing the whole `with:` or `settings:` value instead would re-render it and drop them.
import { isMap, isScalar, isSeq } from 'yaml';
import type { YAMLMap, YAMLSeq } from 'yaml';
import { NODE_KEY_ORDER, renderFlow } from '../serialize.ts';
import { contentEnd, dashOf, deref, findNode, findPair, jsOf, pairValue, parseForEdit } from './locate.ts';
import type { EditDoc } from './locate.ts';
import { deleteSeqItem, insertSeqItem, setInMap } from './primitives.ts';
import { EditError, finishOrSame } from './splice.ts';
import type { Splice } from './splice.ts';
import { setTopLevelField } from './top-level-edits.ts';

/** A key of a mapping, or the index of an existing item of a sequence. */
export type PathKey = string | number;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{a: {b: value}}` for the keys ['a', 'b'] (string keys only: a missing sequence cannot be made). */
function nest(keys: readonly PathKey[], value: unknown, where: string): unknown {
  let out = value;
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i]!;
    if (typeof k !== 'string') throw new EditError(`${where}: item ${k} does not exist`);
    out = { [k]: out };
  }
  return out;
}

/** Containers along the path, from `map` (level 0) to the deepest existing one. */
interface Walk {
  /** containers[i] holds the key path[i]. */
  containers: YAMLMap[];
}

/**
 * Splices that set `path` under `map` to `value` (undefined deletes it, and with it every mapping the
 * deletion leaves empty, up to but excluding `map` itself — unless `pruneTop`, which lets the caller
 * remove the level-0 key). `order` places a new level-0 key.
 */
function setPathIn(
  p: EditDoc,
  map: YAMLMap,
  path: readonly PathKey[],
  value: unknown,
  where: string,
  order?: readonly string[],
): Splice[] {
  if (path.length === 0) throw new EditError(`${where}: empty path`);
  const walk: Walk = { containers: [map] };
  for (let i = 0; i < path.length - 1; i++) {
    const container = walk.containers[i]!;
    const key = path[i]!;
    if (typeof key !== 'string') throw new EditError(`${where}: ${String(key)} is not a key`);
    const child = pairValue(p, container, key);
    let next: YAMLMap | null = null;
    const sub = path[i + 1]!;
    if (typeof sub === 'number') {
      // Into an existing item of a sequence: the item must be a mapping.
      if (!isSeq(child) || sub < 0 || sub >= child.items.length) {
        throw new EditError(`${where}: ${key}[${sub}] does not exist`);
      }
      const item = deref(p, child.items[sub]);
      if (!isMap(item)) throw new EditError(`${where}: ${key}[${sub}] is not a mapping`);
      if (i + 2 >= path.length) throw new EditError(`${where}: a whole sequence item cannot be set here`);
      walk.containers.push(item);
      // Skip the index: the item map holds path[i + 2].
      walk.containers.push(item);
      i++;
      continue;
    }
    if (isMap(child) && child.items.length > 0) next = child;
    if (!next && child !== null && !isMap(child) && !(isScalar(child) && child.value === null)) {
      // A template or a list there: writing a mapping over it would lose what the author wrote.
      throw new EditError(`${where}: ${key} is not a mapping; edit it in the YAML`);
    }
    if (!next) {
      // The rest of the path does not exist (`key` is missing, empty or `{}`): write it.
      if (value === undefined) return [];
      const base = isMap(child) ? ((jsOf(p, child) ?? {}) as Record<string, unknown>) : {};
      const rest = nest(path.slice(i + 2), value, where);
      const merged = isObject(base) ? { ...base, [sub]: rest } : { [sub]: rest };
      return [setInMap(p, container, key, merged, i === 0 ? order : undefined)];
    }
    walk.containers.push(next);
  }
  const last = path[path.length - 1]!;
  if (typeof last !== 'string') throw new EditError(`${where}: ${last} is not a key`);
  const depth = path.length - 1;
  const holder = walk.containers[depth]!;
  if (value !== undefined) return [setInMap(p, holder, last, value, depth === 0 ? order : undefined)];
  if (!findPair(holder, last)) return [];
  // Deleting the only key of a nested mapping deletes the mapping's own key too (no `with: {}` left).
  let level = depth;
  while (level > 0 && walk.containers[level]!.items.length === 1) {
    const parent = walk.containers[level - 1]!;
    if (parent === walk.containers[level]) break; // a sequence item: keep the item, drop only the key
    level--;
  }
  const key = path[level]!;
  return [setInMap(p, walk.containers[level]!, String(key), undefined)];
}

/** Sets (or with undefined deletes) one nested key of a node: `['with', 'temperature']`. */
export function setNodePath(text: string, node: string, path: readonly PathKey[], value: unknown): string {
  const p = parseForEdit(text);
  return finishOrSame(p, setNodePathSplices(p, node, path, value));
}

export function setNodePathSplices(
  p: EditDoc,
  node: string,
  path: readonly PathKey[],
  value: unknown,
): Splice[] {
  if (path[0] === 'name' || (path[0] === 'run' && path.length === 1)) {
    throw new EditError(`Use the node edits to change \`${String(path[0])}\``);
  }
  const ref = findNode(p, node);
  return setPathIn(p, ref.map, path, value, `node '${node}'`, NODE_KEY_ORDER);
}

/** Sets (or deletes) one nested top-level key: `['settings', 'llm', 'model']`. */
export function setTopLevelPath(text: string, path: readonly PathKey[], value: unknown): string {
  const top = path[0];
  if (typeof top !== 'string') throw new EditError('A top-level path starts with a key');
  const p = parseForEdit(text);
  const section = p.root ? pairValue(p, p.root, top) : null;
  if (path.length === 1 || !isMap(section) || section.items.length === 0) {
    // Missing or not a mapping: the whole top-level key is (re)written, placed as setTopLevelField does.
    if (value === undefined && path.length > 1) return text;
    const base = isMap(section) ? ((jsOf(p, section) ?? {}) as Record<string, unknown>) : {};
    const rest = path.length === 1 ? value : { ...base, ...(nest(path.slice(1), value, top) as object) };
    return setTopLevelField(text, top, rest);
  }
  const splices = setPathIn(p, p.root!, path, value, top);
  // Deleting the last key of the section: remove the section the way setTopLevelField does.
  const emptied =
    splices.length === 1 && value === undefined && section.items.length === 1 && emptiesTop(p, path);
  if (emptied) return setTopLevelField(text, top, undefined);
  return finishOrSame(p, splices);
}

/** True when deleting `path` leaves its top-level section with no keys. */
function emptiesTop(p: EditDoc, path: readonly PathKey[]): boolean {
  let map = pairValue(p, p.root!, String(path[0]));
  for (let i = 1; i < path.length - 1; i++) {
    if (!isMap(map) || map.items.length !== 1) return false;
    map = pairValue(p, map, String(path[i]));
  }
  return isMap(map) && map.items.length === 1 && findPair(map, String(path[path.length - 1])) !== undefined;
}

// ---- items of a nested sequence (messages, tools): added, removed and moved without re-rendering
// the others, so their comments and flow/block style stay as written.

/** The node at `path` under a node (maps by key, sequences by index), or null when it is missing. */
function nodeAt(p: EditDoc, map: YAMLMap, path: readonly PathKey[]): unknown {
  let cur: unknown = map;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!isSeq(cur) || key < 0 || key >= cur.items.length) return null;
      cur = deref(p, cur.items[key]);
    } else {
      if (!isMap(cur)) return null;
      cur = pairValue(p, cur, key);
    }
  }
  return cur;
}

function blockSeqAt(p: EditDoc, node: string, path: readonly PathKey[]): YAMLSeq | null {
  const seq = nodeAt(p, findNode(p, node).map, path);
  return isSeq(seq) && !seq.flow && seq.items.length > 0 ? seq : null;
}

/** Appends `value` to the sequence at `path` as one flow line (`- {role: user, content: ""}`). */
export function appendNodeSeqItem(
  text: string,
  node: string,
  path: readonly PathKey[],
  value: unknown,
): string {
  const p = parseForEdit(text);
  const seq = blockSeqAt(p, node, path);
  if (!seq) {
    // No block list yet (missing, empty or flow): write the whole list.
    const current = nodeAt(p, findNode(p, node).map, path);
    const items = isSeq(current) ? ((jsOf(p, current) as unknown[]) ?? []) : [];
    return setNodePath(text, node, path, [...items, value]);
  }
  const line = `- ${renderFlow(value)}`;
  return finishOrSame(p, [insertSeqItem(p, seq, (dashCol) => [`${' '.repeat(dashCol)}${line}`])]);
}

/** Removes item `index` of the sequence at `path` (the key goes when it was the last item). */
export function removeNodeSeqItem(
  text: string,
  node: string,
  path: readonly PathKey[],
  index: number,
): string {
  const p = parseForEdit(text);
  const seq = blockSeqAt(p, node, path);
  if (!seq || seq.items.length === 1) {
    const current = nodeAt(p, findNode(p, node).map, path);
    if (!isSeq(current) || index < 0 || index >= current.items.length) {
      throw new EditError(`node '${node}': item ${index} does not exist`);
    }
    const items = (jsOf(p, current) as unknown[]).filter((_, i) => i !== index);
    return setNodePath(text, node, path, items.length > 0 ? items : undefined);
  }
  if (index < 0 || index >= seq.items.length)
    throw new EditError(`node '${node}': item ${index} does not exist`);
  return finishOrSame(p, [deleteSeqItem(p, seq, index, () => ({ start: 0, end: 0, text: '' }))]);
}

/**
 * Swaps items `index` and `index + 1` of the sequence at `path` as text: each item keeps its own
 * lines (comments inside it, flow or block form); what lies between them stays between them.
 */
export function swapNodeSeqItems(
  text: string,
  node: string,
  path: readonly PathKey[],
  index: number,
): string {
  const p = parseForEdit(text);
  const seq = blockSeqAt(p, node, path);
  if (!seq) {
    const current = nodeAt(p, findNode(p, node).map, path);
    if (!isSeq(current)) throw new EditError(`node '${node}': ${path.join('.')} is not a list`);
    const items = [...(jsOf(p, current) as unknown[])];
    if (index < 0 || index + 1 >= items.length)
      throw new EditError(`node '${node}': cannot move item ${index}`);
    [items[index], items[index + 1]] = [items[index + 1], items[index]];
    return setNodePath(text, node, path, items);
  }
  if (index < 0 || index + 1 >= seq.items.length) {
    throw new EditError(`node '${node}': cannot move item ${index}`);
  }
  const a = seq.items[index];
  const b = seq.items[index + 1];
  const aStart = dashOf(p.text, a);
  const aEnd = contentEnd(p.text, a);
  const bStart = dashOf(p.text, b);
  const bEnd = contentEnd(p.text, b);
  const between = p.text.slice(aEnd, bStart);
  const swapped = p.text.slice(bStart, bEnd) + between + p.text.slice(aStart, aEnd);
  return finishOrSame(p, [{ start: aStart, end: bEnd, text: swapped }]);
}

/** Moves item `from` to position `to` by adjacent swaps (each lossless, see swapNodeSeqItems). */
export function moveNodeSeqItem(
  text: string,
  node: string,
  path: readonly PathKey[],
  from: number,
  to: number,
): string {
  let out = text;
  if (from < to) for (let i = from; i < to; i++) out = swapNodeSeqItems(out, node, path, i);
  else for (let i = from - 1; i >= to; i--) out = swapNodeSeqItems(out, node, path, i);
  return out;
}
