import { describe, expect, it } from 'vitest';
import type { FileEntry } from '../../../engine/host/types.ts';
import { exampleCards, fileStem, recentCards } from './start-page.ts';
import { templatesFromFiles } from './templates.ts';

const templates = templatesFromFiles({
  'x/map-reduce.yaml': 'name: map-reduce\ndescription: Count words in parallel\nnodes: []\n',
});

const entry = (path: string, kind: 'file' | 'dir' = 'file'): FileEntry => ({
  path,
  name: path.split('/').at(-1)!,
  kind,
});

describe('start page cards', () => {
  it('lists the YAML files of a listing, describing the bundled examples', () => {
    const cards = exampleCards(
      [entry('docs', 'dir'), entry('map-reduce.yaml'), entry('notes.txt'), entry('sub/other.yml')],
      templates,
    );
    expect(cards.map((c) => c.path)).toEqual(['map-reduce.yaml', 'sub/other.yml']);
    expect(cards[0]!.detail).toBe('Count words in parallel');
    expect(cards[1]!.detail).toBe('sub');
  });

  it('keeps recent files newest first, once each, at most max, with their folder', () => {
    const cards = recentCards(['/w/a.yaml', '/w/b.yaml', '/w/a.yaml', 'c.yaml'], templates, 2);
    expect(cards.map((c) => c.name)).toEqual(['a.yaml', 'b.yaml']);
    expect(cards[0]!.detail).toBe('/w');
    expect(recentCards(['c.yaml'], templates)[0]!.detail).toBe('in the served folder');
    expect(recentCards(['/w/map-reduce.yaml'], templates)[0]!.detail).toBe('Count words in parallel');
  });

  it('takes the stem of a path', () => {
    expect(fileStem('a/b/map-reduce.yaml')).toBe('map-reduce');
    expect(fileStem('x.YML')).toBe('x');
  });
});
