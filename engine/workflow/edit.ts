// Surgical edits of TEA workflow text. Each edit parses the text, finds the AST ranges it must touch
// and splices new text in there, so comments, key order, blank lines and unknown keys elsewhere stay
// byte-identical (re-stringifying the whole document with `yaml` would not be). Every result is
// re-parsed; an edit that would produce broken YAML throws instead of returning it.

import { isAlias, isMap, isScalar, isSeq, parseDocument, Scalar } from 'yaml';
import { cachedParse, rememberParse } from './parse-cache.ts';
import type { Document, Node as YamlNode, Pair, YAMLMap, YAMLSeq } from 'yaml';
import {
  edgeKeyOrder,
  NODE_KEY_ORDER,
  orderNodeKeys,
  renderEdgeFlow,
  renderEntry,
  renderFlow,
  renderKey,
  renderNodeItem,
  renderScalar,
  renderSeqItem,
  isPlainSafe,
  quoteString,
} from './serialize.ts';
import type { RenderOptions } from './serialize.ts';
import type { Position } from './types.ts';

export class EditError extends Error {
  override name = 'EditError';
}

const RESERVED_NAMES = new Set(['__start__', '__end__']);

// ---------------------------------------------------------------- text helpers

/** One text replacement. The optional fields serve the batch mechanism (batch.ts). */
export interface Splice {
  start: number;
  end: number;
  text: string;
  /** Text ranges the edit's computation read; another edit's change touching them forces a re-parse. */
  zones?: [number, number][];
  /** A pure insertion that may share its point with others: where it goes among them. */
  place?: 'front' | 'back' | Splice;
  /** The map or sequence a placed insertion belongs to. */
  owner?: object;
  /** Called when the batch accepts the splice (records structural changes for later edits). */
  onCommit?: () => void;
  /** Later edits must see the result: the batch re-parses right after this edit. */
  barrier?: boolean;
}

/** Thrown by splice builders when pending batch changes make their input stale (batch.ts re-parses). */
export class NeedsReparse extends Error {
  override name = 'NeedsReparse';
}

/** Batch bookkeeping attached to a parse: key insertions per map, structural changes per sequence. */
export interface BatchState {
  keyInserts: Map<YAMLMap, { key: string; anchor: Pair | Splice; splice: Splice }[]>;
  /** Lowest item index of a sequence whose position changed (an item removed or inserted there). */
  seqChanges: Map<YAMLSeq, number>;
  /** Number of splices accepted since this parse. */
  pending: number;
}

