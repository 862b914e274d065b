// Key combinations as the manifest writes them ("Mod+Shift+S"): matching a key press, and showing
// them per platform. Pure, so the registry test can check every declared key without a DOM.

/** The parts of a KeyboardEvent the matcher needs. */
export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export interface Combo {
  mod: boolean;
  shift: boolean;
  alt: boolean;
  /** Lower case for single characters ("s", "=", "?"), as written for named keys ("Enter", "F9"). */
  key: string;
}

/** Shifted characters keyboards report for the same physical key ("+" for Shift+"="). */
const SAME_KEY: Record<string, string> = { '+': '=', _: '-' };

const normal = (key: string) => {
  const k = key.length === 1 ? key.toLowerCase() : key;
  return SAME_KEY[k] ?? k;
};

export function parseCombo(combo: string): Combo {
  const parts = combo.split('+');
  // "Mod+=" splits into ["Mod", "="]; "Mod+-" into ["Mod", "-"].
  const key = parts.pop() ?? '';
  return {
    mod: parts.includes('Mod'),
    shift: parts.includes('Shift'),
    alt: parts.includes('Alt'),
    key: normal(key),
  };
}

/** A canonical form: two combos that match the same key presses have the same signature. */
export function comboSignature(combo: string): string {
  const c = parseCombo(combo);
  const symbol = c.key.length === 1 && !/[a-z]/.test(c.key);
  return `${c.mod ? 'M' : ''}${c.alt ? 'A' : ''}${c.shift && !symbol ? 'S' : ''}:${c.key}`;
}

/**
 * True when the key press is this combo. Mod is Ctrl or ⌘. For digits and symbols Shift is not
 * compared: it changes the character itself ("?" is Shift+"/", "+" is Shift+"=" on many layouts).
 */
export function matchesCombo(event: KeyInput, combo: string): boolean {
  const want = parseCombo(combo);
  if (normal(event.key) !== want.key) return false;
  if (want.mod !== (event.ctrlKey || event.metaKey) || want.alt !== event.altKey) return false;
  const symbol = want.key.length === 1 && !/[a-z]/.test(want.key);
  return symbol || want.shift === event.shiftKey;
}

/** "Mod+Shift+S" as shown on this platform: "Ctrl+Shift+S" or "⌘⇧S". */
export function formatKeys(combo: string, mac: boolean): string {
  const parts = combo.split('+');
  const key = parts.pop() ?? '';
  const shown = key.length === 1 ? key.toUpperCase() : key;
  if (!mac) return [...parts.map((p) => (p === 'Mod' ? 'Ctrl' : p)), shown].join('+');
  const glyph: Record<string, string> = { Mod: '⌘', Shift: '⇧', Alt: '⌥' };
  return parts.map((p) => glyph[p] ?? p).join('') + ({ Enter: '↩' }[shown] ?? shown);
}

export function isMacPlatform(platform: string | undefined): boolean {
  return /mac|darwin/i.test(platform ?? '');
}
