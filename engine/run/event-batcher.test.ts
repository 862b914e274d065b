import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from './types.ts';
import { EventBatcher, MIN_FLUSH_INTERVAL_MS } from './event-batcher.ts';

const event = (seq: number) =>
  ({ type: 'log', runId: 'r', t: seq, seq, level: 'info', message: `${seq}` }) as RunEvent;

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

describe('EventBatcher on real timers', () => {
  it('delivers every event once, in order, in few batches spaced by the interval', async () => {
    const batches: { at: number; seqs: number[] }[] = [];
    const batcher = new EventBatcher<RunEvent>((events) =>
      batches.push({ at: performance.now(), seqs: events.map((e) => e.seq) }),
    );
    let seq = 0;
    const t0 = performance.now();
    // ~200 ms of events arriving every millisecond or so.
    while (performance.now() - t0 < 200) {
      for (let i = 0; i < 20; i++) batcher.push(event(seq++));
      await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, MIN_FLUSH_INTERVAL_MS * 3));
    expect(batches.flatMap((b) => b.seqs)).toEqual(Array.from({ length: seq }, (_, i) => i));
    // At most one flush per interval (generous margin for timer jitter on a loaded machine).
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(200 / MIN_FLUSH_INTERVAL_MS) + 3);
    for (let i = 1; i < batches.length; i++) {
      expect(batches[i]!.at - batches[i - 1]!.at).toBeGreaterThanOrEqual(MIN_FLUSH_INTERVAL_MS * 0.9);
    }
  });

  it('flush() delivers what is queued at once and nothing twice', () => {
    const seen: number[] = [];
    const batcher = new EventBatcher<RunEvent>((events) => seen.push(...events.map((e) => e.seq)));
    batcher.push(event(0));
    batcher.push(event(1));
    batcher.flush();
    batcher.flush();
    expect(seen).toEqual([0, 1]);
  });
});
