import { describe, expect, it } from 'vitest';
import type { HostResult, RunRequest } from '../../../engine/host/types.ts';
import type { JsonObject, RunEvent } from '../../../engine/run/types.ts';
import { loadWorkflow } from '../../../engine/workflow/load.ts';
import { createDocumentStore } from '../designer/document-store.ts';
import {
  buildRunRequest,
  configInterrupts,
  createRunController,
  defaultInputText,
  detectRename,
  documentKey,
  followDocument,
  parseRunInput,
  shownRun,
  type DocumentSnapshot,
} from './run-controller.ts';
import { createRunSessionStore } from './run-session.ts';
import { createRunStore, docRunIds, runOutcome, shownRunId } from './run-store.ts';
import { syntheticFanOut } from './synthetic-events.ts';

const YAML = `name: demo
initial_state:
  n: 1
  label: hi
config:
  interrupt_before: [check]
  interrupt_after: done
nodes:
  - name: prepare
    run: return {}
  - name: check
    run: return {}
  - name: done
    run: return {}
`;

const snapshot = (text = YAML, path: string | null = 'flows/demo.yaml'): DocumentSnapshot => ({
  text,
  path,
  model: loadWorkflow(text).model,
});

describe('run input', () => {
  it('defaults to the pretty-printed initial_state', () => {
    expect(defaultInputText(snapshot().model)).toBe('{\n  "n": 1,\n  "label": "hi"\n}');
    expect(defaultInputText(null)).toBe('{}');
  });
  it('accepts an object and an empty text, refuses the rest saying where', () => {
    expect(parseRunInput('{"a": [1, 2]}')).toEqual({ ok: true, value: { a: [1, 2] } });
    expect(parseRunInput('  ')).toEqual({ ok: true, value: {} });
    const bad = parseRunInput('{\n  "a": 1,\n  oops\n}');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/not valid JSON.*line 3/s);
    for (const [text, kind] of [
      ['[1]', 'an array'],
      ['3', 'a number'],
      ['null', 'null'],
    ]) {
      const r = parseRunInput(text!);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toContain(`not ${kind}`);
    }
  });
});

describe('requests', () => {
  it('reads config.interrupt_before/after (list or single name)', () => {
    expect(configInterrupts(snapshot().model)).toEqual({ before: ['check'], after: ['done'] });
    expect(configInterrupts(null)).toEqual({ before: [], after: [] });
  });
  it('merges session breakpoints with the config ones, none for a node alone', () => {
    const doc = snapshot();
    expect(buildRunRequest(doc, { mode: 'full', input: { n: 2 } }, ['prepare', 'check'])).toEqual({
      text: YAML,
      path: 'flows/demo.yaml',
      input: { n: 2 },
      interruptBefore: ['prepare', 'check'],
      interruptAfter: ['done'],
    });
    expect(buildRunRequest(doc, { mode: 'from', node: 'check', input: { n: 5 } }, [])).toMatchObject({
      startAt: 'check',
      input: { n: 5 },
      interruptBefore: ['check'],
    });
    const alone = buildRunRequest(doc, { mode: 'node', node: 'check', input: {} }, ['prepare']);
    expect(alone.only).toBe('check');
    expect(alone.interruptBefore).toBeUndefined();
    expect(alone.startAt).toBeUndefined();
    expect(alone.refuseUnavailableActions).toBeUndefined();
  });
  it('asks the host to refuse unavailable actions only when the user chose it', () => {
    const launch = { mode: 'full', input: {} } as const;
    expect(buildRunRequest(snapshot(), launch, [], true).refuseUnavailableActions).toBe(true);
    expect(buildRunRequest(snapshot(), launch, []).refuseUnavailableActions).toBeUndefined();
  });
  it('detects a single rename, not additions or reorders', () => {
    expect(detectRename(['a', 'b', 'c'], ['a', 'x', 'c'])).toEqual({ from: 'b', to: 'x' });
    expect(detectRename(['a', 'b'], ['a', 'b', 'c'])).toBeNull();
    expect(detectRename(['a', 'b'], ['b', 'a'])).toBeNull();
    expect(detectRename(['a', 'b'], ['x', 'y'])).toBeNull();
    expect(detectRename(['a', 'b'], ['a', 'b'])).toBeNull();
  });
});

