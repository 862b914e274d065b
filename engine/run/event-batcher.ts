// Coalesces a run's events into batches so a chatty run cannot flood a host's channel (Electron IPC,
// serve's WebSocket): at most one flush per interval (≤ 60 per second), nothing dropped, order kept.
// One implementation for every host. A batch that cannot be delivered (its serialization throws) never
// escapes the timer: it is delivered item by item, and an item that still fails is replaced (for
// RunEvents, by an error `log` event in the same place) so the run's client learns about it.
import { MAX_ERROR_MESSAGE_CHARS, truncateText } from '../limits.ts';

/** ceil(1000/60): timers have whole-millisecond resolution, and 16 ms would allow 62.5 flushes/s. */
export const MIN_FLUSH_INTERVAL_MS = 17;

export interface BatcherClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: BatcherClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What replaces an item whose delivery threw: another item, or null to drop it. */
export type Undeliverable<T> = (item: T, error: unknown) => T | null;

export class EventBatcher<T> {
  private buffer: T[] = [];
  private timer: unknown = null;
  private lastFlushAt = -Infinity;

  constructor(
    private readonly deliver: (batch: T[]) => void,
    private readonly intervalMs: number = MIN_FLUSH_INTERVAL_MS,
    private readonly clock: BatcherClock = realClock,
    private readonly replace: Undeliverable<T> = undeliverableRunEvent as Undeliverable<T>,
  ) {}

  push(item: T): void {
    this.buffer.push(item);
    // The first event after a quiet period goes out on the next tick; later ones wait for the interval.
    if (this.timer === null) this.schedule();
  }

  private schedule(): void {
    const wait = Math.max(0, this.lastFlushAt + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.onTimer(), Math.ceil(wait));
  }

  /** Node timers can fire a little early against performance.now(): never flush before the interval. */
  private onTimer(): void {
    this.timer = null;
    if (this.clock.now() - this.lastFlushAt < this.intervalMs) this.schedule();
    else this.flush();
  }

  /** Delivers whatever is buffered now (on shutdown, before a window goes away). */
  flush(): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.lastFlushAt = this.clock.now();
    this.deliverSafely(batch);
  }

  /** Runs in a timer: must never throw. */
  private deliverSafely(batch: T[]): void {
    try {
      this.deliver(batch);
      return;
    } catch {
      // Find the item(s) at fault; the others still go out, in order.
    }
    for (const item of batch) {
      try {
        this.deliver([item]);
      } catch (error) {
        try {
          const standIn = this.replace(item, error);
          if (standIn !== null) this.deliver([standIn]);
        } catch (again) {
          process.stderr.write(
            `[fanout events] dropped an event that could not be delivered: ${describe(again)}\n`,
          );
        }
      }
    }
  }

  get pending(): number {
    return this.buffer.length;
  }

  dispose(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.buffer = [];
  }
}

/**
 * Default replacement: a RunEvent (anything with runId, seq and t) becomes an error `log` event with the
 * same runId, seq and t, so the sequence stays gapless; anything else is dropped.
 */
export function undeliverableRunEvent(item: unknown, error: unknown): unknown {
  if (typeof item !== 'object' || item === null) return null;
  const { runId, seq, t, type } = item as { runId?: unknown; seq?: unknown; t?: unknown; type?: unknown };
  if (typeof runId !== 'string' || typeof seq !== 'number' || typeof t !== 'number') return null;
  return {
    type: 'log',
    runId,
    seq,
    t,
    level: 'error',
    message: truncateText(
      `the '${String(type)}' event could not be delivered: ${describe(error)}`,
      MAX_ERROR_MESSAGE_CHARS,
    ),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
