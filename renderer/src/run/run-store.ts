// The runs of this session, built from RunEvents by a pure reducer (`applyEvents`) and held in a zustand
// vanilla store. Events are keyed by their own runId, so events that arrive before `host.run` resolves
// land in the right run. The store batches incoming events and applies them once per animation frame.
// Each run belongs to the document it was started for (`owners`, set by the run controller once the
// host answers): the run panel, history and canvas of a document show its own runs and nobody else's.
//
// Cost model: each batch copies the touched run's containers once (copy-on-write per batch), then
// mutates the copies; per event the work is O(1) amortised, so 5,000-event runs and 200-branch
// fan-outs stay linear.
import { createStore } from 'zustand/vanilla';
import type {
  BranchStatus,
  JsonObject,
  ParallelResult,
  RunEvent,
  RunMode,
  RunStatus,
} from '../../../engine/run/types.ts';
import type { LlmAnswerSource, LlmCallKind, LlmTotals } from '../../../engine/llm/types.ts';

export type RowStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'timed-out' | 'cancelled';
export type RunRecordStatus = 'running' | RunStatus;

/** One timeline row: a main-line node execution, a whole branch, or a later node inside a branch. */
export interface RunRow {
  key: string;
  kind: 'node' | 'branch';
  node: string;
  fanOut?: string;
  branch?: string;
  /** Which execution of `node` on its line (loops run a node more than once), from 1. */
  iteration: number;
  status: RowStatus;
  /** ms since run start; a branch starts when its VM creation started. */
  start?: number;
  end?: number;
  vmCreateMs?: number;
  /** When the VM's creation began, for a branch that created it mid-way (absent: at the bar's start). */
  vmAt?: number;
  worker?: number;
  /** Queue mode: the `fanout worker` (machine) that ran the branch (RunEvent remoteWorker). */
  remoteWorker?: string;
  error?: string;
  errorType?: string;
  line?: number;
  /** Lua heap after the node (node-finished) ... */
  heapBytes?: number;
  /** ... and the branch VM's peak (branch-finished). */
  peakHeapBytes?: number;
  /** Order the row was created in, the tie-breaker when ordering by start. */
  order: number;
  /** Model calls made by this row's node(s): finished calls' tokens and cost (branch rows: the head's). */
  llm?: LlmTotals;
  /** Text of the row's latest model call (its tail, LIMITS.llmRowText), growing while it streams. */
  llmText?: string;
  /** True while a model call of this row is in flight. */
  llmStreaming?: boolean;
  /** Streamed chunks of the row's latest call so far. */
  llmChunks?: number;
  /** When the row's latest call produced its first token (ms since run start). */
  llmFirstTokenT?: number;
}

/** One model call (llm.* action) as its RunEvents describe it. */
export interface LlmCallRecord {
  /** `line|callId`: unique in the run (callIds are per node). */
  key: string;
  callId: string;
  node: string;
  fanOut?: string;
  branch?: string;
  /** The timeline row the call belongs to. */
  rowKey: string;
  provider: string;
  model: string;
  kind: LlmCallKind;
  stream: boolean;
  status: 'running' | 'ok' | 'failed';
  start: number;
  end?: number;
  firstTokenT?: number;
  /** The answer so far (streamed) or whole; its first LIMITS.llmCallText characters. */
  text: string;
  textTruncated: boolean;
  chunks: number;
  latencyMs?: number;
  ttftMs?: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  attempts?: number;
  source?: LlmAnswerSource;
  error?: string;
  httpStatus?: number;
}

export interface SeriesPoint {
  t: number;
  v: number;
}

/** Lua heap of one VM line (a branch, or the main line) or RSS of one worker, over time. */
export interface MemorySeries {
  key: string;
  kind: 'heap' | 'rss';
  label: string;
  worker?: number;
  fanOut?: string;
  branch?: string;
  points: SeriesPoint[];
  peak: number;
}

export interface LogLine {
  seq: number;
  t: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  node?: string;
  fanOut?: string;
  branch?: string;
  /** Line of the node's Lua code an error was raised at (error lines of failed nodes). */
  line?: number;
}

/** The state a node saw and the state after its update was merged, on its own line. */
export interface NodeStates {
  before: JsonObject;
  after?: JsonObject;
}

export interface PausedAt {
  node: string;
  when: 'before' | 'after';
  state: JsonObject;
  t: number;
}

export interface FanInRecord {
  fanOut: string;
  fanIn: string;
  t: number;
  results: ParallelResult[];
}

