// What the user set up for running, per file, remembered across restarts (localStorage): the run
// input (JSON text exactly as typed) and breakpoints. Nothing here is written into the YAML.
import { createStore } from 'zustand/vanilla';

/**
 * Key of a document: its path, or `untitled:<n>` for a document never saved (run-controller's
 * documentKey). Untitled keys name one document of this page's life: they are not remembered.
 */
export type FileKey = string;

const TRANSIENT_PREFIX = 'untitled:';

/** `record` without the keys of untitled documents (the next start reuses their numbers). */
function lasting<T>(record: Record<FileKey, T>): Record<FileKey, T> {
  const keys = Object.keys(record);
  if (!keys.some((k) => k.startsWith(TRANSIENT_PREFIX))) return record;
  const out: Record<FileKey, T> = {};
  for (const k of keys) if (!k.startsWith(TRANSIENT_PREFIX)) out[k] = record[k]!;
  return out;
}

export interface RunSessionState {
  /** Run input JSON text per file, as typed (may be invalid while being edited). */
  inputs: Record<FileKey, string>;
  /** Breakpoints (pause before the node) per file, in the order they were set. */
  breakpoints: Record<FileKey, string[]>;
  /** Refuse to start a run whose workflow uses actions Fanout lacks (for every file). */
  checkActions: boolean;
  setCheckActions(on: boolean): void;
  setInput(file: FileKey, text: string): void;
  /** Forgets the typed input: the next run starts from the document's initial_state again. */
  resetInput(file: FileKey): void;
  toggleBreakpoint(file: FileKey, node: string): void;
  clearBreakpoints(file: FileKey): void;
  /** Keeps breakpoints pointing at nodes that exist (a rename moves the breakpoint with it). */
  renameNode(file: FileKey, from: string, to: string): void;
}

export type RunSessionStore = ReturnType<typeof createRunSessionStore>;

/** The subset of Storage this store uses (tests pass a Map-backed one). */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem'>;

const STORAGE_KEY = 'fanout.run-session.v1';
/** Old entries are dropped beyond this many files, least recently touched first. */
const MAX_FILES = 200;

interface Persisted {
  inputs: Record<FileKey, string>;
  breakpoints: Record<FileKey, string[]>;
  checkActions?: boolean;
}

function readPersisted(storage: KeyValueStorage | undefined): Persisted {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return { inputs: {}, breakpoints: {} };
    const parsed = JSON.parse(raw) as Partial<Persisted>;
    const inputs: Record<FileKey, string> = {};
    const breakpoints: Record<FileKey, string[]> = {};
    for (const [k, v] of Object.entries(parsed.inputs ?? {})) if (typeof v === 'string') inputs[k] = v;
    for (const [k, v] of Object.entries(parsed.breakpoints ?? {})) {
      if (Array.isArray(v)) breakpoints[k] = v.filter((n): n is string => typeof n === 'string');
    }
    return { inputs, breakpoints, checkActions: parsed.checkActions === true };
  } catch {
    // A corrupt entry must not stop the app from starting; it is replaced on the next change.
    return { inputs: {}, breakpoints: {} };
  }
}

/** Keeps the most recently inserted MAX_FILES keys (object key order is insertion order). */
function bounded<T>(record: Record<FileKey, T>, touched: FileKey): Record<FileKey, T> {
  const { [touched]: value, ...rest } = record;
  const next = value === undefined ? rest : { ...rest, [touched]: value };
  const keys = Object.keys(next);
  if (keys.length <= MAX_FILES) return next;
  for (const k of keys.slice(0, keys.length - MAX_FILES)) delete next[k];
  return next;
}

function defaultStorage(): KeyValueStorage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

export function createRunSessionStore(storage: KeyValueStorage | undefined = defaultStorage()) {
  const store = createStore<RunSessionState>()((set, get) => ({
    checkActions: false,
    ...readPersisted(storage),
    setCheckActions(on) {
      set({ checkActions: on });
    },
    setInput(file, text) {
      set({ inputs: bounded({ ...get().inputs, [file]: text }, file) });
    },
    resetInput(file) {
      const { [file]: _dropped, ...inputs } = get().inputs;
      set({ inputs });
    },
    toggleBreakpoint(file, node) {
      const current = get().breakpoints[file] ?? [];
      const next = current.includes(node) ? current.filter((n) => n !== node) : [...current, node];
      set({ breakpoints: bounded({ ...get().breakpoints, [file]: next }, file) });
    },
    clearBreakpoints(file) {
      const { [file]: _dropped, ...breakpoints } = get().breakpoints;
      set({ breakpoints });
    },
    renameNode(file, from, to) {
      const current = get().breakpoints[file];
      if (!current?.includes(from)) return;
      set({ breakpoints: { ...get().breakpoints, [file]: current.map((n) => (n === from ? to : n)) } });
    },
  }));
  store.subscribe((state, previous) => {
    if (
      state.inputs === previous.inputs &&
      state.breakpoints === previous.breakpoints &&
      state.checkActions === previous.checkActions
    )
      return;
    try {
      const persisted: Persisted = {
        inputs: lasting(state.inputs),
        breakpoints: lasting(state.breakpoints),
        checkActions: state.checkActions,
      };
      storage?.setItem(STORAGE_KEY, JSON.stringify(persisted));
    } catch {
      // Storage full or unavailable: the session still works, it is just not remembered.
    }
  });
  return store;
}
