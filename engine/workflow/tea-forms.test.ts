// TEA forms found in TEA's own repository beyond the core format (issue #14): how each loads into the
// model, validates, lints and shows in the graph view. Snippets are cut down from the corpus files
// named in each test (test/fixtures/tea-corpus).
import { describe, expect, it } from 'vitest';
import { buildGraph } from './graph.ts';
import { lintPortability } from './lint.ts';
import { loadWorkflow } from './load.ts';
import type { LoadResult, Problem, WorkflowGraph } from './types.ts';
import { validateWorkflow } from './validate.ts';

function load(lines: string[]): LoadResult {
  return loadWorkflow(lines.join('\n') + '\n', 'w.yaml');
}

function loaded(lines: string[]): { load: LoadResult; graph: WorkflowGraph; problems: Problem[] } {
  const l = load(lines);
  if (!l.model) throw new Error(JSON.stringify(l.problems));
  const graph = buildGraph(l.model);
  const problems = [
    ...validateWorkflow(l, { knownActions: ['file.read', 'json.parse'], graph }),
    ...lintPortability(l.model, graph, l.text),
  ];
  return { load: l, graph, problems };
}

const errors = (problems: Problem[]) => problems.filter((p) => p.severity === 'error');
const byCode = (problems: Problem[], code: string) => problems.filter((p) => p.code === code);

describe('goto as a mapping keyed by _route (examples/mem0/mem0-user-personalization.yaml)', () => {
  const ROUTE = [
    'name: w',
    'nodes:',
    '  - name: route_action',
    '    language: lua',
    '    run: |',
    '      return { _route = state.action }',
    '    goto:',
    '      store: store_preference',
    '      _default: get_preferences',
    '      recommend: get_preferences',
    '  - {name: store_preference, goto: __end__}',
    '  - {name: get_preferences, goto: __end__}',
  ];

  it('loads as goto rules on state._route in key order, _default last as the fallback', () => {
    const { load: l, problems } = loaded(ROUTE);
    const node = l.model!.nodes[0]!;
    expect(node.gotoForm).toBe('map');
    expect(node.goto).toMatchObject([
      {
        route: 'store',
        if: "state._route == 'store'",
        to: 'store_preference',
        toSpan: { start: { line: 8 } },
      },
      { route: 'recommend', if: "state._route == 'recommend'", to: 'get_preferences' },
      { route: '_default', to: 'get_preferences' },
    ]);
    expect((node.goto as { if?: string }[])[2]!.if).toBeUndefined();
    expect(errors(problems)).toEqual([]);
  });

  it('draws labelled conditional edges and a fallback', () => {
    const { graph } = loaded(ROUTE);
    const out = graph.edges.filter((e) => e.source === 'route_action');
    expect(out.map((e) => [e.target, e.kind, e.label, e.condition, e.fallback ?? false])).toEqual([
      ['store_preference', 'conditional', 'store', "state._route == 'store'", false],
      ['get_preferences', 'conditional', 'recommend', "state._route == 'recommend'", false],
      ['get_preferences', 'conditional', '_default', undefined, true],
    ]);
  });

  it('warns that neither TEA engine accepts it, and checks targets with TEA wording', () => {
    const { problems } = loaded(ROUTE);
    const [warning] = byCode(problems, 'GOTO_MAP_UNSUPPORTED');
    expect(warning).toMatchObject({ severity: 'warning', engine: 'both', node: 'route_action', line: 8 });
    const bad = loaded([...ROUTE.slice(0, 8), '      _default: nowhere', ...ROUTE.slice(9)]).problems;
    expect(byCode(bad, 'GOTO_UNDEFINED')).toMatchObject([
      { message: "Node 'route_action' has goto to non-existent node 'nowhere'", line: 9, col: 17 },
    ]);
  });

  it('a key with quotes stays a well-formed string literal', () => {
    const { load: l } = loaded([
      'name: w',
      'nodes:',
      '  - name: a',
      '    goto:',
      `      "it's": b`,
      '  - name: b',
    ]);
    expect((l.model!.nodes[0]!.goto as { if?: string }[])[0]!.if).toBe("state._route == 'it\\'s'");
  });

  it('a single rule written without its list dash is a wrong type, not a route map', () => {
    const l = load(['name: w', 'nodes:', '  - name: a', '    goto: {if: "state.x", to: b}', '  - name: b']);
    expect(l.problems).toMatchObject([{ code: 'WRONG_TYPE', line: 4, col: 11, node: 'a' }]);
    expect(l.model!.nodes[0]!.gotoForm).toBeUndefined();
  });
});