export interface RunRecord {
  runId: string;
  workflow: string;
  input: JsonObject;
  workers: number;
  /** 'full', or a run from a node ('from') / of one node alone ('node'), starting at `startAt`. */
  mode: RunMode;
  startAt?: string;
  status: RunRecordStatus;
  /** Set while the run waits at a breakpoint (between 'paused' and 'resumed'/'run-finished'). */
  paused?: PausedAt;
  /** Wall clock (Date.now) when the first event of the run was seen. */
  startedAtWall?: number;
  /** performance.now() - t: maps event time onto the local monotonic clock for the live clock. */
  monoOrigin?: number;
  /** Largest event time seen. */
  lastT: number;
  durationMs?: number;
  finalState?: JsonObject;
  error?: string;
  errorNode?: string;
  rows: RunRow[];
  rowIndex: Map<string, number>;
  nodeStates: Map<string, NodeStates>;
  memory: MemorySeries[];
  logs: LogLine[];
  logsDropped: number;
  fanIns: FanInRecord[];
  /** Branches that ended (every fan-out execution counts), by how they ended: the honest run status. */
  branches: BranchTally;
  events: number;
  /** Increases on every batch that touched the run: a cheap selector key. */
  version: number;
  // Reconstruction state (not for display).
  /** Open row per line+node, to match node-finished/-failed to node-started. */
  open: Map<string, string>;
  /** Executions per line+node, for iteration numbers. */
  executions: Map<string, number>;
  /** Running state per line: '' for the main line, `fanOut/branch` for a branch. */
  lineState: Map<string, JsonObject>;
  memoryIndex: Map<string, number>;
  /** Model calls in start order (the first LIMITS.llmCalls; totals count every call). */
  llmCalls: LlmCallRecord[];
  llmCallIndex: Map<string, number>;
  /** Model-call totals of the whole run (null before the first call finished). */
  llmTotals: LlmTotals | null;
  /** Model-call totals per line: '' the main line, `fanOut/branch` a parallel branch. */
  llmByLine: Map<string, LlmTotals>;
}

export interface BranchTally {
  total: number;
  failed: number;
  timedOut: number;
  cancelled: number;
}

/**
 * Identity of a document: its path, or an id of the untitled document (one per New / open), so two
 * untitled documents never share runs.
 */
export type DocKey = string;

export interface RunsState {
  runs: Record<string, RunRecord>;
  /** runIds in the order they were first seen. */
  order: string[];
  /** The run shown when no document is involved (previews, tests): the one last started or picked. */
  selectedRunId: string | null;
  /** runId → the document it was started for. Runs with no owner (yet) show in no document. */
  owners: Record<string, DocKey>;
  /** The run a document's panel shows, when the user picked one in its history. */
  selectedByDoc: Record<DocKey, string>;
}

export const LIMITS = {
  logLines: 5000,
  seriesPoints: 2000,
  /** Model calls kept with their details per run (totals count all). */
  llmCalls: 2000,
  /** Characters of a call's answer kept (results view); the rest is marked truncated. */
  llmCallText: 32_000,
  /** Characters of the latest answer's tail a row keeps (node preview, timeline hover). */
  llmRowText: 600,
};

export interface ReceivedAt {
  /** Date.now() when the batch arrived. */
  wallMs: number;
  /** performance.now() when the batch arrived. */
  monoMs: number;
}

export const emptyRuns = (): RunsState => ({
  runs: {},
  order: [],
  selectedRunId: null,
  owners: {},
  selectedByDoc: {},
});

const lineKey = (fanOut?: string, branch?: string) => (fanOut && branch ? `${fanOut}/${branch}` : '');

/** Applies a batch of events; returns a new state (the input is not modified). */
export function applyEvents(state: RunsState, events: readonly RunEvent[], at?: ReceivedAt): RunsState {
  return applyBatches(state, [{ events, ...(at ? { at } : {}) }]);
}

export interface EventBatch {
  events: readonly RunEvent[];
  /** When the batch arrived (maps event time onto the page's clock). */
  at?: ReceivedAt;
}

/**
 * Applies several batches at once: each touched run is copied once for all of them, so a frame that
 * received many host messages costs one copy, not one per message.
 */
export function applyBatches(state: RunsState, batches: readonly EventBatch[]): RunsState {
  if (batches.every((b) => b.events.length === 0)) return state;
  const drafts = new Map<string, RunRecord>();
  let order = state.order;
  let selected = state.selectedRunId;
  for (const { events, at } of batches) {
    for (const event of events) {
      let run = drafts.get(event.runId);
      if (!run) {
        const existing = state.runs[event.runId];
        run = existing ? draftOf(existing) : newRun(event.runId);
        if (!existing) {
          order = [...order, event.runId];
          if (at) run.startedAtWall = at.wallMs;
        }
        drafts.set(event.runId, run);
      }
      if (at) {
        const origin = at.monoMs - event.t;
        if (run.monoOrigin === undefined || origin < run.monoOrigin) run.monoOrigin = origin;
      }
      if (event.type === 'run-started') selected = event.runId;
      applyOne(run, event);
    }
  }
  const runs = { ...state.runs };
  for (const [id, run] of drafts) {
    run.version += 1;
    runs[id] = run;
  }
  return { ...state, runs, order, selectedRunId: selected ?? order[0] ?? null };
}

