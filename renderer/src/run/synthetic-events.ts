// Generated RunEvent streams shaped like the engine's, for the reducer's tests and cost measurements
// (a 200-branch fan-out; a long run with thousands of log lines and memory samples).
import type { ParallelResult, RunEvent } from '../../../engine/run/types.ts';

/** Events of one run, each stamped with the next seq and a clock that advances `step` ms per event. */
function recorder(runId: string, step: number) {
  const events: RunEvent[] = [];
  let seq = 0;
  let t = 0;
  return {
    events,
    now: () => t,
    add(e: Record<string, unknown>): void {
      t += step;
      events.push({ runId, seq: seq++, t, ...e } as RunEvent);
    },
  };
}

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
  const { events, add, now } = recorder(runId, 0.5);
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
  add({ type: 'run-finished', status: 'succeeded', ms: now(), state: { done: branches } });
  return events;
}

/** One long node printing `lines` lines with `samples` memory samples spread among them. */
export function syntheticLogRun(runId: string, lines: number, samples: number): RunEvent[] {
  const { events, add, now } = recorder(runId, 0.1);
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
  add({ type: 'node-finished', node: 'work', ms: now(), update: { lines } });
  add({ type: 'run-finished', status: 'succeeded', ms: now(), state: { lines } });
  return events;
}

/**
 * prepare -> `branches` branches of one streamed model call each -> join. Each call streams `tokens`
 * tokens in batches of `perBatch` (the engine coalesces tokens per 50 ms into one llm-tokens event),
 * interleaved across branches as concurrent streams arrive. Branch i's call costs (i + 1) * 0.001 USD.
 */
export function syntheticLlmFanOut(
  runId: string,
  branches: number,
  tokens: number,
  perBatch = 10,
): RunEvent[] {
  const { events, add, now } = recorder(runId, 0.5);
  const names = Array.from({ length: branches }, (_, i) => `ask${i}`);
  add({ type: 'run-started', workflow: 'synthetic-llm', input: {}, workers: 4 });
  add({ type: 'fan-out-started', fanOut: 'prepare', branches: names, fanIn: 'join' });
  const call = (branch: string) => ({ node: branch, callId: `${branch}#1`, fanOut: 'prepare', branch });
  for (const branch of names) {
    add({ type: 'branch-started', fanOut: 'prepare', branch, worker: -1, vmCreateMs: 0 });
    add({ type: 'node-started', node: branch, fanOut: 'prepare', branch });
    add({
      type: 'llm-call-started',
      ...call(branch),
      provider: 'openai',
      model: 'gpt-4o-mini',
      kind: 'chat',
      stream: true,
    });
  }
  for (let sent = 0; sent < tokens; sent += perBatch) {
    const n = Math.min(perBatch, tokens - sent);
    for (const branch of names) {
      add({ type: 'llm-tokens', ...call(branch), text: ' tok'.repeat(n), chunks: n });
    }
  }
  const results: ParallelResult[] = [];
  names.forEach((branch, i) => {
    add({
      type: 'llm-call-finished',
      ...call(branch),
      provider: 'openai',
      model: 'gpt-4o-mini',
      kind: 'chat',
      ok: true,
      latencyMs: now(),
      ttftMs: 1,
      promptTokens: 10,
      completionTokens: tokens,
      costUsd: (i + 1) * 0.001,
      attempts: 1,
      source: 'network',
    });
    add({
      type: 'node-finished',
      node: branch,
      fanOut: 'prepare',
      branch,
      ms: now(),
      update: { [branch]: 'done' },
    });
    const result: ParallelResult = {
      branch,
      success: true,
      state: { [branch]: 'done' },
      error: null,
      error_type: null,
      timeout: false,
      timing_ms: now(),
    };
    results.push(result);
    add({ type: 'branch-finished', fanOut: 'prepare', branch, status: 'succeeded', result });
  });
  add({ type: 'fan-in', fanOut: 'prepare', fanIn: 'join', results });
  add({ type: 'run-finished', status: 'succeeded', ms: now(), state: {} });
  return events;
}
