// TEA's built-in actions that need no outside service, run in real workflows (real workers, real
// wasmoon), each compared with TEA Python's result on the same YAML (recorded once by
// test/fixtures/tea-actions/record.sh into recorded.json; Python is never needed here).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionError, createDefaultRegistry } from '../engine/actions/index.ts';
import type { ActionContext, LuaRunOutcome } from '../engine/actions/index.ts';
import { WorkerPool } from '../engine/run/pool.ts';
import { BranchVm } from '../engine/run/vm-hosts.ts';
import { engineForFile } from './helpers.ts';

const dir = fileURLToPath(new URL('./fixtures/tea-actions/', import.meta.url));
type Recorded = { ok: boolean; error: string | null; final_state: Record<string, unknown> };
const recorded = JSON.parse(readFileSync(join(dir, 'recorded.json'), 'utf8')) as Record<string, Recorded>;
const engine = engineForFile({ size: 2 });

async function runFile(file: string, input: Record<string, unknown> = {}) {
  const load = await engine().loadFile(join(dir, file));
  return engine().run(load, { input }).result;
}

async function runYaml(yaml: string, input: Record<string, unknown> = {}) {
  return engine().run(yaml, { input, baseDir: dir }).result;
}

/** One action node between start and end. */
function oneNode(uses: string, withYaml: string, output = 'out'): string {
  return `name: t\nnodes:\n  - name: act\n    uses: ${uses}\n    with:\n${withYaml
    .trim()
    .split('\n')
    .map((l) => `      ${l}`)
    .join(
      '\n',
    )}\n    output: ${output}\nedges:\n  - {from: __start__, to: act}\n  - {from: act, to: __end__}\n`;
}

/** TEA Python prints a `set`'s members in hash order; compare that message order-free. */
function sortedTypeLists(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value).replace(
      /Must be one of: ([a-z, ]+)/g,
      (_, list: string) => `Must be one of: ${list.split(', ').sort().join(', ')}`,
    ),
  );
}

describe('schema.merge gives TEA Python results', () => {
  it('kubectl-style merge: objects merge, arrays replace, null overrides, nodes merge by name with __delete__; path sources', async () => {
    const tea = recorded['schema-merge.yaml']!.final_state;
    const r = await runFile('schema-merge.yaml');
    expect(r.status).toBe('succeeded');
    expect(r.state['merged']).toEqual(tea['merged']);
    expect(r.state['from_file']).toEqual(tea['from_file']);
    expect(r.state['bad']).toEqual(tea['bad']);
  });

  it('output_key and validate: an invalid merged schema fails as TEA says (TEA here lacks jsonschema; Fanout names the problem)', async () => {
    const tea = recorded['schema-merge.yaml']!.final_state['checked'] as Record<string, unknown>;
    const r = await runFile('schema-merge.yaml');
    const checked = r.state['checked'] as Record<string, unknown>;
    expect(checked['schema']).toEqual(tea['schema']);
    expect(checked['success']).toBe(false);
    expect(checked['error']).toBe(tea['error']);
    expect(checked['validation']).toMatchObject({ valid: false, schema: null });
    expect((checked['validation'] as { errors: string[] }).errors).toEqual([
      'Schema validation error: properties.m.type: "text" is not a JSON Schema type',
    ]);
  });

  it('bad parameters fail the node naming the parameter; a path outside the folder is refused', async () => {
    const r = await runYaml(oneNode('schema.merge', 'schemas: not-a-list'));
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/schema\.merge: parameter 'schemas' must be a list/);
    const outside = await runYaml(oneNode('schema.merge', 'schemas: [{path: ../../../package.json}]'));
    expect(outside.state['out']).toMatchObject({ success: false, error: 'Failed to load schemas' });
    expect(JSON.stringify(outside.state['out'])).toMatch(/outside the allowed base directory/);
  });
});

describe('validate.input / validate.schema give TEA Python results', () => {
  it('coercion, defaults, nested dicts and lists, every error with its path, whole-state default, schema errors', async () => {
    const tea = recorded['validate-input.yaml']!;
    expect(tea.ok).toBe(true);
    // Node whole_state validates the state itself: it needs ActionContext.state (see the last test).
    const r = await runFile('validate-input.yaml');
    const { whole: _w, ...rest } = r.state;
    const { whole: _tw, ...teaRest } = tea.final_state;
    expect(sortedTypeLists(rest)).toEqual(sortedTypeLists(teaRest));
  });

  it('a pattern that could backtrack for ever is refused at once, naming the field', async () => {
    const started = performance.now();
    const r = await runYaml(
      oneNode(
        'validate.input',
        `data: {s: "${'a'.repeat(40)}!"}\nschema: {s: {type: str, pattern: "^(a+)+$"}}`,
      ),
    );
    expect(performance.now() - started).toBeLessThan(10_000);
    const out = r.state['out'] as { valid: boolean; errors: { field: string; message: string }[] };
    expect(out.valid).toBe(false);
    expect(out.errors[0]).toMatchObject({ field: 's', error: 'pattern' });
    expect(out.errors[0]!.message).toMatch(/nested quantifier/);
  });

  it('raise_on_error fails the node with the field messages', async () => {
    const r = await runYaml(
      oneNode('validate.input', 'data: {}\nschema: {q: {type: str, required: true}}\nraise_on_error: true'),
    );
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/validate\.input: Field 'q' is required/);
  });
});