/** A host that records requests and plays events into the run store (flushed synchronously). */
function harness(initialDoc = snapshot()) {
  let doc = initialDoc;
  const requests: RunRequest[] = [];
  const resumed: { runId: string; state?: JsonObject; replay?: { runId: string } }[] = [];
  const cancelled: string[] = [];
  let next = 0;
  let refuse: string | null = null;
  const runs = createRunStore({ schedule: () => {} });
  const data = new Map<string, string>();
  const session = createRunSessionStore({
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
  });
  const host = {
    run: async (request: RunRequest): Promise<HostResult<{ runId: string }>> => {
      requests.push(request);
      if (refuse) return { ok: false, error: { code: 'INVALID_WORKFLOW', message: refuse } };
      return { ok: true, value: { runId: `r${++next}` } };
    },
    cancel: async (runId: string): Promise<HostResult<boolean>> => {
      cancelled.push(runId);
      return { ok: true, value: true };
    },
    resume: async (
      runId: string,
      state?: JsonObject,
      options?: { replay?: { runId: string } },
    ): Promise<HostResult<boolean>> => {
      resumed.push({
        runId,
        ...(state ? { state } : {}),
        ...(options?.replay ? { replay: options.replay } : {}),
      });
      return { ok: true, value: true };
    },
  };
  let getDoc = () => doc;
  const controller = createRunController({ host, runs, session, document: () => getDoc() });
  const play = (events: RunEvent[]) => {
    runs.getState().ingest(events);
    runs.getState().flush();
  };
  return {
    controller,
    runs,
    session,
    requests,
    resumed,
    cancelled,
    play,
    setDoc: (d: DocumentSnapshot) => (doc = d),
    setDocGetter: (get: () => DocumentSnapshot) => (getDoc = get),
    refuseWith: (m: string | null) => (refuse = m),
  };
}

/** A finished main-line run prepare -> check -> done, starting from `input`. */
function linearRun(runId: string, input: JsonObject): RunEvent[] {
  let seq = 0;
  const e = (x: Record<string, unknown>) => ({ runId, seq: seq++, t: seq, ...x }) as RunEvent;
  return [
    e({ type: 'run-started', workflow: 'demo', input, workers: 1 }),
    e({ type: 'node-started', node: 'prepare' }),
    e({ type: 'node-finished', node: 'prepare', ms: 1, update: { prepared: true } }),
    e({ type: 'node-started', node: 'check' }),
    e({ type: 'node-finished', node: 'check', ms: 1, update: { checked: 1 } }),
    e({ type: 'node-started', node: 'done' }),
    e({ type: 'node-finished', node: 'done', ms: 1, update: {} }),
    e({ type: 'run-finished', status: 'succeeded', ms: 7, state: { ...input, prepared: true, checked: 1 } }),
  ];
}

