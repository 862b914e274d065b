import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBatcher, MIN_FLUSH_INTERVAL_MS } from './event-batcher.ts';

const fakeClock = {
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

describe('EventBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers every event in order with at most 60 flushes per second', () => {
    const batches: number[][] = [];
    const flushTimes: number[] = [];
    const batcher = new EventBatcher<number>(
      (b) => {
        batches.push(b);
        flushTimes.push(Date.now());
      },
      MIN_FLUSH_INTERVAL_MS,
      fakeClock,
    );
    // 10 000 events spread over 2 s: one every 0.2 ms.
    let n = 0;
    for (let step = 0; step < 10_000; step++) {
      batcher.push(n++);
      if (step % 5 === 4) vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(100);
    expect(batches.flat()).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    const seconds = (flushTimes.at(-1)! - flushTimes[0]!) / 1000;
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(seconds * 60) + 1);
    expect(batches.length).toBeGreaterThan(seconds * 40); // still streams, not one batch at the end
    for (let i = 1; i < flushTimes.length; i++) {
      expect(flushTimes[i]! - flushTimes[i - 1]!).toBeGreaterThanOrEqual(Math.floor(MIN_FLUSH_INTERVAL_MS));
    }
  });

  it('a lone event goes out at once (next tick), not after a full interval', () => {
    const batches: string[][] = [];
    const batcher = new EventBatcher<string>((b) => batches.push(b), MIN_FLUSH_INTERVAL_MS, fakeClock);
    batcher.push('a');
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(batches).toEqual([['a']]);
  });

  it('flush() delivers immediately; dispose() drops the timer', () => {
    const batches: string[][] = [];
    const batcher = new EventBatcher<string>((b) => batches.push(b), MIN_FLUSH_INTERVAL_MS, fakeClock);
    batcher.push('a');
    batcher.push('b');
    batcher.flush();
    expect(batches).toEqual([['a', 'b']]);
    batcher.push('c');
    batcher.dispose();
    vi.advanceTimersByTime(1000);
    expect(batches).toEqual([['a', 'b']]);
    expect(batcher.pending).toBe(0);
  });
});
