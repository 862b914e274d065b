// Light formatting of a note's plain text, as chat tools and n8n's sticky notes do: `# ` headings,
// `- ` / `* ` bullets, **bold** and `code` inside a line. Pure: the note component renders the blocks;
// the file keeps exactly what was typed.

export type Inline = { kind: 'text' | 'bold' | 'code'; text: string };
export type Block =
  | { kind: 'heading'; inline: Inline[] }
  | { kind: 'bullet'; inline: Inline[] }
  | { kind: 'line'; inline: Inline[] }
  | { kind: 'blank' };

/** `**bold**` and `` `code` `` spans of one line; unmatched markers stay as typed. */
export function parseInline(line: string): Inline[] {
  const out: Inline[] = [];
  const re = /\*\*([^*]+)\*\*|`([^`]+)`/g;
  let last = 0;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m.index > last) out.push({ kind: 'text', text: line.slice(last, m.index) });
    out.push(m[1] !== undefined ? { kind: 'bold', text: m[1] } : { kind: 'code', text: m[2]! });
    last = m.index + m[0].length;
  }
  if (last < line.length) out.push({ kind: 'text', text: line.slice(last) });
  return out;
}

export function parseNoteText(text: string): Block[] {
  return text.split('\n').map((line): Block => {
    if (line.trim() === '') return { kind: 'blank' };
    const heading = /^#{1,3}\s+(.*)$/.exec(line);
    if (heading) return { kind: 'heading', inline: parseInline(heading[1]!) };
    const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
    if (bullet) return { kind: 'bullet', inline: parseInline(bullet[1]!) };
    return { kind: 'line', inline: parseInline(line) };
  });
}
