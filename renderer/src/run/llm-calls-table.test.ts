// The Model calls table's logic: column order and values, sorting (flip, numbers first descending,
// blanks last, ties in start order), totals (the engine's exact sums win, replayed and unlisted calls
// counted), and a run built by the real reducer from synthetic events.
import { describe, expect, it } from 'vitest';
import { applyEvents, emptyRuns } from './run-store.ts';
import type { LlmCallRecord, RunRecord } from './run-store.ts';
import {
  CALL_COLUMNS,
  branchLabel,
  callText,
  callsTotals,
  hadModelCalls,
  nextSort,
  sortCalls,
} from './llm-calls-table.ts';
import { syntheticLlmFanOut } from './synthetic-events.ts';

function call(over: Partial<LlmCallRecord> & { key: string }): LlmCallRecord {
  return {
    callId: `${over.key}#1`,
    node: over.key,
    rowKey: over.key,
    provider: 'openai',
    model: 'gpt-4o',
    kind: 'chat',
    stream: false,
    status: 'ok',
    start: 0,
    text: '',
    textTruncated: false,
    chunks: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    ...over,
  };
}

const calls = [
  call({
    key: 'a',
    latencyMs: 300,
    promptTokens: 10,
    completionTokens: 5,
    costUsd: 0.002,
    source: 'network',
  }),
  call({
    key: 'b',
    fanOut: 'plan',
    branch: 'b',
    latencyMs: 100,
    promptTokens: 30,
    completionTokens: 1,
    costUsd: 0.001,
    source: 'replay',
  }),
  call({ key: 'c', status: 'running', promptTokens: 0, source: 'network' }),
  call({
    key: 'd',
    fanOut: 'plan',
    branch: 'd',
    latencyMs: 100,
    promptTokens: 20,
    completionTokens: 9,
    costUsd: 0.004,
    status: 'failed',
    source: 'replay',
  }),
];
const keys = (list: LlmCallRecord[]) => list.map((c) => c.key);

describe('model calls table', () => {
  it('has the twelve columns in the order the issue lists them', () => {
    expect(CALL_COLUMNS.map((c) => c.label)).toEqual([
      'node',
      'branch',
      'provider',
      'model',
      'status',
      'latency',
      'TTFT',
      'tok in',
      'tok out',
      'cost',
      'source',
      'attempts',
    ]);
    expect(branchLabel(calls[0]!)).toBe('main');
    expect(branchLabel(calls[1]!)).toBe('plan/b');
  });

  it('sorts numbers largest first on the first click, flips on the second, keeps blanks last and ties in start order', () => {
    const byLatency = nextSort(null, 'latency');
    expect(byLatency).toEqual({ column: 'latency', direction: 'desc' });
    // c is still running: no latency, last either way; b and d tie at 100 ms and keep start order.
    expect(keys(sortCalls(calls, byLatency))).toEqual(['a', 'b', 'd', 'c']);
    const flipped = nextSort(byLatency, 'latency');
    expect(flipped.direction).toBe('asc');
    expect(keys(sortCalls(calls, flipped))).toEqual(['b', 'd', 'a', 'c']);
    // Text columns start ascending; a new column resets the direction.
    expect(nextSort(flipped, 'node')).toEqual({ column: 'node', direction: 'asc' });
    expect(keys(sortCalls(calls, { column: 'status', direction: 'asc' }))).toEqual(['d', 'a', 'b', 'c']);
    expect(keys(sortCalls(calls, { column: 'tokensIn', direction: 'desc' }))).toEqual(['b', 'd', 'a', 'c']);
    expect(keys(sortCalls(calls, { column: 'cost', direction: 'asc' }))).toEqual(['c', 'b', 'a', 'd']);
    expect(keys(sortCalls(calls, { column: 'source', direction: 'desc' }))).toEqual(['b', 'd', 'a', 'c']);
    // No sort: start order; the input is never reordered in place.
    expect(keys(sortCalls(calls, null))).toEqual(['a', 'b', 'c', 'd']);
    expect(keys(calls)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('totals the finished calls while running, and the engine sums once the run finished', () => {
    const live = callsTotals({ llmCalls: calls, llmTotals: null });
    expect(live).toMatchObject({
      calls: 3,
      failedCalls: 1,
      promptTokens: 60,
      completionTokens: 15,
      latencyMs: 500,
      replayed: 2,
      unlisted: 0,
    });
    expect(live.costUsd).toBeCloseTo(0.007, 9);
    // The store kept details of 4 calls; the engine counted 2,500 (the rest past LIMITS.llmCalls).
    const exact = { calls: 2500, failedCalls: 3, promptTokens: 9000, completionTokens: 800, costUsd: 1.5 };
    expect(callsTotals({ llmCalls: calls, llmTotals: exact })).toMatchObject({ ...exact, unlisted: 2496 });
    expect(hadModelCalls({ llmCalls: [], llmTotals: null })).toBe(false);
    expect(hadModelCalls({ llmCalls: [], llmTotals: exact })).toBe(true);
    expect(hadModelCalls(undefined)).toBe(false);
  });

  it('reads a run the reducer built: one call per branch, branch labels, sums equal to the run totals', () => {
    const state = applyEvents(emptyRuns(), syntheticLlmFanOut('r1', 3, 12, 10));
    const run = Object.values(state.runs)[0] as RunRecord;
    expect(run.llmCalls).toHaveLength(3);
    expect(run.llmCalls.map(branchLabel)).toEqual(['prepare/ask0', 'prepare/ask1', 'prepare/ask2']);
    const totals = callsTotals(run);
    expect(totals.calls).toBe(run.llmTotals!.calls);
    expect(totals.promptTokens + totals.completionTokens).toBe(
      run.llmTotals!.promptTokens + run.llmTotals!.completionTokens,
    );
    const byCost = sortCalls(run.llmCalls, nextSort(null, 'cost'));
    expect(byCost.map((c) => c.node)).toEqual(['ask2', 'ask1', 'ask0']);
  });

  it("shows a streamed call's text, else what its node added (llm.call's content)", () => {
    const nodeStates = new Map([
      [
        'plan/ask',
        {
          before: { q: 1, kept: 'same' },
          after: { q: 1, kept: 'same', answer: { content: 'Paris.', usage: {} }, n: 2 },
        },
      ],
    ]);
    const run = { nodeStates } as unknown as RunRecord;
    expect(callText(run, { text: 'streamed', rowKey: 'plan/ask', status: 'ok' })).toEqual({
      text: 'streamed',
      fromOutput: false,
    });
    expect(callText(run, { text: '', rowKey: 'plan/ask', status: 'ok' })).toEqual({
      text: 'answer: Paris.\n\nn: 2',
      fromOutput: true,
    });
    expect(callText(run, { text: '', rowKey: 'other', status: 'ok' })).toEqual({
      text: '',
      fromOutput: false,
    });
  });
});
