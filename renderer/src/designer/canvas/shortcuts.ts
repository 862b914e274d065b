// Every canvas keyboard shortcut, as data: the canvas dispatches on it and the cheat sheet lists it.

export type CanvasCommand =
  | 'delete'
  | 'duplicate'
  | 'copy'
  | 'paste'
  | 'undo'
  | 'redo'
  | 'select-all'
  | 'zoom-in'
  | 'zoom-out'
  | 'fit-view'
  | 'auto-layout'
  | 'add-parallel'
  | 'rename';

export interface Shortcut {
  command: CanvasCommand;
  /** Keys as shown in the cheat sheet; "Mod" is Ctrl (⌘ on macOS). */
  keys: string[];
  description: string;
}

export const ShortcutsHelp: readonly Shortcut[] = [
  { command: 'delete', keys: ['Delete', 'Backspace'], description: 'Delete the selected nodes and edges' },
  { command: 'duplicate', keys: ['Mod+D'], description: 'Duplicate the selected nodes' },
  { command: 'copy', keys: ['Mod+C'], description: 'Copy the selected nodes as YAML' },
  { command: 'paste', keys: ['Mod+V'], description: 'Paste nodes (YAML from the clipboard)' },
  { command: 'undo', keys: ['Mod+Z'], description: 'Undo' },
  { command: 'redo', keys: ['Mod+Shift+Z', 'Mod+Y'], description: 'Redo' },
  { command: 'select-all', keys: ['Mod+A'], description: 'Select every node' },
  { command: 'zoom-in', keys: ['Mod+='], description: 'Zoom in' },
  { command: 'zoom-out', keys: ['Mod+-'], description: 'Zoom out' },
  { command: 'fit-view', keys: ['Mod+0'], description: 'Fit the whole graph in view' },
  { command: 'auto-layout', keys: ['Mod+Shift+L'], description: 'Auto-layout every node' },
  {
    command: 'add-parallel',
    keys: ['Mod+Shift+P'],
    description: 'Add parallel branches after the selected node',
  },
  { command: 'rename', keys: ['F2'], description: 'Rename the selected node (or double-click its title)' },
];

/** The parts of a KeyboardEvent the matcher needs (so tests need no DOM). */
export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

function parse(combo: string): { mod: boolean; shift: boolean; key: string } {
  const parts = combo.split('+');
  // "Mod+=" splits into ["Mod", "="]; "Mod+-" into ["Mod", "-"]; a bare "+" key is not used.
  const key = parts.pop() ?? '';
  return { mod: parts.includes('Mod'), shift: parts.includes('Shift'), key };
}

/** Shifted digits/symbols keyboards report for the same physical key ("+" for Shift+"="). */
const SAME_KEY: Record<string, string> = { '+': '=', _: '-' };

/** The command a key press triggers, or null. Mod is Ctrl or ⌘; Alt never matches. */
export function matchShortcut(event: KeyInput): CanvasCommand | null {
  if (event.altKey) return null;
  const mod = event.ctrlKey || event.metaKey;
  const raw = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const key = SAME_KEY[raw] ?? raw;
  for (const shortcut of ShortcutsHelp) {
    for (const combo of shortcut.keys) {
      const want = parse(combo);
      const wantKey = want.key.length === 1 ? want.key.toLowerCase() : want.key;
      if (wantKey !== key || want.mod !== mod) continue;
      // Zoom keys ignore Shift ("+" needs Shift on many layouts).
      if (want.shift !== event.shiftKey && !['=', '-'].includes(wantKey)) continue;
      return shortcut.command;
    }
  }
  return null;
}