describe('edge `to:` as a list of {target, condition} (examples/web/test-scrapegraph-production.yaml)', () => {
  const ROUTES = [
    'name: w',
    'nodes: [{name: r}, {name: a}, {name: b}]',
    'edges:',
    '  - from: r',
    '    to:',
    '      - target: a',
    '        condition: state.mode == "a"',
    '      - target: b',
    '        condition: state.mode == "b"',
    '      - target: a',
    '        condition: "True"',
    '  - {from: a, to: __end__}',
    '  - {from: b, to: __end__}',
  ];

  it('loads the routes in order with spans, and no parallel form', () => {
    const { load: l, problems } = loaded(ROUTES);
    const edge = l.model!.edges[0]!;
    expect(edge.to).toBeUndefined();
    expect(edge.parallelForm).toBeUndefined();
    expect(edge.routes).toMatchObject([
      { target: 'a', condition: 'state.mode == "a"', targetSpan: { start: { line: 6, col: 17 } } },
      { target: 'b', condition: 'state.mode == "b"' },
      { target: 'a', condition: 'True' },
    ]);
    expect(errors(problems)).toEqual([]);
    expect(byCode(problems, 'EDGE_ROUTES_UNSUPPORTED')).toMatchObject([
      { severity: 'warning', engine: 'both', edgeIndex: 0 },
    ]);
  });

  it('draws one conditional edge per route, in evaluation order, each with its own id', () => {
    const { graph } = loaded(ROUTES);
    const out = graph.edges.filter((e) => e.source === 'r');
    expect(out.map((e) => [e.target, e.kind, e.condition, e.order])).toEqual([
      ['a', 'conditional', 'state.mode == "a"', 0],
      ['b', 'conditional', 'state.mode == "b"', 1],
      ['a', 'conditional', 'True', 2],
    ]);
    expect(new Set(out.map((e) => e.id)).size).toBe(3);
    expect(out[2]!.origin).toEqual({ type: 'edge', index: 0, route: 2 });
  });

  it('reports an undefined route target at the target, and a route without one', () => {
    const bad = loaded([
      ...ROUTES.slice(0, 7),
      '      - target: ghost',
      '      - condition: x',
      ...ROUTES.slice(11),
    ]);
    expect(byCode(bad.problems, 'EDGE_TO_UNDEFINED')).toMatchObject([{ line: 8, col: 17, edgeIndex: 0 }]);
    expect(byCode(bad.problems, 'MISSING_EDGE_TO')).toMatchObject([{ line: 9, col: 9, edgeIndex: 0 }]);
  });
});

describe('output: as a mapping of templates (examples/truth-resolution-agent.yaml)', () => {
  it('loads into outputMap without errors and warns that TEA Rust rejects it', () => {
    const { load: l, problems } = loaded([
      'name: w',
      'nodes:',
      '  - name: read',
      '    uses: file.read',
      '    with: {path: x.txt}',
      '    output:',
      '      title: "{{ result.content }}"',
      '      size: "{{ result.content | length }}"',
    ]);
    const node = l.model!.nodes[0]!;
    expect(node.output).toBeUndefined();
    expect(node.outputMap).toEqual({ title: '{{ result.content }}', size: '{{ result.content | length }}' });
    expect(errors(problems)).toEqual([]);
    expect(byCode(problems, 'OUTPUT_MAP')).toMatchObject([{ engine: 'rust', node: 'read', line: 6, col: 5 }]);
  });

  it('a list is still a wrong type', () => {
    const l = load(['name: w', 'nodes:', '  - {name: a, uses: file.read, output: [x]}']);
    expect(l.problems).toMatchObject([
      { code: 'WRONG_TYPE', message: '`output` must be a string', node: 'a' },
    ]);
  });
});

