// What the canvas shows of a run, per node: derived once per RunRecord object (a new object per batch,
// i.e. per `version`) and cached in a WeakMap, so 500 node components reading their entry after a
// batch cost one index build plus 500 map lookups. Pure: no React, no stores.
import { branchPaths } from '../../../../engine/workflow/graph.ts';
import type { WorkflowGraph } from '../../../../engine/workflow/types.ts';
import type { RowStatus, RunRecord, RunRow } from '../../run/run-store.ts';

/** A node's latest execution in a run, flattened to primitives so selectors can compare it shallowly. */
export interface NodeRunStatus {
  status: RowStatus;
  /** Row key of the latest execution (key into RunRecord.rows / nodeStates). */
  rowKey: string;
  /** ms since run start; undefined while queued. */
  start: number | undefined;
  end: number | undefined;
  /** How many times the node ran in this run (loops), at least 1. */
  executions: number;
  /** Set on nodes that ran inside a parallel branch: the status of the whole branch. */
  branchStatus: RowStatus | undefined;
  /** Branch head node name of that branch (for titles). */
  branch: string | undefined;
  error: string | undefined;
  errorType: string | undefined;
  /** Line of the node's Lua code the error was raised at (1-based, as the engine reports it). */
  line: number | undefined;
  heapBytes: number | undefined;
  /**
   * On a fan-in node: how many of the branches it ran over (its latest fan-in) did not succeed, and
   * of how many. The node itself may have succeeded; the canvas shows it amber then.
   */
  fanInFailed: number | undefined;
  fanInTotal: number | undefined;
  /** Model calls of the latest execution: the answer's tail (growing while it streams), totals. */
  llmText: string | undefined;
  llmStreaming: boolean;
  llmTokens: number | undefined;
  llmCostUsd: number | undefined;
}

/** Where the run waits at a breakpoint, when it does. */
export interface PausedStatus {
  node: string;
  when: 'before' | 'after';
}

export interface RunStatusIndex {
  nodes: ReadonlyMap<string, NodeRunStatus>;
  paused: PausedStatus | null;
  /** performance.now() - event time: maps run time onto the page's clock for ticking timers. */
  monoOrigin: number | undefined;
  /** Last event time seen (the live clock never shows less). */
  lastT: number;
  running: boolean;
}

const cache = new WeakMap<RunRecord, RunStatusIndex>();

/** The node -> status index of `run`, built once per RunRecord object. */
export function runStatusIndex(run: RunRecord): RunStatusIndex {
  let index = cache.get(run);
  if (!index) cache.set(run, (index = buildIndex(run)));
  return index;
}

/** Status of a branch head's own execution: the branch row stays 'running' after the head finished. */
function headStatus(run: RunRecord, row: RunRow): RowStatus {
  return run.nodeStates.get(row.key)?.after !== undefined ? 'succeeded' : row.status;
}

function buildIndex(run: RunRecord): RunStatusIndex {
  const nodes = new Map<string, NodeRunStatus>();
  // Rows are in creation (execution) order, so the last row of a node is its latest execution.
  for (const row of run.rows) {
    const isBranchRow = row.kind === 'branch';
    const previous = nodes.get(row.node);
    const executions = (previous?.executions ?? 0) + (isBranchRow && row.start === undefined ? 0 : 1);
    const branchRow = isBranchRow
      ? row
      : row.fanOut && row.branch
        ? run.rows[run.rowIndex.get(`${row.fanOut}/${row.branch}`) ?? -1]
        : undefined;
    const status = isBranchRow ? headStatus(run, row) : row.status;
    // A branch row carries the error of whichever node failed in the branch; the head only shows it
    // when the head itself failed.
    const ownError = !isBranchRow || status !== 'succeeded';
    nodes.set(row.node, {
      status,
      rowKey: row.key,
      start: row.start,
      end: row.end,
      executions: Math.max(1, executions),
      branchStatus: branchRow?.status,
      branch: row.branch,
      error: ownError ? row.error : undefined,
      errorType: ownError ? row.errorType : undefined,
      line: ownError ? row.line : undefined,
      heapBytes: row.heapBytes ?? row.peakHeapBytes,
      fanInFailed: undefined,
      fanInTotal: undefined,
      llmText: row.llmText,
      llmStreaming: row.llmStreaming === true,
      llmTokens: row.llm ? row.llm.promptTokens + row.llm.completionTokens : undefined,
      llmCostUsd: row.llm?.costUsd,
    });
  }
  // The latest fan-in of each node wins (fan-ins are in event order), as its latest execution does.
  for (const fanIn of run.fanIns) {
    const node = nodes.get(fanIn.fanIn);
    if (!node) continue;
    const failed = fanIn.results.filter((r) => !r.success).length;
    nodes.set(fanIn.fanIn, { ...node, fanInFailed: failed, fanInTotal: fanIn.results.length });
  }
  return {
    nodes,
    paused: run.paused ? { node: run.paused.node, when: run.paused.when } : null,
    monoOrigin: run.monoOrigin,
    lastT: run.lastT,
    running: run.status === 'running',
  };
}

