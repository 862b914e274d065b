// Stamps RunEvents with the run id, a gapless sequence number and high-resolution run time.
import { performance } from 'node:perf_hooks';
import type { RunEvent } from './types.ts';

type Unstamped<E> = E extends RunEvent ? Omit<E, 'runId' | 't' | 'seq'> : never;
export type EventInput = Unstamped<RunEvent>;

export class EventStamper {
  private seq = 0;
  readonly startedAt = performance.now();

  constructor(
    readonly runId: string,
    private readonly sink: (event: RunEvent) => void,
  ) {}

  now(): number {
    return performance.now() - this.startedAt;
  }

  emit(event: EventInput): void {
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
