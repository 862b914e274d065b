import { describe, expect, it } from 'vitest';
import { testContext } from '../actions/test-context.ts';
import { BLANK_TEMPLATE } from '../documents/templates.ts';
import { buildPaletteItems, itemId, parseItemId, type PaletteSources } from './app-commands.ts';
import { shortcutSections } from './shortcut-sheet.ts';
import { moveHighlight, rankItems, scoreWord, type PaletteItem } from './rank.ts';

const item = (title: string, group = 'Command', keywords?: string): PaletteItem => ({
  id: title,
  title,
  group,
  ...(keywords ? { keywords } : {}),
});

describe('rankItems', () => {
  const items = [
    item('Save'),
    item('Save As…'),
    item('Toggle YAML panel'),
    item('Show keyboard shortcuts', 'Command', 'help cheat sheet'),
    item('Open map-reduce.yaml', 'File'),
    item('fan_out_1_branch_2', 'Node', 'lua'),
    item('Export portable YAML'),
  ];
  const titles = (q: string) => rankItems(items, q).map((i) => i.title);

  it('keeps the given order for an empty query', () => {
    expect(titles('  ')).toEqual(items.map((i) => i.title));
  });
  it('ranks a prefix above a word start above a scattered match', () => {
    expect(titles('sa').slice(0, 2)).toEqual(['Save', 'Save As…']);
    expect(titles('yaml')[0]).toBe('Toggle YAML panel');
    expect(titles('yaml')).toContain('Open map-reduce.yaml');
    expect(scoreWord('tyaml', 'Toggle YAML panel')).not.toBeNull();
    expect(scoreWord('pa', 'panel')!).toBeGreaterThan(scoreWord('pa', 'Open map')!);
  });
  it('requires every word, matches keywords and groups, and drops non-matches', () => {
    expect(titles('map open')).toEqual(['Open map-reduce.yaml']);
    expect(titles('cheat')).toEqual(['Show keyboard shortcuts']);
    expect(titles('node b2')).toEqual(['fan_out_1_branch_2']);
    expect(titles('zzz')).toEqual([]);
  });
  it('moves the highlight with wrap-around', () => {
    expect(moveHighlight(0, -1, 3)).toBe(2);
    expect(moveHighlight(2, 1, 3)).toBe(0);
    expect(moveHighlight(0, 1, 0)).toBe(0);
  });
});

describe('palette items', () => {
  const sources: PaletteSources = {
    templates: [BLANK_TEMPLATE, { id: 'map-reduce', title: 'map-reduce', description: 'Count', text: '' }],
    files: [
      { path: 'a.yaml', name: 'a.yaml', kind: 'file' },
      { path: 'sub', name: 'sub', kind: 'dir' },
    ],
    nodes: [{ name: 'prepare', kind: 'lua' }],
  };
  const byTitle = (ctx = testContext()) => new Map(buildPaletteItems(ctx, sources).map((i) => [i.title, i]));

  it('lists registry actions (disabled ones with their reason), templates, files and nodes', () => {
    const items = byTitle();
    expect(items.get('Save')).toMatchObject({ keys: 'Ctrl+S' });
    expect(items.get('Save')?.disabled).toBeUndefined();
    expect(items.get('Redo')).toMatchObject({ disabled: true, reason: 'Nothing to redo' });
    expect(items.get('Cancel run')).toMatchObject({ disabled: true, reason: 'No run in progress' });
    expect(items.get('Add parallel branches')).toMatchObject({
      disabled: true,
      reason: 'Select one node to add parallel branches after it',
    });
    for (const title of [
      'Zoom in',
      'Zoom out',
      'Actual size (100%)',
      'Fit the graph in view',
      'About Fanout Studio',
    ])
      expect(items.get(title)?.disabled, title).toBeUndefined();
    expect(items.has('Command palette')).toBe(false);
    expect(items.has('New blank workflow')).toBe(true);
    expect(items.has('New from template: map-reduce')).toBe(true);
    expect(items.has('Open a.yaml')).toBe(true);
    expect(items.has('Open sub')).toBe(false);
    expect(items.get('prepare')?.group).toBe('Node');
  });

  it('follows the selection and the run state', () => {
    const selected = byTitle(testContext({ selection: ['a'] }));
    expect(selected.get('Run from selected node')?.disabled).toBeUndefined();
    expect(selected.get('Toggle breakpoint')).toMatchObject({ keys: 'F9' });
    const paused = byTitle(testContext({ selection: ['a'], status: 'paused' }));
    expect(paused.get('Continue paused run')?.disabled).toBeUndefined();
    expect(paused.get('Run')).toMatchObject({ disabled: true, reason: 'A run is in progress' });
  });

  it('round-trips item ids, including paths with separators', () => {
    for (const target of [
      { kind: 'action', id: 'run:run' },
      { kind: 'open', path: 'dir/x: y.yaml' },
      { kind: 'node', name: 'a_b' },
      { kind: 'new', template: 'map-reduce' },
    ] as const) {
      expect(parseItemId(itemId(target))).toEqual(target);
    }
    expect(parseItemId('action\u0000nope')).toBeNull();
    expect(parseItemId('garbage')).toBeNull();
  });
});

describe('shortcut sheet', () => {
  it('lists every key from the registry by menu section, and the canvas gestures', () => {
    const sections = shortcutSections(false);
    const rows = sections.flatMap((s) => s.rows);
    const keys = rows.flatMap((r) => r.keys);
    for (const k of [
      'Ctrl+K',
      'Ctrl+S',
      'Ctrl+Shift+S',
      'Ctrl+Enter',
      'Ctrl+O',
      'Ctrl+Z',
      'Ctrl+Shift+L',
      'F2',
    ])
      expect(keys, k).toContain(k);
    expect(new Set(keys).size).toBe(keys.length);
    const gestures = sections.find((s) => s.title === 'Canvas gestures')!;
    expect(gestures.rows.map((r) => r.description).join('\n')).toMatch(/Conditional edge: press Shift after/);
    expect(
      sections.find((s) => s.title === 'Edit')!.rows.find((r) => r.description === 'Redo')?.keys,
    ).toEqual(['Ctrl+Shift+Z', 'Ctrl+Y']);
  });
});
