// `fanout serve` debugging endpoints over real HTTP + WebSocket with the real engine: the run request's
// breakpoint / startAt / only fields, and /api/resume.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunEvent } from '../run/types.ts';
import { startServer } from './server.ts';
import type { ServeHandle } from './server.ts';

const CHAIN = `name: chain
nodes:
  - name: n1
    language: lua
    run: return { a = 1 }
  - name: n2
    language: lua
    run: return { b = state.a + 1 }
edges:
  - {from: __start__, to: n1}
  - {from: n1, to: n2}
  - {from: n2, to: __end__}
`;

let server: ServeHandle;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fanout-resume-'));
  server = await startServer({ root, staticDir: null, workers: 2 });
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

async function api(endpoint: string, body: unknown) {
  const response = await fetch(`${server.origin}/api/${endpoint}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as {
    ok: boolean;
    value?: unknown;
    error?: { code: string; message: string };
  };
  return { status: response.status, json };
}

function connect(): Promise<{ ws: WebSocket; events: RunEvent[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, ['fanout', `fanout.token.${server.token}`]);
  const events: RunEvent[] = [];
  ws.on('message', (data) => events.push(...(JSON.parse(String(data)) as { events: RunEvent[] }).events));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, events }));
    ws.once('error', reject);
  });
}

async function waitFor(events: RunEvent[], match: (e: RunEvent) => boolean, what: string): Promise<RunEvent> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = events.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('/api/run debugging fields and /api/resume', () => {
  it('answers 400 to bad breakpoint, startAt, only and resume payloads', async () => {
    const long = 'x'.repeat(201);
    const cases: [string, unknown, RegExp][] = [
      ['run', { text: CHAIN, interruptBefore: 'n1' }, /'interruptBefore' must be an array, got a string/],
      ['run', { text: CHAIN, interruptAfter: ['n1', 3] }, /'interruptAfter\[1\]' must be a string/],
      ['run', { text: CHAIN, interruptBefore: [''] }, /'interruptBefore\[0\]' must be a node name/],
      ['run', { text: CHAIN, interruptBefore: Array(1001).fill('n1') }, /more than 1000 entries/],
      ['run', { text: CHAIN, startAt: long }, /'startAt' must be a node name of 1 to 200/],
      ['run', { text: CHAIN, only: 5 }, /'only' must be a string, got a number/],
      ['run', { text: CHAIN, startAt: 'n1', only: 'n2' }, /startAt or only, not both/],
      ['resume', {}, /missing field 'runId'/],
      ['resume', { runId: 'r', state: [1] }, /'state' must be a JSON object, got an array/],
      ['resume', { runId: 'r', state: 'x' }, /'state' must be a JSON object, got a string/],
      ['resume', { runId: 'r', extra: true }, /unknown field 'extra'/],
    ];
    for (const [endpoint, body, message] of cases) {
      const reply = await api(endpoint, body);
      expect(reply.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(reply.json.error?.code).toBe('BAD_REQUEST');
      expect(reply.json.error?.message).toMatch(message);
    }
    // Nested deeper than the engine accepts: still a 400, not a 500.
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 300; i++) deep = (deep.d = {}) as Record<string, unknown>;
    const tooDeep = await api('resume', { runId: 'r', state: top });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.json.error?.message).toMatch(/nested deeper/);
    expect((await api('resume', { runId: 'no-such-run' })).json).toEqual({ ok: true, value: false });
  });

  it('pauses at a breakpoint and resumes with an edited state over HTTP + WebSocket', async () => {
    const { ws, events } = await connect();
    const started = await api('run', { text: CHAIN, interruptBefore: ['n2'] });
    expect(started.status).toBe(200);
    const { runId } = started.json.value as { runId: string };
    const mine = (e: RunEvent) => e.runId === runId;
    const paused = await waitFor(events, (e) => mine(e) && e.type === 'paused', 'paused');
    expect(paused).toMatchObject({ type: 'paused', node: 'n2', when: 'before', state: { a: 1 } });
    expect((await api('resume', { runId, state: { a: 41 } })).json).toEqual({ ok: true, value: true });
    const finished = await waitFor(events, (e) => mine(e) && e.type === 'run-finished', 'run-finished');
    expect(finished).toMatchObject({ status: 'succeeded', state: { a: 41, b: 42 } });
    expect(events.filter(mine).find((e) => e.type === 'resumed')).toMatchObject({ edited: true });
    expect((await api('resume', { runId })).json).toEqual({ ok: true, value: false });
    ws.close();
  });

  it('passes startAt and only through to the engine', async () => {
    const { ws, events } = await connect();
    const from = (await api('run', { text: CHAIN, startAt: 'n2', input: { a: 9 } })).json.value as {
      runId: string;
    };
    const only = (await api('run', { text: CHAIN, only: 'n1', input: { z: 1 } })).json.value as {
      runId: string;
    };
    const fromDone = await waitFor(
      events,
      (e) => e.runId === from.runId && e.type === 'run-finished',
      'from run',
    );
    const onlyDone = await waitFor(
      events,
      (e) => e.runId === only.runId && e.type === 'run-finished',
      'only run',
    );
    expect(fromDone).toMatchObject({ status: 'succeeded', state: { a: 9, b: 10 } });
    expect(onlyDone).toMatchObject({ status: 'succeeded', state: { z: 1, a: 1 } });
    const starts = events.filter((e) => e.type === 'run-started');
    expect(starts.find((e) => e.runId === from.runId)).toMatchObject({ mode: 'from', startAt: 'n2' });
    expect(starts.find((e) => e.runId === only.runId)).toMatchObject({ mode: 'node', startAt: 'n1' });
    ws.close();
  });
});
