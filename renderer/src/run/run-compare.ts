// What History's compare shows for two runs: status, duration and model-call totals side by side, with
// the change from the older run to the newer. Pure: History.tsx renders it, the unit test checks it.
import { callsTotals } from './llm-calls-table.ts';
import { runOutcome } from './run-store.ts';
import type { RunRecord } from './run-store.ts';

export type CompareRun = Pick<
  RunRecord,
  'runId' | 'status' | 'paused' | 'branches' | 'durationMs' | 'llmCalls' | 'llmTotals'
>;

export interface CompareLine {
  label: string;
  kind: 'ms' | 'count' | 'tokens' | 'usd' | 'text';
  a: number | string | undefined;
  b: number | string | undefined;
  /** b − a for numbers both runs have. */
  delta?: number;
}

/** A run's model-call totals (zeros when it made none). */
export function runLlmTotals(run: Pick<RunRecord, 'llmCalls' | 'llmTotals'>) {
  const t = callsTotals(run);
  return {
    calls: t.calls,
    promptTokens: t.promptTokens,
    completionTokens: t.completionTokens,
    costUsd: t.costUsd,
  };
}

export function compareRuns(a: CompareRun, b: CompareRun): CompareLine[] {
  const ta = runLlmTotals(a);
  const tb = runLlmTotals(b);
  const line = (label: string, kind: CompareLine['kind'], va?: number, vb?: number): CompareLine =>
    va === undefined || vb === undefined
      ? { label, kind, a: va, b: vb }
      : { label, kind, a: va, b: vb, delta: vb - va };
  return [
    { label: 'status', kind: 'text', a: runOutcome(a).label, b: runOutcome(b).label },
    line('duration', 'ms', a.durationMs, b.durationMs),
    line('model calls', 'count', ta.calls, tb.calls),
    line('tokens in', 'tokens', ta.promptTokens, tb.promptTokens),
    line('tokens out', 'tokens', ta.completionTokens, tb.completionTokens),
    line('cost', 'usd', ta.costUsd, tb.costUsd),
  ];
}

/** The pair to compare after ticking `runId`: the last two ticked (unticking removes it). */
export function tickCompare(picked: readonly string[], runId: string): string[] {
  if (picked.includes(runId)) return picked.filter((id) => id !== runId);
  return [...picked, runId].slice(-2);
}
