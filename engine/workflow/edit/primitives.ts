// Splice primitives: the few text changes every edit is made of (replace a scalar, set or delete a
// key of a mapping, insert or delete a sequence item, insert a top-level key). Each keeps the file's
// own style (indent step, quoting, blank-line separators, comments) and records for batch.ts the text
// it read (`zones`) and where insertions that share a point go (`place`, `owner`).
import { Scalar } from 'yaml';
import type { Pair, YAMLMap, YAMLSeq } from 'yaml';
import { isPlainSafe, quoteString, renderEntry, renderFlow } from '../serialize.ts';
import { colOf, isBlankLine, lineEndIncl, lineStart, prevLineStart } from './lines.ts';
import { contentEnd, dashOf, findPair, jsOf, keyOf, pairEnd, startOf } from './locate.ts';
import type { EditDoc } from './locate.ts';
import { NeedsReparse } from './splice.ts';
import type { Splice } from './splice.ts';

/** New text for a scalar, keeping its quoting style where the new value allows it. */
function scalarLike(node: Scalar, value: string): string {
  if (node.type === Scalar.QUOTE_DOUBLE) return quoteString(value);
  if (node.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  return isPlainSafe(value) ? value : quoteString(value);
}

export function replaceScalar(node: Scalar, value: string): Splice {
  return { start: node.range![0], end: node.range![1], text: scalarLike(node, value) };
}

/** Lines of `key: value` for a block map whose keys sit at column `col`; first line unindented. */
export function entryText(p: EditDoc, key: string, value: unknown, col: number): string {
  const lines = renderEntry(key, value, col, p.opts);
  return lines.map((l, i) => (i === 0 ? l.slice(col) : l)).join('\n');
}

/** Key column of a block map (its first key's column). */
export function keyCol(p: EditDoc, map: YAMLMap): number {
  return colOf(p.text, startOf(map.items[0]!.key));
}

type MapSet = (p: EditDoc, map: YAMLMap, key: string, value: unknown, order?: readonly string[]) => Splice;

/**
 * Sets (or with `undefined` deletes) `key` in `map`. Block maps get line-level edits; flow maps are
 * re-rendered as one flow line. `order` decides where a new key goes (after the last key that sorts
 * before it; at the end otherwise).
 */
export const setInMap: MapSet = (p, map, key, value, order) => {
  const splice = setInMapRaw(p, map, key, value, order);
  // Everything but a value replacement or a placed insertion depends on the whole map.
  if (!splice.zones && !splice.place && !(splice.start === splice.end && splice.text === '')) {
    if (!findPair(map, key) || value === undefined || map.flow || map.items.length === 0) {
      splice.zones = [[splice.start, splice.end], mapZone(p, map)];
    }
  }
  return splice;
};

function mapZone(p: EditDoc, map: YAMLMap): [number, number] {
  return [map.range![0], lineEndIncl(p.text, contentEnd(p.text, map))];
}

export function seqZone(p: EditDoc, seq: YAMLSeq): [number, number] {
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

const setInMapRaw: MapSet = (p, map, key, value, order) => {
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
};

/** A key insertion that may share its point with other insertions into the same map (batch.ts). */
function placedKeyInsert(p: EditDoc, map: YAMLMap, key: string, splice: Splice, after: KeyEntry): Splice {
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
export function deleteSeqItem(
  p: EditDoc,
  seq: YAMLSeq,
  index: number,
  emptyReplacement: () => Splice,
): Splice {
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

function markSeqChange(p: EditDoc, seq: YAMLSeq, index: number): void {
  if (!p.batch) return;
  const prev = p.batch.seqChanges.get(seq);
  p.batch.seqChanges.set(seq, prev === undefined ? index : Math.min(prev, index));
}

function deleteSeqItemRaw(p: EditDoc, seq: YAMLSeq, index: number, emptyReplacement: () => Splice): Splice {
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
export function replacePair(p: EditDoc, map: YAMLMap, pair: Pair, value: unknown): Splice {
  const col = map.flow ? 0 : keyCol(p, map);
  if (map.flow) return setInMap(p, map, keyOf(pair), value);
  return {
    start: startOf(pair.key),
    end: pairEnd(p.text, pair),
    text: entryText(p, keyOf(pair), value, col),
  };
}

/** Inserts lines of a new block sequence item after item `afterIndex` (default: last). */
export function insertSeqItem(
  p: EditDoc,
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
export function insertTopLevel(p: EditDoc, key: string, value: unknown, before?: string): Splice {
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