function newRun(runId: string): RunRecord {
  return {
    runId,
    workflow: '',
    input: {},
    workers: 0,
    mode: 'full',
    status: 'running',
    lastT: 0,
    rows: [],
    rowIndex: new Map(),
    nodeStates: new Map(),
    memory: [],
    logs: [],
    logsDropped: 0,
    fanIns: [],
    branches: { total: 0, failed: 0, timedOut: 0, cancelled: 0 },
    events: 0,
    version: 0,
    open: new Map(),
    executions: new Map(),
    lineState: new Map([['', {}]]),
    memoryIndex: new Map(),
    llmCalls: [],
    llmCallIndex: new Map(),
    llmTotals: null,
    llmByLine: new Map(),
  };
}

/** A copy whose containers may be mutated during this batch (rows/series are replaced, never edited). */
function draftOf(run: RunRecord): RunRecord {
  return {
    ...run,
    rows: run.rows.slice(),
    rowIndex: new Map(run.rowIndex),
    nodeStates: new Map(run.nodeStates),
    memory: run.memory.slice(),
    logs: run.logs.slice(),
    fanIns: run.fanIns.slice(),
    branches: { ...run.branches },
    open: new Map(run.open),
    executions: new Map(run.executions),
    lineState: new Map(run.lineState),
    memoryIndex: new Map(run.memoryIndex),
    llmCalls: run.llmCalls.slice(),
    llmCallIndex: new Map(run.llmCallIndex),
    llmByLine: new Map(run.llmByLine),
  };
}

function getRow(run: RunRecord, key: string): RunRow | undefined {
  const i = run.rowIndex.get(key);
  return i === undefined ? undefined : run.rows[i];
}

function putRow(run: RunRecord, row: RunRow): void {
  const i = run.rowIndex.get(row.key);
  if (i === undefined) {
    run.rowIndex.set(row.key, run.rows.length);
    run.rows.push(row);
  } else run.rows[i] = row;
}

function updateRow(run: RunRecord, key: string, patch: Partial<RunRow>): void {
  const row = getRow(run, key);
  if (row) putRow(run, { ...row, ...patch });
}

function pushLog(run: RunRecord, line: LogLine): void {
  run.logs.push(line);
  // Trim in chunks so the bound costs O(1) amortised per line.
  if (run.logs.length > LIMITS.logLines + LIMITS.logLines / 10) {
    const drop = run.logs.length - LIMITS.logLines;
    run.logs.splice(0, drop);
    run.logsDropped += drop;
  }
}

/** Series already copied in the current batch (their points may be appended to in place). */
const ownedSeries = new WeakMap<RunRecord, Set<string>>();

function addPoint(run: RunRecord, series: Omit<MemorySeries, 'points' | 'peak'>, point: SeriesPoint): void {
  const i = run.memoryIndex.get(series.key);
  const old = i === undefined ? undefined : run.memory[i];
  let owned = ownedSeries.get(run);
  if (!owned) ownedSeries.set(run, (owned = new Set()));
  let points = old && owned.has(series.key) ? old.points : old ? old.points.slice() : [];
  owned.add(series.key);
  points.push(point);
  // Beyond the cap, halve the resolution keeping the higher point of each pair (peaks survive).
  if (points.length > LIMITS.seriesPoints) {
    const halved: SeriesPoint[] = [];
    for (let k = 0; k + 1 < points.length; k += 2) {
      const a = points[k]!;
      const b = points[k + 1]!;
      halved.push(a.v >= b.v ? a : b);
    }
    if (points.length % 2 === 1) halved.push(points[points.length - 1]!);
    points = halved;
  }
  const next: MemorySeries = { ...series, points, peak: Math.max(old?.peak ?? 0, point.v) };
  if (i === undefined) {
    run.memoryIndex.set(series.key, run.memory.length);
    run.memory.push(next);
  } else run.memory[i] = next;
}

/** A Lua heap reading of a VM line (memory samples and the heap after each node both count). */
function addHeapPoint(run: RunRecord, where: { fanOut?: string; branch?: string }, t: number, v: number) {
  const line = lineKey(where.fanOut, where.branch);
  const tags = line ? { fanOut: where.fanOut!, branch: where.branch! } : {};
  addPoint(
    run,
    { key: `heap:${line}`, kind: 'heap', label: line ? where.branch! : 'main line', ...tags },
    { t, v },
  );
}

/** The branch VM's peak may fall between samples: the series' peak includes the reported one. */
function raisePeak(run: RunRecord, key: string, peak: number) {
  const i = run.memoryIndex.get(key);
  const series = i === undefined ? undefined : run.memory[i];
  if (series && peak > series.peak) run.memory[i!] = { ...series, peak };
}

