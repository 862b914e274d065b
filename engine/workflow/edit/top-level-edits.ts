// Top-level keys other than `nodes` and `edges` (name, description, settings, state_schema, ...).
import { findPair, pairEnd, parseForEdit, startOf } from './locate.ts';
import { isBlankLine, lineEndIncl, lineStart, prevLineStart } from './lines.ts';
import { insertTopLevel, replacePair } from './primitives.ts';
import { EditError, finish } from './splice.ts';

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