describe('run controller', () => {
  it('runs with the typed input, refusing invalid input by opening the editor', async () => {
    const h = harness();
    h.session.getState().setInput('flows/demo.yaml', '{"n": ');
    const refused = await h.controller.run();
    expect(refused).toMatchObject({ ok: false, reason: 'input' });
    expect(h.controller.store.getState().inputOpen).toBe(true);
    expect(h.requests).toHaveLength(0);
    h.session.getState().setInput('flows/demo.yaml', '{"n": 7}');
    h.session.getState().toggleBreakpoint('flows/demo.yaml', 'prepare');
    expect(await h.controller.run()).toEqual({ ok: true, runId: 'r1' });
    expect(h.requests[0]).toMatchObject({ input: { n: 7 }, interruptBefore: ['prepare', 'check'] });
    expect(h.controller.view.getState()).toEqual({ fileKey: 'flows/demo.yaml', canvasRunId: 'r1' });
  });

  it('uses initial_state when nothing was typed, and reflects run status and pause', async () => {
    const h = harness();
    await h.controller.run();
    expect(h.requests[0]!.input).toEqual({ n: 1, label: 'hi' });
    const state = () => shownRun(h.controller.store.getState(), h.runs.getState());
    expect(state().status).toBe('running');
    h.play([
      { runId: 'r1', seq: 0, t: 0, type: 'run-started', workflow: 'demo', input: { n: 1 }, workers: 1 },
      { runId: 'r1', seq: 1, t: 1, type: 'paused', node: 'check', when: 'before', state: { n: 1 } },
    ]);
    expect(state()).toMatchObject({ status: 'paused', pausedAt: 'check', events: 2 });
    // Busy: a second launch of the same file is refused while paused.
    expect(await h.controller.run()).toMatchObject({ ok: false, reason: 'busy' });
    expect(await h.controller.resume('r1', { n: 9 })).toEqual({ ok: true });
    expect(h.resumed).toEqual([{ runId: 'r1', state: { n: 9 } }]);
    expect(await h.controller.cancel()).toBe(true);
    expect(h.cancelled).toEqual(['r1']);
  });

  it('runs from a node with the state recorded before it in the latest run of this file', async () => {
    const h = harness();
    await h.controller.run();
    h.play(linearRun('r1', { n: 1, label: 'hi' }));
    // A run of another file must not be used.
    h.setDoc(snapshot(YAML, 'other.yaml'));
    await h.controller.run();
    h.play(linearRun('r2', { n: 100 }));
    h.setDoc(snapshot());
    expect(await h.controller.runFrom('check')).toEqual({ ok: true, runId: 'r3' });
    expect(h.requests[2]).toMatchObject({ startAt: 'check', input: { n: 1, label: 'hi', prepared: true } });
    expect(h.controller.view.getState().canvasRunId).toBe('r3');
    // Run alone: recorded state too, no breakpoints.
    h.play(linearRun('r3', { n: 1 }));
    await h.controller.runNode('done');
    expect(h.requests[3]).toMatchObject({ only: 'done', input: { n: 1, prepared: true, checked: 1 } });
    expect(h.requests[3]!.interruptBefore).toBeUndefined();
  });

  it('falls back to the input merged over initial_state when no state was recorded, finds branch nodes', async () => {
    const h = harness();
    h.session.getState().setInput('flows/demo.yaml', '{"n": 3}');
    await h.controller.runFrom('check');
    expect(h.requests[0]).toMatchObject({ startAt: 'check', input: { n: 3, label: 'hi' } });
    expect(h.controller.store.getState().notes['flows/demo.yaml']).toContain(
      'No state was recorded before check',
    );
    h.play(syntheticFanOut('r1', 3));
    await h.controller.runNode('b1');
    // The branch's head saw the state at the fan-out.
    expect(h.requests[1]).toMatchObject({ only: 'b1', input: { n: 3, ready: true } });
    h.play([{ runId: 'r2', seq: 0, t: 0, type: 'run-finished', status: 'succeeded', ms: 1, state: {} }]);
    // ... but a branch node cannot be a "run from here" target: the recorded main-line state is absent.
    await h.controller.runFrom('b1');
    expect(h.requests[2]!.input).toEqual({ n: 3, label: 'hi' });
  });

  it('re-runs the last launch of this file, and reports a host refusal as failed', async () => {
    const h = harness();
    await h.controller.run();
    h.play(linearRun('r1', { n: 1 }));
    await h.controller.runFrom('done');
    h.play(linearRun('r2', { n: 1 }));
    h.session.getState().setInput('flows/demo.yaml', '{"changed": true}');
    await h.controller.rerun();
    expect(h.requests[2]).toEqual({ ...h.requests[1], text: YAML });
    h.play(linearRun('r3', { n: 1 }));
    h.refuseWith('bad yaml');
    expect(await h.controller.run()).toMatchObject({ ok: false, reason: 'host' });
    expect(shownRun(h.controller.store.getState(), h.runs.getState())).toMatchObject({
      status: 'failed',
      error: 'INVALID_WORKFLOW: bad yaml',
    });
  });

  it('moves input, breakpoints and runs of an untitled document to its saved path', async () => {
    const h = harness(snapshot(YAML, null));
    h.session.getState().setInput('untitled', '{"x": 1}');
    h.session.getState().toggleBreakpoint('untitled', 'check');
    await h.controller.run();
    h.controller.moveFile(null, 'saved.yaml');
    h.setDoc(snapshot(YAML, 'saved.yaml'));
    expect(h.session.getState().inputs['saved.yaml']).toBe('{"x": 1}');
    expect(h.session.getState().breakpoints['saved.yaml']).toEqual(['check']);
    expect(h.controller.view.getState()).toEqual({ fileKey: 'saved.yaml', canvasRunId: 'r1' });
  });
});