function startRow(run: RunRecord, event: RunEvent & { type: 'node-started' }): void {
  const line = lineKey(event.fanOut, event.branch);
  const id = `${line}|${event.node}`;
  const count = (run.executions.get(id) ?? 0) + 1;
  run.executions.set(id, count);
  const before = run.lineState.get(line) ?? run.lineState.get('') ?? {};
  // The branch head shares the branch's row (the branch bar); later nodes in a branch get their own rows.
  const isBranchHead = line !== '' && event.node === event.branch && count === 1;
  const key = isBranchHead ? line : `${line ? `${line}/` : ''}${event.node}${count > 1 ? `#${count}` : ''}`;
  run.open.set(id, key);
  if (isBranchHead) {
    const row = getRow(run, key);
    if (!row || row.start === undefined) updateOrCreateBranch(run, event.fanOut!, event.branch!, event.t);
    updateRow(run, key, { status: 'running' });
  } else {
    putRow(run, {
      key,
      kind: 'node',
      node: event.node,
      ...(event.fanOut ? { fanOut: event.fanOut, branch: event.branch } : {}),
      iteration: event.iteration ?? count,
      status: 'running',
      start: event.t,
      order: run.rows.length,
    });
  }
  run.nodeStates.set(key, { before });
}

function updateOrCreateBranch(run: RunRecord, fanOut: string, branch: string, t: number, queued = false) {
  const key = `${fanOut}/${branch}`;
  const row = getRow(run, key);
  if (row) {
    if (!queued && row.start === undefined) putRow(run, { ...row, status: 'running', start: t });
    return;
  }
  putRow(run, {
    key,
    kind: 'branch',
    node: branch,
    fanOut,
    branch,
    iteration: 1,
    status: queued ? 'queued' : 'running',
    ...(queued ? {} : { start: t }),
    order: run.rows.length,
  });
}

function closeOpenRows(run: RunRecord, linePrefix: string | null, status: RowStatus, t: number): void {
  for (const [id, key] of run.open) {
    if (linePrefix !== null && !id.startsWith(`${linePrefix}|`)) continue;
    run.open.delete(id);
    const row = getRow(run, key);
    if (row && (row.status === 'running' || row.status === 'queued')) {
      putRow(run, { ...row, status, end: t });
    }
  }
}

