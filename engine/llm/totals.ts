// Model-call totals of a run, counted from its own llm-call-finished events (so they always agree
// with what the timeline shows): whole run, per node, per branch (`fanOut/branch`).
import type { LlmEvent, LlmRunTotals, LlmTotals } from './types.ts';

type Placed = { type: string; fanOut?: string; branch?: string };

export class LlmTotalsCounter {
  private readonly run = empty();
  private readonly byNode: Record<string, LlmTotals> = {};
  private readonly byBranch: Record<string, LlmTotals> = {};

  observe(event: Placed): void {
    if (event.type !== 'llm-call-finished') return;
    const e = event as Placed & Extract<LlmEvent, { type: 'llm-call-finished' }>;
    add(this.run, e);
    add((this.byNode[e.node] ??= empty()), e);
    if (e.fanOut !== undefined && e.branch !== undefined)
      add((this.byBranch[`${e.fanOut}/${e.branch}`] ??= empty()), e);
  }

  /** Null when the run called no model (run-finished then carries no `llm`). */
  totals(): LlmRunTotals | null {
    if (this.run.calls === 0) return null;
    return { ...this.run, byNode: this.byNode, byBranch: this.byBranch };
  }
}

function empty(): LlmTotals {
  return { calls: 0, failedCalls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
}

function add(t: LlmTotals, e: Extract<LlmEvent, { type: 'llm-call-finished' }>): void {
  t.calls++;
  if (!e.ok) t.failedCalls++;
  t.promptTokens += e.promptTokens;
  t.completionTokens += e.completionTokens;
  t.costUsd = Math.round((t.costUsd + e.costUsd) * 1e6) / 1e6;
}