describe('following the document', () => {
  it('tracks the open file and moves a breakpoint when its node is renamed by an edit', () => {
    const h = harness();
    const doc = createDocumentStore('');
    doc.getState().open(YAML, 'flows/demo.yaml');
    const stop = followDocument(doc, h.controller);
    expect(h.controller.view.getState().fileKey).toBe('flows/demo.yaml');
    h.session.getState().toggleBreakpoint('flows/demo.yaml', 'check');
    doc.getState().setText(YAML.replace('name: check', 'name: verify'), { label: 'Rename' });
    expect(h.session.getState().breakpoints['flows/demo.yaml']).toEqual(['verify']);
    doc.getState().undo();
    expect(h.session.getState().breakpoints['flows/demo.yaml']).toEqual(['check']);
    // Opening another document with a different node name is not a rename.
    doc.getState().open(YAML.replace('name: check', 'name: other'), 'flows/demo.yaml');
    expect(h.session.getState().breakpoints['flows/demo.yaml']).toEqual(['check']);
    doc.getState().open(YAML, 'b.yaml');
    expect(h.controller.view.getState().fileKey).toBe('b.yaml');
    stop();
  });
});

describe('one document, one view', () => {
  /** A harness whose document is a real document store followed by the controller. */
  function followed() {
    const doc = createDocumentStore('');
    const h = harness();
    h.setDocGetter(() => {
      const s = doc.getState();
      return { text: s.text, path: s.path, model: s.load.model, openId: s.openId };
    });
    const stop = followDocument(doc, h.controller);
    const key = () => h.controller.store.getState().fileKey;
    const shown = () => shownRunId(h.runs.getState(), key());
    return { doc, h, stop, key, shown };
  }

  it('gives every untitled document its own key, so New → Blank shows no earlier run', async () => {
    expect(documentKey('a.yaml', 3)).toBe('a.yaml');
    expect(documentKey(null, 3)).toBe('untitled:3');
    const { doc, h, stop, key, shown } = followed();
    doc.getState().open(YAML, null);
    const first = key();
    await h.controller.run();
    h.play(linearRun('r1', {}));
    expect(shown()).toBe('r1');
    expect(h.controller.view.getState().canvasRunId).toBe('r1');
    doc.getState().open(YAML, null); // New → Blank again: same (empty) path, another document
    expect(key()).not.toBe(first);
    expect(shown()).toBeNull();
    expect(h.controller.view.getState().canvasRunId).toBeNull();
    expect(shownRun(h.controller.store.getState(), h.runs.getState()).status).toBe('idle');
    expect(docRunIds(h.runs.getState(), first)).toEqual(['r1']);
    stop();
  });

  it('switching files shows each its own runs; a background run keeps updating its own document', async () => {
    const { doc, h, stop, shown } = followed();
    doc.getState().open(YAML, 'a.yaml');
    await h.controller.run(); // r1 for a.yaml, still running
    h.play(linearRun('r1', {}).slice(0, 3));
    doc.getState().open(YAML, 'b.yaml');
    expect(shown()).toBeNull();
    expect(shownRun(h.controller.store.getState(), h.runs.getState()).status).toBe('idle');
    // b.yaml can run while a.yaml's run goes on.
    expect(await h.controller.run()).toEqual({ ok: true, runId: 'r2' });
    h.play(linearRun('r2', {}));
    h.play(linearRun('r1', {}).slice(3));
    expect(shown()).toBe('r2');
    doc.getState().open(YAML, 'a.yaml');
    expect(shown()).toBe('r1');
    expect(h.runs.getState().runs['r1']!.status).toBe('succeeded');
    expect(shownRun(h.controller.store.getState(), h.runs.getState())).toMatchObject({
      status: 'succeeded',
      runId: 'r1',
    });
    stop();
  });

  it('moves the runs of an untitled document to the path it is saved as, even mid-launch', async () => {
    const { doc, h, stop, key, shown } = followed();
    doc.getState().open(YAML, null);
    const untitled = key();
    h.session.getState().setInput(untitled, '{"n": 4}');
    await h.controller.run();
    const launch = h.controller.run(); // busy: r1 still running
    expect(await launch).toMatchObject({ ok: false, reason: 'busy' });
    h.play(linearRun('r1', {}));
    const pending = h.controller.rerun(); // answered after the Save as below
    doc.getState().markSaved('saved.yaml', 1);
    expect(key()).toBe('saved.yaml');
    expect(await pending).toEqual({ ok: true, runId: 'r2' });
    h.play(linearRun('r2', {}));
    expect(docRunIds(h.runs.getState(), 'saved.yaml')).toEqual(['r1', 'r2']);
    expect(shown()).toBe('r2');
    expect(h.session.getState().inputs['saved.yaml']).toBe('{"n": 4}');
    // The App repeats the move after its own Save as: harmless.
    h.controller.moveFile(null, 'saved.yaml');
    expect(docRunIds(h.runs.getState(), 'saved.yaml')).toEqual(['r1', 'r2']);
    stop();
  });

  it('shows a run with a failed branch as partial in the toolbar status', async () => {
    const h = harness();
    await h.controller.run();
    h.play(syntheticFanOut('r1', 3, [2]));
    const shown = shownRun(h.controller.store.getState(), h.runs.getState());
    expect(shown).toMatchObject({ status: 'partial', label: 'finished · 1 of 3 branches failed' });
    expect(runOutcome(h.runs.getState().runs['r1']!).tone).toBe('partial');
  });

  it('does not remember the input or breakpoints of untitled documents across restarts', () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
    };
    const a = createRunSessionStore(storage);
    a.getState().setInput('untitled:1', '{"n": 1}');
    a.getState().toggleBreakpoint('untitled:1', 'x');
    a.getState().setInput('kept.yaml', '{}');
    const b = createRunSessionStore(storage);
    expect(b.getState().inputs).toEqual({ 'kept.yaml': '{}' });
    expect(b.getState().breakpoints).toEqual({});
  });
});

