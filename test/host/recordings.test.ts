// Re-run with recorded responses (#13): the host records every run's model exchanges and a run request
// with `replay: { runId }` answers each model call from that run's recording — with the model server
// closed. Real engine (real workers), real local OpenAI-wire server, the HostService both transports use.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../engine/index.ts';
import { FileKeyStore } from '../../engine/host/provider-keys.ts';
import { RunRecordings } from '../../engine/host/run-recordings.ts';
import { HostService, memoryRecentList } from '../../engine/host/service.ts';
import { rootScope } from '../../engine/host/scope.ts';
import type { RunEvent } from '../../engine/run/types.ts';
import {
  completion,
  lastUser,
  sendJson,
  startOpenAiServer,
  type OpenAiServer,
} from '../llm/openai-server.ts';

let engine: Engine;
let server: OpenAiServer;
let dir: string;
let host: HostService;
let serverOpen = false;

beforeAll(async () => {
  engine = await createEngine({ size: 2 });
  server = await startOpenAiServer();
  serverOpen = true;
  // Each answer names its arrival order: a replay that reached the network could not give it again.
  let served = 0;
  server.script('rec', ({ res, body }) => {
    served++;
    sendJson(res, 200, completion(body, `answer #${served} to ${lastUser(body)}`));
  });
  dir = await mkdtemp(join(tmpdir(), 'fanout-recordings-'));
  const keys = new FileKeyStore(join(dir, 'keys.json'));
  await keys.set('openai', 'sk-test-recordings');
  host = new HostService({
    host: 'browser',
    engine,
    info: { appVersion: 'test', platform: process.platform, workers: 2 },
    scope: rootScope(dir),
    recent: memoryRecentList(),
    scratchDir: dir,
    keys,
  });
});