function applyOne(run: RunRecord, event: RunEvent): void {
  run.events += 1;
  if (event.t > run.lastT) run.lastT = event.t;
  switch (event.type) {
    case 'run-started':
      run.workflow = event.workflow;
      run.input = event.input;
      run.workers = event.workers;
      run.mode = event.mode ?? 'full';
      if (event.startAt) run.startAt = event.startAt;
      run.lineState.set('', event.input);
      return;
    case 'paused':
      run.paused = { node: event.node, when: event.when, state: event.state, t: event.t };
      // The state shown is the engine's: what the user sees at a breakpoint is exact.
      run.lineState.set('', event.state);
      pushLog(run, {
        seq: event.seq,
        t: event.t,
        level: 'info',
        message: `paused ${event.when} ${event.node}`,
        node: event.node,
      });
      return;
    case 'resumed':
      delete run.paused;
      if (event.state) run.lineState.set('', event.state);
      pushLog(run, {
        seq: event.seq,
        t: event.t,
        level: 'info',
        message: `resumed ${event.when} ${event.node}${event.edited ? ' with an edited state' : ''}`,
        node: event.node,
      });
      return;
    case 'node-started':
      startRow(run, event);
      return;
    case 'node-finished': {
      const line = lineKey(event.fanOut, event.branch);
      const id = `${line}|${event.node}`;
      const key = run.open.get(id);
      const state = { ...(run.lineState.get(line) ?? {}), ...event.update };
      run.lineState.set(line, state);
      if (!key) return;
      run.open.delete(id);
      const states = run.nodeStates.get(key);
      run.nodeStates.set(key, { before: states?.before ?? {}, after: state });
      const row = getRow(run, key);
      if (!row) return;
      if (event.heapBytes !== undefined) addHeapPoint(run, event, event.t, event.heapBytes);
      const patch: Partial<RunRow> = {
        ...(event.heapBytes !== undefined ? { heapBytes: event.heapBytes } : {}),
      };
      // A branch bar ends with branch-finished; a node bar ends here.
      if (row.kind === 'node') Object.assign(patch, { status: 'succeeded', end: event.t });
      putRow(run, { ...row, ...patch });
      return;
    }
    case 'node-failed': {
      const line = lineKey(event.fanOut, event.branch);
      const id = `${line}|${event.node}`;
      const key = run.open.get(id) ?? line;
      run.open.delete(id);
      // A node stopped by Cancel did not fail: it shows grey, like the rest of a cancelled run.
      const status: RowStatus = event.timeout
        ? 'timed-out'
        : event.errorType === 'Cancelled'
          ? 'cancelled'
          : 'failed';
      const detail = {
        error: event.error,
        errorType: event.errorType,
        ...(event.line !== undefined ? { line: event.line } : {}),
      };
      const row = getRow(run, key);
      if (row) putRow(run, { ...row, ...detail, status, ...(row.kind === 'node' ? { end: event.t } : {}) });
      pushLog(run, {
        seq: event.seq,
        t: event.t,
        level: status === 'cancelled' ? 'warn' : 'error',
        message: `${event.errorType}: ${event.error}${event.line !== undefined ? ` (line ${event.line})` : ''}`,
        node: event.node,
        ...(event.line !== undefined ? { line: event.line } : {}),
        ...(event.fanOut ? { fanOut: event.fanOut, branch: event.branch } : {}),
      });
      return;
    }
    case 'fan-out-started': {
      const base = run.lineState.get('') ?? {};
      for (const branch of event.branches) {
        updateOrCreateBranch(run, event.fanOut, branch, event.t, true);
        run.lineState.set(`${event.fanOut}/${branch}`, base);
      }
      return;
    }
    case 'branch-started': {
      const key = `${event.fanOut}/${event.branch}`;
      // The VM was created just before this event: the bar starts when its creation began.
      const start = Math.max(0, event.t - event.vmCreateMs);
      updateOrCreateBranch(run, event.fanOut, event.branch, start);
      updateRow(run, key, {
        status: 'running',
        start,
        vmCreateMs: event.vmCreateMs,
        worker: event.worker,
        ...(event.remoteWorker !== undefined ? { remoteWorker: event.remoteWorker } : {}),
      });
      return;
    }
    case 'branch-vm-created': {
      // A branch that began with actions only created its VM when it first needed Lua.
      updateRow(run, `${event.fanOut}/${event.branch}`, {
        worker: event.worker,
        vmCreateMs: event.vmCreateMs,
        vmAt: Math.max(0, event.t - event.vmCreateMs),
        ...(event.remoteWorker !== undefined ? { remoteWorker: event.remoteWorker } : {}),
      });
      return;
    }
    case 'branch-finished': {
      const key = `${event.fanOut}/${event.branch}`;
      closeOpenRows(run, key, event.status === 'succeeded' ? 'cancelled' : event.status, event.t);
      if (event.peakHeapBytes !== undefined) raisePeak(run, `heap:${key}`, event.peakHeapBytes);
      const row = getRow(run, key);
      const failed = !event.result.success;
      tallyBranch(run.branches, event.status);
      putRow(run, {
        ...(row ?? {
          key,
          kind: 'branch',
          node: event.branch,
          fanOut: event.fanOut,
          branch: event.branch,
          iteration: 1,
          order: run.rows.length,
        }),
        status: event.status,
        start: row?.start ?? event.t - event.result.timing_ms,
        end: event.t,
        ...(event.peakHeapBytes !== undefined ? { peakHeapBytes: event.peakHeapBytes } : {}),
        ...(failed && event.result.error ? { error: event.result.error } : {}),
        ...(failed && event.result.error_type ? { errorType: event.result.error_type } : {}),
      } as RunRow);
      return;
    }
    case 'fan-in': {
      run.fanIns.push({ fanOut: event.fanOut, fanIn: event.fanIn, t: event.t, results: event.results });
      run.lineState.set('', { ...(run.lineState.get('') ?? {}), parallel_results: event.results });
      return;
    }
    case 'log':
      pushLog(run, {
        seq: event.seq,
        t: event.t,
        level: event.level,
        message: event.message,
        ...(event.node ? { node: event.node } : {}),
        ...(event.fanOut ? { fanOut: event.fanOut, branch: event.branch } : {}),
      });
      return;
    case 'llm-call-started':
    case 'llm-tokens':
    case 'llm-call-finished':
      applyLlm(run, event);
      return;
    case 'memory-sample': {
      if (event.luaHeapBytes !== undefined) addHeapPoint(run, event, event.t, event.luaHeapBytes);
      addPoint(
        run,
        { key: `rss:${event.worker}`, kind: 'rss', label: `worker ${event.worker}`, worker: event.worker },
        { t: event.t, v: event.rssBytes },
      );
      return;
    }
    case 'run-finished':
      delete run.paused;
      // The engine's sums are exact (calls past LIMITS.llmCalls, replayed answers): they win.
      if (event.llm) {
        const { byNode: _n, byBranch, ...total } = event.llm;
        run.llmTotals = total;
        for (const [line, totals] of Object.entries(byBranch)) run.llmByLine.set(line, totals);
      }
      run.status = event.status;
      run.durationMs = event.ms;
      run.finalState = event.state;
      if (event.error) run.error = event.error;
      if (event.node) run.errorNode = event.node;
      // Whatever never finished did not run to the end.
      closeOpenRows(run, null, 'cancelled', event.t);
      for (const row of run.rows) {
        if (row.status === 'queued' || row.status === 'running') {
          putRow(run, { ...row, status: 'cancelled', end: event.t });
        }
      }
      if (event.error) {
        pushLog(run, {
          seq: event.seq,
          t: event.t,
          level: 'error',
          message: `run ${event.status}: ${event.error}`,
          ...(event.node ? { node: event.node } : {}),
        });
      }
      return;
  }
}

