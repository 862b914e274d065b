// Canvas notes: sticky notes saved under the workflow's top-level `metadata.fanout.notes`. Neither TEA
// engine reads a top-level `metadata` key (TEA Python reads the keys it knows with `config.get`; TEA
// Rust deserialises into a serde struct without `deny_unknown_fields`), so notes never change a run.
// A malformed note is a warning naming its line (the file still runs everywhere) and is not drawn.
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node as YamlNode, Pair, YAMLMap } from 'yaml';
import { MAX_CANVAS_NOTES, MAX_NOTE_TEXT } from './limits.ts';
import { NOTE_COLORS } from './types.ts';
import type { CanvasNote, NoteColor, Problem, SourceSpan } from './types.ts';

/** Size bounds of a note box (pixels of the canvas at zoom 1). */
export const NOTE_SIZE = { minWidth: 120, minHeight: 64, maxWidth: 4000, maxHeight: 4000 } as const;
export const NOTE_DEFAULT_SIZE = { width: 240, height: 140 } as const;

/** The path of the notes list, as keys from the document root. */
export const NOTES_PATH = ['metadata', 'fanout', 'notes'] as const;

export function isNoteColor(value: unknown): value is NoteColor {
  return typeof value === 'string' && (NOTE_COLORS as readonly string[]).includes(value);
}

export function clampNoteSize(width: number, height: number): { width: number; height: number } {
  const clamp = (v: number, lo: number, hi: number) => Math.round(Math.min(hi, Math.max(lo, v)));
  return {
    width: clamp(width, NOTE_SIZE.minWidth, NOTE_SIZE.maxWidth),
    height: clamp(height, NOTE_SIZE.minHeight, NOTE_SIZE.maxHeight),
  };
}

/** `note_1`, `note_2`, …: the first id no note has. */
export function freshNoteId(notes: readonly { id: string }[] | undefined): string {
  const taken = new Set((notes ?? []).map((n) => n.id));
  for (let i = 1; ; i++) if (!taken.has(`note_${i}`)) return `note_${i}`;
}

interface Reader {
  doc: Document;
  lc: LineCounter;
  problems: Problem[];
  file?: string | undefined;
}

function deref(r: Reader, node: unknown): YamlNode | null {
  if (isAlias(node)) return (node.resolve(r.doc) as YamlNode | undefined) ?? null;
  return (node as YamlNode | null) ?? null;
}

function child(r: Reader, map: YAMLMap, key: string): YamlNode | null {
  const pair = map.items.find((p: Pair) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === key);
  return pair ? deref(r, pair.value) : null;
}

function spanOf(r: Reader, node: YamlNode | null): SourceSpan {
  const [start, end] = node?.range ?? [0, 0];
  const at = (offset: number) => ({ ...r.lc.linePos(offset), offset });
  return { start: at(start), end: at(end) };
}

function warn(r: Reader, node: YamlNode | null, message: string): void {
  const { start } = spanOf(r, node);
  r.problems.push({
    severity: 'warning',
    code: 'NOTE_INVALID',
    message,
    file: r.file,
    line: start.line,
    col: start.col,
  });
}

function num(node: YamlNode | null): number | undefined {
  return isScalar(node) && typeof node.value === 'number' && Number.isFinite(node.value)
    ? node.value
    : undefined;
}

/**
 * The notes of the document whose root mapping is `root`; undefined when it has no notes list.
 * Problems are warnings: TEA ignores the key, so a broken note never makes the workflow invalid.
 */
export function readNotes(
  doc: Document,
  lc: LineCounter,
  root: YAMLMap,
  problems: Problem[],
  file?: string,
): CanvasNote[] | undefined {
  const r: Reader = { doc, lc, problems, file };
  const metadata = child(r, root, 'metadata');
  if (!isMap(metadata)) return undefined;
  const fanout = child(r, metadata, 'fanout');
  if (!isMap(fanout)) return undefined;
  const list = child(r, fanout, 'notes');
  if (list === null || (isScalar(list) && list.value === null)) return undefined;
  if (!isSeq(list)) {
    warn(r, list, 'Canvas notes (`metadata.fanout.notes`) must be a list; no note is drawn');
    return undefined;
  }
  const notes: CanvasNote[] = [];
  const ids = new Set<string>();
  list.items.forEach((item, index) => {
    const node = deref(r, item);
    const what = `Canvas note ${index + 1}`;
    if (index === MAX_CANVAS_NOTES) {
      warn(r, node, `More than ${MAX_CANVAS_NOTES} canvas notes: the rest are kept in the file, not drawn`);
    }
    if (index >= MAX_CANVAS_NOTES) return;
    if (!isMap(node)) return warn(r, node, `${what} must be a mapping {id, box, color, text}; not drawn`);
    const idNode = child(r, node, 'id');
    const id = isScalar(idNode) && idNode.value !== null ? String(idNode.value) : '';
    if (id === '') return warn(r, node, `${what} has no \`id\`; not drawn`);
    if (ids.has(id)) return warn(r, idNode, `${what}: the id '${id}' is used by another note; not drawn`);
    const box = child(r, node, 'box');
    const x = isMap(box) ? num(child(r, box, 'x')) : undefined;
    const y = isMap(box) ? num(child(r, box, 'y')) : undefined;
    if (x === undefined || y === undefined) {
      return warn(
        r,
        box ?? node,
        `${what} ('${id}') needs \`box: {x, y, width, height}\` with numbers; not drawn`,
      );
    }
    ids.add(id);
    const size = clampNoteSize(
      num(child(r, box as YAMLMap, 'width')) ?? NOTE_DEFAULT_SIZE.width,
      num(child(r, box as YAMLMap, 'height')) ?? NOTE_DEFAULT_SIZE.height,
    );
    const textNode = child(r, node, 'text');
    const text = isScalar(textNode) && textNode.value !== null ? String(textNode.value) : '';
    const colorNode = child(r, node, 'color');
    const color = isScalar(colorNode) && isNoteColor(colorNode.value) ? colorNode.value : 'yellow';
    notes.push({
      id,
      text: text.length > MAX_NOTE_TEXT ? `${text.slice(0, MAX_NOTE_TEXT)}…` : text,
      x,
      y,
      ...size,
      color,
      span: spanOf(r, node),
    });
  });
  return notes;
}
