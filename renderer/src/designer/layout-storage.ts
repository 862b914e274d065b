// Where the workspace remembers its panel sizes and collapsed states between reloads: localStorage,
// or a throwaway map where it is unavailable (a remembered layout is a comfort, never required).
export interface LayoutStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Every key this app stores layout under starts with this (so a reset can find them). */
export const LAYOUT_KEY_PREFIX = 'fanout.layout.';

function memoryStorage(): LayoutStorage {
  const map = new Map<string, string>();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

let shared: LayoutStorage | null = null;

export function layoutStorage(): LayoutStorage {
  if (shared) return shared;
  try {
    const storage = window.localStorage;
    // Safari's private mode (and some embedders) expose a storage that throws on write.
    storage.setItem(`${LAYOUT_KEY_PREFIX}probe`, '1');
    shared = {
      getItem: (k) => storage.getItem(k),
      setItem: (k, v) => {
        try {
          storage.setItem(k, v);
        } catch {
          // quota or disabled storage: the layout is simply not remembered
        }
      },
    };
  } catch {
    shared = memoryStorage();
  }
  return shared;
}

/** A remembered boolean (e.g. the palette's collapsed state). */
export function readFlag(key: string, fallback: boolean): boolean {
  const value = layoutStorage().getItem(`${LAYOUT_KEY_PREFIX}${key}`);
  return value === null ? fallback : value === '1';
}

export function writeFlag(key: string, value: boolean): void {
  layoutStorage().setItem(`${LAYOUT_KEY_PREFIX}${key}`, value ? '1' : '0');
}
