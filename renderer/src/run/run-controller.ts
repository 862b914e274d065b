// The run controller: what Run, Re-run, Cancel, Continue, "run from here" and "run this node alone" do.
// It turns the open document, the per-document run input and breakpoints (run-session.ts) and the runs
// seen so far (run-store.ts) into HostApi calls, and tells the run store which document each run belongs
// to, so the panel, history and canvas show the open document's runs only. No React here: the App wraps
// it in use-run-controller.ts.
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { HostApi, RunRequest } from '../../../engine/host/types.ts';
import type { JsonObject, RunMode } from '../../../engine/run/types.ts';
import type { WorkflowModel } from '../../../engine/workflow/types.ts';
import type { RunActions, RunView } from './run-context.ts';
import { hadModelCalls } from './llm-calls-table.ts';
import { docRunIds, runOutcome } from './run-store.ts';
import type { RunRecord, RunsState, RunStore } from './run-store.ts';
import type { FileKey, RunSessionStore } from './run-session.ts';

export const UNTITLED: FileKey = 'untitled';
/** Keys of untitled documents start with this; they live as long as the document (see run-session). */
export const UNTITLED_PREFIX = 'untitled:';

export const fileKeyOf = (path: string | null | undefined): FileKey => path || UNTITLED;

/**
 * The identity a document's runs, input and breakpoints are kept under: its path, or for an untitled
 * document the open() it came from (`openId`), so New → Blank never shows the previous document's runs.
 */
export function documentKey(path: string | null | undefined, openId?: number): FileKey {
  if (path) return path;
  return openId ? `${UNTITLED_PREFIX}${openId}` : UNTITLED;
}

// ---------------------------------------------------------------------------------------------------
// Run input

/** The input a file starts with: its `initial_state`, pretty-printed. */
export function defaultInputText(model: WorkflowModel | null | undefined): string {
  return JSON.stringify(model?.initialState ?? {}, null, 2);
}

export type InputCheck = { ok: true; value: JsonObject } | { ok: false; message: string };

