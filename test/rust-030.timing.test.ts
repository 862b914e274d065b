// TEA-RUST-030 AC1 timing scenarios: parallel branches really overlap. Ratios only (absolute figures are
// in docs/benchmarks.md); this file runs in the "timing" group with no other test loading the cores.
import { describe, expect, it } from 'vitest';
import type { RunEvent, RunResult } from '../engine/index.ts';
import { timingBound, TIMING_SLACK } from './budgets.ts';
import { machineSpeedup } from './cpu-capacity.ts';
import { chainYaml, fanOutSpan, fanOutYaml, results, engineForFile } from './helpers.ts';

const engine = engineForFile();

async function run(yaml: string) {
  const events: RunEvent[] = [];
  const result: RunResult = await engine().run(yaml, { onEvent: (e) => events.push(e) }).result;
  return { result, state: result.state, events };
}

const SLEEP_BRANCH = (name: string) => `sleep(100) return { ${name} = true }`;
const CPU_BRANCH = (name: string) =>
  `local s = 0 for i = 1, 6000000 do s = s + i % 7 end return { ${name} = s }`;

/**
 * A timing measurement is retried up to ATTEMPTS times, stopping at the first that passes, and the
 * assertion is on the best attempt: load can only slow a run down (and slows the parallel one more,
 * as it needs both cores), so the best attempt is the closest to an idle machine. The bound itself
 * is the idle one unless FANOUT_TIMING_SLACK is set (test/budgets.ts).
 */
const ATTEMPTS = 3;
const TIMEOUT_MS = 120_000 * TIMING_SLACK;

async function bestRatio(
  measure: () => Promise<number>,
  bound: number,
): Promise<{ best: number; all: number[] }> {
  const all: number[] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    all.push(await measure());
    if (Math.min(...all) < bound) break;
  }
  return { best: Math.min(...all), all };
}

const round2 = (xs: number[]) => xs.map((x) => Math.round(x * 100) / 100);

describe('AC1: parallel branches execute concurrently', () => {
  it(
    'RUST-030-INT-001 true parallelism timing: 4 × sleep(100) run at once, not one after another',
    async () => {
      const branches = {
        b1: SLEEP_BRANCH('b1'),
        b2: SLEEP_BRANCH('b2'),
        b3: SLEEP_BRANCH('b3'),
        b4: SLEEP_BRANCH('b4'),
      };
      await run(fanOutYaml({ branches })); // warm: first VM use in each worker
      // 4 × 100 ms in sequence is ≥ 400 ms; in parallel the fan-out takes ~100 ms plus overhead.
      const bound = timingBound(0.6, 0.9);
      const { best, all } = await bestRatio(async () => {
        const parallel = await run(fanOutYaml({ branches }));
        const sequential = await run(chainYaml(Object.values(branches)));
        expect(parallel.result.status).toBe('succeeded');
        expect(results(parallel.state).every((r) => r.success)).toBe(true);
        expect(sequential.result.ms).toBeGreaterThanOrEqual(400);
        return fanOutSpan(parallel.events) / sequential.result.ms;
      }, bound);
      console.log(
        `INT-001 fan-out / sequential per attempt: ${round2(all).join(', ')} (bound ${round2([bound])})`,
      );
      expect(best, `fan-out / sequential per attempt: ${round2(all).join(', ')}`).toBeLessThan(bound);
    },
    TIMEOUT_MS,
  );

  it(
    'RUST-030-INT-002 CPU-bound parallel execution speeds up on a multi-core machine',
    async () => {
      const branches = {
        c1: CPU_BRANCH('c1'),
        c2: CPU_BRANCH('c2'),
        c3: CPU_BRANCH('c3'),
        c4: CPU_BRANCH('c4'),
      };
      await run(fanOutYaml({ branches }));
      // One attempt interleaves three rounds and compares the best of each: a momentary stall of the
      // shared machine then hits one sample, not the comparison. Next to it, the same control of what
      // the machine itself offers (test/cpu-capacity.ts): when other work holds the cores, even two
      // plain threads cannot reach the bound, so the demand drops to 80 % of that control.
      const attempt = async () => {
        const machine = await machineSpeedup();
        const parallelMs: number[] = [];
        const sequentialMs: number[] = [];
        for (let round = 0; round < 3; round++) {
          const parallel = await run(fanOutYaml({ branches }));
          expect(results(parallel.state).every((r) => r.success)).toBe(true);
          parallelMs.push(fanOutSpan(parallel.events));
          sequentialMs.push((await run(chainYaml(Object.values(branches)))).result.ms);
        }
        const speedup = Math.min(...sequentialMs) / Math.min(...parallelMs);
        // Ideal on 2 cores is 2×; demand a clear speedup (1.3×) with a wide margin for a noisy machine.
        // Idle, the control is ~2× and 80 % of it is above 1.3, so the idle bound is unchanged.
        const required = Math.min(1 / timingBound(1 / 1.3, 0.9), 0.8 * machine);
        return { speedup, machine, required };
      };
      const tried: Awaited<ReturnType<typeof attempt>>[] = [];
      for (let i = 0; i < ATTEMPTS; i++) {
        tried.push(await attempt());
        if (tried.at(-1)!.speedup > tried.at(-1)!.required) break;
      }
      const best = tried.reduce((a, b) => (b.speedup / b.required > a.speedup / a.required ? b : a));
      const report = tried
        .map(
          (t) =>
            `${t.speedup.toFixed(2)}× (machine ${t.machine.toFixed(2)}×, required ${t.required.toFixed(2)}×)`,
        )
        .join('; ');
      console.log(`INT-002 speedup per attempt: ${report}`);
      expect(best.speedup, `speedup per attempt: ${report}`).toBeGreaterThan(best.required);
    },
    TIMEOUT_MS,
  );
});
