// Generated RunEvent streams shaped like the engine's, for the reducer's tests and cost measurements
// (a 200-branch fan-out; a long run with thousands of log lines and memory samples).
import type { ParallelResult, RunEvent } from '../../../engine/run/types.ts';

/**
 * prepare -> fan-out to `branches` one-node branches -> join, with a log line and a memory sample each.
 * Branches whose index is in `failing` fail with a LuaError (the fan-in still runs, as the engine does
 * without fail_fast).
 */
export function syntheticFanOut(
  runId: string,
  branches: number,
  failing: readonly number[] = [],
): RunEvent[] {
  const events: RunEvent[] = [];
  let seq = 0;
  let t = 0;
  const add = (e: Record<string, unknown>) => {
    t += 0.5;
    events.push({ runId, seq: seq++, t, ...e } as RunEvent);
  };
  const names = Array.from({ length: branches }, (_, i) => `b${i}`);
  add({ type: 'run-started', workflow: 'synthetic-fan-out', input: { n: branches }, workers: 4 });
  add({ type: 'node-started', node: 'prepare' });
  add({ type: 'node-finished', node: 'prepare', ms: 0.5, update: { ready: true } });
  add({ type: 'fan-out-started', fanOut: 'prepare', branches: names, fanIn: 'join' });
  const results: ParallelResult[] = [];
  names.forEach((branch, i) => {
    const where = { fanOut: 'prepare', branch };
    add({ type: 'branch-started', ...where, worker: i % 4, vmCreateMs: 0.2 });
    add({ type: 'node-started', node: branch, ...where });
    add({ type: 'log', level: 'info', node: branch, message: `hello from ${branch}`, ...where });
    add({ type: 'memory-sample', worker: i % 4, luaHeapBytes: 30_000 + i, rssBytes: 90e6 + i, ...where });
    if (failing.includes(i)) {
      const error = `${branch} gave up`;
      add({
        type: 'node-failed',
        node: branch,
        ms: 1,
        error,
        errorType: 'LuaError',
        line: 1,
        timeout: false,
        ...where,
      });
      const result: ParallelResult = {
        branch,
        success: false,
        state: null,
        error,
        error_type: 'LuaError',
        timeout: false,
        timing_ms: 2,
      };
      results.push(result);
      add({ type: 'branch-finished', ...where, status: 'failed', result, peakHeapBytes: 40_000 });
      return;
    }
    add({ type: 'node-finished', node: branch, ms: 1, update: { [branch]: i }, ...where });
    const result: ParallelResult = {
      branch,
      success: true,
      state: { ready: true, [branch]: i },
      error: null,
      error_type: null,
      timeout: false,
      timing_ms: 2,
    };
    results.push(result);
    add({ type: 'branch-finished', ...where, status: 'succeeded', result, peakHeapBytes: 40_000 });
  });
  add({ type: 'fan-in', fanOut: 'prepare', fanIn: 'join', results });
  add({ type: 'node-started', node: 'join' });
  add({ type: 'node-finished', node: 'join', ms: 1, update: { done: branches } });
  add({ type: 'run-finished', status: 'succeeded', ms: t, state: { done: branches } });
  return events;
}

/** One long node printing `lines` lines with `samples` memory samples spread among them. */
export function syntheticLogRun(runId: string, lines: number, samples: number): RunEvent[] {
  const events: RunEvent[] = [];
  let seq = 0;
  let t = 0;
  const add = (e: Record<string, unknown>) => {
    t += 0.1;
    events.push({ runId, seq: seq++, t, ...e } as RunEvent);
  };
  add({ type: 'run-started', workflow: 'synthetic-log', input: {}, workers: 1 });
  add({ type: 'node-started', node: 'work' });
  const every = samples > 0 ? lines / samples : Infinity;
  let next = 0;
  for (let i = 0; i < lines; i++) {
    add({ type: 'log', level: i % 50 === 0 ? 'warn' : 'info', node: 'work', message: `line ${i}` });
    while (i >= next && samples > 0) {
      next += every;
      add({ type: 'memory-sample', worker: 0, luaHeapBytes: 30_000 + ((i * 7919) % 20_000), rssBytes: 9e7 });
    }
  }
  add({ type: 'node-finished', node: 'work', ms: t, update: { lines } });
  add({ type: 'run-finished', status: 'succeeded', ms: t, state: { lines } });
  return events;
}