/** 1-based line and column of character `offset` in `text`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** Parses the run input: a JSON object, or a message saying what is wrong and where. */
export function parseRunInput(text: string): InputCheck {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    const position = /position (\d+)/.exec(raw);
    const where =
      position && !/line \d+/.test(raw)
        ? (({ line, column }) => ` (line ${line}, column ${column})`)(lineColumn(text, Number(position[1])))
        : '';
    return { ok: false, message: `Input is not valid JSON: ${raw}${where}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { ok: false, message: `Input must be a JSON object like {"key": "value"}, not ${kind}` };
  }
  return { ok: true, value: value as JsonObject };
}

/** The input text of `file`: as typed, else the document's initial_state. */
export function inputTextOf(
  inputs: Readonly<Record<FileKey, string>>,
  file: FileKey,
  model: WorkflowModel | null | undefined,
): string {
  return inputs[file] ?? defaultInputText(model);
}

// ---------------------------------------------------------------------------------------------------
// Breakpoints written in the document (TEA's config.interrupt_before / interrupt_after)

const nameList = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.filter((v): v is string => typeof v === 'string')
      : [];

export function configInterrupts(model: WorkflowModel | null | undefined): {
  before: string[];
  after: string[];
} {
  const config = model?.config ?? {};
  return { before: nameList(config['interrupt_before']), after: nameList(config['interrupt_after']) };
}

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

// ---------------------------------------------------------------------------------------------------
// States recorded in earlier runs

/**
 * The state recorded before `node` in `run`. `mainLineOnly` (run from here) considers main-line rows
 * only; otherwise a node inside a branch counts too. The first execution wins: running from a node in
 * a loop starts the loop over, as the user read the workflow.
 */
export function recordedStateBefore(
  run: RunRecord | undefined,
  node: string,
  mainLineOnly: boolean,
): JsonObject | undefined {
  if (!run) return undefined;
  const direct = run.nodeStates.get(node);
  if (direct) return direct.before;
  if (mainLineOnly) return undefined;
  for (const row of run.rows) {
    if (row.node !== node) continue;
    const states = run.nodeStates.get(row.key);
    if (states) return states.before;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Requests

/** What a launch was: enough to run it again (Re-run). */
export interface Launch {
  mode: RunMode;
  /** The node of a 'from' / 'node' run. */
  node?: string;
  /** Input sent: merged over initial_state by the engine ('full'), or the whole state. */
  input: JsonObject;
}

export interface DocumentSnapshot {
  text: string;
  path: string | null;
  model: WorkflowModel | null;
  /** Which open() of the document store this is (tells untitled documents apart). */
  openId?: number;
}

const keyOf = (doc: DocumentSnapshot): FileKey => documentKey(doc.path, doc.openId);

/** The HostApi request for a launch of the document as currently edited. */
export function buildRunRequest(
  doc: DocumentSnapshot,
  launch: Launch,
  breakpoints: readonly string[],
  checkActions = false,
): RunRequest {
  const request: RunRequest = { text: doc.text, input: launch.input };
  if (doc.path) request.path = doc.path;
  if (checkActions) request.refuseUnavailableActions = true;
  if (launch.mode === 'node') {
    // One node runs and the run ends: nothing to pause at.
    request.only = launch.node!;
    return request;
  }
  if (launch.mode === 'from') request.startAt = launch.node!;
  const config = configInterrupts(doc.model);
  const before = union(breakpoints, config.before);
  if (before.length > 0) request.interruptBefore = before;
  if (config.after.length > 0) request.interruptAfter = config.after;
  return request;
}

/** A rename in one edit: the same node list with exactly one name changed at the same place. */
export function detectRename(
  previous: readonly string[],
  next: readonly string[],
): { from: string; to: string } | null {
  if (previous.length !== next.length) return null;
  let found: { from: string; to: string } | null = null;
  for (let i = 0; i < next.length; i++) {
    if (previous[i] === next[i]) continue;
    if (found) return null;
    found = { from: previous[i]!, to: next[i]! };
  }
  return found && !previous.includes(found.to) && !next.includes(found.from) ? found : null;
}

// ---------------------------------------------------------------------------------------------------
// What the toolbar shows

export type ShownStatus =
  'idle' | 'starting' | 'running' | 'paused' | 'succeeded' | 'partial' | 'failed' | 'cancelled';

export interface ShownRun {
  status: ShownStatus;
  /** What the pill says: the status, or e.g. "finished · 1 of 3 branches failed" for 'partial'. */
  label: string;
  runId: string | null;
  events: number;
  error?: string;
  /** performance.now()-based start for the live clock, when known. */
  monoStart?: number;
  durationMs?: number;
  pausedAt?: string;
}

export const isActive = (status: ShownStatus) =>
  status === 'starting' || status === 'running' || status === 'paused';

// ---------------------------------------------------------------------------------------------------
// The controller

export interface ControllerState {
  /** The open document's key (documentKey). */
  fileKey: FileKey;
  /** Latest runId per file. */
  latest: Record<FileKey, string>;
  /** Last launch per file (Re-run repeats it). */
  launches: Record<FileKey, Launch>;
  /** Files whose run request is on its way to the host. */
  starting: Record<FileKey, true>;
  /** Why the last launch of a file did not start (refused input, host error). */
  errors: Record<FileKey, string>;
  /** A short note about the last launch (e.g. which state a run from here used). */
  notes: Record<FileKey, string>;
  /** The input editor is open (Run opens it when the input is invalid). */
  inputOpen: boolean;
  /**
   * "Use recorded responses": Run, Re-run, Run from here and Run node alone answer model calls from an
   * earlier run's recording (the host keeps one per run) instead of asking the models.
   */
  useRecorded: boolean;
  /** runId → the run whose recorded responses it replayed. */
  replays: Record<string, string>;
  /** runId → the breakpoint's node, for a run that switched to recorded responses when it continued. */
  replayAfter: Record<string, string>;
}

export interface ControllerDeps {
  host: Pick<HostApi, 'run' | 'cancel' | 'resume'>;
  runs: RunStore;
  session: RunSessionStore;
  document: () => DocumentSnapshot;
  /** Called when a launch starts (the App shows the run panel). */
  onLaunch?: () => void;
}

export type LaunchOutcome =
  { ok: true; runId: string } | { ok: false; reason: 'busy' | 'input' | 'host'; message: string };

export type RunController = ReturnType<typeof createRunController>;

const omit = <T>(record: Record<string, T>, key: string): Record<string, T> => {
  if (!(key in record)) return record;
  const { [key]: _dropped, ...rest } = record;
  return rest;
};

/** The status a file's latest run shows (pure: the toolbar and commands derive from it). */
export function shownRun(state: ControllerState, runs: RunsState, file: FileKey = state.fileKey): ShownRun {
  const runId = state.latest[file] ?? null;
  if (state.starting[file]) return { status: 'starting', label: 'starting', runId, events: 0 };
  const error = state.errors[file];
  if (!runId)
    return error
      ? { status: 'failed', label: 'failed', runId: null, events: 0, error }
      : { status: 'idle', label: 'idle', runId, events: 0 };
  const run = runs.runs[runId];
  if (!run) return { status: 'running', label: 'running', runId, events: 0 };
  const outcome = runOutcome(run);
  return {
    status: outcome.tone,
    label: outcome.label,
    runId,
    events: run.events,
    ...(run.error ? { error: run.error } : {}),
    ...(run.monoOrigin !== undefined ? { monoStart: run.monoOrigin } : {}),
    ...(run.durationMs !== undefined ? { durationMs: run.durationMs } : {}),
    ...(run.paused ? { pausedAt: run.paused.node } : {}),
  };
}

/** The parts of the designer's document store the controller follows. */
export interface WatchedDocument {
  getState(): {
    path: string | null;
    /** Increases on every open(); absent in stores that do not count (one untitled document). */
    openId?: number;
    load: { model: WorkflowModel | null };
    past: unknown[];
    future: unknown[];
  };
  subscribe(
    listener: (
      state: ReturnType<WatchedDocument['getState']>,
      previous: ReturnType<WatchedDocument['getState']>,
    ) => void,
  ): () => void;
}

/**
 * Keeps the controller on the open document: another open() (a file, New) is another document; a new
 * path without an open() is the same document saved elsewhere (Save as), whose runs, input and
 * breakpoints follow it. Moves a breakpoint along when an edit renames its node (an edit, not an open:
 * opening clears the undo history). Returns the unsubscribe function.
 */
export function followDocument(doc: WatchedDocument, controller: RunController): () => void {
  const key = (s: ReturnType<WatchedDocument['getState']>) => documentKey(s.path, s.openId);
  controller.setDocument(key(doc.getState()));
  return doc.subscribe((state, previous) => {
    if (state.openId !== previous.openId) return controller.setDocument(key(state));
    if (state.path !== previous.path) return controller.moveDocument(key(previous), key(state));
    const model = state.load.model;
    const before = previous.load.model;
    if (!model || !before || model === before || state.past.length + state.future.length === 0) return;
    const renamed = detectRename(
      before.nodes.map((n) => n.name),
      model.nodes.map((n) => n.name),
    );
    if (renamed) controller.session.getState().renameNode(key(state), renamed.from, renamed.to);
  });
}

/** A run's number in its document's history, from 1 in start order (History's # column). */
export function runNumber(state: Pick<RunsState, 'order' | 'owners'>, doc: FileKey, runId: string): number {
  return docRunIds(state, doc).indexOf(runId) + 1;
}

const joinNotes = (...notes: (string | undefined)[]): string | undefined =>
  notes.filter(Boolean).join(' ') || undefined;

export function createRunController(deps: ControllerDeps) {
  const { host, runs, session } = deps;
  const store = createStore<ControllerState>()(() => ({
    fileKey: keyOf(deps.document()),
    latest: {},
    launches: {},
    starting: {},
    errors: {},
    notes: {},
    inputOpen: false,
    useRecorded: false,
    replays: {},
    replayAfter: {},
  }));
  const view: StoreApi<RunView> = createStore<RunView>()(() => ({
    fileKey: store.getState().fileKey,
    canvasRunId: null,
  }));
  store.subscribe((s) => {
    const canvasRunId = s.latest[s.fileKey] ?? null;
    const v = view.getState();
    if (v.fileKey !== s.fileKey || v.canvasRunId !== canvasRunId)
      view.setState({ fileKey: s.fileKey, canvasRunId });
  });

  const status = (file = store.getState().fileKey) => shownRun(store.getState(), runs.getState(), file);

  /** Where documents went when saved under another key: a launch answered after Save as follows it. */
  const movedTo = new Map<FileKey, FileKey>();
  const currentKey = (file: FileKey): FileKey => {
    let key = file;
    for (let hops = 0; hops <= movedTo.size && movedTo.has(key); hops++) key = movedTo.get(key)!;
    return key;
  };

  /** The latest run of `file` in which `node` has a recorded before-state, and that state. */
  function recorded(
    file: FileKey,
    node: string,
    mainLineOnly: boolean,
  ): { state: JsonObject; runId: string } | undefined {
    const all = runs.getState();
    for (let i = all.order.length - 1; i >= 0; i--) {
      const id = all.order[i]!;
      if (all.owners[id] !== file) continue;
      const state = recordedStateBefore(all.runs[id], node, mainLineOnly);
      if (state) return { state, runId: id };
    }
    return undefined;
  }

  /** The latest finished run of `file` that made model calls (its recording is what a replay uses). */
  function latestRecorded(file: FileKey): string | undefined {
    const all = runs.getState();
    const ids = docRunIds(all, file);
    for (let i = ids.length - 1; i >= 0; i--) {
      const run = all.runs[ids[i]!];
      if (run && run.status !== 'running' && hadModelCalls(run)) return run.runId;
    }
    return undefined;
  }

  /**
   * With "Use recorded responses" on, the run to replay: `preferred` (the run a state was taken from)
   * when it made model calls, else the file's latest run that did. Null: ask the models.
   */
  function replaySource(file: FileKey, preferred?: string): string | null {
    if (!store.getState().useRecorded) return null;
    const run = preferred ? runs.getState().runs[preferred] : undefined;
    if (run && hadModelCalls(run)) return run.runId;
    return latestRecorded(file) ?? null;
  }

  /** The note of a launch that replays, or that wanted to and found no recording. */
  function replayNote(file: FileKey, source: string | null): string | undefined {
    if (source)
      return `Model calls answer from the recorded responses of run #${runNumber(runs.getState(), file, source)}.`;
    if (store.getState().useRecorded)
      return 'No earlier run of this file made model calls: this run asks the models.';
    return undefined;
  }

  function inputText(file = store.getState().fileKey): string {
    return inputTextOf(session.getState().inputs, file, deps.document().model);
  }

  /** Refuses to run with an invalid input: the input editor opens and shows why. */
  function refuseInput(message: string): LaunchOutcome {
    store.setState({ inputOpen: true });
    return { ok: false, reason: 'input', message };
  }

  async function launch(launchSpec: Launch, note?: string, replayOf?: string | null): Promise<LaunchOutcome> {
    const doc = deps.document();
    const file = keyOf(doc);
    if (isActive(status(file).status))
      return { ok: false, reason: 'busy', message: 'A run of this file is in progress' };
    const { breakpoints, checkActions } = session.getState();
    const request = buildRunRequest(doc, launchSpec, breakpoints[file] ?? [], checkActions);
    if (replayOf) request.replay = { runId: replayOf };
    store.setState((s) => ({
      fileKey: file,
      starting: { ...s.starting, [file]: true },
      errors: omit(s.errors, file),
      notes: note ? { ...s.notes, [file]: note } : omit(s.notes, file),
      launches: { ...s.launches, [file]: launchSpec },
    }));
    deps.onLaunch?.();
    const started = await host.run(request);
    // The document may have been saved under another key meanwhile.
    const owner = currentKey(file);
    if (!started.ok) {
      const message = `${started.error.code}: ${started.error.message}`;
      store.setState((s) => ({
        starting: omit(s.starting, file),
        latest: omit(s.latest, owner),
        errors: { ...s.errors, [owner]: message },
      }));
      return { ok: false, reason: 'host', message };
    }
    const runId = started.value.runId;
    // The run belongs to this document even if another one is open by now; its panel shows it.
    runs.getState().assign(runId, owner);
    store.setState((s) => ({
      starting: omit(s.starting, file),
      latest: { ...s.latest, [owner]: runId },
      ...(replayOf ? { replays: { ...s.replays, [runId]: replayOf } } : {}),
    }));
    // The document-less selection too, even if the run's first events came before we knew its id.
    if (runs.getState().runs[runId]) runs.getState().select(runId);
    return { ok: true, runId };
  }

  /** The run input, or a refusal that opens the input editor. */
  function input(file: FileKey): InputCheck {
    return parseRunInput(inputText(file));
  }

  /** A node's recorded state, else the input (merged over initial_state: it is then the whole state). */
  function stateFor(
    file: FileKey,
    node: string,
    mainLineOnly: boolean,
  ): { ok: true; state: JsonObject; from?: string; note?: string } | { ok: false; message: string } {
    const found = recorded(file, node, mainLineOnly);
    if (found) return { ok: true, state: found.state, from: found.runId };
    const typed = input(file);
    if (!typed.ok) return typed;
    const initial = deps.document().model?.initialState ?? {};
    return {
      ok: true,
      state: { ...initial, ...typed.value },
      note: `No state was recorded before ${node} in a run of this file: it runs with the run input.`,
    };
  }

  const api = {
    store,
    view,
    session,
    status,
    inputText,
    /** Points the controller at the open document, by its documentKey. */
    setDocument(fileKey: FileKey) {
      if (store.getState().fileKey !== fileKey) store.setState({ fileKey });
    },
    /** Points the controller at the document at `path` (a saved file). */
    setFile(path: string | null) {
      api.setDocument(fileKeyOf(path));
    },
    /**
     * The open document now lives under key `to` (Save as): its input, breakpoints and runs follow it,
     * unless `to` already has its own input / breakpoints. Repeating a move is harmless.
     */
    moveDocument(from: FileKey, to: FileKey) {
      if (from === to) return api.setDocument(to);
      const ses = session.getState();
      const text = ses.inputs[from];
      if (text !== undefined && ses.inputs[to] === undefined) ses.setInput(to, text);
      if (!ses.breakpoints[to]?.length)
        for (const node of ses.breakpoints[from] ?? []) ses.toggleBreakpoint(to, node);
      runs.getState().moveDoc(from, to);
      movedTo.delete(to);
      movedTo.set(from, to);
      store.setState((s) => {
        const moved = <T>(record: Record<FileKey, T>) =>
          record[from] === undefined ? record : { ...omit(record, from), [to]: record[from] };
        return {
          fileKey: to,
          latest: moved(s.latest),
          launches: moved(s.launches),
          errors: moved(s.errors),
          notes: moved(s.notes),
        };
      });
    },
    /**
     * The open document was saved from `fromPath` to `toPath` (the App's Save as). Null `fromPath` is
     * the open untitled document: followDocument usually moved it already, which this repeats harmlessly.
     */
    moveFile(fromPath: string | null, toPath: string) {
      const from = fromPath ? fileKeyOf(fromPath) : store.getState().fileKey;
      api.moveDocument(from, fileKeyOf(toPath));
    },
    /** Hides the launch error and note of the open file. */
    dismissNotice() {
      store.setState((s) => ({ errors: omit(s.errors, s.fileKey), notes: omit(s.notes, s.fileKey) }));
    },
    setInputOpen(open: boolean) {
      store.setState({ inputOpen: open });
    },
    run(): Promise<LaunchOutcome> {
      const file = keyOf(deps.document());
      const typed = input(file);
      if (!typed.ok) return Promise.resolve(refuseInput(typed.message));
      const source = replaySource(file);
      return launch({ mode: 'full', input: typed.value }, replayNote(file, source), source);
    },
    /** Runs from `node` with the state recorded before it; replaying, its model calls answer from that run. */
    runFrom(node: string): Promise<LaunchOutcome> {
      const file = keyOf(deps.document());
      const got = stateFor(file, node, true);
      if (!got.ok) return Promise.resolve(refuseInput(got.message));
      const source = replaySource(file, got.from);
      return launch(
        { mode: 'from', node, input: got.state },
        joinNotes(got.note, replayNote(file, source)),
        source,
      );
    },
    runNode(node: string): Promise<LaunchOutcome> {
      const file = keyOf(deps.document());
      const got = stateFor(file, node, false);
      if (!got.ok) return Promise.resolve(refuseInput(got.message));
      const source = replaySource(file, got.from);
      return launch(
        { mode: 'node', node, input: got.state },
        joinNotes(got.note, replayNote(file, source)),
        source,
      );
    },
    /** Runs again with the same mode, node and input as the last run of this file (else a plain Run). */
    rerun(): Promise<LaunchOutcome> {
      const file = keyOf(deps.document());
      const last = store.getState().launches[file];
      if (!last) return api.run();
      const source = replaySource(file);
      return launch(last, replayNote(file, source), source);
    },
    /** Turns "Use recorded responses" on or off (for every document, this session). */
    setUseRecorded(on: boolean) {
      if (store.getState().useRecorded !== on) store.setState({ useRecorded: on });
    },
    /**
     * The run "Re-run with recorded responses" would replay: `runId`, else the run the open document
     * shows. Returns the runId, or why there is none (the action's disabled reason).
     */
    recordedRun(runId?: string): { ok: true; runId: string } | { ok: false; reason: string } {
      const all = runs.getState();
      const file = store.getState().fileKey;
      const id = runId ?? all.selectedByDoc[file] ?? store.getState().latest[file];
      const run = id ? all.runs[id] : undefined;
      if (!run) return { ok: false, reason: 'Run the workflow first' };
      if (run.status === 'running') return { ok: false, reason: 'The run is still going' };
      if (!hadModelCalls(run)) return { ok: false, reason: 'That run made no model calls' };
      return { ok: true, runId: run.runId };
    },
    /**
     * Runs `runId` (default: the shown run) again the way it ran — mode, node and input — with every
     * model call answered from its recorded responses, from the document as currently edited.
     */
    rerunRecorded(runId?: string): Promise<LaunchOutcome> {
      const found = api.recordedRun(runId);
      if (!found.ok) return Promise.resolve({ ok: false, reason: 'host', message: found.reason });
      const s = store.getState();
      const file = keyOf(deps.document());
      const run = runs.getState().runs[found.runId]!;
      const last = s.launches[file];
      // The launch that made the run when it is the latest; else what the run itself recorded.
      const spec: Launch =
        last && s.latest[file] === found.runId
          ? last
          : { mode: run.mode, ...(run.startAt ? { node: run.startAt } : {}), input: run.input };
      return launch(spec, replayNote(file, found.runId), found.runId);
    },
    /** Cancels the open file's run (running or paused). */
    async cancel(runId = store.getState().latest[store.getState().fileKey]): Promise<boolean> {
      if (!runId) return false;
      const result = await host.cancel(runId);
      return result.ok && result.value;
    },
    /**
     * Continues a paused run, with an edited state when given. With "Use recorded responses" on, a run
     * that asks the models goes on answering them from the file's latest recorded run.
     */
    async resume(runId: string, state?: JsonObject): Promise<{ ok: boolean; message?: string }> {
      const all = runs.getState();
      const source = store.getState().replays[runId]
        ? null
        : replaySource(all.owners[runId] ?? store.getState().fileKey);
      const pausedAt = all.runs[runId]?.paused?.node;
      const result = await host.resume(runId, state, source ? { replay: { runId: source } } : undefined);
      if (!result.ok) return { ok: false, message: `${result.error.code}: ${result.error.message}` };
      if (!result.value) return { ok: false, message: 'The run is no longer paused' };
      if (source)
        store.setState((s) => ({
          replays: { ...s.replays, [runId]: source },
          replayAfter: { ...s.replayAfter, [runId]: pausedAt ?? '' },
        }));
      return { ok: true };
    },
    toggleBreakpoint(node: string) {
      session.getState().toggleBreakpoint(keyOf(deps.document()), node);
    },
    clearBreakpoints() {
      session.getState().clearBreakpoints(keyOf(deps.document()));
    },
  };
  const actions: RunActions = {
    runFromHere: (node) => void api.runFrom(node),
    runNodeAlone: (node) => void api.runNode(node),
    toggleBreakpoint: (node) => api.toggleBreakpoint(node),
  };
  return { ...api, actions };
}
