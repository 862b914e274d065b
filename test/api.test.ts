// RUST-030-E2E-005: the public engine API stays stable. This file uses only engine/index.ts.
import { afterAll, describe, expect, it } from 'vitest';
import * as api from '../engine/index.ts';

describe('RUST-030-E2E-005 public API stability', () => {
  it('exports the documented entry points', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'ActionRegistry',
        'Engine',
        'RunRequestError',
        'UnavailableActionsError',
        'WorkflowInvalidError',
        'buildGraph',
        'createDefaultRegistry',
        'createEngine',
        'loadWorkflow',
        'loadWorkflowFile',
        'luaSyntaxProblems',
        'sharedRegistry',
      ].sort(),
    );
    const engine = api.createEngine({ size: 1 });
    for (const method of [
      'start',
      'load',
      'loadFile',
      'validate',
      'run',
      'cancel',
      'registerAction',
      'close',
    ]) {
      expect(typeof (engine as unknown as Record<string, unknown>)[method]).toBe('function');
    }
    return engine.close();
  });

  const engine = api.createEngine({ size: 1 });
  afterAll(() => engine.close());

  it('load -> validate -> run -> events -> final state, and registerAction, through the API only', async () => {
    engine.registerAction('api.double', (params) => ({ doubled: Number(params.n) * 2 }));
    const load = engine.load(
      `name: api
nodes:
  - name: double
    uses: api.double
    with:
      n: "{{ state.n }}"
    output: out
    goto: show
  - name: show
    language: lua
    run: |
      print("doubled", state.out.doubled)
      return { shown = state.out.doubled }
    goto: __end__
`,
    );
    expect(await engine.validate(load)).toEqual([]);
    const events: api.RunEvent[] = [];
    const handle = engine.run(load, { input: { n: 21 }, onEvent: (e) => events.push(e) });
    expect(typeof handle.runId).toBe('string');
    const result = await handle.result;
    expect(result).toMatchObject({ status: 'succeeded', state: { n: 21, out: { doubled: 42 }, shown: 42 } });
    expect(events[0]?.type).toBe('run-started');
    expect(events.at(-1)?.type).toBe('run-finished');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events.some((e) => e.type === 'log' && e.message === 'doubled\t42')).toBe(true);
  });

  it('validate reports Lua syntax errors with the file line', async () => {
    const load = engine.load(
      `name: syntax
nodes:
  - name: broken
    language: lua
    run: |
      local x = 1
      return { x = x +
    goto: __end__
`,
      'syntax.yaml',
    );
    const problems = await engine.validate(load);
    const lua = problems.find((p) => p.code === 'LUA_SYNTAX');
    expect(lua).toMatchObject({ node: 'broken', file: 'syntax.yaml', severity: 'error' });
    expect(lua!.line).toBeGreaterThanOrEqual(6);
  });
});