afterAll(async () => {
  await engine?.close();
  if (serverOpen) await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A 3-branch fan-out of llm.call (one topic each), a Lua fan-in, then a main-line llm.call. */
function fanOut(topicB = 'bees', base = server.base): string {
  const topics = ['ants', topicB, 'cats'];
  return `name: recorded-fan-out
settings:
  llm: { provider: openai, api_base: ${base}, model: rec }
nodes:
  - name: plan
    language: lua
    run: |
      return { topic = "insects" }
${topics
  .map(
    (t, i) => `  - name: ask_${i}
    uses: llm.call
    with:
      prompt: "tell me about ${t}"
    output: a${i}`,
  )
  .join('\n')}
  - name: judge
    language: lua
    run: |
      return { judged = #state.parallel_results }
  - name: summary
    uses: llm.call
    with:
      prompt: "summarise {{ state.topic }}"
    output: summary
edges:
  - {from: __start__, to: plan}
  - {from: plan, parallel: [ask_0, ask_1, ask_2], fan_in: judge}
  - {from: ask_0, to: judge}
  - {from: ask_1, to: judge}
  - {from: ask_2, to: judge}
  - {from: judge, to: summary}
  - {from: summary, to: __end__}
`;
}

interface Ran {
  runId: string;
  events: RunEvent[];
  finished: Extract<RunEvent, { type: 'run-finished' }>;
}

async function run(payload: Record<string, unknown>): Promise<Ran> {
  const events: RunEvent[] = [];
  const { runId, done } = await host.run(host.parse('run', payload), { onEvent: (e) => events.push(e) });
  await done;
  const finished = events.find((e) => e.type === 'run-finished');
  if (!finished || finished.type !== 'run-finished') throw new Error('no run-finished event');
  return { runId, events, finished };
}

const calls = (events: RunEvent[]) =>
  events.filter((e): e is Extract<RunEvent, { type: 'llm-call-finished' }> => e.type === 'llm-call-finished');

/** Each llm.call's answer text ({content, usage}): the branches' in parallel_results, then summary's. */
function answers(state: Record<string, unknown>): Record<string, string | undefined> {
  const branches = (state['parallel_results'] ?? []) as { state: Record<string, unknown> | null }[];
  const out: Record<string, string | undefined> = {};
  ['a0', 'a1', 'a2'].forEach((k, i) => (out[k] = (branches[i]?.state?.[k] as { content?: string })?.content));
  out['summary'] = (state['summary'] as { content?: string } | undefined)?.content;
  return out;
}

describe('re-run with recorded responses', () => {
  let recorded: Ran;

  it('records every run; a replay with the server closed gives the same answers, all from the recording', async () => {
    recorded = await run({ text: fanOut() });
    expect(recorded.finished.status).toBe('succeeded');
    expect(calls(recorded.events).map((c) => c.source)).toEqual(Array(4).fill('network'));
    expect(host.recordings.exchangeCount(recorded.runId)).toBe(4);
    const first = answers(recorded.finished.state);
    expect(first).toEqual({
      a0: expect.stringMatching(/^answer #\d to tell me about ants$/),
      a1: expect.stringMatching(/^answer #\d to tell me about bees$/),
      a2: expect.stringMatching(/^answer #\d to tell me about cats$/),
      summary: 'answer #4 to summarise insects',
    });

    const before = server.requests.length;
    await server.close();
    serverOpen = false;
    const replayed = await run({ text: fanOut(), replay: { runId: recorded.runId } });
    expect(replayed.finished.status).toBe('succeeded');
    expect(answers(replayed.finished.state)).toEqual(first);
    const replayedCalls = calls(replayed.events);
    expect(replayedCalls).toHaveLength(4);
    expect(replayedCalls.every((c) => c.ok && c.source === 'replay')).toBe(true);
    // Tokens and cost are the recorded ones: the totals match the original run's.
    expect(replayed.finished.llm?.promptTokens).toBe(recorded.finished.llm?.promptTokens);
    expect(replayed.finished.llm?.completionTokens).toBe(recorded.finished.llm?.completionTokens);
    expect(server.requests.length).toBe(before);

    // A replay keeps the recording it answered from: replaying the replay works too.
    const again = await run({ text: fanOut(), replay: { runId: replayed.runId } });
    expect(answers(again.finished.state)).toEqual(first);
  });

  it('a changed prompt misses clearly: the node fails naming itself and the run', async () => {
    const changed = await run({ text: fanOut('wasps'), replay: { runId: recorded.runId } });
    // A miss is found before the call starts: the node fails, no call is made or counted.
    const failed = changed.events.filter(
      (e): e is Extract<RunEvent, { type: 'node-failed' }> => e.type === 'node-failed',
    );
    expect(failed.map((e) => e.node)).toEqual(['ask_1']);
    expect(failed[0]!.error).toContain(
      `node 'ask_1': the cassette has no recorded answer for this chat request (provider openai, model rec); ` +
        `run ${recorded.runId.slice(0, 8)} made no such call`,
    );
    // The other branches still answered from the recording.
    expect(calls(changed.events).filter((c) => c.ok && c.source === 'replay')).toHaveLength(3);
    const changedAnswers = answers(changed.finished.state);
    expect(changedAnswers['a0']).toBe(answers(recorded.finished.state)['a0']);
    expect(changedAnswers['a1']).toBeUndefined();
  });

  it('run from here replays the model calls of the run it starts from', async () => {
    // The state before `summary` as the run had it: the final state minus what summary added.
    const { summary: _dropped, ...input } = recorded.finished.state;
    const fromHere = await run({
      text: fanOut(),
      startAt: 'summary',
      input,
      replay: { runId: recorded.runId },
    });
    expect(fromHere.finished.status).toBe('succeeded');
    expect(calls(fromHere.events).map((c) => [c.node, c.source])).toEqual([['summary', 'replay']]);
    expect(fromHere.finished.state['summary']).toEqual(recorded.finished.state['summary']);
  });

  it('a paused replay keeps replaying after resume (breakpoints)', async () => {
    const events: RunEvent[] = [];
    const { runId, done } = await host.run(
      host.parse('run', { text: fanOut(), interruptBefore: ['summary'], replay: { runId: recorded.runId } }),
      { onEvent: (e) => events.push(e) },
    );
    await waitFor(() => events.some((e) => e.type === 'paused'));
    expect(await host.resume({ runId })).toBe(true);
    await done;
    const finished = events.find((e) => e.type === 'run-finished');
    expect(finished?.type === 'run-finished' && finished.status).toBe('succeeded');
    expect(calls(events).every((c) => c.source === 'replay')).toBe(true);
    expect(calls(events)).toHaveLength(4);
  });

  it('Continue with recorded responses: a paused run that asked the models goes on from a recording', async () => {
    // Another server, answering differently: the calls before the breakpoint go there.
    const fresh = await startOpenAiServer();
    fresh.script('rec', ({ res, body }) => sendJson(res, 200, completion(body, `fresh: ${lastUser(body)}`)));
    const text = fanOut('bees', fresh.base);
    const events: RunEvent[] = [];
    const { runId, done } = await host.run(host.parse('run', { text, interruptBefore: ['summary'] }), {
      onEvent: (e) => events.push(e),
    });
    await waitFor(() => events.some((e) => e.type === 'paused'));
    await fresh.close();
    // Unknown source: refused, and the run stays paused (no switch happened).
    await expect(host.resume(host.parse('resume', { runId, replay: { runId: 'gone' } }))).rejects.toThrow(
      /run gone has no recorded responses/,
    );
    expect(await host.resume(host.parse('resume', { runId, replay: { runId: recorded.runId } }))).toBe(true);
    await done;
    const finished = events.find((e) => e.type === 'run-finished');
    expect(finished?.type === 'run-finished' && finished.status).toBe('succeeded');
    expect(calls(events).map((c) => [c.node, c.source])).toEqual([
      ...['ask_0', 'ask_1', 'ask_2'].map((n) => [n, 'network']),
      ['summary', 'replay'],
    ]);
    const state = finished?.type === 'run-finished' ? finished.state : {};
    expect(answers(state)).toEqual({
      a0: 'fresh: tell me about ants',
      a1: 'fresh: tell me about bees',
      a2: 'fresh: tell me about cats',
      summary: answers(recorded.finished.state)['summary'],
    });
    // Its recording holds every exchange it used (3 asked, 1 replayed): a replay of it needs no server.
    expect(host.recordings.exchangeCount(runId)).toBe(4);
    const again = await run({ text, replay: { runId } });
    expect(answers(again.finished.state)).toEqual(answers(state));
    expect(calls(again.events).every((c) => c.source === 'replay')).toBe(true);
  });

  it('refuses a replay of a run it keeps no recording of, and a malformed replay field', async () => {
    await expect(
      host.run(host.parse('run', { text: fanOut(), replay: { runId: 'no-such-run' } })),
    ).rejects.toThrow(/run no-such-run has no recorded responses on this host/);
    expect(() => host.parse('run', { text: fanOut(), replay: { runId: '' } })).toThrow(/replay\.runId/);
    expect(() => host.parse('run', { text: fanOut(), replay: 'x' })).toThrow(/replay/);
    expect(() => host.parse('run', { text: fanOut(), replay: { runId: 'a', extra: 1 } })).toThrow(
      /unknown field 'replay.extra'/,
    );
  });
});

describe('RunRecordings bounds', () => {
  const exchange = (i: number) => ({
    node: 'n',
    key: `k${i}`,
    kind: 'chat' as const,
    provider: 'openai',
    model: 'm',
    request: { i },
    answer: { content: 'x'.repeat(100), usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
  });

  it('keeps at most `count` runs, the newest', () => {
    const kept = new RunRecordings({ count: 3, bytesPerRun: 1e6, totalBytes: 1e9 });
    for (let i = 0; i < 5; i++) kept.keep(`run${i}`, kept.recorder());
    expect(['run0', 'run1', 'run2', 'run3', 'run4'].map((id) => kept.has(id))).toEqual([
      false,
      false,
      true,
      true,
      true,
    ]);
  });

  it('stops recording a run at its byte bound and says so in a miss', () => {
    const kept = new RunRecordings({ count: 10, bytesPerRun: 1000, totalBytes: 1e9 });
    const recorder = kept.recorder();
    for (let i = 0; i < 20; i++) recorder.record(exchange(i));
    expect(recorder.incomplete).toBe(true);
    expect(recorder.bytes).toBeLessThanOrEqual(1000);
    expect(recorder.size).toBeGreaterThan(0);
    expect(recorder.size).toBeLessThan(20);
    kept.keep('big', recorder);
    const { store } = kept.replayFrom('big');
    expect(store.lookup('n', 'k0')).not.toBeNull();
    expect(store.lookup('n', 'k19')).toBeNull();
    expect(store.missAdvice).toMatch(/its recording stopped at 1000 bytes/);
  });

  it('drops the oldest recordings past the total byte bound; a replay shares its source', () => {
    const kept = new RunRecordings({ count: 100, bytesPerRun: 1e6, totalBytes: 3000 });
    const fill = (id: string) => {
      const r = kept.recorder();
      for (let i = 0; i < 5; i++) r.record(exchange(i));
      kept.keep(id, r);
      return r.bytes;
    };
    const one = fill('a');
    expect(one).toBeGreaterThan(1000);
    expect(one).toBeLessThan(1500);
    // A replay of `a` adds no bytes of its own.
    kept.keep('a-replay', kept.replayFrom('a').exchanges, 'a');
    fill('b');
    expect([kept.has('a'), kept.has('a-replay'), kept.has('b')]).toEqual([true, true, true]);
    fill('c');
    expect(kept.has('a')).toBe(false);
    expect(kept.has('c')).toBe(true);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