// ---------------------------------------------------------------------------------------------------
// Model calls: one record per call, text growing with llm-tokens; totals per row, per line, per run.

type LlmRunEvent = RunEvent & { type: 'llm-call-started' | 'llm-tokens' | 'llm-call-finished' };

const ZERO_TOTALS: LlmTotals = { calls: 0, failedCalls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };

function addTotals(into: LlmTotals | undefined | null, call: LlmCallRecord): LlmTotals {
  const t = into ?? ZERO_TOTALS;
  return {
    calls: t.calls + 1,
    failedCalls: t.failedCalls + (call.status === 'failed' ? 1 : 0),
    promptTokens: t.promptTokens + call.promptTokens,
    completionTokens: t.completionTokens + call.completionTokens,
    costUsd: t.costUsd + call.costUsd,
  };
}

const tail = (text: string, n: number) => (text.length > n ? text.slice(text.length - n) : text);

function applyLlm(run: RunRecord, event: LlmRunEvent): void {
  const line = lineKey(event.fanOut, event.branch);
  const key = `${line}|${event.callId}`;
  const index = run.llmCallIndex.get(key);
  const call = index === undefined ? undefined : run.llmCalls[index];
  if (event.type === 'llm-call-started') {
    if (call || run.llmCalls.length >= LIMITS.llmCalls) return;
    // The node's open row (calls happen while it runs); else the line's row.
    const rowKey = run.open.get(`${line}|${event.node}`) ?? (line || event.node);
    run.llmCallIndex.set(key, run.llmCalls.length);
    run.llmCalls.push({
      key,
      callId: event.callId,
      node: event.node,
      ...(event.fanOut ? { fanOut: event.fanOut, branch: event.branch } : {}),
      rowKey,
      provider: event.provider,
      model: event.model,
      kind: event.kind,
      stream: event.stream,
      status: 'running',
      start: event.t,
      text: '',
      textTruncated: false,
      chunks: 0,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
    });
    updateRow(run, rowKey, { llmStreaming: true, llmText: '', llmChunks: 0, llmFirstTokenT: undefined });
    return;
  }
  if (event.type === 'llm-tokens') {
    if (!call) return;
    const room = LIMITS.llmCallText - call.text.length;
    const next: LlmCallRecord = {
      ...call,
      text: room > 0 ? call.text + event.text.slice(0, room) : call.text,
      textTruncated: call.textTruncated || event.text.length > room,
      chunks: call.chunks + event.chunks,
      firstTokenT: call.firstTokenT ?? event.t,
    };
    run.llmCalls[index!] = next;
    const row = getRow(run, call.rowKey);
    if (row) {
      putRow(run, {
        ...row,
        llmText: tail((row.llmText ?? '') + event.text, LIMITS.llmRowText),
        llmChunks: next.chunks,
        llmFirstTokenT: next.firstTokenT,
      });
    }
    return;
  }
  // llm-call-finished
  const base: LlmCallRecord = call ?? {
    key,
    callId: event.callId,
    node: event.node,
    ...(event.fanOut ? { fanOut: event.fanOut, branch: event.branch } : {}),
    rowKey: run.open.get(`${line}|${event.node}`) ?? (line || event.node),
    provider: event.provider,
    model: event.model,
    kind: event.kind,
    stream: false,
    status: 'running',
    start: event.t - event.latencyMs,
    text: '',
    textTruncated: false,
    chunks: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
  };
  const done: LlmCallRecord = {
    ...base,
    status: event.ok ? 'ok' : 'failed',
    end: event.t,
    latencyMs: event.latencyMs,
    ...(event.ttftMs !== undefined ? { ttftMs: event.ttftMs } : {}),
    promptTokens: event.promptTokens,
    completionTokens: event.completionTokens,
    costUsd: event.costUsd,
    attempts: event.attempts,
    source: event.source,
    ...(event.error ? { error: event.error } : {}),
    ...(event.status !== undefined ? { httpStatus: event.status } : {}),
  };
  if (index !== undefined) run.llmCalls[index] = done;
  else if (run.llmCalls.length < LIMITS.llmCalls) {
    run.llmCallIndex.set(key, run.llmCalls.length);
    run.llmCalls.push(done);
  }
  run.llmTotals = addTotals(run.llmTotals, done);
  run.llmByLine.set(line, addTotals(run.llmByLine.get(line), done));
  const row = getRow(run, done.rowKey);
  if (row) putRow(run, { ...row, llm: addTotals(row.llm, done), llmStreaming: false });
}

