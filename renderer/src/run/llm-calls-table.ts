// The Results tab's "Model calls" table, as pure data: one row per call the run store kept, its columns,
// sorting (stable, blanks last in either direction) and the totals line. No React: the component
// (LlmCallsTable.tsx) renders what this computes, and the unit test checks it.
import type { LlmTotals } from '../../../engine/llm/types.ts';
import type { LlmCallRecord, RunRecord } from './run-store.ts';

export type CallColumn =
  | 'node'
  | 'branch'
  | 'provider'
  | 'model'
  | 'status'
  | 'latency'
  | 'ttft'
  | 'tokensIn'
  | 'tokensOut'
  | 'cost'
  | 'source'
  | 'attempts';

export type SortDirection = 'asc' | 'desc';

export interface CallSort {
  column: CallColumn;
  direction: SortDirection;
}

export interface ColumnSpec {
  id: CallColumn;
  /** The header (short: the table shares the panel with the inspector). */
  label: string;
  /** What the header's tooltip spells out. */
  title: string;
  /** Right-aligned numbers; the first click sorts them largest first. */
  numeric: boolean;
  /** What the column sorts by; undefined sorts last. */
  value(call: LlmCallRecord): string | number | undefined;
}

/** Where a call ran: its parallel branch (`fanOut/branch`), or the main line. */
export function branchLabel(call: Pick<LlmCallRecord, 'fanOut' | 'branch'>): string {
  return call.fanOut && call.branch ? `${call.fanOut}/${call.branch}` : 'main';
}

export const CALL_COLUMNS: readonly ColumnSpec[] = [
  { id: 'node', title: 'node', label: 'node', numeric: false, value: (c) => c.node },
  {
    id: 'branch',
    title: 'parallel branch (main: the main line)',
    label: 'branch',
    numeric: false,
    value: branchLabel,
  },
  { id: 'provider', title: 'provider', label: 'provider', numeric: false, value: (c) => c.provider },
  { id: 'model', title: 'model', label: 'model', numeric: false, value: (c) => c.model },
  { id: 'status', title: 'status', label: 'status', numeric: false, value: (c) => c.status },
  {
    id: 'latency',
    title: 'latency (the whole call, retries included)',
    label: 'latency',
    numeric: true,
    value: (c) => c.latencyMs,
  },
  {
    id: 'ttft',
    title: 'time to first token (streamed calls)',
    label: 'TTFT',
    numeric: true,
    value: (c) => c.ttftMs,
  },
  { id: 'tokensIn', title: 'prompt tokens', label: 'tok in', numeric: true, value: (c) => c.promptTokens },
  {
    id: 'tokensOut',
    title: 'completion tokens',
    label: 'tok out',
    numeric: true,
    value: (c) => c.completionTokens,
  },
  {
    id: 'cost',
    title: 'cost in USD (replayed and mock answers cost nothing)',
    label: 'cost',
    numeric: true,
    value: (c) => c.costUsd,
  },
  {
    id: 'source',
    title: 'where the answer came from: network, replay (a recording) or mock',
    label: 'source',
    numeric: false,
    value: (c) => c.source,
  },
  {
    id: 'attempts',
    title: 'attempts (retries after 429, 5xx or network errors)',
    label: 'attempts',
    numeric: true,
    value: (c) => c.attempts,
  },
];

const columnOf = (id: CallColumn): ColumnSpec => CALL_COLUMNS.find((c) => c.id === id)!;

