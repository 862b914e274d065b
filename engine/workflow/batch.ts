// Many surgical edits, one parse. Each edit is a splice builder run against a shared parse; its
// splices are kept while they touch nothing an earlier pending edit changed. When an edit depends on
// an earlier one (its read zones touch a pending change, or it throws NeedsReparse / EditError on the
// stale parse), the pending splices are applied and the text re-parsed first. The result is
// byte-identical to applying the same edits one at a time with the functions of edit.ts.
import { parseDocument } from 'yaml';
import {
  addEdgeSplices,
  addNodeSplices,
  EditError,
  NeedsReparse,
  parseForEdit,
  removeEdgeSplices,
  removeNode,
  renameNodeSplices,
  setEdgeFieldSplices,
  setNodeCodeSplices,
  setNodeFieldSplices,
  setNodePositionSplices,
} from './edit.ts';
import type { EditDoc, Splice } from './edit.ts';
import {
  deleteGotoRuleSplices,
  insertGotoRuleSplices,
  replaceGotoRuleSplices,
} from './edit/goto-rule-edits.ts';

/** An edit for applyEdits: builds splices against the shared parse (offsets into `doc.text`). */
export type BatchEdit = (doc: EditDoc) => Splice[];

export interface ApplyEditsOptions {
  /**
   * Called for an edit that cannot be applied; the edit is skipped and the others still apply.
   * Without it the first failure is thrown.
   */
  onError?: (error: unknown, index: number) => void;
  /** Re-parse the result to check it is valid YAML (default true); callers that load it anyway skip it. */
  verify?: boolean;
  /** Re-parse after every edit (the one-at-a-time reference behaviour; used as the fallback). */
  sequential?: boolean;
  /** Filled in with the number of parses the batch made (tests and benchmarks). */
  stats?: { parses: number };
}

/** A splice builder `(doc, ...args)` as an edit factory `(...args) => BatchEdit`. */
const builder =
  <A extends unknown[]>(build: (doc: EditDoc, ...args: A) => Splice[]) =>
  (...args: A): BatchEdit =>
  (doc) =>
    build(doc, ...args);

/** Splice builders for the edits of edit.ts, for use with applyEdits. */
export const batchEdit = {
  renameNode: builder(renameNodeSplices),
  setNodeCode: builder(setNodeCodeSplices),
  setNodeField: builder(setNodeFieldSplices),
  setNodePosition: builder(setNodePositionSplices),
  addNode: builder(addNodeSplices),
  /** Removal is several dependent changes (the node, then each reference): a text edit, alone. */
  removeNode: (name: string): BatchEdit => batchEdit.text((text) => removeNode(text, name)),
  addEdge: builder(addEdgeSplices),
  removeEdge: builder(removeEdgeSplices),
  setEdgeField: builder(setEdgeFieldSplices),
  replaceGotoRule: builder(replaceGotoRuleSplices),
  insertGotoRule: builder(insertGotoRuleSplices),
  deleteGotoRule: builder(deleteGotoRuleSplices),
  /** Any `(text) => text` edit: runs on the current text, alone. */
  text:
    (edit: (text: string) => string): BatchEdit =>
    (doc) => {
      if (doc.batch && doc.batch.pending > 0) throw new NeedsReparse();
      const out = edit(doc.text);
      if (out === doc.text) return [];
      return [
        { start: 0, end: doc.text.length, text: out, zones: [[0, Number.MAX_SAFE_INTEGER]], barrier: true },
      ];
    },
};

/** Applies `edits` in order to `text`; see the file comment. */
export function applyEdits(text: string, edits: BatchEdit[], opts: ApplyEditsOptions = {}): string {
  const sequential = opts.sequential === true;
  const errors: [unknown, number][] = [];
  let out: string;
  try {
    const batch = new SpliceBatch(text, sequential, opts.stats);
    edits.forEach((edit, index) => {
      const error = batch.add(edit);
      if (error === undefined) return;
      if (!opts.onError) throw new ReportedError(error);
      errors.push([error, index]);
    });
    out = batch.result();
  } catch (err) {
    if (err instanceof ReportedError) throw err.error;
    // A re-parse found broken YAML (some edit broke it): redo one at a time to refuse exactly that edit.
    if (sequential) throw err;
    return applyEdits(text, edits, { ...opts, sequential: true });
  }
  if (!sequential && opts.verify !== false && parseDocument(out, { uniqueKeys: true }).errors.length > 0) {
    return applyEdits(text, edits, { ...opts, sequential: true });
  }
  for (const [error, index] of errors) opts.onError?.(error, index);
  return out;
}

/** Carries an edit's own error through the fallback handling of applyEdits. */
class ReportedError extends Error {
  constructor(readonly error: unknown) {
    super('edit failed');
  }
}

class SpliceBatch {
  private text: string;
  private doc: EditDoc;
  /** Accepted replacements and deletions (and insertions that share their point with nothing). */
  private writes: Splice[] = [];
  /** Placed insertions by point, in final text order. */
  private groups = new Map<number, Splice[]>();