/** Run time `now` (performance.now()) corresponds to, never before the last event seen. */
export function liveRunTime(index: Pick<RunStatusIndex, 'monoOrigin' | 'lastT'>, now: number): number {
  return index.monoOrigin === undefined ? index.lastT : Math.max(index.lastT, now - index.monoOrigin);
}

/** Elapsed ms of an execution: up to `end`, or up to `liveT` while it runs; undefined before it starts. */
export function elapsedMs(
  status: { start: number | undefined; end: number | undefined; status: RowStatus | undefined },
  liveT: number,
): number | undefined {
  if (status.start === undefined) return undefined;
  const until = status.end ?? (status.status === 'running' ? liveT : undefined);
  return until === undefined ? undefined : Math.max(0, until - status.start);
}

const branchCache = new WeakMap<WorkflowGraph, ReadonlySet<string>>();

/**
 * Nodes that run inside a parallel branch (heads and later nodes up to the fan-in). They cannot have
 * breakpoints or be run from: TEA's parallel branches are not interruptible.
 */
export function branchNodes(graph: WorkflowGraph | null): ReadonlySet<string> {
  if (!graph) return EMPTY;
  let set = branchCache.get(graph);
  if (!set) {
    const names = new Set<string>();
    for (const fanOut of graph.fanOuts)
      for (const path of branchPaths(graph, fanOut)) for (const n of path) names.add(n);
    branchCache.set(graph, (set = names));
  }
  return set;
}

const EMPTY: ReadonlySet<string> = new Set();

export const STATUS_LABEL: Record<RowStatus, string> = {
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  'timed-out': 'timed out',
  cancelled: 'cancelled',
};

/**
 * What one node component renders: its latest execution plus whether the run waits at it, flattened
 * to primitives for a shallow-compared selector. The live-clock fields are only filled in while the
 * node runs, so finished and idle nodes do not re-render when later batches move the run's clock.
 */
export interface NodeRunView {
  status: RowStatus | undefined;
  start: number | undefined;
  end: number | undefined;
  executions: number;
  branchStatus: RowStatus | undefined;
  error: string | undefined;
  line: number | undefined;
  paused: 'before' | 'after' | undefined;
  monoOrigin: number | undefined;
  lastT: number | undefined;
  /** Set on a fan-in that ran over failed branches: e.g. "1 of 3 branches failed". */
  shortfall: string | undefined;
  /** While a model call streams: the last LLM_PREVIEW_CHARS of its answer (a rolling preview). */
  llmPreview: string | undefined;
  /** Tokens and cost of the execution's finished model calls. */
  llmTokens: number | undefined;
  llmCostUsd: number | undefined;
}

/** Characters of a streaming answer the node shows (one short line). */
export const LLM_PREVIEW_CHARS = 60;

/** "1 of 3 branches failed" for a fan-in whose branches did not all succeed; undefined otherwise. */
export function fanInShortfall(s: Pick<NodeRunStatus, 'fanInFailed' | 'fanInTotal'>): string | undefined {
  if (!s.fanInFailed || !s.fanInTotal) return undefined;
  return `${s.fanInFailed} of ${s.fanInTotal} ${s.fanInTotal === 1 ? 'branch' : 'branches'} failed`;
}

export function nodeRunView(run: RunRecord | undefined, node: string): NodeRunView | null {
  if (!run) return null;
  const index = runStatusIndex(run);
  const s = index.nodes.get(node);
  const paused = index.paused?.node === node ? index.paused.when : undefined;
  if (!s && !paused) return null;
  const live = s?.status === 'running';
  // Only once the fan-in node has run: while it runs, it is simply running.
  const shortfall = s && s.status !== 'running' && s.status !== 'queued' ? fanInShortfall(s) : undefined;
  return {
    status: s?.status,
    start: s?.start,
    end: s?.end,
    executions: s?.executions ?? 0,
    branchStatus: s?.branchStatus,
    error: s?.error,
    line: s?.line,
    paused,
    monoOrigin: live ? index.monoOrigin : undefined,
    lastT: live ? index.lastT : undefined,
    shortfall,
    llmPreview:
      live && s?.llmStreaming && s.llmText
        ? s.llmText.slice(-LLM_PREVIEW_CHARS).replace(/\s+/g, ' ')
        : undefined,
    llmTokens: s?.llmTokens,
    llmCostUsd: s?.llmCostUsd,
  };
}
