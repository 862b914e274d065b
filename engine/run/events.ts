// Stamps RunEvents with the run id, a gapless sequence number and high-resolution run time, and holds
// `log` events to the run's log budget (one 'truncated' notice, then drops, counted).
import { performance } from 'node:perf_hooks';
import { MAX_ERROR_MESSAGE_CHARS, truncateText } from '../limits.ts';
import { LlmTotalsCounter } from '../llm/totals.ts';
import { RunLogBudget } from './log-budget.ts';
import type { RunEvent } from './types.ts';

type Unstamped<E> = E extends RunEvent ? Omit<E, 'runId' | 't' | 'seq'> : never;
export type EventInput = Unstamped<RunEvent>;

export class EventStamper {
  private seq = 0;
  /** Model-call totals, added to run-finished. */
  private readonly llmTotals = new LlmTotalsCounter();
  readonly startedAt = performance.now();

  constructor(
    readonly runId: string,
    private readonly sink: (event: RunEvent) => void,
    readonly logBudget: RunLogBudget = new RunLogBudget(),
  ) {}

  now(): number {
    return performance.now() - this.startedAt;
  }

  emit(event: EventInput): void {
    if (event.type === 'log') {
      const verdict = this.logBudget.admit(event.message);
      if (verdict.kind === 'drop') return;
      if (verdict.kind === 'notice') {
        event = { type: 'log', level: 'warn', message: verdict.notice, truncated: true };
      } else if (event.message.length > MAX_ERROR_MESSAGE_CHARS) {
        event = { ...event, message: truncateText(event.message, MAX_ERROR_MESSAGE_CHARS) };
      }
    }
    this.llmTotals.observe(event);
    if (event.type === 'run-finished') {
      const llm = this.llmTotals.totals();
      if (llm) event = { ...event, llm };
    }
    const stamped = { ...event, runId: this.runId, t: round(this.now()), seq: this.seq++ } as RunEvent;
    try {
      this.sink(stamped);
    } catch {
      // A failing listener must not break the run.
    }
  }
}

export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
