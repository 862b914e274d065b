// The palette's items and its search: every word typed must start a word of the item's label or
// keywords (so "fan" finds Parallel branches, "lua" the Lua node), in the palette's own order.
import type { PaletteKind } from './canvas-edits.ts';

export interface PaletteItem {
  kind: PaletteKind;
  label: string;
  hint: string;
  icon: string;
  /** Other words a user may type for it. */
  keywords: string;
}

export const PALETTE_ITEMS: readonly PaletteItem[] = [
  {
    kind: 'lua',
    label: 'Lua node',
    hint: 'Runs a Lua chunk (language: lua)',
    icon: '☾',
    keywords: 'script code run function',
  },
  {
    kind: 'action',
    label: 'Action',
    hint: 'Calls a built-in action (uses: json.parse)',
    icon: '⚙',
    keywords: 'uses built-in json http file memory',
  },
  {
    kind: 'while',
    label: 'While loop',
    hint: 'Repeats its body while a condition holds',
    icon: '↻',
    keywords: 'loop repeat iterate until',
  },
  {
    kind: 'parallel',
    label: 'Parallel branches',
    hint: 'A fan-out to 3 branches and a fan-in',
    icon: '⇉',
    keywords: 'fan-out fan-in fanout fanin join concurrent branch',
  },
];

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

export function searchPalette(items: readonly PaletteItem[], query: string): PaletteItem[] {
  const wanted = words(query);
  if (wanted.length === 0) return [...items];
  return items.filter((item) => {
    const have = words(`${item.label} ${item.keywords} ${item.kind}`);
    return wanted.every((w) => have.some((h) => h.startsWith(w)));
  });
}
