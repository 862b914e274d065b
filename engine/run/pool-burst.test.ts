// PoolOptions.burstWorkers: a burst of short branches stays on that many worker processes, while
// branches whose Lua runs longer than BURST_WAKE_DELAY_MS still get every worker. Real runs on real
// workers; ratios with wide margins (the machine is shared).
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type RunEvent } from '../index.ts';
import { eventsOf, fanOutSpan, fanOutYaml } from '../../test/helpers.ts';

function luaBranches(count: number, code: (i: number) => string): string {
  return fanOutYaml({
    branches: Object.fromEntries(Array.from({ length: count }, (_, i) => [`b${i}`, code(i)])),
    fanIn: 'return { n = #state.parallel_results }',
  });
}

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

async function run(yaml: string) {
  const events: RunEvent[] = [];
  const result = await engine!.run(yaml, { onEvent: (e) => events.push(e) }).result;
  expect(result.status).toBe('succeeded');
  return { events, result };
}

describe('burstWorkers', () => {
  it('keeps a burst of short branches to one leased worker at a time when burstWorkers is 1', async () => {
    const yaml = luaBranches(60, (i) => `return { value = ${i} }`);
    /** Of the branch starts, the share that saw more than one worker leased (best of 3 runs). */
    const overlap = async (burstWorkers: number, best: (a: number, b: number) => number) => {
      engine = createEngine({ size: 4, burstWorkers });
      await engine.start();
      await run(yaml); // warm
      let share: number | undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        const pool = engine.service.pool;
        let starts = 0;
        let overlapping = 0;
        const result = await engine.run(yaml, {
          onEvent: (e) => {
            if (e.type !== 'branch-started') return;
            starts += 1;
            if (pool.stats().workers.filter((w) => w.busy).length > 1) overlapping += 1;
          },
        }).result;
        expect(result.status).toBe('succeeded');
        const now = overlapping / starts;
        share = share === undefined ? now : best(share, now);
      }
      await engine.close();
      engine = undefined;
      return share!;
    };
    // On a loaded machine a descheduled request passes 5 ms (or its exec its first tick) and another
    // worker is leased for a while: the calmest of 3 runs with the bound, the busiest without.
    const bounded = await overlap(1, Math.min);
    const unbounded = await overlap(4, Math.max);
    console.info(
      `[burst] branch starts with more than one worker leased: burstWorkers 1 ${(bounded * 100).toFixed(0)}%, ` +
        `4 ${(unbounded * 100).toFixed(0)}%`,
    );
    expect(bounded).toBeLessThan(0.25);
    expect(unbounded).toBeGreaterThan(bounded);
  });

  it('still runs sleeping branches on every worker at once', async () => {
    engine = createEngine({ size: 4, burstWorkers: 1 });
    await engine.start();
    const { events } = await run(luaBranches(4, () => 'sleep(200) return {}'));
    const workers = new Set(eventsOf(events, 'branch-started').map((e) => e.worker));
    const span = fanOutSpan(events);
    console.info(`[burst] 4 x sleep(200) on workers ${[...workers].join(',')}: ${span.toFixed(0)} ms`);
    expect(workers.size).toBe(4);
    // One after another would take 800 ms; held back by the bound, 400 ms or more.
    expect(span).toBeLessThan(350);
  });
});
