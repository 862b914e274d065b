// TEA's own fixtures (vendored in test/fixtures/tea-compat) run here with TEA's recorded results.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkflowInvalidError } from '../engine/index.ts';
import { compatDir, engineForFile } from './helpers.ts';

const engine = engineForFile({ size: 2 });

async function runFixture(file: string, input: Record<string, unknown>) {
  const load = await engine().loadFile(join(compatDir, file));
  return engine().run(load, { input }).result;
}

describe('TEA compat fixtures give TEA results', () => {
  it('lua_test_agent.yaml (-- lua marker, no language key)', async () => {
    const r = await runFixture('lua_test_agent.yaml', {
      input_value: 30,
      input_string: 'hello',
      input_array: [1, 2, 3],
      input_object: { name: 'test', count: 5 },
    });
    expect(r.status).toBe('succeeded');
    expect(r.state).toMatchObject({
      result_math: 70,
      result_string: 'HELLO!',
      result_array: [2, 4, 6],
      result_object: { name: 'test', count: 6, doubled: 10 },
      result_conditional: 'medium',
    });
  });

  it('simple_workflow.yaml with and without input', async () => {
    const r = await runFixture('simple_workflow.yaml', { input: 'x' });
    expect(r.state).toEqual({ input: 'x', result: 'processed: x', output: 'processed: x - done' });
    const none = await runFixture('simple_workflow.yaml', {});
    expect(none.state.result).toBe('processed: none');
  });

  it('goto_parity_test.yaml', async () => {
    const r = await runFixture('goto_parity_test.yaml', {});
    expect(r.state).toEqual({ should_continue: true, result: 'processed' });
  });

  it('while-loop-parity-test.yaml from {} (TEA Python enters the loop on an erroring condition)', async () => {
    const r = await runFixture('while-loop-parity-test.yaml', {});
    expect(r.status).toBe('succeeded');
    expect(r.state).toMatchObject({ count: 5, sum: 15 });
  });

  it('while-loop-parity-test.yaml from {count: 0, sum: 0}', async () => {
    const r = await runFixture('while-loop-parity-test.yaml', { count: 0, sum: 0 });
    expect(r.state).toEqual({ count: 5, sum: 15 });
  });

  it('invalid_workflow.yaml is refused before running, naming node_a', async () => {
    const load = await engine().loadFile(join(compatDir, 'invalid_workflow.yaml'));
    expect(() => engine().run(load)).toThrow(WorkflowInvalidError);
    try {
      engine().run(load);
    } catch (error) {
      const p = (error as WorkflowInvalidError).problems.find((x) => x.code === 'GOTO_UNDEFINED');
      expect(p).toMatchObject({ node: 'node_a', line: 9 });
    }
  });

  it('parallel_fanout.yaml (Python code) fails with a clear per-node error, never a crash', async () => {
    const text = await readFile(join(compatDir, 'parallel_fanout.yaml'), 'utf8');
    const r = await engine().run(engine().load(text, 'parallel_fanout.yaml')).result;
    expect(r.status).toBe('failed');
    expect(r.node).toBe('start_node');
    expect(r.error).toMatch(/start_node/);
  });
});
