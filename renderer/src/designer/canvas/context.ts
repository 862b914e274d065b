// Stores the canvas components share: the document and UI stores, plus canvas-local state (which
// node's title is being renamed, unknown action names) and a bridge so the Palette can add at the view's centre.
import { createContext, useContext } from 'react';
import { createStore } from 'zustand/vanilla';
import type { Position } from '../../../../engine/workflow/types.ts';
import type { DocumentStore, EditOptions } from '../document-store.ts';
import type { UiStore } from '../ui-store.ts';

export interface CanvasLocalState {
  /** Node whose title shows the rename input. */
  renaming: string | null;
  /** Last edit error, shown in the canvas notice bar. */
  notice: string | null;
  /** Action names the host said it does not provide (unknown-actions.ts); only ever grows. */
  unknownActions: ReadonlySet<string>;
  setRenaming(node: string | null): void;
  setNotice(message: string | null): void;
  learnUnknownActions(names: readonly string[]): void;
}

export function createCanvasLocalStore() {
  return createStore<CanvasLocalState>()((set, get) => ({
    renaming: null,
    notice: null,
    unknownActions: new Set<string>(),
    setRenaming: (renaming) => set({ renaming }),
    setNotice: (notice) => set({ notice }),
    learnUnknownActions: (names) => {
      const known = get().unknownActions;
      if (names.every((n) => known.has(n))) return; // same set: no re-render of the nodes
      set({ unknownActions: new Set([...known, ...names]) });
    },
  }));
}

export type CanvasLocalStore = ReturnType<typeof createCanvasLocalStore>;

export interface CanvasStores {
  doc: DocumentStore;
  ui: UiStore;
  local: CanvasLocalStore;
}

export const CanvasContext = createContext<CanvasStores | null>(null);

export function useCanvasStores(): CanvasStores {
  const stores = useContext(CanvasContext);
  if (!stores) throw new Error('canvas components must be rendered inside <DesignerCanvas>');
  return stores;
}

/** Where a click on a palette item adds its node: the canvas registers its view centre per document. */
const viewCentres = new WeakMap<DocumentStore, () => Position>();

export function registerViewCentre(doc: DocumentStore, centre: () => Position): () => void {
  viewCentres.set(doc, centre);
  return () => {
    if (viewCentres.get(doc) === centre) viewCentres.delete(doc);
  };
}

export function viewCentre(doc: DocumentStore): Position {
  return viewCentres.get(doc)?.() ?? { x: 0, y: 0 };
}

/**
 * Runs a canvas edit as one undo step; an EditError becomes the canvas notice instead of a crash.
 * `layoutOnly`: the edit only moves nodes the canvas already shows moved (EditOptions.layoutOnly).
 */
export function runEdit(
  stores: Pick<CanvasStores, 'doc' | 'local'>,
  fn: (text: string) => string,
  label: string,
  coalesceKey?: string,
  layoutOnly = false,
): boolean {
  try {
    const options: EditOptions = coalesceKey === undefined ? { label } : { label, coalesceKey };
    if (layoutOnly) options.layoutOnly = true;
    stores.doc.getState().edit(fn, options);
    stores.local.getState().setNotice(null);
    return true;
  } catch (error) {
    stores.local.getState().setNotice(error instanceof Error ? error.message : String(error));
    return false;
  }
}