/** linearRun with one model call in `check` (answered from `source`). */
function llmRun(runId: string, input: JsonObject, source: 'network' | 'replay' = 'network'): RunEvent[] {
  const events = linearRun(runId, input);
  const at = events.findIndex((e) => e.type === 'node-finished' && e.node === 'check');
  const call = { node: 'check', callId: 'check#1', provider: 'openai', model: 'gpt-4o', kind: 'chat' };
  const extra = [
    { type: 'llm-call-started', ...call, stream: false },
    {
      type: 'llm-call-finished',
      ...call,
      ok: true,
      latencyMs: 5,
      promptTokens: 3,
      completionTokens: 2,
      costUsd: 0.001,
      attempts: 1,
      source,
    },
  ].map((x) => ({ runId, seq: 0, t: 0, ...x }) as RunEvent);
  const all = [...events.slice(0, at), ...extra, ...events.slice(at)];
  return all.map((e, i) => ({ ...e, seq: i, t: i }));
}

describe('recorded responses', () => {
  it('re-runs a run with its recorded responses: same mode, node and input, replay of that run', async () => {
    const h = harness();
    expect(h.controller.recordedRun()).toEqual({ ok: false, reason: 'Run the workflow first' });
    await h.controller.run();
    h.play(linearRun('r1', { n: 1 }));
    expect(h.controller.recordedRun()).toEqual({ ok: false, reason: 'That run made no model calls' });
    await h.controller.runFrom('check');
    h.play(llmRun('r2', { n: 1, prepared: true }));
    expect(await h.controller.rerunRecorded()).toEqual({ ok: true, runId: 'r3' });
    expect(h.requests[2]).toEqual({ ...h.requests[1], replay: { runId: 'r2' } });
    expect(h.controller.store.getState().replays).toEqual({ r3: 'r2' });
    expect(h.controller.store.getState().notes['flows/demo.yaml']).toBe(
      'Model calls answer from the recorded responses of run #2.',
    );
    h.play(llmRun('r3', { n: 1, prepared: true }, 'replay'));
    // An older run (from its History row): its own mode and recorded input, not the last launch.
    h.play(llmRun('r0', { n: 42 }));
    h.runs.getState().assign('r0', 'flows/demo.yaml');
    await h.controller.rerunRecorded('r0');
    expect(h.requests[3]).toMatchObject({ input: { n: 42 }, replay: { runId: 'r0' } });
    expect(h.requests[3]!.startAt).toBeUndefined();
  });

  it('"Use recorded responses" replays Run, Re-run and Run from here from the right run', async () => {
    const h = harness();
    h.controller.setUseRecorded(true);
    // Nothing recorded yet: the run asks the models and says so.
    await h.controller.run();
    expect(h.requests[0]!.replay).toBeUndefined();
    expect(h.controller.store.getState().notes['flows/demo.yaml']).toMatch(/made model calls: this run asks/);
    h.play(llmRun('r1', { n: 1 }));
    await h.controller.run();
    expect(h.requests[1]!.replay).toEqual({ runId: 'r1' });
    h.play(linearRun('r2', { n: 5 })); // no model calls: not a source
    // Run from here takes its state from r2 (the latest with it) but r2 made no calls: r1 is replayed.
    await h.controller.runFrom('check');
    expect(h.requests[2]).toMatchObject({ startAt: 'check', input: { n: 5, prepared: true } });
    expect(h.requests[2]!.replay).toEqual({ runId: 'r1' });
    h.play(llmRun('r3', { n: 5, prepared: true }, 'replay'));
    // Now the state comes from r3, which made calls: its recording answers.
    await h.controller.runFrom('done');
    expect(h.requests[3]!.replay).toEqual({ runId: 'r3' });
    h.play(llmRun('r4', { n: 5 }, 'replay'));
    await h.controller.rerun();
    expect(h.requests[4]!.replay).toEqual({ runId: 'r4' });
    h.play(llmRun('r5', { n: 5 }, 'replay'));
    // Off again: nothing replays.
    h.controller.setUseRecorded(false);
    await h.controller.rerun();
    expect(h.requests[5]!.replay).toBeUndefined();
  });

  it('Continue with "Use recorded responses" on answers the rest from the latest recorded run', async () => {
    const h = harness();
    await h.controller.run();
    h.play(llmRun('r1', { n: 1 }));
    await h.controller.run();
    h.play([
      { runId: 'r2', seq: 0, t: 0, type: 'run-started', workflow: 'demo', input: { n: 1 }, workers: 1 },
      { runId: 'r2', seq: 1, t: 1, type: 'paused', node: 'check', when: 'before', state: { n: 1 } },
    ]);
    // Off: a plain Continue.
    expect(await h.controller.resume('r2')).toEqual({ ok: true });
    expect(h.resumed.at(-1)).toEqual({ runId: 'r2' });
    h.controller.setUseRecorded(true);
    expect(await h.controller.resume('r2', { n: 2 })).toEqual({ ok: true });
    expect(h.resumed.at(-1)).toEqual({ runId: 'r2', state: { n: 2 }, replay: { runId: 'r1' } });
    expect(h.controller.store.getState().replays['r2']).toBe('r1');
    expect(h.controller.store.getState().replayAfter['r2']).toBe('check');
    // A run that replays already is not switched again.
    expect(await h.controller.resume('r2')).toEqual({ ok: true });
    expect(h.resumed.at(-1)).toEqual({ runId: 'r2' });
  });
});
