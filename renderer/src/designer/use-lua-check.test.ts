import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostResult } from '../../../engine/host/types.ts';
import type { Problem } from '../../../engine/workflow/types.ts';
import { createDocumentStore } from './document-store.ts';
import { LUA_CHECK_DELAY_MS, startLuaCheck } from './use-lua-check.ts';

const DOC = `name: demo
nodes:
  - name: a
    language: lua
    run: |
      return { x = 1 }
`;

const luaProblem = (line: number): Problem => ({
  severity: 'error',
  code: 'LUA_SYNTAX',
  message: "Lua syntax error in node 'a': unexpected symbol",
  line,
  col: 1,
  node: 'a',
});

/** A host whose validate answers are resolved by the test, in any order. */
function fakeHost() {
  const calls: { text: string; resolve: (r: HostResult<Problem[]>) => void }[] = [];
  const host = {
    validate: (text: string) =>
      new Promise<HostResult<Problem[]>>((resolve) => calls.push({ text, resolve })),
  };
  return { host, calls };
}

describe('startLuaCheck', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('asks the host once the text has been quiet for the delay, keeping only Lua syntax problems', async () => {
    const store = createDocumentStore(DOC, 'demo.yaml');
    const { host, calls } = fakeHost();
    const stop = startLuaCheck(host, store);
    vi.advanceTimersByTime(LUA_CHECK_DELAY_MS - 1);
    expect(calls).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(calls.map((c) => c.text)).toEqual([DOC]);
    const other: Problem = { ...luaProblem(1), code: 'PORTABILITY', severity: 'warning' };
    calls[0]!.resolve({ ok: true, value: [other, luaProblem(6)] });
    await vi.runAllTimersAsync();
    const derived = createDocumentStore(DOC).getState().problems;
    expect(store.getState().problems).toHaveLength(derived.length + 1);
    expect(store.getState().problems.filter((p) => p.code !== 'LUA_SYNTAX')).toEqual(derived);
    expect(store.getState().externalProblems).toEqual([luaProblem(6)]);
    stop();
  });

  it('restarts the wait on each change and drops a stale answer for an older text', async () => {
    const store = createDocumentStore(DOC);
    const { host, calls } = fakeHost();
    const stop = startLuaCheck(host, store);
    vi.advanceTimersByTime(LUA_CHECK_DELAY_MS); // first check of DOC is in flight
    const typed = ['return { x = 2 }', 'return { x = 3 }'].map((code) =>
      DOC.replace('return { x = 1 }', code),
    );
    store.getState().setText(typed[0]!, { label: 'Type', coalesceKey: 'code:a' });
    vi.advanceTimersByTime(LUA_CHECK_DELAY_MS / 2);
    store.getState().setText(typed[1]!, { label: 'Type', coalesceKey: 'code:a' });
    vi.advanceTimersByTime(LUA_CHECK_DELAY_MS - 1);
    expect(calls.map((c) => c.text)).toEqual([DOC]); // typing kept postponing the check
    vi.advanceTimersByTime(1);
    expect(calls.map((c) => c.text)).toEqual([DOC, typed[1]]);
    // The newer answer arrives first, then the stale one for DOC: the stale one is ignored.
    calls[1]!.resolve({ ok: true, value: [luaProblem(6)] });
    calls[0]!.resolve({ ok: true, value: [luaProblem(5), luaProblem(6)] });
    await vi.runAllTimersAsync();
    const lua = store.getState().problems.filter((p) => p.code === 'LUA_SYNTAX');
    expect(lua.map((p) => p.line)).toEqual([6]);
    stop();
    store.getState().setText(DOC, { label: 'Undo-ish' });
    vi.advanceTimersByTime(LUA_CHECK_DELAY_MS * 2);
    expect(calls).toHaveLength(2); // stopped: no more checks
  });

  it("checks documents whose only nodes call actions, keeping the host's UNKNOWN_ACTION warnings", async () => {
    const text = 'name: llm\nnodes:\n  - name: ask\n    uses: llm.call\n';
    const store = createDocumentStore(text);
    const { host, calls } = fakeHost();
    const stop = startLuaCheck(host, store);
    vi.advanceTimersByTime(LUA_CHECK_DELAY_MS);
    expect(calls.map((c) => c.text)).toEqual([text]);
    const unknown: Problem = {
      severity: 'warning',
      code: 'UNKNOWN_ACTION',
      message:
        "Node 'ask' uses action 'llm.call', which is not available in Fanout; a run fails at this node",
      line: 4,
      col: 11,
      node: 'ask',
    };
    const lint: Problem = { ...unknown, code: 'RUN_WITHOUT_LANGUAGE' };
    calls[0]!.resolve({ ok: true, value: [lint, unknown] });
    await vi.runAllTimersAsync();
    expect(store.getState().externalProblems).toEqual([unknown]);
    expect(store.getState().problems.filter((p) => p.code === 'UNKNOWN_ACTION')).toEqual([unknown]);
    stop();
  });

  it('skips documents without code and ignores failed checks', async () => {
    const store = createDocumentStore('name: empty\nnodes: []\n');
    const { host, calls } = fakeHost();
    const stop = startLuaCheck(host, store);
    vi.advanceTimersByTime(LUA_CHECK_DELAY_MS);
    expect(calls).toHaveLength(0);
    store.getState().setText(DOC, { label: 'Paste' });
    vi.advanceTimersByTime(LUA_CHECK_DELAY_MS);
    calls[0]!.resolve({ ok: false, error: { code: 'INTERNAL', message: 'worker died' } });
    await vi.runAllTimersAsync();
    expect(store.getState().externalProblems).toEqual([]);
    stop();
  });
});
