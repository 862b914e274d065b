// Collects RunEvents and hands them on in batches: at most one flush per interval, so a chatty run
// costs the browser ~60 messages a second instead of thousands. Nothing is dropped; order is kept.
import type { RunEvent } from '../run/types.ts';

export const FLUSH_INTERVAL_MS = 16;

export class EventBatcher {
  private queue: RunEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = 0;

  constructor(
    private readonly deliver: (events: RunEvent[]) => void,
    private readonly intervalMs = FLUSH_INTERVAL_MS,
  ) {}

  push(event: RunEvent): void {
    this.queue.push(event);
    if (!this.timer) this.schedule();
  }

  private schedule(): void {
    const wait = Math.max(0, this.lastFlush + this.intervalMs - performance.now());
    this.timer = setTimeout(() => this.onTimer(), Math.ceil(wait));
  }

  /** Node timers can fire a little early against performance.now(): never flush before the interval. */
  private onTimer(): void {
    this.timer = null;
    if (performance.now() - this.lastFlush < this.intervalMs) this.schedule();
    else this.flush();
  }

  /** Delivers everything queued now (also used on shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length === 0) return;
    const events = this.queue;
    this.queue = [];
    this.lastFlush = performance.now();
    this.deliver(events);
  }
}
