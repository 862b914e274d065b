// Model calls in the run store: streamed text grows on its call and row, totals per row, per branch
// and per run, bounds on kept text, and the engine's run-finished totals winning.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../engine/run/types.ts';
import { applyEvents, emptyRuns, LIMITS, llmTotalsByNode, rowLlmTotals } from './run-store.ts';
import type { RunRecord } from './run-store.ts';
import { syntheticLlmFanOut } from './synthetic-events.ts';
import { nodeRunView } from '../designer/canvas/run-status.ts';

const only = (state: ReturnType<typeof emptyRuns>): RunRecord => Object.values(state.runs)[0]!;

describe('run store: model calls', () => {
  it('grows each branch row text while it streams, then totals tokens and cost per branch and run', () => {
    const events = syntheticLlmFanOut('r1', 3, 40, 10);
    const firstFinish = events.findIndex((e) => e.type === 'llm-call-finished');
    // Part way through the stream: half the token batches of each branch applied.
    const tokenEvents = events.filter((e) => e.type === 'llm-tokens');
    const half = events.indexOf(tokenEvents[tokenEvents.length / 2 - 1]!) + 1;
    let state = applyEvents(emptyRuns(), events.slice(0, half));
    const mid = only(state);
    const b0 = mid.rows.find((r) => r.key === 'prepare/ask0')!;
    expect(b0.llmStreaming).toBe(true);
    expect(b0.llmChunks).toBe(20);
    expect(b0.llmText).toBe(' tok'.repeat(20));
    expect(mid.llmCalls.find((c) => c.node === 'ask0')!.text).toBe(' tok'.repeat(20));
    expect(nodeRunView(mid, 'ask0')!.llmPreview).toMatch(/tok tok$/);
    // The rest of the stream, up to (not including) the first finished call.
    state = applyEvents(state, events.slice(half, firstFinish));
    expect(only(state).rows.find((r) => r.key === 'prepare/ask0')!.llmText).toBe(' tok'.repeat(40));
    state = applyEvents(state, events.slice(firstFinish));
    const run = only(state);
    for (let i = 0; i < 3; i++) {
      const row = run.rows.find((r) => r.key === `prepare/ask${i}`)!;
      expect(row.llmStreaming).toBe(false);
      const totals = rowLlmTotals(run, row)!;
      expect(totals).toMatchObject({ calls: 1, promptTokens: 10, completionTokens: 40 });
      expect(totals.costUsd).toBeCloseTo((i + 1) * 0.001, 9);
    }
    expect(run.llmTotals).toMatchObject({
      calls: 3,
      failedCalls: 0,
      promptTokens: 30,
      completionTokens: 120,
    });
    expect(run.llmTotals!.costUsd).toBeCloseTo(0.006, 9);
    expect(llmTotalsByNode(run).get('ask2')!.costUsd).toBeCloseTo(0.003, 9);
    const view = nodeRunView(run, 'ask1')!;
    expect(view.llmPreview).toBeUndefined();
    expect(view.llmTokens).toBe(50);
    const call = run.llmCalls[0]!;
    expect(call).toMatchObject({
      status: 'ok',
      provider: 'openai',
      model: 'gpt-4o-mini',
      ttftMs: 1,
      source: 'network',
    });
  });

  it('sums a branch row over every node of the branch; node rows keep their own', () => {
    const ev: Record<string, unknown>[] = [
      { type: 'run-started', workflow: 'w', input: {}, workers: 1 },
      { type: 'fan-out-started', fanOut: 's', branches: ['a'], fanIn: 'j' },
      { type: 'branch-started', fanOut: 's', branch: 'a', worker: -1, vmCreateMs: 0 },
      { type: 'node-started', node: 'a', fanOut: 's', branch: 'a' },
      ...callEvents('a', { fanOut: 's', branch: 'a' }, 5, 0.01),
      { type: 'node-finished', node: 'a', fanOut: 's', branch: 'a', ms: 1, update: {} },
      { type: 'node-started', node: 'a2', fanOut: 's', branch: 'a' },
      ...callEvents('a2', { fanOut: 's', branch: 'a' }, 7, 0.02),
      { type: 'node-finished', node: 'a2', fanOut: 's', branch: 'a', ms: 1, update: {} },
    ];
    const run = only(applyEvents(emptyRuns(), stamp(ev)));
    const branch = run.rows.find((r) => r.key === 's/a')!;
    const inner = run.rows.find((r) => r.key === 's/a/a2')!;
    expect(rowLlmTotals(run, branch)).toMatchObject({ calls: 2, completionTokens: 12 });
    expect(rowLlmTotals(run, inner)).toMatchObject({ calls: 1, completionTokens: 7 });
    expect(rowLlmTotals(run, branch)!.costUsd).toBeCloseTo(0.03, 9);
  });

  it('keeps at most LIMITS.llmCallText characters of an answer and marks the rest truncated', () => {
    const big = 'x'.repeat(LIMITS.llmCallText / 2 + 10);
    const ev: Record<string, unknown>[] = [
      { type: 'run-started', workflow: 'w', input: {}, workers: 1 },
      { type: 'node-started', node: 'n' },
      {
        type: 'llm-call-started',
        node: 'n',
        callId: 'n#1',
        provider: 'mock',
        model: 'm',
        kind: 'chat',
        stream: true,
      },
      { type: 'llm-tokens', node: 'n', callId: 'n#1', text: big, chunks: 1 },
      { type: 'llm-tokens', node: 'n', callId: 'n#1', text: big, chunks: 1 },
      { type: 'llm-tokens', node: 'n', callId: 'n#1', text: big, chunks: 1 },
    ];
    const run = only(applyEvents(emptyRuns(), stamp(ev)));
    expect(run.llmCalls[0]!.text).toHaveLength(LIMITS.llmCallText);
    expect(run.llmCalls[0]!.textTruncated).toBe(true);
    expect(run.rows[0]!.llmText).toHaveLength(LIMITS.llmRowText);
    expect(run.llmCalls[0]!.chunks).toBe(3);
  });

  it("takes the engine's totals from run-finished (they count calls past the kept ones)", () => {
    const ev: Record<string, unknown>[] = [
      { type: 'run-started', workflow: 'w', input: {}, workers: 1 },
      {
        type: 'run-finished',
        status: 'succeeded',
        ms: 5,
        state: {},
        llm: {
          calls: 9,
          failedCalls: 1,
          promptTokens: 90,
          completionTokens: 900,
          costUsd: 1.5,
          byNode: {},
          byBranch: {
            's/a': { calls: 9, failedCalls: 1, promptTokens: 90, completionTokens: 900, costUsd: 1.5 },
          },
        },
      },
    ];
    const run = only(applyEvents(emptyRuns(), stamp(ev)));
    expect(run.llmTotals).toEqual({
      calls: 9,
      failedCalls: 1,
      promptTokens: 90,
      completionTokens: 900,
      costUsd: 1.5,
    });
    expect(run.llmByLine.get('s/a')!.completionTokens).toBe(900);
  });
});

function callEvents(node: string, where: object, tokens: number, costUsd: number): Record<string, unknown>[] {
  const id = { node, callId: `${node}#1`, ...where };
  return [
    { type: 'llm-call-started', ...id, provider: 'openai', model: 'm', kind: 'chat', stream: false },
    {
      type: 'llm-call-finished',
      ...id,
      provider: 'openai',
      model: 'm',
      kind: 'chat',
      ok: true,
      latencyMs: 3,
      promptTokens: 1,
      completionTokens: tokens,
      costUsd,
      attempts: 1,
      source: 'network',
    },
  ];
}

function stamp(events: Record<string, unknown>[]): RunEvent[] {
  return events.map((e, i) => ({ runId: 'r', seq: i, t: i, ...e }) as RunEvent);
}