describe('dynamic_parallel (python/tests/fixtures/validate, examples/yaml/dynamic_parallel_*)', () => {
  const DYN = (body: string[]) => [
    'name: w',
    'nodes:',
    '  - name: fetch_all',
    '    type: dynamic_parallel',
    ...body,
    '  - name: aggregate',
    '    goto: __end__',
    'edges:',
    '  - {from: fetch_all, to: aggregate}',
  ];
  const ACTION = [
    '    items: "{{ state.urls }}"',
    '    item_var: url',
    '    index_var: i',
    '    max_concurrency: 3',
    '    fail_fast: true',
    '    fan_in: aggregate',
    '    action:',
    '      uses: http.get',
    '      with: {url: "{{ url }}"}',
    '      output: response',
  ];

  it('action mode: reads every field; an unknown branch action is a warning, not an error', () => {
    const { load: l, problems } = loaded(DYN(ACTION));
    expect(l.model!.nodes[0]!.dynamicParallel).toEqual({
      items: '{{ state.urls }}',
      itemVar: 'url',
      indexVar: 'i',
      mode: 'action',
      modes: ['action'],
      action: { uses: 'http.get', with: { url: '{{ url }}' }, output: 'response' },
      fanIn: 'aggregate',
      fanInSpan: expect.anything(),
      maxConcurrency: 3,
      failFast: true,
    });
    expect(l.model!.nodes[0]!.uses).toBeUndefined();
    expect(errors(problems)).toEqual([]);
    expect(byCode(problems, 'UNKNOWN_ACTION')).toMatchObject([
      { severity: 'warning', node: 'fetch_all', line: 12, col: 13 },
    ]);
    expect(byCode(problems, 'UNKNOWN_ACTION')[0]!.message).toContain(
      "'http.get', which is not available in Fanout",
    );
  });

  it('draws as a fan-out over the list, with the item variable on the node and its out-edge', () => {
    const { graph } = loaded(DYN(ACTION));
    const fo = {
      source: 'fetch_all',
      fanIn: 'aggregate',
      items: '{{ state.urls }}',
      itemVar: 'url',
      indexVar: 'i',
      mode: 'action',
      uses: 'http.get',
      maxConcurrency: 3,
      failFast: true,
    };
    expect(graph.dynamicFanOuts).toEqual([fo]);
    expect(graph.fanOuts).toEqual([]); // static fan-outs only: the scheduler's plan is unchanged
    const node = graph.nodes.find((n) => n.id === 'fetch_all')!;
    expect(node).toMatchObject({ fanOut: true, dynamic: fo });
    expect(graph.nodes.find((n) => n.id === 'aggregate')!.fanIn).toBe(true);
    const edge = graph.edges.find((e) => e.source === 'fetch_all')!;
    expect(edge).toMatchObject({
      target: 'aggregate',
      kind: 'sequential',
      dynamic: { items: '{{ state.urls }}', itemVar: 'url', indexVar: 'i', fanIn: 'aggregate' },
    });
  });

  it('steps and subgraph modes, TEA defaults for item/index, parallel_config', () => {
    const steps = loaded(
      DYN([
        '    items: "{{ state.xs }}"',
        '    fan_in: aggregate',
        '    parallel_config: {max_concurrency: 2, fail_fast: true}',
        '    steps:',
        '      - {name: s1, run: "x"}',
      ]),
    );
    expect(steps.load.model!.nodes[0]!.dynamicParallel).toMatchObject({
      itemVar: 'item',
      indexVar: 'index',
      mode: 'steps',
      steps: [{ name: 's1', run: 'x' }],
      maxConcurrency: 2,
      failFast: true,
    });
    const sub = loaded(
      DYN([
        '    items: "{{ state.xs }}"',
        '    fan_in: aggregate',
        '    subgraph: ./one.yaml',
        '    input: {doc: "{{ item }}"}',
      ]),
    );
    expect(sub.load.model!.nodes[0]!.dynamicParallel).toMatchObject({
      mode: 'subgraph',
      subgraph: './one.yaml',
      input: { doc: '{{ item }}' },
    });
    expect(errors(steps.problems)).toEqual([]);
    expect(errors(sub.problems)).toEqual([]);
  });

  it("TEA Python's load errors, with TEA's codes", () => {
    const codesOf = (body: string[]) => errors(loaded(DYN(body)).problems).map((p) => [p.code, p.line]);
    expect(codesOf(['    fan_in: aggregate', '    action: {uses: file.read}'])).toEqual([
      ['DYN_PARALLEL_MISSING_ITEMS', 3],
    ]);
    expect(codesOf(['    items: "{{ state.x }}"', '    action: {uses: file.read}'])).toEqual([
      ['DYN_PARALLEL_MISSING_FAN_IN', 3],
    ]);
    expect(
      codesOf(['    items: "{{ state.x }}"', '    fan_in: nobody', '    action: {uses: file.read}']),
    ).toEqual([['DYN_PARALLEL_FAN_IN_UNDEFINED', 6]]);
    expect(codesOf(['    items: "{{ state.x }}"', '    fan_in: aggregate'])).toEqual([
      ['DYN_PARALLEL_MODE', 3],
    ]);
    expect(
      codesOf([
        '    items: "{{ state.x }}"',
        '    fan_in: aggregate',
        '    action: {uses: file.read}',
        '    steps: []',
      ]),
    ).toEqual([['DYN_PARALLEL_MODE', 8]]);
    expect(
      codesOf([
        '    items: "{{ state.x }}"',
        '    fan_in: aggregate',
        '    max_concurrency: 0',
        '    action: {uses: file.read}',
      ]),
    ).toEqual([['DYN_PARALLEL_MAX_CONCURRENCY', 7]]);
    expect(
      codesOf(['    items: "{{ state.x }}"', '    fan_in: aggregate', '    action: {with: {}}']),
    ).toEqual([['DYN_PARALLEL_ACTION_USES', 7]]);
  });

  it('`action:` as a mapping outside dynamic_parallel is still a wrong type', () => {
    const l = load(['name: w', 'nodes:', '  - {name: a, action: {uses: file.read}}']);
    expect(l.problems).toMatchObject([{ code: 'WRONG_TYPE', message: '`action` must be a string' }]);
  });
});

