// Canvas notes: add, update (text, box, colour) and delete the sticky notes under the top-level
// `metadata.fanout.notes` list (notes.ts reads them). Each edit splices only the note's own lines (or
// inserts the missing `metadata` / `fanout` / `notes` keys), so the rest of the file keeps its bytes;
// deleting the last note removes the keys the notes created. One note is written as:
//
//   - id: note_1
//     box: {x: 120, y: 40, width: 240, height: 140}   <- one line: a move or resize is a one-line diff
//     color: yellow
//     text: |-
//       Plain text, as typed.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Pair, YAMLMap, YAMLSeq } from 'yaml';
import { clampNoteSize, freshNoteId, isNoteColor, NOTES_PATH } from '../../notes.ts';
import { renderEntry, renderFlow } from '../../serialize.ts';
import type { NoteColor } from '../../types.ts';
import { isBlankLine, lineEndIncl, lineStart, prevLineStart } from '../lines.ts';
import { contentEnd, deref, findPair, jsOf, keyOf, pairEnd, parseForEdit, startOf } from '../locate.ts';
import type { EditDoc } from '../locate.ts';
import { deleteSeqItem, insertSeqItem, keyCol, setInMap } from '../primitives.ts';
import { EditError, finish } from '../splice.ts';
import type { Splice } from '../splice.ts';

export interface NoteBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface NoteFields {
  id: string;
  text: string;
  box: NoteBox;
  color: NoteColor;
}

/** A new note: where it goes is required; the id (fresh), size, colour and text have defaults. */
export type NoteInput = Partial<Omit<NoteFields, 'box'>> & {
  box: Pick<NoteBox, 'x' | 'y'> & Partial<NoteBox>;
};

export type NoteEdit =
  | { op: 'add'; note: NoteInput }
  | { op: 'update'; id: string; text?: string; box?: Partial<NoteBox>; color?: NoteColor }
  | { op: 'delete'; ids: string[] };

export function applyNoteEdit(text: string, edit: NoteEdit): string {
  switch (edit.op) {
    case 'add':
      return addNote(text, edit.note);
    case 'update':
      return updateNote(text, edit.id, edit);
    case 'delete':
      return deleteNotes(text, edit.ids);
  }
}

// ---------------------------------------------------------------- values

function cleanBox(box: Partial<NoteBox>, base?: NoteBox): NoteBox {
  const pick = (v: number | undefined, fallback: number | undefined, what: string): number => {
    const value = v ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new EditError(`A note's ${what} must be a number`);
    return Math.round(value);
  };
  const size = clampNoteSize(
    pick(box.width, base?.width ?? 240, 'width'),
    pick(box.height, base?.height ?? 140, 'height'),
  );
  return { x: pick(box.x, base?.x, 'x'), y: pick(box.y, base?.y, 'y'), ...size };
}

function checkColor(color: unknown): NoteColor {
  if (!isNoteColor(color)) throw new EditError(`Unknown note colour '${String(color)}'`);
  return color;
}

/** Lines of one note as a block sequence item whose dash sits at `dashCol`. */
function noteItemLines(p: EditDoc, note: NoteFields, dashCol: number): string[] {
  const col = dashCol + 2;
  const pad = ' '.repeat(col);
  const lines = [
    ...renderEntry('id', note.id, col, p.opts),
    `${pad}box: ${renderFlow(note.box)}`,
    ...renderEntry('color', note.color, col, p.opts),
    ...renderEntry('text', note.text, col, p.opts),
  ];
  lines[0] = `${' '.repeat(dashCol)}- ${lines[0]!.slice(col)}`;
  return lines;
}

/** Block lines of `key:` holding the rest of the notes path (`fanout: notes: [...]`) at `col`. */
function pathLines(p: EditDoc, keys: readonly string[], note: NoteFields, col: number): string[] {
  const [key, ...rest] = keys;
  const head = `${' '.repeat(col)}${key}:`;
  if (rest.length === 0) return [head, ...noteItemLines(p, note, col + p.opts.step)];
  return [head, ...pathLines(p, rest, note, col + p.opts.step)];
}

// ---------------------------------------------------------------- locating

interface NotesList {
  seq: YAMLSeq;
  /** Each item's map (null for an item that is not a mapping) and id. */
  items: { map: YAMLMap | null; id: string | undefined }[];
}

function notesList(p: EditDoc): NotesList | null {
  let node: unknown = p.root;
  for (const key of NOTES_PATH) {
    if (!isMap(node)) return null;
    const pair = findPair(node, key);
    node = pair ? deref(p, pair.value) : null;
  }
  if (!isSeq(node)) return null;
  const items = node.items.map((item) => {
    const map = deref(p, item);
    if (!isMap(map)) return { map: null, id: undefined };
    const idPair = findPair(map, 'id');
    const id = idPair && isScalar(idPair.value) ? String(idPair.value.value) : undefined;
    return { map, id };
  });
  return { seq: node, items };
}

