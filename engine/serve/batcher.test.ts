import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../run/types.ts';
import { EventBatcher, FLUSH_INTERVAL_MS } from './batcher.ts';

const event = (seq: number) =>
  ({ type: 'log', runId: 'r', t: seq, seq, level: 'info', message: `${seq}` }) as RunEvent;

describe('EventBatcher', () => {
  it('delivers every event once, in order, in few batches spaced by the interval', async () => {
    const batches: { at: number; seqs: number[] }[] = [];
    const batcher = new EventBatcher((events) =>
      batches.push({ at: performance.now(), seqs: events.map((e) => e.seq) }),
    );
    let seq = 0;
    const t0 = performance.now();
    // ~200 ms of events arriving every millisecond or so.
    while (performance.now() - t0 < 200) {
      for (let i = 0; i < 20; i++) batcher.push(event(seq++));
      await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, FLUSH_INTERVAL_MS * 3));
    expect(batches.flatMap((b) => b.seqs)).toEqual(Array.from({ length: seq }, (_, i) => i));
    // At most one flush per interval (generous margin for timer jitter on a loaded machine).
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(200 / FLUSH_INTERVAL_MS) + 3);
    for (let i = 1; i < batches.length; i++) {
      expect(batches[i]!.at - batches[i - 1]!.at).toBeGreaterThanOrEqual(FLUSH_INTERVAL_MS * 0.9);
    }
  });

  it('flush() delivers what is queued at once and nothing twice', () => {
    const seen: number[] = [];
    const batcher = new EventBatcher((events) => seen.push(...events.map((e) => e.seq)));
    batcher.push(event(0));
    batcher.push(event(1));
    batcher.flush();
    batcher.flush();
    expect(seen).toEqual([0, 1]);
  });
});
