// The last YAML parse of a workflow text, shared by load.ts and the editor (edit.ts): the designer
// loads a text and then edits that same text (a drop, a rename), and parsing 1,000 nodes twice cost
// ~170 ms per gesture. Edits only read the parsed Document (they splice text), so sharing it is safe.
import type { Document } from 'yaml';

let last: { text: string; doc: Document } | null = null;

/** Remembers an error-free parse of `text`. */
export function rememberParse(text: string, doc: Document): void {
  if (doc.errors.length === 0) last = { text, doc };
}

/** The remembered parse of exactly this text, if any. */
export function cachedParse(text: string): Document | null {
  return last !== null && last.text === text ? last.doc : null;
}