describe('state.set, core.switch, core.return, template, return (in TEA corpus files, in no TEA Python registry)', () => {
  it('TEA Python does not have state.set (recorded)', () => {
    expect(recorded['unknown-in-tea-python.yaml']).toMatchObject({
      ok: false,
      error: 'node a: Unknown action: state.set',
    });
  });

  it('state.set merges its rendered keys, core.switch routes a _route goto map, core.return sets the final keys', async () => {
    const r = await runFile('state-set.yaml', { prompt: 'p', iteration: 0 });
    expect(r.status).toBe('succeeded');
    expect(r.state).toEqual({
      prompt: 'p',
      iteration: 1,
      system_prompt: 'p',
      _route: 'true',
      status: 'success',
      final_prompt: 'p',
    });
    const notYet = await runFile('state-set.yaml', { prompt: 'p', iteration: -1 });
    expect(notYet.state).toMatchObject({ iteration: 0, _route: 'false' });
    expect(notYet.state).not.toHaveProperty('status');
  });

  it('template renders with the engine evaluator; return merges a mapping value', async () => {
    const r = await runYaml(
      oneNode('template', 'template: "Hi {{ state.name | upper }} ({{ state.n * 2 }})"', 'greeting'),
      {
        name: 'ada',
        n: 21,
      },
    );
    expect(r.state['greeting']).toBe('Hi ADA (42)');
    const ret = await runYaml(
      'name: t\nnodes:\n  - name: r\n    uses: return\n    with:\n      value: {answer: "{{ state.q }}!"}\nedges:\n  - {from: __start__, to: r}\n  - {from: r, to: __end__}\n',
      { q: 'yes' },
    );
    expect(ret.state).toEqual({ q: 'yes', answer: 'yes!' });
    const missing = await runYaml(oneNode('template', 'other: 1'));
    expect(missing.error).toMatch(/template: missing required parameter 'template'/);
  });
});

describe('unknown action at run time', () => {
  // llm.call is Fanout's now (engine/llm): a2a.send stands for an action Fanout does not have.
  it('fails its node with one short line and a close name', async () => {
    const r = await runYaml(oneNode('a2a.send', 'prompt: hi'));
    expect(r.status).toBe('failed');
    expect(r.node).toBe('act');
    expect(r.error).toContain(
      "node 'act': action 'a2a.send' is not available in Fanout (see docs/compat.md)",
    );
    expect(r.error!.length).toBeLessThan(200);
    const typo = await runYaml(oneNode('state.sett', 'x: 1'));
    expect(typo.error).toContain("did you mean 'state.set'?");
  });
});

