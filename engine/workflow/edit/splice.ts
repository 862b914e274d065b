// The splice model: an edit is a list of text replacements computed against one parse. They are
// applied together (from the end, so offsets stay valid) and the result is re-parsed once; text that
// no longer parses is refused, never returned.
import { parseDocument } from 'yaml';
import type { Pair, YAMLMap, YAMLSeq } from 'yaml';

export class EditError extends Error {
  override name = 'EditError';
}

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

/** Applies splices, re-parses and refuses to return text that no longer parses. */
export function finish(p: { text: string }, splices: Splice[]): string {
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

/** Applies a builder's splices; no splices means the text is returned as it is. */
export function finishOrSame(p: { text: string }, splices: Splice[]): string {
  return splices.length === 0 ? p.text : finish(p, splices);
}

/** A splice that rewrites a region other edits cannot share (the batch re-parses around it). */
export function wholeText(splice: Splice): Splice {
  splice.zones = [[0, Number.MAX_SAFE_INTEGER]];
  splice.barrier = true;
  return splice;
}
