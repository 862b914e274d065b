// The keyboard shortcut cheat sheet's content: every registry action with keys, by menu section, then
// the mouse gestures no key describes (connecting, conditional edges, context menus).
import type { MenuSection } from '../../../electron/shared/actions.ts';
import { ACTIONS } from '../actions/registry.ts';
import { formatKeys } from '../actions/keys.ts';

export interface ShortcutSection {
  title: string;
  rows: { keys: string[]; description: string }[];
}

const SECTION_ORDER: readonly MenuSection[] = ['File', 'Edit', 'Run', 'View', 'Help'];

/** Gestures, as key-or-mouse text and a description (shown under "Canvas gestures"). */
export const GESTURES: readonly { keys: string[]; description: string }[] = [
  { keys: ['Drag'], description: 'Drag a palette item onto the canvas to add a node there' },
  { keys: ['Drag handle → node'], description: "Connect: drag from a node's right handle onto another node" },
  {
    keys: ['Drag, then Shift'],
    description:
      'Conditional edge: press Shift after the connecting drag has started (Shift first box-selects)',
  },
  { keys: ['Shift+Drag'], description: 'Box select (on the empty canvas)' },
  { keys: ['Mod+Click', 'Shift+Click'], description: 'Add a node or edge to the selection' },
  { keys: ['Double-click'], description: 'Rename a node (on its title)' },
  {
    keys: ['Right-click', 'Shift+F10'],
    description: 'Context menu of a node, an edge, the selection or the canvas',
  },
];

export function shortcutSections(mac: boolean): ShortcutSection[] {
  const sections: ShortcutSection[] = SECTION_ORDER.map((title) => ({ title, rows: [] }));
  const other: ShortcutSection = { title: 'Other', rows: [] };
  for (const action of ACTIONS) {
    if (!action.keys) continue;
    const section = sections.find((s) => s.title === action.menu?.section) ?? other;
    section.rows.push({ keys: action.keys.map((k) => formatKeys(k, mac)), description: action.title });
  }
  const gestures: ShortcutSection = {
    title: 'Canvas gestures',
    rows: GESTURES.map((g) => ({ keys: g.keys.map((k) => formatKeys(k, mac)), description: g.description })),
  };
  return [...sections, other, gestures].filter((s) => s.rows.length > 0);
}