/** Model-call totals of a timeline row: a branch row sums its whole branch, a node row its own calls. */
export function rowLlmTotals(run: Pick<RunRecord, 'llmByLine'>, row: RunRow): LlmTotals | undefined {
  return row.kind === 'branch' ? (run.llmByLine.get(row.key) ?? row.llm) : row.llm;
}

/** Model-call totals per node name over the whole run (every execution, every line). */
export function llmTotalsByNode(run: Pick<RunRecord, 'llmCalls'>): Map<string, LlmTotals> {
  const byNode = new Map<string, LlmTotals>();
  for (const call of run.llmCalls) {
    if (call.status !== 'running') byNode.set(call.node, addTotals(byNode.get(call.node), call));
  }
  return byNode;
}

function tallyBranch(tally: BranchTally, status: BranchStatus): void {
  tally.total += 1;
  if (status === 'failed') tally.failed += 1;
  else if (status === 'timed-out') tally.timedOut += 1;
  else if (status === 'cancelled') tally.cancelled += 1;
}

// ---------------------------------------------------------------------------------------------------
// Honest status: what a run's outcome is called everywhere (toolbar pill, panel, history, results).

/** 'partial': the run finished, but not every branch succeeded (the fan-in ran over the others). */
export type RunTone = 'running' | 'paused' | 'succeeded' | 'partial' | 'failed' | 'cancelled';

export interface RunOutcome {
  tone: RunTone;
  /** e.g. "succeeded", "failed", "finished · 1 of 3 branches failed". */
  label: string;
}

/** "1 of 3 branches failed", "2 of 4 branches timed out", "2 of 5 branches failed (1 timed out)". */
export function branchShortfall(tally: BranchTally): string | null {
  const { total, failed, timedOut, cancelled } = tally;
  const bad = failed + timedOut + cancelled;
  if (bad === 0) return null;
  const of = `${bad} of ${total} ${total === 1 ? 'branch' : 'branches'}`;
  if (bad === failed) return `${of} failed`;
  if (bad === timedOut) return `${of} timed out`;
  if (bad === cancelled) return `${of} cancelled`;
  const parts = [timedOut ? `${timedOut} timed out` : '', cancelled ? `${cancelled} cancelled` : '']
    .filter(Boolean)
    .join(', ');
  return `${of} did not succeed (${parts})`;
}

/**
 * The outcome of a run, derived from its events: "succeeded" only when every node and branch did; a
 * run whose fan-in went on over failed, timed-out or cancelled branches "finished" (amber). Failed and
 * cancelled runs say so, whatever their branches did.
 */
export function runOutcome(run: Pick<RunRecord, 'status' | 'paused' | 'branches'>): RunOutcome {
  if (run.paused) return { tone: 'paused', label: 'paused' };
  if (run.status !== 'succeeded') return { tone: run.status, label: run.status };
  const shortfall = branchShortfall(run.branches);
  return shortfall
    ? { tone: 'partial', label: `finished · ${shortfall}` }
    : { tone: 'succeeded', label: 'succeeded' };
}

// ---------------------------------------------------------------------------------------------------
// Runs per document

/** runIds of `doc`'s runs, oldest first. */
export function docRunIds(state: Pick<RunsState, 'order' | 'owners'>, doc: DocKey): string[] {
  return state.order.filter((id) => state.owners[id] === doc);
}

/** The run `doc`'s panel shows: the one picked in its history, else its latest; null before any. */
export function shownRunId(
  state: Pick<RunsState, 'order' | 'owners' | 'selectedByDoc' | 'runs'>,
  doc: DocKey,
): string | null {
  const picked = state.selectedByDoc[doc];
  if (picked && state.owners[picked] === doc && state.runs[picked]) return picked;
  for (let i = state.order.length - 1; i >= 0; i--) {
    const id = state.order[i]!;
    if (state.owners[id] === doc && state.runs[id]) return id;
  }
  return null;
}

/** Records that `runId` was started for `doc`, and shows it there (a new launch is what one wants to see). */
export function assignRun(state: RunsState, runId: string, doc: DocKey): RunsState {
  return {
    ...state,
    owners: { ...state.owners, [runId]: doc },
    selectedByDoc: { ...state.selectedByDoc, [doc]: runId },
  };
}

/** The document now lives under another key (Save as): its runs and selection follow it. */
export function moveDocRuns(state: RunsState, from: DocKey, to: DocKey): RunsState {
  if (from === to) return state;
  let owners = state.owners;
  for (const [id, doc] of Object.entries(state.owners)) {
    if (doc !== from) continue;
    if (owners === state.owners) owners = { ...owners };
    owners[id] = to;
  }
  const picked = state.selectedByDoc[from];
  const { [from]: _moved, ...selectedByDoc } = state.selectedByDoc;
  if (picked !== undefined) selectedByDoc[to] = picked;
  return owners === state.owners && picked === undefined ? state : { ...state, owners, selectedByDoc };
}

