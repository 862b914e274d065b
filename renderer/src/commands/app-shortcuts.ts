// The application's own keyboard shortcuts (the canvas has its own, in designer/canvas/shortcuts.ts),
// as data: the window's key handler dispatches on it and the cheat sheet lists it with the canvas's.
import { ShortcutsHelp, type KeyInput } from '../designer/canvas/shortcuts.ts';

export type AppCommand =
  | 'save'
  | 'save-as'
  | 'run'
  | 'rerun'
  | 'cancel'
  | 'toggle-breakpoint'
  | 'edit-input'
  | 'palette'
  | 'open'
  | 'shortcuts';

export interface AppShortcut {
  command: AppCommand;
  /** "Mod" is Ctrl (⌘ on macOS). */
  keys: string[];
  description: string;
}

export const APP_SHORTCUTS: readonly AppShortcut[] = [
  { command: 'palette', keys: ['Mod+K'], description: 'Command palette: commands, files and nodes' },
  { command: 'open', keys: ['Mod+O'], description: 'Open a file' },
  { command: 'save', keys: ['Mod+S'], description: 'Save' },
  { command: 'save-as', keys: ['Mod+Shift+S'], description: 'Save as…' },
  { command: 'run', keys: ['Mod+Enter'], description: 'Run the workflow' },
  { command: 'rerun', keys: ['Mod+Shift+Enter'], description: 'Re-run: same mode, node and input' },
  { command: 'cancel', keys: ['Mod+.'], description: 'Cancel the run (also while paused)' },
  { command: 'toggle-breakpoint', keys: ['F9'], description: 'Toggle a breakpoint on the selected node' },
  { command: 'edit-input', keys: ['Mod+I'], description: 'Edit the run input' },
  { command: 'shortcuts', keys: ['?'], description: 'Show keyboard shortcuts' },
];

/**
 * The app command a key press triggers, or null. `typing` is true when focus is in a text field or
 * editor: then only the Mod shortcuts apply (a "?" typed into Lua code stays a "?").
 */
export function matchAppShortcut(event: KeyInput, typing: boolean): AppCommand | null {
  const mod = event.ctrlKey || event.metaKey;
  if (event.altKey) return null;
  if (!mod) {
    if (typing) return null;
    if (event.key === '?') return 'shortcuts';
    if (event.key === 'F9' && !event.shiftKey) return 'toggle-breakpoint';
    return null;
  }
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (key === 'k' && !event.shiftKey) return 'palette';
  if (key === 'o' && !event.shiftKey) return 'open';
  if (key === 's') return event.shiftKey ? 'save-as' : 'save';
  if (key === 'Enter') return event.shiftKey ? 'rerun' : 'run';
  if (key === '.' && !event.shiftKey) return 'cancel';
  if (key === 'i' && !event.shiftKey) return 'edit-input';
  return null;
}

/** "Mod+Shift+S" as shown on this platform: "Ctrl+Shift+S" or "⌘⇧S". */
export function formatKeys(combo: string, mac: boolean): string {
  if (!mac) return combo.replace(/\bMod\b/g, 'Ctrl');
  return combo
    .split('+')
    .map((part) => ({ Mod: '⌘', Shift: '⇧', Alt: '⌥', Enter: '↩' })[part] ?? part)
    .join('');
}

export interface ShortcutSection {
  title: string;
  rows: { keys: string[]; description: string }[];
}

/** Every shortcut for the cheat sheet, the app's first, then the canvas's. */
export function shortcutSections(mac: boolean): ShortcutSection[] {
  const rows = (list: readonly { keys: string[]; description: string }[]) =>
    list.map((s) => ({ keys: s.keys.map((k) => formatKeys(k, mac)), description: s.description }));
  return [
    { title: 'Application', rows: rows(APP_SHORTCUTS) },
    { title: 'Canvas', rows: rows(ShortcutsHelp) },
  ];
}

export function isMacPlatform(platform: string | undefined): boolean {
  return /mac|darwin/i.test(platform ?? '');
}
