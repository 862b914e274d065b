import { describe, expect, it } from 'vitest';
import { matchShortcut, ShortcutsHelp, type KeyInput } from './shortcuts.ts';

const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe('shortcut table', () => {
  it('lists each command once, with keys and a description', () => {
    const commands = ShortcutsHelp.map((s) => s.command);
    expect(new Set(commands).size).toBe(commands.length);
    for (const s of ShortcutsHelp) {
      expect(s.keys.length).toBeGreaterThan(0);
      expect(s.description.length).toBeGreaterThan(3);
    }
    for (const required of [
      'delete',
      'duplicate',
      'copy',
      'paste',
      'undo',
      'redo',
      'zoom-in',
      'zoom-out',
      'fit-view',
    ])
      expect(commands).toContain(required);
  });

  it('every listed key combination triggers its own command', () => {
    for (const s of ShortcutsHelp) {
      for (const combo of s.keys) {
        const parts = combo.split('+');
        const k = parts.pop()!;
        const input = key(k, { ctrlKey: parts.includes('Mod'), shiftKey: parts.includes('Shift') });
        expect(matchShortcut(input), combo).toBe(s.command);
      }
    }
  });

  it('matches Ctrl or ⌘, letters in either case, shifted zoom keys; nothing with Alt or without Mod', () => {
    expect(matchShortcut(key('d', { metaKey: true }))).toBe('duplicate');
    expect(matchShortcut(key('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(matchShortcut(key('z', { ctrlKey: true }))).toBe('undo');
    expect(matchShortcut(key('+', { ctrlKey: true, shiftKey: true }))).toBe('zoom-in');
    expect(matchShortcut(key('0', { ctrlKey: true }))).toBe('fit-view');
    expect(matchShortcut(key('d'))).toBeNull();
    expect(matchShortcut(key('d', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(matchShortcut(key('Delete'))).toBe('delete');
    expect(matchShortcut(key('F2'))).toBe('rename');
  });
});

describe('applySelectChanges', () => {
  it('adds and removes ids, and reports no-ops as null', async () => {
    const { applySelectChanges } = await import('./selection.ts');
    expect(applySelectChanges(['a'], [{ type: 'select', id: 'b', selected: true }])).toEqual(['a', 'b']);
    expect(applySelectChanges(['a', 'b'], [{ type: 'select', id: 'a', selected: false }])).toEqual(['b']);
    expect(applySelectChanges(['a'], [{ type: 'select', id: 'a', selected: true }])).toBeNull();
    expect(applySelectChanges(['a'], [{ type: 'position', id: 'a' }])).toBeNull();
  });
});
