// Pure helpers of the CodeMirror wrapper: the smallest replacement turning one text into another (so
// an external update keeps the cursor where it was) and 1-based line:col → offset conversion.

export interface TextChange {
  from: number;
  to: number;
  insert: string;
}

/** The single change from `before` to `after` that keeps their common prefix and suffix; null if equal. */
export function minimalChange(before: string, after: string): TextChange | null {
  if (before === after) return null;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (
    endBefore > start &&
    endAfter > start &&
    before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)
  ) {
    endBefore--;
    endAfter--;
  }
  return { from: start, to: endBefore, insert: after.slice(start, endAfter) };
}

/**
 * Offsets of a 1-based `line`:`col` in `text`, clamped into the text; `to` extends to the end of the
 * line (at least one character when the line has any) so the marker underlines something visible.
 */
export function lineColRange(text: string, line: number, col: number): { from: number; to: number } {
  const lines = text.split('\n');
  const l = Math.min(Math.max(1, Math.floor(line)), lines.length);
  let lineStart = 0;
  for (let i = 0; i < l - 1; i++) lineStart += lines[i]!.length + 1;
  const lineLength = lines[l - 1]!.length;
  const from = lineStart + Math.min(Math.max(0, Math.floor(col) - 1), lineLength);
  const to = from < lineStart + lineLength ? lineStart + lineLength : from;
  return { from, to };
}
