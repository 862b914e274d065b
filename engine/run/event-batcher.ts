// Coalesces a run's events into batches so a chatty run cannot flood a host's channel (Electron IPC,
// serve's WebSocket): at most one flush per interval (≤ 60 per second), nothing dropped, order kept.
// One implementation for every host.

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

export class EventBatcher<T> {
  private buffer: T[] = [];
  private timer: unknown = null;
  private lastFlushAt = -Infinity;

  constructor(
    private readonly deliver: (batch: T[]) => void,
    private readonly intervalMs: number = MIN_FLUSH_INTERVAL_MS,
    private readonly clock: BatcherClock = realClock,
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
    this.deliver(batch);
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