// lua.eval and retry.loop need the engine to hand actions the node's state and a way to run Lua /
// another node (ActionContext.state, runLua, runNode): tested with hooks built from a real worker,
// then in workflows where node-exec provides them.
describe('lua.eval and retry.loop with a real worker VM', () => {
  const pool = new WorkerPool({ size: 1 });
  let vm: BranchVm;
  const abort = new AbortController();
  beforeAll(async () => {
    await pool.start();
    vm = new BranchVm(pool, 'tea-actions/vm', { memoryBytes: 32 * 1024 * 1024 }, abort.signal);
    const opened = await vm.open();
    if (!opened.ok) throw new Error(opened.failure.message);
  });
  afterAll(async () => {
    vm.close();
    await pool.close();
  });

  const registry = createDefaultRegistry();
  function ctx(state: Record<string, unknown>, nodes: Record<string, string> = {}): ActionContext {
    return {
      baseDir: dir,
      node: 'act',
      runId: 'r',
      memory: new Map(),
      state,
      runLua: (code, s): Promise<LuaRunOutcome> => vm.exec('act', code, s, 5000),
      runNode: async (name, s) => {
        const out = await vm.exec(name, nodes[name] ?? '', s, 5000);
        if (!out.ok) throw new Error(out.error.message);
        return { ...s, ...(out.value as Record<string, unknown>) };
      },
    };
  }

  it('lua.eval runs the corpus code (qa-neurosymbolic-wasm.yaml) with state in the sandboxed VM', async () => {
    const code = `local content = state.think.content
      local n = 0
      for _ in string.gmatch(content, "%S+") do n = n + 1 end
      return { word_count = n, is_short = n < 100, has_os = os ~= nil and os.execute ~= nil }`;
    const value = await registry.call('lua.eval', { code }, ctx({ think: { content: 'the answer is 42' } }));
    expect(value).toEqual({ word_count: 4, is_short: true, has_os: false });
  });

  it('lua.eval errors name the action and the Lua line; missing code names the parameter; no runner is a clear error', async () => {
    const err = await registry
      .call('lua.eval', { code: 'local x = 1\nerror("boom")' }, ctx({}))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as Error).message).toMatch(/lua\.eval: Lua error \(line 2\): .*boom/);
    await expect(registry.call('lua.eval', {}, ctx({}))).rejects.toThrow(/missing required parameter 'code'/);
    const bare = { baseDir: dir, node: 'act', runId: 'r', memory: new Map<string, unknown>() };
    await expect(registry.call('lua.eval', { code: 'return 1' }, bare)).rejects.toThrow(/no Lua worker/);
  });

  it('retry.loop: validate, correct in Lua, validate again — TEA Python result', async () => {
    const fix = 'return { value = (state.value or 0) + 1, fixes = (state.fixes or 0) + 1 }';
    const first = await registry.call(
      'retry.loop',
      {
        validate: 'validate.input',
        validate_args: { schema: { value: { type: 'int', required: true, min: 3 } } },
        correct: 'fix',
        max_retries: 5,
      },
      ctx({ value: 1 }, { fix }),
    );
    const tea = recorded['retry-loop.yaml']!.final_state;
    const { exhausted_result: teaExhausted, ...teaFirst } = tea;
    expect(first).toEqual(teaFirst);
    const second = await registry.call(
      'retry.loop',
      {
        validate: 'validate.input',
        validate_args: { schema: { never: { type: 'str', required: true } } },
        correct: 'fix',
        max_retries: 1,
      },
      ctx(first as Record<string, unknown>, { fix }),
    );
    expect(second).toEqual(teaExhausted);
  });

  it('retry.loop: bad parameters name the parameter', async () => {
    const call = (p: Record<string, unknown>) => registry.call('retry.loop', p, ctx({}));
    await expect(call({ validate: 'validate.input', correct: 'fix', max_retries: -1 })).rejects.toThrow(
      /max_retries must be a non-negative integer/,
    );
    await expect(call({ validate: 'nope.x', correct: 'fix' })).rejects.toThrow(
      /Unknown validation action: nope\.x \(parameter 'validate'\)/,
    );
    await expect(call({ validate: 'validate.input' })).rejects.toThrow(/'correct' parameter is required/);
    await expect(call({ validate: 'validate.input', correct: 'f', retry_delay: 1e9 })).rejects.toThrow(
      /retry_delay must be/,
    );
  });

  it('in a workflow: lua.eval, retry.loop and whole-state validate.input run with the engine hooks', async () => {
    const lua = await runYaml(oneNode('lua.eval', 'code: "return { n = state.n + 1 }"'), { n: 1 });
    expect(lua.status).toBe('succeeded');
    expect(lua.state['out']).toEqual({ n: 2 });
    const retry = await runFile('retry-loop.yaml', { value: 1 });
    expect(retry.state).toEqual(recorded['retry-loop.yaml']!.final_state);
    const validate = await runFile('validate-input.yaml');
    expect(validate.state['whole']).toEqual(recorded['validate-input.yaml']!.final_state['whole']);
  });

  it("lua.eval's print lines become the node's log events; its Lua runs under the node's timeout in a worker", async () => {
    const events: { type: string; node?: string; message?: string }[] = [];
    const printing = oneNode('lua.eval', 'code: "print(\'hello \' .. state.n); return state.n * 2"');
    const r = await engine().run(printing, { input: { n: 21 }, onEvent: (e) => events.push(e) }).result;
    expect(r.state['out']).toBe(42);
    expect(events).toContainEqual(expect.objectContaining({ type: 'log', node: 'act', message: 'hello 21' }));
    const slow = oneNode('lua.eval', 'code: "while true do end"').replace(
      '    output: out',
      '    timeout_ms: 300\n    output: out',
    );
    const started = performance.now();
    const stuck = await engine().run(slow).result;
    expect(stuck.status).toBe('failed');
    expect(stuck.error).toMatch(/lua\.eval: Lua timeout/);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('an action error reads once: no action or node named twice', async () => {
    const r = await runYaml(oneNode('a2a.send', 'prompt: hi'));
    expect(r.error).toBe("node 'act': action 'a2a.send' is not available in Fanout (see docs/compat.md)");
    const bad = await runYaml(oneNode('lua.eval', 'other: 1'));
    expect(bad.error).toBe(
      "node 'act' failed: lua.eval: missing required parameter 'code' (Lua source text)",
    );
  });
});