describe('state_schema fields as {type, description} (examples/workflows/sequential-execution.yaml)', () => {
  it('is a TEA Rust portability warning at the field, not an error', () => {
    const { load: l, problems } = loaded([
      'name: w',
      'state_schema:',
      '  count: int',
      '  tasks:',
      '    type: array',
      '    description: The tasks',
      'nodes: [{name: a}]',
    ]);
    expect(l.model!.stateSchema).toEqual({
      count: 'int',
      tasks: { type: 'array', description: 'The tasks' },
    });
    expect(errors(problems)).toEqual([]);
    expect(byCode(problems, 'STATE_SCHEMA_NOT_STRING')).toMatchObject([
      { severity: 'warning', engine: 'rust', line: 5, col: 5 },
    ]);
  });
});

describe('a workflow without name (python/tests/fixtures/validate/strict_known_bad/missing_name.yaml)', () => {
  it('is a TEA Rust portability warning', () => {
    const { problems } = loaded(['nodes: [{name: a}]']);
    expect(errors(problems)).toEqual([]);
    expect(byCode(problems, 'MISSING_NAME')).toMatchObject([{ severity: 'warning', engine: 'rust' }]);
  });
});

describe('edge conditions (python/tests/fixtures/validate/broken/invalid_jinja_condition.yaml)', () => {
  it("INVALID_CONDITION, as TEA's validator: condition, {type: expression, value}, when, route conditions", () => {
    const bad = '"{{ this is not valid jinja %} %}"';
    const edges = [
      `  - {from: a, to: b, condition: ${bad}}`,
      `  - {from: a, to: b, condition: {type: expression, value: ${bad}}}`,
      `  - {from: b, to: c, when: ${bad}}`,
      `  - {from: c, to: [{target: a, condition: ${bad}}, {target: b, condition: "state.ok"}]}`,
      '  - {from: a, to: c, condition: "state.get(\'x\') == 1 and not state.y"}',
    ];
    const { problems } = loaded(['name: w', 'nodes: [{name: a}, {name: b}, {name: c}]', 'edges:', ...edges]);
    expect(byCode(problems, 'INVALID_CONDITION').map((p) => [p.line, p.edgeIndex])).toEqual([
      [4, 0],
      [5, 1],
      [6, 2],
      [7, 3],
    ]);
    expect(byCode(problems, 'INVALID_CONDITION')[0]!.message).toContain("missing closing '}}'");
  });
});