/** Picks `runId` in its document's history (and as the document-less selection). */
export function selectRun(state: RunsState, runId: string): RunsState {
  if (!state.runs[runId]) return state;
  const doc = state.owners[runId];
  return {
    ...state,
    selectedRunId: runId,
    ...(doc !== undefined ? { selectedByDoc: { ...state.selectedByDoc, [doc]: runId } } : {}),
  };
}

const byStart = (a: RunRow, b: RunRow) => (a.start ?? Infinity) - (b.start ?? Infinity) || a.order - b.order;

/** Rows in start order (queued rows last, in creation order). */
export function rowsInStartOrder(rows: readonly RunRow[]): RunRow[] {
  // Rows are mostly created in start order (a chain always is): check in O(n) before sorting.
  for (let i = 1; i < rows.length; i++) {
    if (byStart(rows[i - 1]!, rows[i]!) > 0) return rows.slice().sort(byStart);
  }
  return rows.slice();
}

// ---------------------------------------------------------------------------------------------------
// The store: incoming batches are queued and applied once per animation frame.

export interface RunStoreState extends RunsState {
  /** Queues events; they are applied on the next animation frame (or `flush`). */
  ingest(events: readonly RunEvent[]): void;
  /** Applies queued events now. */
  flush(): void;
  /** Picks a run: the panel of its document (and the document-less panel) shows it. */
  select(runId: string): void;
  /** The run was started for document `doc` (see assignRun). */
  assign(runId: string, doc: DocKey): void;
  /** Document `from` is now `to` (Save as). */
  moveDoc(from: DocKey, to: DocKey): void;
}

export type RunStore = ReturnType<typeof createRunStore>;

export interface RunStoreOptions {
  /** Schedules a flush; default requestAnimationFrame (setTimeout outside a browser). */
  schedule?: (flush: () => void) => void;
  clock?: () => ReceivedAt;
}

const defaultSchedule = (flush: () => void) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(flush);
  else setTimeout(flush, 16);
};

const defaultClock = (): ReceivedAt => ({ wallMs: Date.now(), monoMs: performance.now() });

/**
 * User timing of each flush, for the Playwright benchmark (e2e/run-bench.spec.ts) and DevTools:
 * FLUSH_APPLY is the reducer alone, FLUSH_TOTAL also the synchronous subscriber work (React renders
 * store updates in a microtask queued by `set`, before ours). Each entry is cleared as soon as it is
 * made (observers still receive it), so nothing accumulates over a long session.
 */
export const FLUSH_APPLY = 'fanout:run-apply';
export const FLUSH_TOTAL = 'fanout:run-flush';

function measureFlush(started: number, applied: number, batches: readonly EventBatch[]): void {
  if (typeof performance.measure !== 'function') return;
  let events = 0;
  for (const b of batches) events += b.events.length;
  const detail = { events };
  performance.measure(FLUSH_APPLY, { start: started, end: applied, detail });
  performance.clearMeasures(FLUSH_APPLY);
  queueMicrotask(() => {
    performance.measure(FLUSH_TOTAL, { start: started, detail });
    performance.clearMeasures(FLUSH_TOTAL);
  });
}

export function createRunStore(options: RunStoreOptions = {}) {
  const schedule = options.schedule ?? defaultSchedule;
  const clock = options.clock ?? defaultClock;
  let pending: { events: readonly RunEvent[]; at: ReceivedAt }[] = [];
  let scheduled = false;
  return createStore<RunStoreState>()((set, get) => ({
    ...emptyRuns(),
    ingest(events) {
      if (events.length === 0) return;
      pending.push({ events, at: clock() });
      if (!scheduled) {
        scheduled = true;
        schedule(() => get().flush());
      }
    },
    flush() {
      scheduled = false;
      if (pending.length === 0) return;
      const batches = pending;
      pending = [];
      const started = performance.now();
      const next = applyBatches(get(), batches);
      const applied = performance.now();
      set({ runs: next.runs, order: next.order, selectedRunId: next.selectedRunId });
      measureFlush(started, applied, batches);
    },
    select(runId) {
      const next = selectRun(get(), runId);
      set({ selectedRunId: next.selectedRunId, selectedByDoc: next.selectedByDoc });
    },
    assign(runId, doc) {
      const next = assignRun(get(), runId, doc);
      set({ owners: next.owners, selectedByDoc: next.selectedByDoc });
    },
    moveDoc(from, to) {
      const next = moveDocRuns(get(), from, to);
      set({ owners: next.owners, selectedByDoc: next.selectedByDoc });
    },
  }));
}
