import { describe, expect, it } from 'vitest';
import { PALETTE_ITEMS, searchPalette } from './palette-search.ts';

const kinds = (query: string) => searchPalette(PALETTE_ITEMS, query).map((i) => i.kind);

describe('palette search', () => {
  it('lists everything for an empty query', () => {
    expect(kinds('')).toEqual(['lua', 'action', 'while', 'parallel']);
    expect(kinds('   ')).toHaveLength(4);
  });

  it('matches word starts of labels and keywords, case-insensitively', () => {
    expect(kinds('lua')).toEqual(['lua']);
    expect(kinds('FAN')).toEqual(['parallel']);
    expect(kinds('loop')).toEqual(['while']);
    expect(kinds('json')).toEqual(['action']);
  });

  it('needs every typed word', () => {
    expect(kinds('parallel join')).toEqual(['parallel']);
    expect(kinds('lua join')).toEqual([]);
  });

  it('does not match inside words', () => {
    expect(kinds('ua')).toEqual([]);
  });
});
