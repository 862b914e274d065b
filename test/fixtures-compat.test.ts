// TEA's own agent files (test/fixtures/tea-compat/fixtures): load, round-trip, graph, validation,
// portability lint and portable export.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportPortable, graphSignature } from '../engine/workflow/export.ts';
import { buildGraph } from '../engine/workflow/graph.ts';
import { lintPortability } from '../engine/workflow/lint.ts';
import { loadWorkflow } from '../engine/workflow/load.ts';
import { serializeWorkflow } from '../engine/workflow/serialize.ts';
import type { LoadResult, WorkflowGraph } from '../engine/workflow/types.ts';
import { validateWorkflow } from '../engine/workflow/validate.ts';

const fixturesDir = fileURLToPath(new URL('./fixtures/tea-compat/fixtures/', import.meta.url));
const files = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function load(file: string): LoadResult {
  return loadWorkflow(readFileSync(fixturesDir + file, 'utf8'), file);
}

function graph(file: string): WorkflowGraph {
  const result = load(file);
  if (!result.model) throw new Error(`${file}: ${JSON.stringify(result.problems)}`);
  return buildGraph(result.model);
}

describe('TEA fixtures', () => {
  it('are all present', () => {
    expect(files).toEqual([
      'goto_parity_test.yaml',
      'invalid_workflow.yaml',
      'lua_test_agent.yaml',
      'parallel_fanout.yaml',
      'simple_workflow.yaml',
      'while-loop-parity-test.yaml',
    ]);
  });

  for (const file of files) {
    describe(file, () => {
      it('loads without load errors and keeps its text byte-identical', () => {
        const text = readFileSync(fixturesDir + file, 'utf8');
        const result = load(file);
        expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
        expect(result.text).toBe(text);
        expect(result.model?.nodes.length).toBeGreaterThan(0);
      });

      it('builds a graph where every node has an incoming edge', () => {
        const g = graph(file);
        expect(g.entry).toBe(load(file).model?.nodes[0]?.name);
        const targets = new Set(g.edges.map((e) => e.target));
        const unreached = g.nodes.filter((n) => n.kind !== 'start' && !targets.has(n.id)).map((n) => n.id);
        // node_b of invalid_workflow.yaml is only reachable through node_a's list order, which goto overrides.
        expect(unreached).toEqual(file === 'invalid_workflow.yaml' ? ['node_b'] : []);
      });

      it('exports to a portable file with the same graph, and re-exports identically', () => {
        const text = readFileSync(fixturesDir + file, 'utf8');
        const result = exportPortable(text);
        const errors = result.problems.filter((p) => p.severity === 'error').map((p) => p.code);
        expect(errors).toEqual(file === 'invalid_workflow.yaml' ? ['GOTO_UNDEFINED'] : []);
        const again = loadWorkflow(result.text);
        expect(graphSignature(buildGraph(again.model!))).toEqual(graphSignature(graph(file)));
        expect(exportPortable(result.text).text).toBe(result.text);
        const lint = lintPortability(again.model!, buildGraph(again.model!), result.text).map((p) => p.code);
        expect(
          lint.filter((c) =>
            ['RUN_WITHOUT_LANGUAGE', 'LUA_MARKER_IGNORED', 'IMPLICIT_SUCCESSOR'].includes(c),
          ),
        ).toEqual([]);
      });
    });
  }

  it('the valid fixtures validate without errors', () => {
    for (const file of files.filter((f) => f !== 'invalid_workflow.yaml')) {
      const errors = validateWorkflow(load(file)).filter((p) => p.severity === 'error');
      expect({ file, errors }).toEqual({ file, errors: [] });
    }
  });

  it('invalid_workflow.yaml: GOTO_UNDEFINED on node_a at the goto value (line 9, col 11)', () => {
    const problems = validateWorkflow(load('invalid_workflow.yaml'));
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors).toEqual([
      {
        severity: 'error',
        code: 'GOTO_UNDEFINED',
        message: "Node 'node_a' has goto to non-existent node 'non_existent_node'",
        file: 'invalid_workflow.yaml',
        line: 9,
        col: 11,
        node: 'node_a',
      },
    ]);
  });

  it('parallel_fanout.yaml: one fan-out of 3 branches joined at fan_in; lint asks for language: lua', () => {
    const g = graph('parallel_fanout.yaml');
    expect(g.fanOuts).toEqual([
      {
        source: 'start_node',
        branches: ['branch_1', 'branch_2', 'branch_3'],
        fanIn: 'fan_in',
        form: 'python',
      },
    ]);
    expect(g.edges.filter((e) => e.kind === 'fan-in').map((e) => e.source)).toEqual([
      'branch_1',
      'branch_2',
      'branch_3',
    ]);
    const model = load('parallel_fanout.yaml').model!;
    const text = readFileSync(fixturesDir + 'parallel_fanout.yaml', 'utf8');
    const lint = lintPortability(model, g, text);
    const noLanguage = lint.filter((p) => p.code === 'RUN_WITHOUT_LANGUAGE');
    expect(noLanguage.map((p) => p.node)).toEqual([
      'start_node',
      'branch_1',
      'branch_2',
      'branch_3',
      'fan_in',
    ]);
    expect(noLanguage.every((p) => p.engine === 'python')).toBe(true);
    expect(lint.some((p) => p.code === 'PARALLEL_FORM_PYTHON_ONLY' && p.engine === 'rust')).toBe(true);
  });

  it('goto_parity_test.yaml: conditional goto with a fallback rule', () => {
    const out = graph('goto_parity_test.yaml').edges.filter((e) => e.source === 'set_flag');
    expect(out.map((e) => [e.target, e.kind, e.condition, e.fallback ?? false])).toEqual([
      ['process', 'conditional', 'state.should_continue', false],
      ['skip', 'conditional', undefined, true],
    ]);
  });

  it('a freshly serialized copy of a fixture model gives the same graph', () => {
    // serializeWorkflow writes new documents; the graph must survive that path too.
    const model = load('goto_parity_test.yaml').model!;
    const plain = {
      name: model.name ?? 'x',
      nodes: model.nodes.map((n) => ({ ...n.raw, name: n.name })),
      ...(model.edges.length ? { edges: model.edges.map((e) => e.raw) } : {}),
    };
    const text = serializeWorkflow(plain);
    const again = loadWorkflow(text);
    expect(graphSignature(buildGraph(again.model!))).toEqual(graphSignature(graph('goto_parity_test.yaml')));
  });
});