function applySplices(text: string, splices: Splice[]): string {
  const sorted = [...splices].sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Infinity;
  for (const s of sorted) {
    if (s.end > limit) throw new EditError('internal: overlapping edits');
    out = out.slice(0, s.start) + s.text + out.slice(s.end);
    limit = s.start;
  }
  return out;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just after the newline ending the line that contains `offset` (or the text length). */
function lineEndIncl(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

function colOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

function isBlankLine(text: string, start: number): boolean {
  const end = lineEndIncl(text, start);
  return start < text.length && text.slice(start, end).trim() === '';
}

function prevLineStart(text: string, start: number): number {
  return start === 0 ? -1 : lineStart(text, start - 1);
}

/** The file's indentation step: the smallest positive indent of a content line (default 2). */
function detectStep(text: string): number {
  let best = Infinity;
  for (const line of text.split('\n', 400)) {
    const m = /^( +)[^ #\n]/.exec(line);
    if (m && m[1]!.length < best) best = m[1]!.length;
  }
  return Number.isFinite(best) && best <= 8 ? best : 2;
}

// ---------------------------------------------------------------- AST helpers

interface Parsed {
  text: string;
  doc: Document;
  root: YAMLMap | null;
  opts: RenderOptions;
  /** Set by batch.ts: the parse is shared by several edits. */
  batch?: BatchState;
  /** Lazily built name -> node index (first of each name). */
  nodeIndex?: Map<string, NodeRef>;
}

/** A parsed document that splice builders work on. */
export type EditDoc = Parsed;

export function parseForEdit(text: string): Parsed {
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

function deref(p: Parsed, node: unknown): YamlNode | null {
  if (isAlias(node)) return (node.resolve(p.doc) as YamlNode | undefined) ?? null;
  return (node as YamlNode | null) ?? null;
}

function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => keyOf(pair) === key);
}

function pairValue(p: Parsed, map: YAMLMap, key: string): YamlNode | null {
  const pair = findPair(map, key);
  return pair ? deref(p, pair.value) : null;
}

function scalarString(node: YamlNode | null): string | undefined {
  if (isScalar(node) && node.value !== null && typeof node.value !== 'object') return String(node.value);
  return undefined;
}

function startOf(node: unknown): number {
  return (node as YamlNode).range![0];
}

/** End offset of a node's own content: excludes trailing comments, blank lines and newlines. */
function contentEnd(text: string, node: unknown): number {
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

function trimEnd(text: string, start: number, end: number): number {
  let e = Math.min(end, text.length);
  while (e > start && /\s/.test(text[e - 1]!)) e--;
  return e;
}

function pairEnd(text: string, pair: Pair): number {
  const keyEnd = contentEnd(text, pair.key);
  const value = pair.value as YamlNode | null;
  if (value && value.range && value.range[1] > value.range[0])
    return Math.max(keyEnd, contentEnd(text, value));
  const colon = text.indexOf(':', keyEnd);
  return colon >= 0 ? colon + 1 : keyEnd;
}

/** Offset of the `-` that introduces a block sequence item. */
function dashOf(text: string, item: unknown): number {
  let i = startOf(item) - 1;
  while (i >= 0 && /\s/.test(text[i]!)) i--;
  if (text[i] !== '-') throw new EditError('internal: sequence item without a dash');
  return i;
}

// ---------------------------------------------------------------- node lookup

interface NodeRef {
  map: YAMLMap;
  seq: YAMLSeq;
  index: number;
}

/** All node mappings (top level and nested while_loop bodies), in document order. */
function allNodes(p: Parsed): NodeRef[] {
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

function nodeName(p: Parsed, map: YAMLMap): string | undefined {
  return scalarString(pairValue(p, map, 'name'));
}

function findNode(p: Parsed, name: string): NodeRef {
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

function edgeItems(p: Parsed): { seq: YAMLSeq | null; items: (YAMLMap | null)[] } {
  const seq = p.root ? pairValue(p, p.root, 'edges') : null;
  if (!isSeq(seq)) return { seq: null, items: [] };
  return {
    seq,
    items: seq.items.map((item) => (isMap(deref(p, item)) ? (deref(p, item) as YAMLMap) : null)),
  };
}

// ---------------------------------------------------------------- primitive edits

/** New text for a scalar, keeping its quoting style where the new value allows it. */
function scalarLike(node: Scalar, value: string): string {
  if (node.type === Scalar.QUOTE_DOUBLE) return quoteString(value);
  if (node.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  return isPlainSafe(value) ? value : quoteString(value);
}

function replaceScalar(node: Scalar, value: string): Splice {
  return { start: node.range![0], end: node.range![1], text: scalarLike(node, value) };
}

/** Plain-JS value of an AST node (used when a flow collection must be re-rendered whole). */
function jsOf(p: Parsed, node: unknown): unknown {
  if (node === null || node === undefined) return null;
  return (node as YamlNode).toJS(p.doc);
}

/** Lines of `key: value` for a block map whose keys sit at column `col`; first line unindented. */
function entryText(p: Parsed, key: string, value: unknown, col: number): string {
  const lines = renderEntry(key, value, col, p.opts);
  return lines.map((l, i) => (i === 0 ? l.slice(col) : l)).join('\n');
}

/** Key column of a block map (its first key's column). */
function keyCol(p: Parsed, map: YAMLMap): number {
  return colOf(p.text, startOf(map.items[0]!.key));
}

/**
 * Sets (or with `undefined` deletes) `key` in `map`. Block maps get line-level edits; flow maps are
 * re-rendered as one flow line. `order` decides where a new key goes (after the last key that sorts
 * before it; at the end otherwise).
 */
function setInMap(p: Parsed, map: YAMLMap, key: string, value: unknown, order?: readonly string[]): Splice {
  const splice = setInMapRaw(p, map, key, value, order);
  // Everything but a value replacement or a placed insertion depends on the whole map.
  if (!splice.zones && !splice.place && !(splice.start === splice.end && splice.text === '')) {
    if (!findPair(map, key) || value === undefined || map.flow || map.items.length === 0) {
      splice.zones = [[splice.start, splice.end], mapZone(p, map)];
    }
  }
  return splice;
}

function mapZone(p: Parsed, map: YAMLMap): [number, number] {
  return [map.range![0], lineEndIncl(p.text, contentEnd(p.text, map))];
}

function seqZone(p: Parsed, seq: YAMLSeq): [number, number] {
  return [seq.range![0], lineEndIncl(p.text, contentEnd(p.text, seq))];
}

type KeyEntry = { key: string; pair?: Pair; insert?: Splice };

/** The entry a new key goes after: after the last key that sorts before it, at the end otherwise. */
function keyAnchor(entries: KeyEntry[], key: string, order?: readonly string[]): KeyEntry {
  let after = entries[entries.length - 1]!;
  if (order && order.includes(key)) {
    const rank = order.indexOf(key);
    const before = entries.filter((it) => {
      const r = order.indexOf(it.key);
      return r >= 0 && r < rank;
    });
    const laterExists = entries.some((it) => order.indexOf(it.key) > rank);
    if (laterExists) after = before[before.length - 1] ?? entries[0]!;
  }
  return after;
}

function setInMapRaw(
  p: Parsed,
  map: YAMLMap,
  key: string,
  value: unknown,
  order?: readonly string[],
): Splice {
  const text = p.text;
  if (map.flow || map.items.length === 0) {
    const obj = (jsOf(p, map) ?? {}) as Record<string, unknown>;
    const next: Record<string, unknown> = {};
    for (const k of Object.keys(obj)) if (k !== key) next[k] = obj[k];
    if (value !== undefined) next[key] = value;
    if (key in obj && value !== undefined) {
      // Keep the key's position.
      const ordered: Record<string, unknown> = {};
      for (const k of Object.keys(obj)) ordered[k] = k === key ? value : obj[k];
      return { start: map.range![0], end: contentEnd(text, map), text: renderFlow(ordered) };
    }
    return { start: map.range![0], end: contentEnd(text, map), text: renderFlow(next) };
  }
  const col = keyCol(p, map);
  const pair = findPair(map, key);
  if (pair) {
    const start = startOf(pair.key);
    const end = pairEnd(text, pair);
    if (value !== undefined) return { start, end, text: entryText(p, key, value, col) };
    const index = map.items.indexOf(pair);
    const next = map.items[index + 1];
    const onDashLine = text.slice(lineStart(text, start), start).trim() !== '';
    if (onDashLine) {
      // First key of a `- key: v` item: pull the next key up onto the dash line.
      if (next) return { start, end: startOf(next.key), text: '' };
      return { start, end, text: '{}' };
    }
    if (map.items.length === 1) {
      // Deleting the only key of a nested block map would leave its parent key null.
      return { start, end, text: '{}' };
    }
    return { start: lineStart(text, start), end: lineEndIncl(text, end), text: '' };
  }
  if (value === undefined) return { start: 0, end: 0, text: '' };
  const entries: KeyEntry[] = map.items.map((pair) => ({ key: keyOf(pair), pair }));
  // In a batch, keys inserted by earlier edits of the same parse count as present (in text order).
  const pending = p.batch?.keyInserts.get(map) ?? [];
  if (pending.some((ins) => ins.key === key)) throw new NeedsReparse();
  for (const ins of pending) {
    const idx = entries.findIndex((e) => e.pair === ins.anchor || e.insert === ins.anchor);
    if (idx < 0) throw new NeedsReparse();
    entries.splice(idx + 1, 0, { key: ins.key, insert: ins.splice });
  }
  const after = keyAnchor(entries, key, order);
  const lines = renderEntry(key, value, col, p.opts).join('\n');
  if (after.insert) {
    const at = after.insert.start;
    return placedKeyInsert(
      p,
      map,
      key,
      { start: at, end: at, text: `${lines}\n`, place: after.insert },
      after,
    );
  }
  const at = lineEndIncl(text, pairEnd(text, after.pair!));
  const needsNewline = at === text.length && !text.endsWith('\n');
  const splice: Splice = { start: at, end: at, text: `${needsNewline ? '\n' : ''}${lines}\n` };
  if (needsNewline || !p.batch) return splice;
  return placedKeyInsert(p, map, key, { ...splice, place: 'front' }, after);
}

/** A key insertion that may share its point with other insertions into the same map (batch.ts). */
function placedKeyInsert(p: Parsed, map: YAMLMap, key: string, splice: Splice, after: KeyEntry): Splice {
  splice.owner = map;
  splice.zones = [[splice.start, splice.end]];
  splice.onCommit = () => {
    const state = p.batch;
    if (!state) return;
    const list = state.keyInserts.get(map) ?? [];
    list.push({ key, anchor: (after.pair ?? after.insert)!, splice });
    state.keyInserts.set(map, list);
  };
  return splice;
}

/** Deletes item `index` of a sequence (with comment lines directly above it, and one blank line). */
function deleteSeqItem(p: Parsed, seq: YAMLSeq, index: number, emptyReplacement: () => Splice): Splice {
  const splice = deleteSeqItemRaw(p, seq, index, emptyReplacement);
  // The result depends on the neighbouring lines, and on the item count near the list's ends.
  const near: [number, number] = [
    Math.max(0, prevLineStart(p.text, prevLineStart(p.text, splice.start))),
    lineEndIncl(p.text, lineEndIncl(p.text, splice.end)),
  ];
  const countSensitive = seq.flow || seq.items.length <= 2 || index === 0 || index === seq.items.length - 1;
  splice.zones = [[splice.start, splice.end], near, ...(countSensitive ? [seqZone(p, seq)] : [])];
  splice.onCommit = () => markSeqChange(p, seq, index);
  return splice;
}

function markSeqChange(p: Parsed, seq: YAMLSeq, index: number): void {
  if (!p.batch) return;
  const prev = p.batch.seqChanges.get(seq);
  p.batch.seqChanges.set(seq, prev === undefined ? index : Math.min(prev, index));
}

function deleteSeqItemRaw(p: Parsed, seq: YAMLSeq, index: number, emptyReplacement: () => Splice): Splice {
  const text = p.text;
  const item = seq.items[index];
  if (seq.flow) {
    const values = (jsOf(p, seq) as unknown[]).filter((_, i) => i !== index);
    return { start: seq.range![0], end: contentEnd(text, seq), text: renderFlow(values) };
  }
  if (seq.items.length === 1) return emptyReplacement();
  const dash = dashOf(text, item);
  const dashCol = colOf(text, dash);
  let start = lineStart(text, dash);
  const end = lineEndIncl(text, contentEnd(text, item));
  // Comments directly above the item (no blank line between) describe it: remove them with it.
  for (let prev = prevLineStart(text, start); prev >= 0; prev = prevLineStart(text, prev)) {
    const line = text.slice(prev, lineEndIncl(text, prev));
    if (!/^\s*#/.test(line) || colOf(text, prev + line.search(/#/)) !== dashCol || index === 0) break;
    start = prev;
  }
  // Items separated by blank lines: drop the blank line after the item too, so one separator remains.
  const before = prevLineStart(text, start);
  if (isBlankLine(text, end) && (before < 0 || isBlankLine(text, before) || index === 0)) {
    return { start, end: lineEndIncl(text, end), text: '' };
  }
  // The last item of a blank-separated list takes its separator line with it.
  if (index === seq.items.length - 1 && before >= 0 && isBlankLine(text, before)) {
    return { start: before, end, text: '' };
  }
  return { start, end, text: '' };
}

/** Replaces a whole `key: value` pair of a block map with `key: <value>` lines. */
function replacePair(p: Parsed, map: YAMLMap, pair: Pair, value: unknown): Splice {
  const col = map.flow ? 0 : keyCol(p, map);
  if (map.flow) return setInMap(p, map, keyOf(pair), value);
  return {
    start: startOf(pair.key),
    end: pairEnd(p.text, pair),
    text: entryText(p, keyOf(pair), value, col),
  };
}

/** Inserts lines of a new block sequence item after item `afterIndex` (default: last). */
function insertSeqItem(
  p: Parsed,
  seq: YAMLSeq,
  lines: (dashCol: number) => string[],
  afterIndex?: number,
): Splice {
  const text = p.text;
  const first = seq.items[0]!;
  const dashCol = colOf(text, dashOf(text, first));
  const anchor = seq.items[afterIndex ?? seq.items.length - 1]!;
  const at = lineEndIncl(text, contentEnd(text, anchor));
  // Keep the file's separator style: a blank line between items if the first two have one.
  let blank = false;
  if (seq.items.length >= 2) {
    const secondDash = lineStart(text, dashOf(text, seq.items[1]));
    const firstEnd = lineEndIncl(text, contentEnd(text, first));
    const between = text.slice(firstEnd, secondDash).split('\n').slice(0, -1);
    blank = between.some((l) => l.trim() === '');
  }
  const needsNewline = at === text.length && !text.endsWith('\n');
  const body = lines(dashCol).join('\n');
  const splice: Splice = {
    start: at,
    end: at,
    text: `${needsNewline ? '\n' : ''}${blank ? '\n' : ''}${body}\n`,
  };
  // Reads: the separator between the first two items, and the anchor item's end.
  const firstTwo: [number, number] =
    seq.items.length >= 2 ? [startOf(first), lineStart(text, dashOf(text, seq.items[1]))] : seqZone(p, seq);
  const appended = afterIndex === undefined;
  splice.zones = [[at, at], firstTwo, ...(appended ? [] : [seqZone(p, seq)])];
  if (appended && !needsNewline) {
    // Appends to one list compose: each goes after the previous one.
    splice.place = 'back';
    splice.owner = seq;
  }
  const index = afterIndex === undefined ? seq.items.length : afterIndex + 1;
  splice.onCommit = () => markSeqChange(p, seq, index);
  return splice;
}

/** Top-level key insertion point: before `before` (and the comments right above it), else at the end. */
function insertTopLevel(p: Parsed, key: string, value: unknown, before?: string): Splice {
  const text = p.text;
  const lines = renderEntry(key, value, 0, p.opts);
  const anchorPair = before && p.root ? findPair(p.root, before) : undefined;
  if (anchorPair) {
    let start = lineStart(text, startOf(anchorPair.key));
    for (let prev = prevLineStart(text, start); prev >= 0; prev = prevLineStart(text, prev)) {
      if (!/^#/.test(text.slice(prev, lineEndIncl(text, prev)))) break;
      start = prev;
    }
    const prev = prevLineStart(text, start);
    const separated = prev >= 0 && isBlankLine(text, prev);
    return { start, end: start, text: `${lines.join('\n')}\n${separated ? '\n' : ''}` };
  }
  const trimmed = text.replace(/\s*$/, '');
  if (trimmed === '') return { start: 0, end: text.length, text: `${lines.join('\n')}\n` };
  const sep = lines.length > 1 || /\n\n/.test(text) ? '\n\n' : '\n';
  // Trailing spaces of a block scalar's last line are content: never trim into the document's content.
  const start = Math.max(trimmed.length, p.root ? contentEnd(text, p.root) : 0);
  return { start, end: text.length, text: `${sep}${lines.join('\n')}\n` };
}

/** Applies splices, re-parses and refuses to return text that no longer parses. */
function finish(p: Parsed, splices: Splice[]): string {
  const out = applySplices(
    p.text,
    splices.filter((s) => !(s.start === s.end && s.text === '')),
  );
  const check = parseDocument(out, { uniqueKeys: true });
  if (check.errors.length > 0) {
    throw new EditError(`internal: edit produced invalid YAML (${check.errors[0]!.message.split('\n')[0]})`);
  }
  return out;
}

function requireName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw new EditError(`${what} must be a non-empty string`);
  if (RESERVED_NAMES.has(name)) throw new EditError(`'${name}' is reserved by TEA and cannot name a node`);
  return name;
}

// ---------------------------------------------------------------- references to node names

/** Every scalar in the document that refers to a node by name (excluding `name:` values themselves). */
function nodeRefScalars(p: Parsed): { scalar: Scalar; name: string }[] {
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

// ---------------------------------------------------------------- public edits

/**
 * Renames a node and every reference to it: goto strings and rule `to`s, edge `from`/`to`/`fan_in`,
 * `parallel` lists, node `fallback`, `config.interrupt_before/after`, inside while_loop bodies too;
 * the values of `_route` goto maps, `target`s of `to:` route lists, a dynamic_parallel `fan_in`.
 */
export function renameNode(text: string, oldName: string, newName: string): string {
  const p = parseForEdit(text);
  return finishOrSame(p, renameNodeSplices(p, oldName, newName));
}

/** Applies a builder's splices; no splices means the text is returned as it is. */
function finishOrSame(p: Parsed, splices: Splice[]): string {
  return splices.length === 0 ? p.text : finish(p, splices);
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
  const name = requireName(spec.name, 'Node name');
  const p = parseForEdit(text);
  if (allNodes(p).some((r) => nodeName(p, r.map) === name)) {
    throw new EditError(`A node named '${name}' already exists`);
  }
  const ordered: Record<string, unknown> = {};
  for (const key of orderNodeKeys(spec)) ordered[key] = spec[key];
  if (opts.after !== undefined) {
    const anchor = findNode(p, opts.after);
    if (!anchor.seq.flow) {
      const splice = insertSeqItem(
        p,
        anchor.seq,
        (col) => renderNodeItem(ordered, col, p.opts),
        anchor.index,
      );
      return finish(p, [splice]);
    }
  }
  const nodesPair = p.root ? findPair(p.root, 'nodes') : undefined;
  const nodes = nodesPair ? deref(p, nodesPair.value) : null;
  if (isSeq(nodes) && !nodes.flow && nodes.items.length > 0) {
    return finish(p, [insertSeqItem(p, nodes, (col) => renderNodeItem(ordered, col, p.opts))]);
  }
  const existing = isSeq(nodes) ? (jsOf(p, nodes) as unknown[]) : [];
  const lines = ['nodes:'];
  for (const item of [...existing, ordered]) {
    lines.push(...renderNodeItem(item as Record<string, unknown>, p.opts.step, p.opts));
  }
  if (nodesPair && p.root) {
    return finish(p, [
      { start: startOf(nodesPair.key), end: pairEnd(p.text, nodesPair), text: lines.join('\n') },
    ]);
  }
  const insert = insertTopLevel(p, 'nodes', [], 'edges');
  insert.text = insert.text.replace(/nodes: \[\]/, lines.join('\n'));
  return finish(p, [insert]);
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

/** The map and pair that hold a sequence (`nodes:` at top level or a `body:`). */
function containerOf(p: Parsed, seq: YAMLSeq): { map: YAMLMap; pair: Pair } | null {
  const candidates: YAMLMap[] = [];
  if (p.root) candidates.push(p.root);
  for (const r of allNodes(p)) candidates.push(r.map);
  for (const map of candidates) {
    for (const pair of map.items) if (deref(p, pair.value) === seq) return { map, pair };
  }
  return null;
}

function nextReferenceRemoval(p: Parsed, name: string): Splice | null {
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

/** A splice that rewrites a region other edits cannot share (the batch re-parses around it). */
function wholeText(splice: Splice): Splice {
  splice.zones = [[0, Number.MAX_SAFE_INTEGER]];
  splice.barrier = true;
  return splice;
}

function addEdgeWhole(p: Parsed, ordered: Record<string, unknown>): Splice {
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

function edgeAt(p: Parsed, index: number): { seq: YAMLSeq; map: YAMLMap | null } {
  const { seq, items } = edgeItems(p);
  if (!seq || !Number.isInteger(index) || index < 0 || index >= items.length) {
    throw new EditError(`No edge at index ${index}`);
  }
  // In a batch, an earlier removal or insertion at or before `index` moved the entry.
  const moved = p.batch?.seqChanges.get(seq);
  if (moved !== undefined && moved <= index) throw new NeedsReparse();
  return { seq, map: items[index] ?? null };
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

/** Sets or deletes a top-level key, keeping an existing key's position; new keys go before `nodes:`. */
export function setTopLevelField(text: string, key: string, value: unknown): string {
  if (key === 'nodes' || key === 'edges') {
    throw new EditError(`Use the node and edge edits for \`${key}\``);
  }
  const p = parseForEdit(text);
  const pair = p.root ? findPair(p.root, key) : undefined;
  if (!pair) {
    if (value === undefined) return text;
    return finish(p, [insertTopLevel(p, key, value, 'nodes')]);
  }
  if (value === undefined) {
    const start = lineStart(p.text, startOf(pair.key));
    let end = lineEndIncl(p.text, pairEnd(p.text, pair));
    // Drop the blank separator after a removed section when one also precedes it.
    const prev = prevLineStart(p.text, start);
    if (isBlankLine(p.text, end) && (prev < 0 || isBlankLine(p.text, prev))) end = lineEndIncl(p.text, end);
    return finish(p, [{ start, end, text: '' }]);
  }
  return finish(p, [replacePair(p, p.root!, pair, value)]);
}

// Re-exported for callers that render YAML snippets consistently with edits.
export { renderKey, renderScalar };
