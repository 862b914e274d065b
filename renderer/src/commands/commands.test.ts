import { describe, expect, it } from 'vitest';
import { ShortcutsHelp } from '../designer/canvas/shortcuts.ts';
import { BLANK_TEMPLATE } from '../documents/templates.ts';
import { buildPaletteItems, itemId, parseItemId, type PaletteContext } from './app-commands.ts';
import { formatKeys, matchAppShortcut, shortcutSections } from './app-shortcuts.ts';
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
  const context: PaletteContext = {
    opened: true,
    running: false,
    canUndo: true,
    canRedo: false,
    singleSelection: false,
    canOpenDialog: false,
    mac: false,
    templates: [BLANK_TEMPLATE, { id: 'map-reduce', title: 'map-reduce', description: 'Count', text: '' }],
    files: [
      { path: 'a.yaml', name: 'a.yaml', kind: 'file' },
      { path: 'sub', name: 'sub', kind: 'dir' },
    ],
    nodes: [{ name: 'prepare', kind: 'lua' }],
  };

  it('lists commands (disabled when not applicable), templates, files and nodes', () => {
    const items = buildPaletteItems(context);
    const byTitle = new Map(items.map((i) => [i.title, i]));
    expect(byTitle.get('Save')).toMatchObject({ keys: 'Ctrl+S' });
    expect(byTitle.get('Save')?.disabled).toBeUndefined();
    expect(byTitle.get('Redo')?.disabled).toBe(true);
    expect(byTitle.get('Cancel run')?.disabled).toBe(true);
    expect(byTitle.get('Add parallel branches')?.disabled).toBe(true);
    expect(byTitle.get('Open…')?.disabled).toBe(true);
    expect(byTitle.has('New blank workflow')).toBe(true);
    expect(byTitle.has('New from template: map-reduce')).toBe(true);
    expect(byTitle.has('Open a.yaml')).toBe(true);
    expect(byTitle.has('Open sub')).toBe(false);
    expect(byTitle.get('prepare')?.group).toBe('Node');
    for (const title of [
      'Toggle YAML panel',
      'Toggle Problems panel',
      'Toggle Inspector panel',
      'Toggle theme',
    ]) {
      expect(byTitle.has(title), title).toBe(true);
    }
  });

  it('offers the run and debugging commands when they apply', () => {
    const titles = (c: Partial<PaletteContext>) =>
      new Map(buildPaletteItems({ ...context, ...c }).map((i) => [i.title, i]));
    const idle = titles({});
    expect(idle.get('Re-run (same mode, node and input)')).toMatchObject({ keys: 'Ctrl+Shift+Enter' });
    expect(idle.get('Re-run (same mode, node and input)')?.disabled).toBeUndefined();
    expect(idle.get('Edit run input')?.disabled).toBeUndefined();
    // Node-level commands need exactly one selected node.
    for (const title of [
      'Toggle breakpoint on selected node',
      'Run from selected node',
      'Run selected node alone',
    ]) {
      expect(idle.get(title)?.disabled, title).toBe(true);
    }
    expect(idle.get('Toggle breakpoint on selected node')?.keys).toBe('F9');
    expect(idle.get('Continue paused run')?.disabled).toBe(true);
    expect(idle.get('Clear breakpoints')?.disabled).toBe(true);
    const selected = titles({ singleSelection: true, hasBreakpoints: true });
    for (const title of [
      'Toggle breakpoint on selected node',
      'Run from selected node',
      'Run selected node alone',
      'Clear breakpoints',
    ]) {
      expect(selected.get(title)?.disabled, title).toBeUndefined();
    }
    // While a run is paused: continue and cancel, no new launches (a breakpoint may still be toggled).
    const paused = titles({ singleSelection: true, running: true, paused: true });
    expect(paused.get('Continue paused run')?.disabled).toBeUndefined();
    expect(paused.get('Cancel run')?.disabled).toBeUndefined();
    expect(paused.get('Run')?.disabled).toBe(true);
    expect(paused.get('Run from selected node')?.disabled).toBe(true);
    expect(paused.get('Toggle breakpoint on selected node')?.disabled).toBeUndefined();
    expect(parseItemId(itemId({ kind: 'command', command: 'run-from-selected' }))).toEqual({
      kind: 'command',
      command: 'run-from-selected',
    });
  });

  it('round-trips item ids, including paths with separators', () => {
    for (const target of [
      { kind: 'command', command: 'run' },
      { kind: 'open', path: 'dir/x: y.yaml' },
      { kind: 'node', name: 'a_b' },
      { kind: 'new', template: 'map-reduce' },
    ] as const) {
      expect(parseItemId(itemId(target))).toEqual(target);
    }
    expect(parseItemId('command\u0000nope')).toBeNull();
    expect(parseItemId('garbage')).toBeNull();
  });
});

describe('app shortcuts', () => {
  const key = (
    k: string,
    mods: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey', boolean>> = {},
  ) => ({
    key: k,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    altKey: false,
    ...mods,
  });
  it('maps Mod keys everywhere and "?" only outside text fields', () => {
    expect(matchAppShortcut(key('k', { ctrlKey: true }), true)).toBe('palette');
    expect(matchAppShortcut(key('K', { metaKey: true }), false)).toBe('palette');
    expect(matchAppShortcut(key('s', { ctrlKey: true }), false)).toBe('save');
    expect(matchAppShortcut(key('S', { ctrlKey: true, shiftKey: true }), false)).toBe('save-as');
    expect(matchAppShortcut(key('Enter', { ctrlKey: true }), true)).toBe('run');
    expect(matchAppShortcut(key('o', { ctrlKey: true }), false)).toBe('open');
    expect(matchAppShortcut(key('?', { shiftKey: true }), false)).toBe('shortcuts');
    expect(matchAppShortcut(key('?', { shiftKey: true }), true)).toBeNull();
    expect(matchAppShortcut(key('k'), false)).toBeNull();
    expect(matchAppShortcut(key('s', { ctrlKey: true, altKey: true }), false)).toBeNull();
    expect(matchAppShortcut(key('z', { ctrlKey: true }), false)).toBeNull(); // the canvas's
  });
  it('maps the run and debugging keys', () => {
    expect(matchAppShortcut(key('Enter', { ctrlKey: true, shiftKey: true }), true)).toBe('rerun');
    expect(matchAppShortcut(key('.', { ctrlKey: true }), true)).toBe('cancel');
    expect(matchAppShortcut(key('i', { metaKey: true }), false)).toBe('edit-input');
    expect(matchAppShortcut(key('F9'), false)).toBe('toggle-breakpoint');
    // F9 inside a text field or editor is left alone, as is Shift+F9.
    expect(matchAppShortcut(key('F9'), true)).toBeNull();
    expect(matchAppShortcut(key('F9', { shiftKey: true }), false)).toBeNull();
  });
  it('formats keys per platform and lists app and canvas shortcuts', () => {
    expect(formatKeys('Mod+Shift+S', false)).toBe('Ctrl+Shift+S');
    expect(formatKeys('Mod+Shift+S', true)).toBe('⌘⇧S');
    const [app, canvas] = shortcutSections(false);
    expect(app!.rows.map((r) => r.keys[0])).toEqual(
      expect.arrayContaining(['Ctrl+S', 'Ctrl+Shift+S', 'Ctrl+Enter', 'Ctrl+K', 'Ctrl+O']),
    );
    expect(canvas!.rows).toHaveLength(ShortcutsHelp.length);
    expect(canvas!.rows.find((r) => r.description === 'Undo')?.keys).toEqual(['Ctrl+Z']);
  });
});
