// Locating things in a parsed workflow: pairs, node mappings by name, `edges:` entries, the scalars
// that name nodes, and the exact text extent of an AST node (without trailing comments and blanks).
import { isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { cachedParse, rememberParse } from '../parse-cache.ts';
import type { RenderOptions } from '../serialize.ts';
import { detectStep, lineEndIncl, trimEnd } from './lines.ts';
import { EditError, NeedsReparse } from './splice.ts';
import type { BatchState } from './splice.ts';

/** A parsed document that splice builders work on. */
export interface EditDoc {
  text: string;
  doc: Document;
  root: YAMLMap | null;
  opts: RenderOptions;
  /** Set by batch.ts: the parse is shared by several edits. */
  batch?: BatchState;
  /** Lazily built name -> node index (first of each name). */
  nodeIndex?: Map<string, NodeRef>;
}

export function parseForEdit(text: string): EditDoc {
  const doc = cachedParse(text) ?? parseDocument(text, { uniqueKeys: true });
  rememberParse(text, doc);
  if (doc.errors.length > 0) {
    throw new EditError(`Cannot edit: the YAML has errors (${doc.errors[0]!.message.split('\n')[0]})`);
  }
  const contents = doc.contents as unknown;
  let root: YAMLMap | null = null;
  if (isMap(contents)) root = contents;
  else if (!(contents === null || (isScalar(contents) && contents.value === null))) {
    throw new EditError('Cannot edit: the document is not a YAML mapping');
  }
  return { text, doc, root, opts: { step: detectStep(text) } };
}

export function deref(p: EditDoc, node: unknown): YamlNode | null {
  if (isAlias(node)) return (node.resolve(p.doc) as YamlNode | undefined) ?? null;
  return (node as YamlNode | null) ?? null;
}

export function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => keyOf(pair) === key);
}

export function pairValue(p: EditDoc, map: YAMLMap, key: string): YamlNode | null {
  const pair = findPair(map, key);
  return pair ? deref(p, pair.value) : null;
}

export function scalarString(node: YamlNode | null): string | undefined {
  if (isScalar(node) && node.value !== null && typeof node.value !== 'object') return String(node.value);
  return undefined;
}

export function startOf(node: unknown): number {
  return (node as YamlNode).range![0];
}

