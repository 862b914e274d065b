// The designer's document: YAML text is the single source of truth; the model, graph and problems
// are derived from it. Every edit (canvas, inspector, YAML panel) produces new text, so undo/redo is a
// stack of texts and the saved file changes only where the user changed something.
import { createStore } from 'zustand/vanilla';
import { buildGraph } from '../../../engine/workflow/graph.ts';
import { lintPortability } from '../../../engine/workflow/lint.ts';
import { loadWorkflow } from '../../../engine/workflow/load.ts';
import type { LoadResult, Problem, WorkflowGraph } from '../../../engine/workflow/types.ts';
import { validateWorkflow } from '../../../engine/workflow/validate.ts';

/** Consecutive edits with the same key within this window become one undo step (drags, typing). */
export const COALESCE_MS = 1000;
export const HISTORY_LIMIT = 500;

interface HistoryEntry {
  text: string;
  label: string;
}

export interface DocumentState {
  /** Path of the file on disk (host-relative in the browser host); null for a new document. */
  path: string | null;
  text: string;
  /** Text as last saved/opened: `dirty` is text !== savedText. */
  savedText: string;
  /** Modification time of the file when opened/saved, for conflict detection. */
  mtimeMs: number | undefined;
  load: LoadResult;
  /** Null when the text does not parse; the canvas then keeps showing `lastGoodGraph`. */
  graph: WorkflowGraph | null;
  lastGoodGraph: WorkflowGraph | null;
  problems: Problem[];
  past: HistoryEntry[];
  future: HistoryEntry[];
  /** Label, key and time of the last edit, for coalescing. */
  lastEdit: { key: string | undefined; at: number } | null;
}

export interface EditOptions {
  /** Shown in the undo menu ("Undo Move nodes"). */
  label: string;
  /** Edits with the same key in quick succession merge into one undo step. */
  coalesceKey?: string;
  /** Clock for tests. */
  now?: number;
}

export interface DocumentActions {
  /** Replaces the document (open/new): clears history. */
  open(text: string, path: string | null, mtimeMs?: number): void;
  /** Applies new text as one undoable edit. A text equal to the current one is ignored. */
  setText(text: string, options: EditOptions): void;
  /** Runs a text -> text edit; its error propagates and nothing changes. */
  edit(fn: (text: string) => string, options: EditOptions): void;
  undo(): void;
  redo(): void;
  markSaved(path: string, mtimeMs: number, savedText?: string): void;
  isDirty(): boolean;
  undoLabel(): string | undefined;
  redoLabel(): string | undefined;
}

export type DocumentStore = ReturnType<typeof createDocumentStore>;

function derive(text: string, path: string | null, previous: WorkflowGraph | null) {
  const load = loadWorkflow(text, path ?? undefined);
  if (!load.model) {
    return { load, graph: null, lastGoodGraph: previous, problems: load.problems };
  }
  const graph = buildGraph(load.model);
  const problems = [...validateWorkflow(load, { graph }), ...lintPortability(load.model, graph, text)];
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return { load, graph, lastGoodGraph: graph, problems };
}

export function createDocumentStore(initialText = '', initialPath: string | null = null) {
  return createStore<DocumentState & DocumentActions>()((set, get) => ({
    path: initialPath,
    text: initialText,
    savedText: initialText,
    mtimeMs: undefined,
    ...derive(initialText, initialPath, null),
    past: [],
    future: [],
    lastEdit: null,

    open(text, path, mtimeMs) {
      set({
        path,
        text,
        savedText: text,
        mtimeMs,
        ...derive(text, path, null),
        past: [],
        future: [],
        lastEdit: null,
      });
    },

    setText(text, options) {
      const state = get();
      if (text === state.text) return;
      const now = options.now ?? Date.now();
      const coalesce =
        options.coalesceKey !== undefined &&
        state.lastEdit?.key === options.coalesceKey &&
        now - state.lastEdit.at < COALESCE_MS &&
        state.past.length > 0;
      const past = coalesce
        ? state.past
        : [...state.past, { text: state.text, label: options.label }].slice(-HISTORY_LIMIT);
      set({
        text,
        ...derive(text, state.path, state.lastGoodGraph),
        past,
        future: [],
        lastEdit: { key: options.coalesceKey, at: now },
      });
    },

    edit(fn, options) {
      get().setText(fn(get().text), options);
    },

    undo() {
      const state = get();
      const entry = state.past.at(-1);
      if (!entry) return;
      set({
        text: entry.text,
        ...derive(entry.text, state.path, state.lastGoodGraph),
        past: state.past.slice(0, -1),
        future: [{ text: state.text, label: entry.label }, ...state.future],
        lastEdit: null,
      });
    },

    redo() {
      const state = get();
      const entry = state.future[0];
      if (!entry) return;
      set({
        text: entry.text,
        ...derive(entry.text, state.path, state.lastGoodGraph),
        past: [...state.past, { text: state.text, label: entry.label }],
        future: state.future.slice(1),
        lastEdit: null,
      });
    },

    markSaved(path, mtimeMs, savedText) {
      set({ path, mtimeMs, savedText: savedText ?? get().text });
    },

    isDirty() {
      return get().text !== get().savedText;
    },

    undoLabel() {
      return get().past.at(-1)?.label;
    },

    redoLabel() {
      return get().future[0]?.label;
    },
  }));
}
