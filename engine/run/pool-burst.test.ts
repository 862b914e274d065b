// PoolOptions.burstWorkers: a burst of short branches stays on that many worker processes, while
// branches whose Lua runs longer than BURST_WAKE_DELAY_MS still get every worker. Real runs on real
// workers; ratios with wide margins (the machine is shared).
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type RunEvent } from '../index.ts';
import { eventsOf, fanOutSpan, fanOutYaml, results } from '../../test/helpers.ts';

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
  it('runs a burst of short branches on one worker of four when burstWorkers is 1', async () => {
    engine = createEngine({ size: 4, burstWorkers: 1 });
    await engine.start();
    const yaml = luaBranches(60, (i) => `return { value = ${i} }`);
    await run(yaml); // warm
    const { events, result } = await run(yaml);
    expect(results(result.state).every((r) => r.success)).toBe(true);
    const perWorker = new Map<number, number>();
    for (const e of eventsOf(events, 'branch-started'))
      perWorker.set(e.worker!, (perWorker.get(e.worker!) ?? 0) + 1);
    const busiest = Math.max(...perWorker.values());
    console.info(`[burst] branches per worker: ${JSON.stringify(Object.fromEntries(perWorker))}`);
    // Without the bound each of the 4 workers takes about a quarter. A request held up past 5 ms (a
    // loaded machine) lets another worker take a branch now and then.
    expect(busiest).toBeGreaterThanOrEqual(40);
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