  constructor(
    text: string,
    private readonly sequential: boolean,
    private readonly stats?: { parses: number },
  ) {
    this.text = text;
    this.doc = this.parse(text);
  }

  private parse(text: string): EditDoc {
    const doc = parseForEdit(text);
    if (this.stats) this.stats.parses++;
    doc.batch = { keyInserts: new Map(), seqChanges: new Map(), pending: 0 };
    return doc;
  }

  private get pending(): number {
    return this.doc.batch!.pending;
  }

  /** Adds one edit; returns its error when it cannot be applied. */
  add(edit: BatchEdit): unknown {
    for (let attempt = 0; attempt < 2; attempt++) {
      let splices: Splice[];
      try {
        splices = edit(this.doc).filter((s) => !(s.start === s.end && s.text === ''));
      } catch (err) {
        // A stale parse can make an edit fail that succeeds on the current text: retry once fresh.
        if ((err instanceof NeedsReparse || err instanceof EditError) && this.pending > 0) {
          this.flush();
          continue;
        }
        if (err instanceof NeedsReparse)
          return new EditError('internal: edit needs a re-parse of fresh text');
        return err;
      }
      // A no-op on a stale parse may not be a no-op on the current text (deleting a key a pending
      // edit adds): decide it on fresh text.
      if (this.pending > 0 && (splices.length === 0 || splices.some((s) => this.conflicts(s)))) {
        this.flush();
        continue;
      }
      if (this.sequential && splices.length > 0) {
        // Reference behaviour: this edit alone, checked like edit.ts's finish().
        const before = this.text;
        this.commit(splices);
        const out = this.apply();
        if (parseDocument(out, { uniqueKeys: true }).errors.length > 0) {
          this.reset(before);
          return new EditError('internal: edit produced invalid YAML');
        }
        this.reset(out);
        return undefined;
      }
      this.commit(splices);
      if (splices.some((s) => s.barrier)) this.flush();
      return undefined;
    }
    return new EditError('internal: edit conflicts with itself');
  }

  private conflicts(s: Splice): boolean {
    const zones = s.zones ?? [[s.start, s.end]];
    const point = s.start === s.end ? s.start : -1;
    const touches = (w: { start: number; end: number }, shareable: boolean): boolean =>
      zones.some(([a, b]) => {
        if (a > w.end || w.start > b) return false;
        // The insertion's own point may be shared with compatible placed insertions.
        return !(shareable && a === point && b === point);
      });
    for (const w of this.writes) if (touches(w, false)) return true;
    for (const [at, group] of this.groups) {
      const shareable = at === point && s.place !== undefined && group.every((g) => this.compatible(s, g));
      if (touches({ start: at, end: at }, shareable)) return true;
    }
    return false;
  }

  /** Appends go after anything at their point; key insertions share a point only with their own map. */
  private compatible(s: Splice, g: Splice): boolean {
    if (s.place === 'back') return true;
    if (typeof s.place === 'object' && !this.groups.get(s.start)?.includes(s.place)) return false;
    return g.owner === s.owner || g.place === 'back';
  }

  private commit(splices: Splice[]): void {
    for (const s of splices) {
      if (s.start === s.end && s.place !== undefined) {
        const group = this.groups.get(s.start) ?? [];
        if (s.place === 'back') group.push(s);
        else if (s.place === 'front') group.unshift(s);
        else group.splice(group.indexOf(s.place) + 1, 0, s);
        this.groups.set(s.start, group);
      } else if (s.start === s.end) {
        // Unplaced insertions at one point (same edit): the later one lands first, as in edit.ts.
        const group = this.groups.get(s.start) ?? [];
        group.unshift(s);
        this.groups.set(s.start, group);
      } else {
        this.writes.push(s);
      }
      s.onCommit?.();
    }
    this.doc.batch!.pending += splices.length;
  }

  /** The text with every pending splice applied (ascending order, one pass). */
  private apply(): string {
    if (this.pending === 0) return this.text;
    const all: Splice[] = [...this.writes];
    for (const [at, group] of this.groups)
      all.push({ start: at, end: at, text: group.map((g) => g.text).join('') });
    // At one offset an insertion goes before a replacement starting there (they never share it).
    all.sort((a, b) => a.start - b.start || a.end - b.end);
    const parts: string[] = [];
    let pos = 0;
    for (const s of all) {
      if (s.start < pos) throw new EditError('internal: overlapping edits');
      parts.push(this.text.slice(pos, s.start), s.text);
      pos = s.end;
    }
    parts.push(this.text.slice(pos));
    return parts.join('');
  }

  private reset(text: string): void {
    this.text = text;
    this.writes = [];
    this.groups = new Map();
    this.doc = this.parse(text);
  }

  private flush(): void {
    if (this.pending > 0) this.reset(this.apply());
  }

  result(): string {
    return this.apply();
  }
}
