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
/**
 * Documents with more nodes than this get their problems (validate + lint, ~40% of a re-derive)
 * computed after the edit, off the critical path of opening and dragging; smaller ones stay sync.
 */
export const DEFER_PROBLEMS_NODES = 150;
/** Delay before deferred problems are computed; a new edit within it restarts the wait. */
export const DEFER_PROBLEMS_MS = 150;

interface HistoryEntry {
  text: string;
  label: string;
}

export interface DocumentState {
  /** Path of the file on disk (host-relative in the browser host); null for a new document. */
  path: string | null;
  /**
   * Increases on every open() (a file, New, a reload): with the path, which document this is. Two
   * untitled documents differ only here; Save as changes the path, not this.
   */
  openId: number;
  text: string;
  /** Text as last saved/opened: `dirty` is text !== savedText. */
  savedText: string;
  /** Modification time of the file when opened/saved, for conflict detection. */
  mtimeMs: number | undefined;
  /** SHA-256 of the file's bytes when opened/saved: a save expecting it detects any change on disk. */
  hash: string | undefined;
  load: LoadResult;
  /** Null when the text does not parse; the canvas then keeps showing `lastGoodGraph`. */
  graph: WorkflowGraph | null;
  lastGoodGraph: WorkflowGraph | null;
  /** The derived problems plus `externalProblems`, sorted by position. */
  problems: Problem[];
  /**
   * Problems from an outside check of exactly this text (the host's Lua syntax check); emptied on
   * every text change, so they never point at lines of an older text.
   */
  externalProblems: Problem[];
  /** True while `problems` belongs to an earlier text (big documents; see DEFER_PROBLEMS_NODES). */
  problemsPending: boolean;
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
  /**
   * The edit only changes where nodes are drawn (their `metadata.fanout` positions), which the canvas
   * already shows: on a big document the model, graph and problems of the new text are derived later
   * (like deferred problems), so a drop does not re-parse 1,000 nodes in its own task.
   */
  layoutOnly?: boolean;
  /** Clock for tests. */
  now?: number;
}

export interface DocumentActions {
  /** Replaces the document (open/new): clears history. */
  open(text: string, path: string | null, mtimeMs?: number, hash?: string): void;
  /** Applies new text as one undoable edit. A text equal to the current one is ignored. */
  setText(text: string, options: EditOptions): void;
  /** Runs a text -> text edit; its error propagates and nothing changes. */
  edit(fn: (text: string) => string, options: EditOptions): void;
  undo(): void;
  redo(): void;
  markSaved(path: string, mtimeMs: number, savedText?: string, hash?: string): void;
  isDirty(): boolean;
  undoLabel(): string | undefined;
  redoLabel(): string | undefined;
  /** Computes pending (deferred) problems now, and a deferred derive first, e.g. before a save or in tests. */
  flushProblems(): void;
  /**
   * Adds problems found by an outside check of `forText` (replacing earlier ones). Ignored, returning
   * false, when the document's text is no longer `forText` (a stale answer).
   */
  setExternalProblems(forText: string, problems: Problem[]): boolean;
}

export interface DocumentStoreOptions {
  /** Node count above which problems are deferred (default DEFER_PROBLEMS_NODES; Infinity: never). */
  deferProblemsAbove?: number;
  /** Runs the deferred computation (default: setTimeout with DEFER_PROBLEMS_MS); returns a canceller. */
  schedule?: (run: () => void) => () => void;
}

export type DocumentStore = ReturnType<typeof createDocumentStore>;

function computeProblems(load: LoadResult, graph: WorkflowGraph, text: string): Problem[] {
  const problems = [...validateWorkflow(load, { graph }), ...lintPortability(load.model!, graph, text)];
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return problems;
}

function problemKey(p: Problem): string {
  return `${p.code}\u0000${p.line}\u0000${p.col}\u0000${p.node ?? ''}\u0000${p.message}`;
}

/** `base` plus those of `extra` it does not already hold, sorted by position. */
export function mergeProblems(base: readonly Problem[], extra: readonly Problem[]): Problem[] {
  if (extra.length === 0) return base as Problem[];
  const seen = new Set(base.map(problemKey));
  const merged = [...base];
  for (const p of extra) {
    const key = problemKey(p);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(p);
  }
  merged.sort((a, b) => a.line - b.line || a.col - b.col);
  return merged;
}

function nodeCount(graph: WorkflowGraph): number {
  return graph.nodes.length;
}

/** Model and graph, always sync; problems too unless `deferAbove` nodes (then the caller schedules). */
function derive(
  text: string,
  path: string | null,
  previous: WorkflowGraph | null,
  deferAbove = Infinity,
  load = loadWorkflow(text, path ?? undefined),
) {
  if (!load.model) {
    return { load, graph: null, lastGoodGraph: previous, problems: load.problems, problemsPending: false };
  }
  const graph = buildGraph(load.model);
  if (nodeCount(graph) > deferAbove) {
    // Keep the previous problems until the deferred run replaces them (set by the caller).
    return { load, graph, lastGoodGraph: graph, problemsPending: true };
  }
  return {
    load,
    graph,
    lastGoodGraph: graph,
    problems: computeProblems(load, graph, text),
    problemsPending: false,
  };
}

