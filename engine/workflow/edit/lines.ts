// Line arithmetic on document text: where lines start and end, columns, blank lines, the file's
// indentation step. Every edit family measures text with these (one copy, not one per file).

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just after the newline ending the line that contains `offset` (or the text length). */
export function lineEndIncl(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

export function colOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

export function isBlankLine(text: string, start: number): boolean {
  const end = lineEndIncl(text, start);
  return start < text.length && text.slice(start, end).trim() === '';
}

export function prevLineStart(text: string, start: number): number {
  return start === 0 ? -1 : lineStart(text, start - 1);
}

/** The file's indentation step: the smallest positive indent of a content line (default 2). */
export function detectStep(text: string): number {
  let best = Infinity;
  for (const line of text.split('\n', 400)) {
    const m = /^( +)[^ #\n]/.exec(line);
    if (m && m[1]!.length < best) best = m[1]!.length;
  }
  return Number.isFinite(best) && best <= 8 ? best : 2;
}

export function trimEnd(text: string, start: number, end: number): number {
  let e = Math.min(end, text.length);
  while (e > start && /\s/.test(text[e - 1]!)) e--;
  return e;
}
