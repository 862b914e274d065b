// Time budgets and run counts of the property and timing tests, adjustable from the environment so a
// loaded machine (or a soak run) needs no edit. Defaults keep every assertion as strict as on an idle
// machine; only an explicit setting relaxes anything.
//
//   FANOUT_PROPERTY_RUNS=N   every fast-check property runs N cases instead of its own default count
//                            (e.g. 20 for a quick pass, 2000 for a soak); the test's timeout follows N.
//   FANOUT_TIMING_SLACK=S    S ≥ 1 (default 1): multiplies every time budget (test timeouts), and
//                            loosens the timing tests' parallel-vs-sequential ratios by S, never past
//                            "parallel is still clearly faster" (see timingBound).
// No Node imports besides process.env, so the pure engine/workflow tests can use it too.

function positiveNumber(name: string, fallback: number, min: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) {
    throw new Error(`${name} must be a number ≥ ${min}, got '${text}'`);
  }
  return n;
}

/** FANOUT_TIMING_SLACK, ≥ 1. */
export const TIMING_SLACK = positiveNumber('FANOUT_TIMING_SLACK', 1, 1);

/** Vitest's own default test timeout: no property test gets less than this. */
const MIN_TIMEOUT_MS = 30_000;

/**
 * Headroom of a property test's timeout over its measured cost. The costs passed in were measured
 * on the 2-core development machine while other test files and engineers loaded it; the whole unit
 * suite runs two files at a time, so a stall of several times that cost is normal, a hang is not.
 */
const PROPERTY_HEADROOM = 10;

/** Pass it whole as the test's (or block's) vitest options, for `timeout`; `numRuns` goes to fc.assert. */
export interface PropertyBudget {
  numRuns: number;
  timeout: number;
}

/**
 * `runs`: the test's default case count; `msPerRun`: what one case costs when measured (for tests
 * running several fc.assert calls, the cost of one case across all of them).
 */
export function propertyBudget(runs: number, msPerRun: number): PropertyBudget {
  const numRuns = Math.round(positiveNumber('FANOUT_PROPERTY_RUNS', runs, 1));
  const timeout = Math.max(MIN_TIMEOUT_MS, numRuns * msPerRun * PROPERTY_HEADROOM) * TIMING_SLACK;
  return { numRuns, timeout: Math.round(timeout) };
}

/**
 * A timing test's bound on `parallel / sequential` (lower is better), loosened by FANOUT_TIMING_SLACK
 * but never beyond `limit` (e.g. 0.9: parallel must still save at least 10 %). Slack 1 = `idle`.
 */
export function timingBound(idle: number, limit: number): number {
  return Math.min(limit, idle * TIMING_SLACK);
}