/** After DEFER_PROBLEMS_MS, then when the browser is idle (after the edit's frame is painted). */
const defaultSchedule = (run: () => void) => {
  let idle: number | undefined;
  const timer = setTimeout(() => {
    if (typeof requestIdleCallback === 'function') idle = requestIdleCallback(run, { timeout: 1000 });
    else run();
  }, DEFER_PROBLEMS_MS);
  return () => {
    clearTimeout(timer);
    if (idle !== undefined) cancelIdleCallback(idle);
  };
};

export function createDocumentStore(
  initialText = '',
  initialPath: string | null = null,
  options: DocumentStoreOptions = {},
) {
  const deferAbove = options.deferProblemsAbove ?? DEFER_PROBLEMS_NODES;
  const schedule = options.schedule ?? defaultSchedule;
  let cancelPending: (() => void) | null = null;
  /** True while load/graph/problems belong to an earlier text (a deferred layout-only edit). */
  let deriveStale = false;
  /** The derived problems `problems` was last built from (without the external ones). */
  let baseProblems: Problem[] = [];

  return createStore<DocumentState & DocumentActions>()((set, get) => {
    /** The derived fields for `text`; schedules the problems of a big document. */
    const derived = (
      text: string,
      path: string | null,
      previous: WorkflowGraph | null,
      load?: LoadResult,
    ) => {
      cancelPending?.();
      cancelPending = null;
      deriveStale = false;
      const out = derive(text, path, previous, deferAbove, load);
      if (out.problemsPending) cancelPending = schedule(() => get().flushProblems());
      // A new text drops the external problems; pending ones keep the last derived problems meanwhile.
      if (out.problems) baseProblems = out.problems;
      return { ...out, problems: out.problems ?? baseProblems, externalProblems: [] as Problem[] };
    };
    /** Brings load, graph and problems up to the current text when a layout-only edit deferred them. */
    const catchUp = () => {
      if (!deriveStale) return;
      const state = get();
      set(derived(state.text, state.path, state.lastGoodGraph));
    };
    /**
     * The scheduled catch-up in two idle tasks, so neither carries both costs: the parse (~75 ms at
     * 1,000 nodes), then the graph and the re-render it causes. An edit in between cancels both.
     */
    const catchUpInSteps = () => {
      const { text, path } = get();
      const load = loadWorkflow(text, path ?? undefined);
      cancelPending = schedule(() => {
        if (!deriveStale) return;
        const state = get();
        const same = state.text === text && state.path === path;
        set(derived(state.text, state.path, state.lastGoodGraph, same ? load : undefined));
      });
    };
    /**
     * A layout-only edit of a big document that loads keeps the derived fields of the previous text
     * (only positions differ) and derives the new text later; anything else derives now.
     */
    const deriveFor = (text: string, state: DocumentState, layoutOnly: boolean | undefined) => {
      if (!layoutOnly || !state.graph || nodeCount(state.graph) <= deferAbove) {
        return derived(text, state.path, state.lastGoodGraph);
      }
      cancelPending?.();
      deriveStale = true;
      cancelPending = schedule(catchUpInSteps);
      return { problems: baseProblems, externalProblems: [] as Problem[], problemsPending: true };
    };
    return {
      path: initialPath,
      openId: 0,
      text: initialText,
      savedText: initialText,
      mtimeMs: undefined,
      hash: undefined,
      ...derived(initialText, initialPath, null), // sets problems and externalProblems
      past: [],
      future: [],
      lastEdit: null,

      open(text, path, mtimeMs, hash) {
        baseProblems = []; // a big document's problems follow shortly; never show another file's
        set({
          path,
          openId: get().openId + 1,
          text,
          savedText: text,
          mtimeMs,
          hash,
          ...derived(text, path, null),
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
          ...deriveFor(text, state, options.layoutOnly),
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
          ...derived(entry.text, state.path, state.lastGoodGraph),
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
          ...derived(entry.text, state.path, state.lastGoodGraph),
          past: [...state.past, { text: state.text, label: entry.label }],
          future: state.future.slice(1),
          lastEdit: null,
        });
      },

      markSaved(path, mtimeMs, savedText, hash) {
        set({ path, mtimeMs, hash, savedText: savedText ?? get().text });
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

      flushProblems() {
        catchUp();
        const state = get();
        if (!state.problemsPending) return;
        cancelPending?.();
        cancelPending = null;
        baseProblems = state.graph
          ? computeProblems(state.load, state.graph, state.text)
          : state.load.problems;
        set({ problems: mergeProblems(baseProblems, state.externalProblems), problemsPending: false });
      },

      setExternalProblems(forText, problems) {
        const state = get();
        if (forText !== state.text) return false;
        set({ externalProblems: problems, problems: mergeProblems(baseProblems, problems) });
        return true;
      },
    };
  });
}