describe('unknown actions', () => {
  it('are a warning naming the action, so the file opens and validates', () => {
    const { problems } = loaded([
      'name: w',
      'nodes:',
      '  - name: ask',
      '    uses: a2a.send',
      '    with: {model: x}',
    ]);
    expect(problems.filter((p) => p.code === 'UNKNOWN_ACTION')).toEqual([
      {
        severity: 'warning',
        code: 'UNKNOWN_ACTION',
        message:
          "Node 'ask' uses action 'a2a.send', which is not available in Fanout; a run fails at this node",
        file: 'w.yaml',
        line: 4,
        col: 11,
        node: 'ask',
      },
    ]);
    expect(errors(problems)).toEqual([]);
  });
});

describe('files that are not workflows: ONE problem, NOT_A_WORKFLOW', () => {
  const one = (lines: string[]) => {
    const l = load(lines);
    expect(l.model).toBeNull();
    expect(validateWorkflow(l)).toEqual(l.problems);
    expect(l.problems).toHaveLength(1);
    expect(l.problems[0]).toMatchObject({ severity: 'error', code: 'NOT_A_WORKFLOW', line: 1, col: 1 });
    return l.problems[0]!.message;
  };

  it('names a JSON Schema, an overlay and plain data', () => {
    expect(one(['type: object', 'properties:', '  a: {type: string}'])).toContain('a JSON Schema');
    expect(one(['$schema: "http://json-schema.org/draft-07/schema#"'])).toContain('a JSON Schema');
    expect(one(['settings:', '  model: gpt-4o', 'variables: {a: 1}'])).toContain(
      'a TEA overlay (only `settings`, `variables`',
    );
    expect(one(['case_id: x', 'facts: [a, b]'])).toContain('data');
  });

  it('a file with a name but no nodes is still an (empty) workflow', () => {
    const l = load(['name: w']);
    expect(l.model).not.toBeNull();
    expect(validateWorkflow(l).map((p) => p.code)).toEqual(['EMPTY_WORKFLOW']);
  });
});

describe('multi-document YAML (examples/learning/textgrad-reflection-learning.yaml)', () => {
  it('is one clear error at the second document, as yaml.safe_load rejects it too', () => {
    const l = load(['name: w', 'nodes: [{name: a}]', '---', '# notes', 'other: 1']);
    expect(l.model).toBeNull();
    expect(l.problems).toMatchObject([{ code: 'YAML_MULTIPLE_DOCUMENTS', line: 3, col: 1 }]);
    expect(l.problems[0]!.message).toContain("TEA's yaml.safe_load rejects it too");
  });

  it('a leading `---` and a trailing `...` are one document', () => {
    expect(load(['---', 'name: w', 'nodes: [{name: a}]', '...']).problems).toEqual([]);
  });
});