/** End offset of a node's own content: excludes trailing comments, blank lines and newlines. */
export function contentEnd(text: string, node: unknown): number {
  const n = node as YamlNode | null;
  if (n === null || n === undefined || !n.range) return 0;
  if (isMap(n) || isSeq(n)) {
    if (n.flow) return trimEnd(text, n.range[0], n.range[1]);
    const last = n.items[n.items.length - 1];
    if (last === undefined) return trimEnd(text, n.range[0], n.range[1]);
    return isMap(n) ? pairEnd(text, last as Pair) : contentEnd(text, last);
  }
  if (isScalar(n) && (n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED')) {
    // `|+` keeps trailing blank lines as content: they belong to the scalar.
    const header = text.slice(n.range[0], lineEndIncl(text, n.range[0]));
    if (/^[|>][0-9]?\+/.test(header)) return n.range[1];
    // The whole last content line belongs to the scalar (trailing spaces are content).
    // yaml's value end can stop before trailing spaces of the last line, so go to the line's end.
    const last = trimEnd(text, n.range[0], n.range[1]);
    const nl = text.indexOf('\n', last);
    return nl < 0 ? text.length : nl;
  }
  return trimEnd(text, n.range[0], n.range[1]);
}

export function pairEnd(text: string, pair: Pair): number {
  const keyEnd = contentEnd(text, pair.key);
  const value = pair.value as YamlNode | null;
  if (value && value.range && value.range[1] > value.range[0])
    return Math.max(keyEnd, contentEnd(text, value));
  const colon = text.indexOf(':', keyEnd);
  return colon >= 0 ? colon + 1 : keyEnd;
}

/** Offset of the `-` that introduces a block sequence item. */
export function dashOf(text: string, item: unknown): number {
  let i = startOf(item) - 1;
  while (i >= 0 && /\s/.test(text[i]!)) i--;
  if (text[i] !== '-') throw new EditError('internal: sequence item without a dash');
  return i;
}

// ---------------------------------------------------------------- node lookup

export interface NodeRef {
  map: YAMLMap;
  seq: YAMLSeq;
  index: number;
}

/** All node mappings (top level and nested while_loop bodies), in document order. */
export function allNodes(p: EditDoc): NodeRef[] {
  const out: NodeRef[] = [];
  const walk = (seq: YamlNode | null) => {
    if (!isSeq(seq)) return;
    seq.items.forEach((item, index) => {
      const map = deref(p, item);
      if (!isMap(map)) return;
      out.push({ map, seq, index });
      walk(pairValue(p, map, 'body'));
    });
  };
  if (p.root) walk(pairValue(p, p.root, 'nodes'));
  return out;
}

export function nodeName(p: EditDoc, map: YAMLMap): string | undefined {
  return scalarString(pairValue(p, map, 'name'));
}

export function findNode(p: EditDoc, name: string): NodeRef {
  if (!p.nodeIndex) {
    p.nodeIndex = new Map();
    for (const r of allNodes(p)) {
      const n = nodeName(p, r.map);
      if (n !== undefined && !p.nodeIndex.has(n)) p.nodeIndex.set(n, r);
    }
  }
  const ref = p.nodeIndex.get(name);
  if (!ref) throw new EditError(`No node named '${name}'`);
  return ref;
}

export function edgeItems(p: EditDoc): { seq: YAMLSeq | null; items: (YAMLMap | null)[] } {
  const seq = p.root ? pairValue(p, p.root, 'edges') : null;
  if (!isSeq(seq)) return { seq: null, items: [] };
  return {
    seq,
    items: seq.items.map((item) => (isMap(deref(p, item)) ? (deref(p, item) as YAMLMap) : null)),
  };
}

/** Plain-JS value of an AST node (used when a flow collection must be re-rendered whole). */
export function jsOf(p: EditDoc, node: unknown): unknown {
  if (node === null || node === undefined) return null;
  return (node as YamlNode).toJS(p.doc);
}

/** The map and pair that hold a sequence (`nodes:` at top level or a `body:`). */
export function containerOf(p: EditDoc, seq: YAMLSeq): { map: YAMLMap; pair: Pair } | null {
  const candidates: YAMLMap[] = [];
  if (p.root) candidates.push(p.root);
  for (const r of allNodes(p)) candidates.push(r.map);
  for (const map of candidates) {
    for (const pair of map.items) if (deref(p, pair.value) === seq) return { map, pair };
  }
  return null;
}

export function edgeAt(p: EditDoc, index: number): { seq: YAMLSeq; map: YAMLMap | null } {
  const { seq, items } = edgeItems(p);
  if (!seq || !Number.isInteger(index) || index < 0 || index >= items.length) {
    throw new EditError(`No edge at index ${index}`);
  }
  // In a batch, an earlier removal or insertion at or before `index` moved the entry.
  const moved = p.batch?.seqChanges.get(seq);
  if (moved !== undefined && moved <= index) throw new NeedsReparse();
  return { seq, map: items[index] ?? null };
}

// ---------------------------------------------------------------- references to node names

/** Every scalar in the document that refers to a node by name (excluding `name:` values themselves). */
export function nodeRefScalars(p: EditDoc): { scalar: Scalar; name: string }[] {
  const out: { scalar: Scalar; name: string }[] = [];
  const add = (node: YamlNode | null) => {
    const s = scalarString(node);
    if (s !== undefined && isScalar(node)) out.push({ scalar: node, name: s });
  };
  const addList = (node: YamlNode | null) => {
    if (!isSeq(node)) return add(node);
    for (const item of node.items) {
      const entry = deref(p, item);
      // `to: [{target, condition}, ..]` route lists name their node under `target`.
      if (isMap(entry)) add(pairValue(p, entry, 'target'));
      else add(entry);
    }
  };
  for (const ref of allNodes(p)) {
    const goto = pairValue(p, ref.map, 'goto');
    if (isSeq(goto)) {
      for (const rule of goto.items) {
        const r = deref(p, rule);
        if (isMap(r)) add(pairValue(p, r, 'to'));
      }
    } else if (isMap(goto)) {
      // `_route` goto maps: the values are node names, the keys are route labels.
      for (const pair of goto.items) add(deref(p, pair.value));
    } else add(goto);
    add(pairValue(p, ref.map, 'fallback'));
    if (scalarString(pairValue(p, ref.map, 'type')) === 'dynamic_parallel')
      add(pairValue(p, ref.map, 'fan_in'));
  }
  for (const edge of edgeItems(p).items) {
    if (!edge) continue;
    add(pairValue(p, edge, 'from'));
    addList(pairValue(p, edge, 'to'));
    add(pairValue(p, edge, 'fan_in'));
    addList(pairValue(p, edge, 'parallel'));
  }
  const config = p.root ? pairValue(p, p.root, 'config') : null;
  if (isMap(config)) {
    addList(pairValue(p, config, 'interrupt_before'));
    addList(pairValue(p, config, 'interrupt_after'));
  }
  return out;
}