function findNote(p: EditDoc, id: string): { list: NotesList; index: number; map: YAMLMap } {
  const list = notesList(p);
  const index = list ? list.items.findIndex((it) => it.id === id) : -1;
  if (!list || index < 0 || !list.items[index]!.map) throw new EditError(`No canvas note with id '${id}'`);
  return { list, index, map: list.items[index]!.map! };
}

// ---------------------------------------------------------------- add

export function addNote(text: string, input: NoteInput): string {
  const p = parseForEdit(text);
  // A file with neither `nodes` nor `name` would read as "not a workflow" once it holds notes.
  if (!p.root || (!findPair(p.root, 'nodes') && !findPair(p.root, 'name'))) {
    throw new EditError('Add a node (or a name) to the workflow before adding notes');
  }
  const list = notesList(p);
  const id = input.id ?? freshNoteId(list?.items.flatMap((it) => (it.id ? [{ id: it.id }] : [])));
  if (list?.items.some((it) => it.id === id))
    throw new EditError(`A canvas note with id '${id}' already exists`);
  const note: NoteFields = {
    id,
    text: input.text ?? '',
    box: cleanBox(input.box),
    color: checkColor(input.color ?? 'yellow'),
  };
  if (list && !list.seq.flow && list.seq.items.length > 0) {
    return finish(p, [insertSeqItem(p, list.seq, (dashCol) => noteItemLines(p, note, dashCol))]);
  }
  return finish(p, [insertPath(p, note)]);
}

/**
 * Inserts the missing part of `metadata.fanout.notes` with the note in it: after the last key of the
 * deepest block mapping on the path, or in place of an empty / flow value on it (`metadata: {}`).
 */
function insertPath(p: EditDoc, note: NoteFields): Splice {
  const text = p.text;
  if (!p.root)
    return { start: 0, end: text.length, text: `${pathLines(p, NOTES_PATH, note, 0).join('\n')}\n` };
  let map: YAMLMap = p.root;
  for (let depth = 0; depth < NOTES_PATH.length; depth++) {
    const key = NOTES_PATH[depth]!;
    const pair = findPair(map, key);
    const value = pair ? deref(p, pair.value) : null;
    const rest = NOTES_PATH.slice(depth);
    if (pair && isMap(value) && !value.flow && value.items.length > 0) {
      map = value;
      continue;
    }
    if (!pair) {
      if (depth === 0) return appendTopLevel(p, pathLines(p, rest, note, 0));
      const at = lineEndIncl(text, contentEnd(text, map));
      const nl = at === text.length && !text.endsWith('\n') ? '\n' : '';
      return { start: at, end: at, text: `${nl}${pathLines(p, rest, note, keyCol(p, map)).join('\n')}\n` };
    }
    // The key is there with an empty, null or flow value: rewrite that pair as block lines.
    return replaceWithBlock(p, map, pair, rest, note);
  }
  throw new EditError('internal: notes path not found');
}

function replaceWithBlock(
  p: EditDoc,
  map: YAMLMap,
  pair: Pair,
  keys: readonly string[],
  note: NoteFields,
): Splice {
  const value = deref(p, pair.value);
  const col = map === p.root ? 0 : keyCol(p, map);
  const isEmpty = value === null || (isScalar(value) && value.value === null);
  const js = isEmpty ? null : jsOf(p, value);
  const key = keys[0]!;
  let lines: string[];
  if (keys.length === 1) {
    if (!isEmpty && !Array.isArray(js))
      throw new EditError('`metadata.fanout.notes` is not a list: fix it in the YAML');
    const existing = (js ?? []) as unknown[];
    lines = [
      `${' '.repeat(col)}${key}:`,
      ...existing.flatMap((item) => renderSeqItemFallback(p, item, col + p.opts.step)),
      ...noteItemLines(p, note, col + p.opts.step),
    ];
  } else {
    if (!isEmpty && (js === null || typeof js !== 'object' || Array.isArray(js))) {
      throw new EditError(
        `\`${NOTES_PATH.slice(0, NOTES_PATH.length - keys.length + 1).join('.')}\` is not a mapping: fix it in the YAML`,
      );
    }
    const others = Object.entries((js ?? {}) as Record<string, unknown>).filter(([k]) => k !== keys[1]);
    const inner = (js as Record<string, unknown> | null)?.[keys[1]!];
    if (inner !== undefined && inner !== null && Object.keys(inner as object).length > 0) {
      throw new EditError(
        'Notes cannot be added to a flow-style `metadata`; write it in block style in the YAML',
      );
    }
    lines = [
      `${' '.repeat(col)}${key}:`,
      ...others.flatMap(([k, v]) => renderEntry(k, v, col + p.opts.step, p.opts)),
      ...pathLines(p, keys.slice(1), note, col + p.opts.step),
    ];
  }
  lines[0] = lines[0]!.slice(col);
  return { start: startOf(pair.key), end: pairEnd(p.text, pair), text: lines.join('\n') };
}

