// UI state shared by the canvas and the panels: selection, focus requests, theme and panel layout.
// Document content lives in document-store.ts; nothing here is saved into the YAML.
import { createStore } from 'zustand/vanilla';

export type Theme = 'light' | 'dark';
/** `bottom`: the bottom area (run, problems, YAML) unfolded; false folds it to its tab bar. */
export type PanelId = 'inspector' | 'yaml' | 'problems' | 'palette' | 'minimap' | 'run' | 'batch' | 'bottom';

export interface Selection {
  nodes: string[];
  /** GraphEdge ids. */
  edges: string[];
  /** Canvas note ids (sticky notes, `metadata.fanout.notes`). */
  notes?: string[];
  /**
   * In a multi-selection, the node the inspector shows: the one last clicked. Unset (a box select, a
   * click on the selection's empty space) shows the selection as a whole ("N selected").
   */
  active?: string;
}

/** The node the inspector shows: the only selected node, or the active one of several; else none. */
export function inspectedNode(selection: Selection): string | undefined {
  const { nodes, active } = selection;
  if (nodes.length === 1) return nodes[0];
  return active !== undefined && nodes.includes(active) ? active : undefined;
}

/**
 * The selection once React Flow changed which nodes are selected: no active node (a box select shows
 * the selection as a whole; a click sets it again right after), and no notes once nodes are selected.
 */
export function withSelectedNodes(selection: Selection, nodes: string[]): Selection {
  const next: Selection = { ...selection, nodes };
  delete next.active;
  if (nodes.length > 0 && next.notes?.length) next.notes = [];
  return next;
}

/** A click on `node` inside a multi-selection: the inspector follows it, the selection stays. */
export function withActive(selection: Selection, node: string | undefined): Selection {
  const next: Selection = { ...selection };
  if (node !== undefined && selection.nodes.includes(node)) next.active = node;
  else delete next.active;
  return next;
}

export interface UiState {
  selection: Selection;
  /**
   * A request to bring something into view (problems panel -> canvas, error -> editor line).
   * `seq` increases on every request so the same target can be focused twice.
   */
  focus: { node?: string; edge?: string; line?: number; seq: number } | null;
  theme: Theme;
  panels: Record<PanelId, boolean>;
  select(selection: Selection): void;
  clearSelection(): void;
  /** Drops selected nodes/edges that no longer exist (after undo, rename, delete, a YAML edit). */
  retain(nodes: ReadonlySet<string>, edges: ReadonlySet<string>): void;
  requestFocus(target: { node?: string; edge?: string; line?: number }): void;
  setTheme(theme: Theme): void;
  togglePanel(panel: PanelId): void;
  showPanel(panel: PanelId): void;
  setPanel(panel: PanelId, open: boolean): void;
}

export type UiStore = ReturnType<typeof createUiStore>;

export function createUiStore(theme: Theme = 'light') {
  return createStore<UiState>()((set, get) => ({
    selection: { nodes: [], edges: [] },
    focus: null,
    theme,
    panels: {
      inspector: true,
      yaml: false,
      problems: true,
      palette: true,
      minimap: true,
      run: false,
      batch: false,
      bottom: true,
    },
    select(selection) {
      set({ selection });
    },
    clearSelection() {
      set({ selection: { nodes: [], edges: [] } });
    },
    retain(nodes, edges) {
      const { selection } = get();
      const kept: Selection = {
        ...selection,
        nodes: selection.nodes.filter((n) => nodes.has(n)),
        edges: selection.edges.filter((e) => edges.has(e)),
      };
      if (kept.active !== undefined && !nodes.has(kept.active)) delete kept.active;
      if (
        kept.nodes.length !== selection.nodes.length ||
        kept.edges.length !== selection.edges.length ||
        kept.active !== selection.active
      ) {
        set({ selection: kept });
      }
    },
    requestFocus(target) {
      set({ focus: { ...target, seq: (get().focus?.seq ?? 0) + 1 } });
      if (target.node) set({ selection: { nodes: [target.node], edges: [] } });
    },
    setTheme(next) {
      set({ theme: next });
    },
    showPanel(panel) {
      if (!get().panels[panel]) set({ panels: { ...get().panels, [panel]: true } });
    },
    setPanel(panel, open) {
      if (get().panels[panel] !== open) set({ panels: { ...get().panels, [panel]: open } });
    },
    togglePanel(panel) {
      set({ panels: { ...get().panels, [panel]: !get().panels[panel] } });
    },
  }));
}