/** The sort after clicking `column`: the same column flips; a new one starts descending for numbers. */
export function nextSort(current: CallSort | null, column: CallColumn): CallSort {
  if (current?.column === column) {
    return { column, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  }
  return { column, direction: columnOf(column).numeric ? 'desc' : 'asc' };
}

/** The calls in table order: start order without a sort, else by the column (ties keep start order). */
export function sortCalls(calls: readonly LlmCallRecord[], sort: CallSort | null): LlmCallRecord[] {
  const rows = calls.map((call, i) => ({ call, i }));
  if (!sort) return rows.map((r) => r.call);
  const { value } = columnOf(sort.column);
  const sign = sort.direction === 'asc' ? 1 : -1;
  rows.sort((a, b) => {
    const va = value(a.call);
    const vb = value(b.call);
    // Blanks (a call still running has no latency) go last whichever way the column is sorted.
    if (va === undefined || vb === undefined) {
      if (va === vb) return a.i - b.i;
      return va === undefined ? 1 : -1;
    }
    const order =
      typeof va === 'number' && typeof vb === 'number'
        ? va - vb
        : String(va).localeCompare(String(vb), undefined, { numeric: true });
    return order === 0 ? a.i - b.i : sign * order;
  });
  return rows.map((r) => r.call);
}

export interface CallsTotals extends LlmTotals {
  /** Sum of the listed calls' latencies (the model time, not wall time: branches overlap). */
  latencyMs: number;
  /** Calls answered from a recording. */
  replayed: number;
  /** Calls the run made beyond those listed (the store keeps details of the first LIMITS.llmCalls). */
  unlisted: number;
}

/**
 * The totals line. Tokens, cost and counts are the engine's exact sums once the run finished
 * (run-finished.llm), else the listed calls'; latency and replayed count the listed calls.
 */
export function callsTotals(run: Pick<RunRecord, 'llmCalls' | 'llmTotals'>): CallsTotals {
  let latencyMs = 0;
  let replayed = 0;
  const listed: LlmTotals = { calls: 0, failedCalls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
  for (const call of run.llmCalls) {
    latencyMs += call.latencyMs ?? 0;
    if (call.source === 'replay') replayed++;
    if (call.status === 'running') continue;
    listed.calls++;
    if (call.status === 'failed') listed.failedCalls++;
    listed.promptTokens += call.promptTokens;
    listed.completionTokens += call.completionTokens;
    listed.costUsd += call.costUsd;
  }
  const exact = run.llmTotals && run.llmTotals.calls >= listed.calls ? run.llmTotals : listed;
  return {
    calls: exact.calls,
    failedCalls: exact.failedCalls,
    promptTokens: exact.promptTokens,
    completionTokens: exact.completionTokens,
    costUsd: exact.costUsd,
    latencyMs,
    replayed,
    unlisted: Math.max(0, exact.calls - run.llmCalls.length),
  };
}

/** A run made model calls (so it has a recording to re-run with). */
export function hadModelCalls(run: Pick<RunRecord, 'llmCalls' | 'llmTotals'> | undefined): boolean {
  return !!run && (run.llmCalls.length > 0 || (run.llmTotals?.calls ?? 0) > 0);
}

/** Most characters of a node's output shown as a call's text (as the store keeps of a streamed one). */
const OUTPUT_TEXT_CHARS = 32_000;

/**
 * The text to show for a call: its streamed answer; for a call that did not stream (no token events),
 * what its node added to the state — the answer's `content` when it is llm.call's {content, usage}.
 */
export function callText(
  run: Pick<RunRecord, 'nodeStates'>,
  call: Pick<LlmCallRecord, 'text' | 'rowKey' | 'status'>,
): { text: string; fromOutput: boolean } {
  if (call.text || call.status === 'running') return { text: call.text, fromOutput: false };
  const states = run.nodeStates.get(call.rowKey);
  if (!states?.after) return { text: '', fromOutput: false };
  const parts: string[] = [];
  for (const [key, value] of Object.entries(states.after)) {
    if (JSON.stringify(value) === JSON.stringify(states.before[key])) continue;
    const content =
      value && typeof value === 'object' && 'content' in value && typeof value.content === 'string'
        ? value.content
        : JSON.stringify(value, null, 2);
    parts.push(`${key}: ${content}`);
  }
  return { text: parts.join('\n\n').slice(0, OUTPUT_TEXT_CHARS), fromOutput: parts.length > 0 };
}