/** An existing item of a flow notes list, re-rendered as a block item (only on the flow -> block rewrite). */
function renderSeqItemFallback(p: EditDoc, item: unknown, dashCol: number): string[] {
  const n = item as Record<string, unknown> | null;
  if (n && typeof n === 'object' && typeof n.id === 'string' && n.box && typeof n.box === 'object') {
    return noteItemLines(
      p,
      {
        id: n.id,
        text: typeof n.text === 'string' ? n.text : '',
        box: n.box as NoteBox,
        color: isNoteColor(n.color) ? n.color : 'yellow',
      },
      dashCol,
    );
  }
  return [`${' '.repeat(dashCol)}- ${renderFlow(item)}`];
}

/** A new last top-level section, after a blank line when the file separates its sections by one. */
function appendTopLevel(p: EditDoc, lines: string[]): Splice {
  const text = p.text;
  const trimmed = text.replace(/\s*$/, '');
  // Trailing spaces of a block scalar's last line are content: never trim into the document's content.
  const start = Math.max(trimmed.length, p.root ? contentEnd(text, p.root) : 0);
  const sep = /\n\n/.test(text) ? '\n\n' : '\n';
  return { start, end: text.length, text: `${sep}${lines.join('\n')}\n` };
}

// ---------------------------------------------------------------- update

export function updateNote(
  text: string,
  id: string,
  patch: { text?: string; box?: Partial<NoteBox>; color?: NoteColor },
): string {
  const p = parseForEdit(text);
  const { map } = findNote(p, id);
  const splices: Splice[] = [];
  if (patch.box) {
    const pair = findPair(map, 'box');
    const old = pair ? (jsOf(p, deref(p, pair.value)) as Partial<NoteBox> | null) : null;
    const base = old && typeof old === 'object' ? (old as NoteBox) : undefined;
    const flow = `box: ${renderFlow(cleanBox({ ...base, ...patch.box }, base))}`;
    if (pair) splices.push({ start: startOf(pair.key), end: pairEnd(p.text, pair), text: flow });
    else {
      const at = lineEndIncl(p.text, contentEnd(p.text, map));
      splices.push({ start: at, end: at, text: `${' '.repeat(keyCol(p, map))}${flow}\n` });
    }
  }
  if (patch.color !== undefined) splices.push(setInMap(p, map, 'color', checkColor(patch.color)));
  if (patch.text !== undefined) splices.push(setInMap(p, map, 'text', patch.text));
  return splices.length === 0 ? text : finish(p, splices);
}

// ---------------------------------------------------------------- delete

export function deleteNotes(text: string, ids: readonly string[]): string {
  let out = text;
  for (const id of new Set(ids)) out = deleteNote(out, id);
  return out;
}

function deleteNote(text: string, id: string): string {
  const p = parseForEdit(text);
  const { list, index } = findNote(p, id);
  if (list.seq.items.length > 1) {
    return finish(p, [deleteSeqItem(p, list.seq, index, () => ({ start: 0, end: 0, text: '' }))]);
  }
  return finish(p, [removeNotesPath(p)]);
}

/**
 * The last note goes: remove `notes`, and `fanout` / `metadata` when they held nothing else, so a file
 * whose notes were all deleted gets back the bytes it had before the first one was added.
 */
function removeNotesPath(p: EditDoc): Splice {
  const text = p.text;
  const maps: YAMLMap[] = [p.root!];
  for (const key of NOTES_PATH.slice(0, -1))
    maps.push(deref(p, findPair(maps[maps.length - 1]!, key)!.value) as YAMLMap);
  // The highest map on the path that holds only the path: remove its key from its parent.
  let depth = NOTES_PATH.length - 1;
  while (depth > 0 && maps[depth]!.items.length === 1) depth--;
  const parent = maps[depth]!;
  const pair = findPair(parent, NOTES_PATH[depth]!)!;
  if (parent !== p.root) return setInMap(p, parent, keyOf(pair), undefined);
  let start = lineStart(text, startOf(pair.key));
  let end = lineEndIncl(text, pairEnd(text, pair));
  const prev = prevLineStart(text, start);
  if (end >= text.length) {
    // The last section: take the blank separator line(s) before it.
    while (prevLineStart(text, start) >= 0 && isBlankLine(text, prevLineStart(text, start))) {
      start = prevLineStart(text, start);
    }
    end = text.length;
  } else if (isBlankLine(text, end) && (prev < 0 || isBlankLine(text, prev))) {
    end = lineEndIncl(text, end);
  }
  return { start, end, text: '' };
}
