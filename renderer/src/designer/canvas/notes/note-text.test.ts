import { describe, expect, it } from 'vitest';
import { parseInline, parseNoteText } from './note-text.ts';

describe('note text', () => {
  it('reads headings, bullets, bold and code; leaves everything else as typed', () => {
    expect(parseNoteText('# Title\n- one **two**\n\nplain `x = 1` end\n* star')).toEqual([
      { kind: 'heading', inline: [{ kind: 'text', text: 'Title' }] },
      {
        kind: 'bullet',
        inline: [
          { kind: 'text', text: 'one ' },
          { kind: 'bold', text: 'two' },
        ],
      },
      { kind: 'blank' },
      {
        kind: 'line',
        inline: [
          { kind: 'text', text: 'plain ' },
          { kind: 'code', text: 'x = 1' },
          { kind: 'text', text: ' end' },
        ],
      },
      { kind: 'bullet', inline: [{ kind: 'text', text: 'star' }] },
    ]);
    expect(parseInline('a ** b `c')).toEqual([{ kind: 'text', text: 'a ** b `c' }]);
    expect(parseNoteText('#not a heading')).toEqual([
      { kind: 'line', inline: [{ kind: 'text', text: '#not a heading' }] },
    ]);
  });
});
