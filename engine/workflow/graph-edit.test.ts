import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EditError } from './edit.ts';
import { applyGraphEdit, copyNodesAsYaml } from './graph-edit.ts';
import type { GraphEdit } from './graph-edit.ts';
import { buildGraph } from './graph.ts';
import { loadWorkflow } from './load.ts';
import type { GraphEdge, WorkflowGraph } from './types.ts';
import { validateWorkflow } from './validate.ts';
import { propertyBudget } from '../../test/budgets.ts';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/tea-compat/fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

function graphOf(text: string): WorkflowGraph {
  const load = loadWorkflow(text);
  expect(load.model, JSON.stringify(load.problems)).not.toBeNull();
  return buildGraph(load.model!);
}

/** Edges as `source>target:kind[?condition]`, sorted. */
function edgeSet(text: string): string[] {
  return graphOf(text)
    .edges.map(
      (e) => `${e.source}>${e.target}:${e.kind}${e.condition !== undefined ? `?${e.condition}` : ''}`,
    )
    .sort();
}

function errors(text: string): string[] {
  return validateWorkflow(loadWorkflow(text))
    .filter((p) => p.severity === 'error')
    .map((p) => `${p.code}: ${p.message}`);
}

/** Applies an edit and checks the result loads with no more errors than the input had. */
function edit(text: string, e: GraphEdit): string {
  const out = applyGraphEdit(text, e).text;
  const before = new Set(errors(text));
  expect(errors(out).filter((x) => !before.has(x))).toEqual([]);
  return out;
}

/** The block of lines that replaced another: common prefix/suffix stripped. */
function hunk(a: string, b: string): { removed: string[]; added: string[] } {
  const x = a.split('\n');
  const y = b.split('\n');
  let pre = 0;
  while (pre < x.length && pre < y.length && x[pre] === y[pre]) pre++;
  let post = 0;
  while (post < x.length - pre && post < y.length - pre && x[x.length - 1 - post] === y[y.length - 1 - post])
    post++;
  return { removed: x.slice(pre, x.length - post), added: y.slice(pre, y.length - post) };
}

/** Lines removed and added (multiset difference), for edits touching several places. */
function lineDiff(a: string, b: string): { removed: string[]; added: string[] } {
  const count = (lines: string[]) => {
    const m = new Map<string, number>();
    for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
    return m;
  };
  const x = count(a.split('\n'));
  const y = count(b.split('\n'));
  const removed: string[] = [];
  const added: string[] = [];
  for (const [l, n] of x) for (let i = y.get(l) ?? 0; i < n; i++) removed.push(l);
  for (const [l, n] of y) for (let i = x.get(l) ?? 0; i < n; i++) added.push(l);
  const clean = (lines: string[]) => lines.filter((l) => l.trim() !== '').sort();
  return { removed: clean(removed), added: clean(added) };
}

function edgeOf(text: string, source: string, target: string): GraphEdge {
  const e = graphOf(text).edges.find((x) => x.source === source && x.target === target);
  expect(e, `${source} -> ${target}`).toBeDefined();
  return e!;
}

const CHAIN = [
  '# a goto-style chain',
  'name: chain',
  'nodes:',
  '  - name: a',
  '    language: lua',
  '    run: |',
  '      return { n = 1 }',
  '    goto: b',
  '',
  '  - name: b',
  '    language: lua',
  '    run: |',
  '      return {}',
  '    goto: c',
  '',
  '  - name: c',
  '    language: lua',
  '    run: |',
  '      return {}',
  '    goto: __end__',
  '',
].join('\n');

describe('connect', () => {
  it('replaces the unconditional successor of a goto node (one line)', () => {
    const out = edit(CHAIN, { type: 'connect', source: 'a', target: 'c' });
    expect(hunk(CHAIN, out)).toEqual({ removed: ['    goto: b'], added: ['    goto: c'] });
    expect(edgeSet(out)).toContain('a>c:sequential');
    expect(edgeSet(out)).not.toContain('a>b:sequential');
  });

  it('with a condition turns a plain goto into a rule list keeping the old way on as fallback', () => {
    const out = edit(CHAIN, { type: 'connect', source: 'a', target: 'c', condition: 'state.n > 0' });
    expect(hunk(CHAIN, out)).toEqual({
      removed: ['    goto: b'],
      added: ['    goto:', '      - if: "state.n > 0"', '        to: c', '      - to: b'],
    });
    expect(edgeSet(out)).toEqual(expect.arrayContaining(['a>c:conditional?state.n > 0', 'a>b:conditional']));
  });

  it('adds a rule before the fallback of an existing list (goto_parity_test fixture)', () => {
    const text = fixture('goto_parity_test.yaml');
    const out = edit(text, {
      type: 'connect',
      source: 'set_flag',
      target: '__end__',
      condition: 'state.stop',
    });
    expect(hunk(text, out)).toEqual({
      removed: [],
      added: ['      - if: state.stop', '        to: __end__'],
    });
    const rules = loadWorkflow(out).model!.nodes[0]!.goto as { if?: string; to: string }[];
    expect(rules.map((r) => r.to)).toEqual(['process', '__end__', 'skip']);
  });

  it('replaces the fallback target of a rule list', () => {
    const text = fixture('goto_parity_test.yaml');
    const out = edit(text, { type: 'connect', source: 'set_flag', target: '__end__' });
    expect(hunk(text, out)).toEqual({ removed: ['      - to: skip'], added: ['      - to: __end__'] });
  });

  it('sets an edges entry in an edges-style file (simple_workflow fixture)', () => {
    const text = fixture('simple_workflow.yaml');
    const out = edit(text, { type: 'connect', source: 'process', target: '__end__' });
    expect(hunk(text, out)).toEqual({ removed: ['    to: finalize'], added: ['    to: __end__'] });
  });

  it('moves the entry with a __start__ edge', () => {
    const out = edit(CHAIN, { type: 'connect', source: '__start__', target: 'b' });
    expect(graphOf(out).entry).toBe('b');
    expect(hunk(CHAIN, out)).toEqual({ removed: [], added: ['edges:', '  - {from: __start__, to: b}', ''] });
  });

  it('adds a branch when the source fans out (hybrid form, branch -> fan-in edge)', () => {
    const text = fixture('parallel_fanout.yaml').replace(
      '  - name: fan_in',
      '  - name: extra\n    run: |\n      return {}\n    goto: __end__\n  - name: fan_in',
    );
    const out = edit(text, { type: 'connect', source: 'start_node', target: 'extra' });
    const g = graphOf(out);
    expect(g.fanOuts).toEqual([
      {
        source: 'start_node',
        branches: ['branch_1', 'branch_2', 'branch_3', 'extra'],
        fanIn: 'fan_in',
        form: 'hybrid',
      },
    ]);
    expect(edgeSet(out)).toContain('extra>fan_in:fan-in');
    const diff = lineDiff(text, out);
    expect(diff.removed).toEqual(['    goto: __end__']);
    expect(diff.added).toEqual(
      [
        '    goto: fan_in',
        '    parallel: [branch_1, branch_2, branch_3, extra]',
        '  - from: start_node',
        '    to: extra',
        '    type: parallel',
        '    fan_in: fan_in',
      ].sort(),
    );
  });

  it('refuses impossible connections with a clear message', () => {
    expect(() => applyGraphEdit(CHAIN, { type: 'connect', source: 'a', target: 'nope' })).toThrow(
      "No node named 'nope'",
    );
    expect(() => applyGraphEdit(CHAIN, { type: 'connect', source: 'a', target: '__start__' })).toThrow(
      EditError,
    );
    const par = fixture('parallel_fanout.yaml');
    expect(() => applyGraphEdit(par, { type: 'connect', source: 'branch_1', target: '__end__' })).toThrow(
      /never reaches its fan-in/,
    );
  });
});

describe('disconnect and set-condition', () => {
  const ROUTE_MAP = [
    'name: w',
    'nodes:',
    '  - name: r',
    '    goto:',
    '      store: s',
    '      _default: d',
    '  - {name: s, goto: __end__}',
    '  - {name: d, goto: __end__}',
    '',
  ].join('\n');

  it('editing an edge of a _route goto map first rewrites the map as the goto rules it stands for', () => {
    const out = edit(ROUTE_MAP, {
      type: 'set-condition',
      edge: edgeOf(ROUTE_MAP, 'r', 's'),
      condition: "state._route == 'keep'",
    });
    const goto = loadWorkflow(out).model!.nodes[0]!;
    expect(goto.gotoForm).toBeUndefined();
    expect(goto.goto).toMatchObject([{ if: "state._route == 'keep'", to: 's' }, { to: 'd' }]);
    const gone = edit(ROUTE_MAP, { type: 'disconnect', edge: edgeOf(ROUTE_MAP, 'r', 's') });
    expect(edgeSet(gone).filter((e) => e.startsWith('r>'))).toEqual(['r>d:conditional']);
  });

  it('an edge of a `to:` route list is edited in the YAML, with a clear refusal', () => {
    const text = [
      'name: w',
      'nodes: [{name: r}, {name: a, goto: __end__}, {name: b, goto: __end__}]',
      'edges:',
      '  - from: r',
      '    to:',
      '      - {target: a, condition: state.x}',
      '      - {target: b}',
      '',
    ].join('\n');
    expect(() => applyGraphEdit(text, { type: 'disconnect', edge: edgeOf(text, 'r', 'a') })).toThrow(
      /one route of a `to:` list in edge 1; edit that list in the YAML/,
    );
  });

  it('deleting a goto rule removes its lines', () => {
    const text = fixture('goto_parity_test.yaml');
    const out = edit(text, { type: 'disconnect', edge: edgeOf(text, 'set_flag', 'skip') });
    expect(hunk(text, out)).toEqual({ removed: ['      - to: skip'], added: [] });
  });

  it('deleting the only way on ends the node explicitly', () => {
    const out = edit(CHAIN, { type: 'disconnect', edge: edgeOf(CHAIN, 'a', 'b') });
    expect(hunk(CHAIN, out)).toEqual({ removed: ['    goto: b'], added: ['    goto: __end__'] });
  });

  it('deleting a parallel edge removes the branch and keeps the hybrid form', () => {
    const text = fixture('parallel_fanout.yaml');
    const out = edit(text, { type: 'disconnect', edge: edgeOf(text, 'start_node', 'branch_2') });
    expect(graphOf(out).fanOuts[0]).toMatchObject({ branches: ['branch_1', 'branch_3'], form: 'hybrid' });
    expect(lineDiff(text, out)).toEqual({
      removed: [
        '    to: branch_2',
        '  - from: start_node',
        '    type: parallel',
        '    fan_in: fan_in',
      ].sort(),
      added: ['    parallel: [branch_1, branch_3]'],
    });
  });

  it('refuses to cut a branch from its fan-in', () => {
    const text = fixture('parallel_fanout.yaml');
    expect(() =>
      applyGraphEdit(text, { type: 'disconnect', edge: edgeOf(text, 'branch_1', 'fan_in') }),
    ).toThrow(/remove the branch instead/);
  });

  it('sets, changes and clears conditions in place', () => {
    const text = fixture('goto_parity_test.yaml');
    const changed = edit(text, {
      type: 'set-condition',
      edge: edgeOf(text, 'set_flag', 'process'),
      condition: 'state.go',
    });
    expect(hunk(text, changed)).toEqual({
      removed: ['      - if: "state.should_continue"'],
      added: ['      - if: state.go'],
    });
    const cleared = edit(changed, {
      type: 'set-condition',
      edge: edgeOf(changed, 'set_flag', 'process'),
      condition: undefined,
    });
    expect(hunk(changed, cleared)).toEqual({
      removed: ['      - if: state.go', '        to: process'],
      added: ['      - to: process'],
    });
    const simple = fixture('simple_workflow.yaml');
    const when = edit(simple, {
      type: 'set-condition',
      edge: edgeOf(simple, 'process', 'finalize'),
      condition: 'state.ok',
    });
    expect(hunk(simple, when)).toEqual({ removed: [], added: ['    when: state.ok'] });
  });
});

describe('nodes', () => {
  it('add-node after a node splices it into the route', () => {
    const out = edit(CHAIN, {
      type: 'add-node',
      node: { name: 'n', language: 'lua', run: 'return {}\n' },
      position: { x: 10, y: 20 },
      after: 'a',
    });
    expect(edgeSet(out)).toEqual(
      [
        '__start__>a:sequential',
        'a>n:sequential',
        'n>b:sequential',
        'b>c:sequential',
        'c>__end__:sequential',
      ].sort(),
    );
    expect(hunk(CHAIN, out)).toEqual({
      removed: ['    goto: b'],
      added: [
        '    goto: n',
        '',
        '  - name: n',
        '    language: lua',
        '    run: |',
        '      return {}',
        '    goto: b',
        '    metadata: {fanout: {x: 10, y: 20}}',
      ],
    });
  });

  it('add-node at the end writes the previous last node\u2019s successor out first', () => {
    const text = 'name: w\nnodes:\n  - name: a\n  - name: b\n';
    const out = edit(text, { type: 'add-node', node: { name: 'c' } });
    expect(edgeSet(out)).toEqual(
      ['__start__>a:sequential', 'a>b:sequential', 'b>__end__:sequential', 'c>__end__:sequential'].sort(),
    );
    expect(out).toBe(
      'name: w\nnodes:\n  - name: a\n  - name: b\n    goto: __end__\n  - name: c\n    goto: __end__\n',
    );
  });

  it('delete-nodes bridges predecessors to the deleted node\u2019s successor', () => {
    const out = edit(CHAIN, { type: 'delete-nodes', names: ['b'] });
    expect(edgeSet(out)).toEqual(['__start__>a:sequential', 'a>c:sequential', 'c>__end__:sequential'].sort());
    const simple = fixture('lua_test_agent.yaml');
    const out2 = edit(simple, { type: 'delete-nodes', names: ['test_string', 'test_array'] });
    expect(edgeSet(out2)).toContain('test_math>test_object:sequential');
    expect(out2).not.toContain('test_string');
  });

  it('delete-nodes refuses to orphan a fan-out and removes branches cleanly', () => {
    const text = fixture('parallel_fanout.yaml');
    expect(() => applyGraphEdit(text, { type: 'delete-nodes', names: ['fan_in'] })).toThrow(/fan-in/);
    const out = edit(text, { type: 'delete-nodes', names: ['branch_1'] });
    expect(graphOf(out).fanOuts[0]).toMatchObject({ branches: ['branch_2', 'branch_3'], form: 'hybrid' });
    const most = edit(text, {
      type: 'delete-nodes',
      names: ['start_node', 'branch_1', 'branch_2', 'branch_3'],
    });
    expect(edgeSet(most)).toEqual(['__start__>fan_in:sequential', 'fan_in>__end__:sequential']);
    expect(() =>
      applyGraphEdit(text, {
        type: 'delete-nodes',
        names: ['start_node', 'branch_1', 'branch_2', 'branch_3', 'fan_in'],
      }),
    ).toThrow(/no nodes/);
  });

  it('edits a document that already has errors without counting them as new (invalid_workflow fixture)', () => {
    const text = fixture('invalid_workflow.yaml');
    // (The message names the node, so the `edit` helper's message comparison does not apply here.)
    const renamed = applyGraphEdit(text, { type: 'rename-node', from: 'node_a', to: 'first' }).text;
    expect(errors(renamed)).toEqual([
      "GOTO_UNDEFINED: Node 'first' has goto to non-existent node 'non_existent_node'",
    ]);
    const fixed = edit(renamed, { type: 'connect', source: 'first', target: 'node_b' });
    expect(errors(fixed)).toEqual([]);
  });

  it('rename-node renames every reference', () => {
    const text = fixture('parallel_fanout.yaml');
    const out = edit(text, { type: 'rename-node', from: 'fan_in', to: 'join' });
    expect(graphOf(out).fanOuts[0]!.fanIn).toBe('join');
    expect(lineDiff(text, out).removed).toHaveLength(8);
  });

  it('move-nodes writes one position line per node in one batch', () => {
    const out = edit(CHAIN, { type: 'move-nodes', positions: { a: { x: 1, y: 2 }, c: { x: 3.4, y: -0.2 } } });
    expect(lineDiff(CHAIN, out)).toEqual({
      removed: [],
      added: ['    metadata: {fanout: {x: 1, y: 2}}', '    metadata: {fanout: {x: 3, y: 0}}'].sort(),
    });
    expect(edgeSet(out)).toEqual(edgeSet(CHAIN));
  });
});

describe('fan-outs', () => {
  it('add-parallel-branches creates N Lua branches, a fan-in, hybrid edges, and re-links the old successor', () => {
    const out = edit(CHAIN, {
      type: 'add-parallel-branches',
      source: 'a',
      count: 3,
      template: 'return { v = 1 }\n',
    });
    const g = graphOf(out);
    expect(g.fanOuts).toEqual([
      { source: 'a', branches: ['a_branch_1', 'a_branch_2', 'a_branch_3'], fanIn: 'a_join', form: 'hybrid' },
    ]);
    expect(edgeSet(out)).toEqual(
      expect.arrayContaining([
        'a>a_branch_1:parallel',
        'a_branch_3>a_join:fan-in',
        'a_join>b:sequential',
        'b>c:sequential',
      ]),
    );
    const model = loadWorkflow(out).model!;
    const branch = model.nodes.find((n) => n.name === 'a_branch_2')!;
    expect(branch).toMatchObject({ language: 'lua', run: 'return { v = 1 }\n', goto: 'a_join' });
    expect(model.nodes.find((n) => n.name === 'a_join')!.run).toContain('state.parallel_results');
    expect(out).toContain(
      'edges:\n  - {from: a, to: a_branch_1, type: parallel, fan_in: a_join, parallel: [a_branch_1, a_branch_2, a_branch_3]}\n',
    );
    // `goto: b` moved from the source to the fan-in; nothing else of the old text changed.
    expect(lineDiff(CHAIN, out).removed).toEqual([]);
    expect(model.nodes[0]!.goto).toBeUndefined();
    expect(model.nodes.find((n) => n.name === 'a_join')!.goto).toBe('b');
  });

  it('add-parallel-branches in an edges-style file writes edges entries (lua_test_agent fixture)', () => {
    const text = fixture('lua_test_agent.yaml');
    const out = edit(text, { type: 'add-parallel-branches', source: 'test_math', count: 2, fanIn: 'gather' });
    expect(graphOf(out).fanOuts[0]).toMatchObject({
      branches: ['test_math_branch_1', 'test_math_branch_2'],
      fanIn: 'gather',
    });
    expect(out).toContain('  - from: test_math_branch_1\n    to: gather\n');
    expect(out).toContain('  - from: gather\n    to: test_string\n');
    expect(edgeSet(out)).not.toContain('test_math>test_string:sequential');
  });

  it('add-branch and remove-branch keep the rust list on the first entry', () => {
    const text = fixture('parallel_fanout.yaml');
    const added = edit(text, { type: 'add-branch', source: 'start_node' });
    expect(graphOf(added).fanOuts[0]).toMatchObject({
      branches: ['branch_1', 'branch_2', 'branch_3', 'start_node_branch_4'],
      form: 'hybrid',
    });
    const removed = edit(added, { type: 'remove-branch', source: 'start_node', branch: 'branch_1' });
    const fo = graphOf(removed).fanOuts[0]!;
    expect(fo.branches).toEqual(['branch_2', 'branch_3', 'start_node_branch_4']);
    const entries = loadWorkflow(removed).model!.edges.filter((e) => e.type === 'parallel');
    expect(entries[0]!.parallel).toEqual(fo.branches);
    expect(entries.slice(1).every((e) => e.parallel === undefined)).toBe(true);
  });
});

describe('copy, paste, duplicate', () => {
  it('copyNodesAsYaml keeps the nodes and the edges among them', () => {
    const yaml = copyNodesAsYaml(fixture('parallel_fanout.yaml'), [
      'start_node',
      'branch_1',
      'branch_2',
      'branch_3',
      'fan_in',
    ]);
    const model = loadWorkflow(yaml).model!;
    expect(model.nodes.map((n) => n.name)).toEqual([
      'start_node',
      'branch_1',
      'branch_2',
      'branch_3',
      'fan_in',
    ]);
    expect(model.edges.filter((e) => e.from === 'start_node')).toHaveLength(3);
    expect(model.edges.some((e) => e.from === '__start__')).toBe(false);
    expect(model.edges.some((e) => e.from === 'fan_in' && e.to === '__end__')).toBe(true);
    // Rules leaving the selection are dropped; __end__ counts as inside.
    const goto = loadWorkflow(copyNodesAsYaml(fixture('goto_parity_test.yaml'), ['set_flag', 'skip']));
    expect(goto.model!.nodes[0]!.goto).toEqual([expect.objectContaining({ to: 'skip' })]);
    expect(goto.model!.nodes[1]!.goto).toBe('__end__');
  });

  it('duplicate-nodes copies with fresh names and internal edges', () => {
    const text = fixture('parallel_fanout.yaml');
    const names = ['start_node', 'branch_1', 'branch_2', 'branch_3', 'fan_in'];
    const out = edit(text, { type: 'duplicate-nodes', names });
    const g = graphOf(out);
    expect(g.fanOuts.map((f) => [f.source, f.fanIn])).toEqual([
      ['start_node', 'fan_in'],
      ['start_node_copy', 'fan_in_copy'],
    ]);
    expect(edgeSet(out)).toEqual(
      expect.arrayContaining(['branch_2_copy>fan_in_copy:fan-in', 'fan_in_copy>__end__:sequential']),
    );
    const again = edit(out, { type: 'duplicate-nodes', names: ['fan_in'] });
    expect(loadWorkflow(again).model!.nodes.map((n) => n.name)).toContain('fan_in_copy_2');
  });

  it('paste de-conflicts names, rewires references and places nodes at the position', () => {
    const yaml = [
      'nodes:',
      '  - name: a',
      '    run: |',
      '      return {}',
      '    goto: b',
      '    metadata: {fanout: {x: 100, y: 100}}',
      '  - name: b',
      '    goto: elsewhere',
      '    metadata: {fanout: {x: 150, y: 200}}',
      '',
    ].join('\n');
    const out = edit(CHAIN, { type: 'paste', yaml, position: { x: 0, y: 10 } });
    expect(edgeSet(out)).toEqual(expect.arrayContaining(['a_2>b_2:sequential', 'b_2>__end__:sequential']));
    const model = loadWorkflow(out).model!;
    expect(model.nodes.find((n) => n.name === 'a_2')!.position).toEqual({ x: 0, y: 10 });
    expect(model.nodes.find((n) => n.name === 'b_2')!.position).toEqual({ x: 50, y: 110 });
    expect(() => applyGraphEdit(CHAIN, { type: 'paste', yaml: 'nodes: [' })).toThrow(/Cannot paste/);
  });
});

// ---------------------------------------------------------------- property test

type Route =
  | { kind: 'seq'; to: string }
  | { kind: 'rules'; rules: { if?: string; to: string }[] }
  | { kind: 'fan'; branches: string[]; join: string };

/** An independently tracked graph: per node its route; kinds derived the way the canvas shows them. */
class Model {
  routes = new Map<string, Route>();
  order: string[] = [];
  entry: string | null = null;

  clone(): Model {
    const m = new Model();
    for (const [k, v] of this.routes) m.routes.set(k, JSON.parse(JSON.stringify(v)) as Route);
    m.order = [...this.order];
    m.entry = this.entry;
    return m;
  }

  static fromChain(names: string[]): Model {
    const m = new Model();
    names.forEach((n, i) => m.add(n, { kind: 'seq', to: names[i + 1] ?? '__end__' }));
    m.entry = names[0] ?? null;
    return m;
  }

  add(name: string, route: Route): void {
    this.routes.set(name, route);
    this.order.push(name);
  }

  wayOn(name: string): string {
    const r = this.routes.get(name)!;
    if (r.kind === 'seq') return r.to;
    if (r.kind === 'rules') return r.rules.find((x) => x.if === undefined)?.to ?? '__end__';
    return r.join;
  }

  /** Plain successor edges (no parallel ones). */
  succ(name: string): string[] {
    const r = this.routes.get(name);
    if (!r) return [];
    if (r.kind === 'seq') return [r.to];
    if (r.kind === 'rules') return r.rules.map((x) => x.to);
    return [];
  }

  fans(): [string, { branches: string[]; join: string }][] {
    return [...this.routes].filter(([, r]) => r.kind === 'fan') as [
      string,
      { branches: string[]; join: string },
    ][];
  }

  /** Nodes on a branch path (head to the join, exclusive), as buildGraph/branchPaths finds them. */
  branchNodes(fan: { branches: string[]; join: string }): Set<string> {
    const out = new Set<string>();
    for (const head of fan.branches) {
      const seen = new Set([fan.join, '__end__', '__start__', head]);
      const queue = [head];
      while (queue.length > 0) {
        const n = queue.shift()!;
        out.add(n);
        for (const t of this.succ(n)) {
          if (seen.has(t)) continue;
          seen.add(t);
          queue.push(t);
        }
      }
    }
    return out;
  }

  valid(): boolean {
    for (const [, fan] of this.fans()) {
      const on = this.branchNodes(fan);
      for (const head of fan.branches) {
        const seen = new Set([fan.join, '__end__', head]);
        const queue = [head];
        let ok = false;
        while (queue.length > 0 && !ok) {
          const n = queue.shift()!;
          if (this.succ(n).includes(fan.join)) ok = true;
          for (const t of this.succ(n)) {
            if (seen.has(t)) continue;
            seen.add(t);
            queue.push(t);
          }
        }
        if (!ok || !on.has(head)) return false;
      }
    }
    return true;
  }

  edges(): string[] {
    const out: string[] = [];
    if (this.entry) out.push(`__start__>${this.entry}:sequential`);
    const fanIn = new Map<string, Set<string>>(); // join -> branch nodes
    for (const [, fan] of this.fans()) fanIn.set(fan.join, this.branchNodes(fan));
    for (const [name, r] of this.routes) {
      if (r.kind === 'seq') {
        const kind = fanIn.get(r.to)?.has(name) ? 'fan-in' : 'sequential';
        out.push(`${name}>${r.to}:${kind}`);
      } else if (r.kind === 'rules') {
        for (const x of r.rules)
          out.push(`${name}>${x.to}:conditional${x.if !== undefined ? `?${x.if}` : ''}`);
      } else {
        for (const b of r.branches) out.push(`${name}>${b}:parallel`);
      }
    }
    return out.sort();
  }

  fanOuts(): string[] {
    return this.fans()
      .map(([s, f]) => `${s}>${f.branches.join(',')}>${f.join}`)
      .sort();
  }

  /** connect without condition: replace the unconditional way on. */
  setWayOn(name: string, to: string): void {
    const r = this.routes.get(name)!;
    if (r.kind === 'seq') r.to = to;
    else if (r.kind === 'rules') {
      const fb = r.rules.find((x) => x.if === undefined);
      if (fb) fb.to = to;
      else r.rules.push({ to });
    }
  }

  fresh(base: string, first: number, plainFirst: boolean): string {
    for (let i = first; ; i++) {
      const name = plainFirst && i === first ? base : `${base}_${i}`;
      if (!this.routes.has(name)) return name;
    }
  }
}

const CONDITIONS = ['state.a', 'state.n > 2', "state.s == 'x'"];

interface Step {
  op: number;
  a: number;
  b: number;
  c: number;
}

/** Builds the graph edit for a step and applies it to the model; null when the step does not apply. */
function plan(m: Model, s: Step): { edit: GraphEdit; expect: Model | 'throws' } | null {
  const names = [...m.routes.keys()];
  if (names.length === 0) return null;
  const pick = (i: number) => names[i % names.length]!;
  const next = m.clone();
  const src = pick(s.a);
  const srcRoute = m.routes.get(src)!;
  const targets = [...names, '__end__'];
  const tgt = targets[s.b % targets.length]!;
  const cond = CONDITIONS[s.c % CONDITIONS.length]!;
  const finish = (edit: GraphEdit) => ({ edit, expect: next.valid() ? next : ('throws' as const) });
  switch (s.op % 10) {
    case 0: {
      if (srcRoute.kind === 'fan') return null;
      next.setWayOn(src, tgt);
      return finish({ type: 'connect', source: src, target: tgt });
    }
    case 1: {
      if (srcRoute.kind === 'fan') return null;
      const r = next.routes.get(src)!;
      if (r.kind === 'seq')
        next.routes.set(src, { kind: 'rules', rules: [{ if: cond, to: tgt }, { to: r.to }] });
      else if (r.kind === 'rules') {
        const fb = r.rules.findIndex((x) => x.if === undefined);
        r.rules.splice(fb >= 0 ? fb : r.rules.length, 0, { if: cond, to: tgt });
      }
      return finish({ type: 'connect', source: src, target: tgt, condition: cond });
    }
    case 2:
    case 3: {
      // disconnect / set-condition on one of the source's edges
      if (srcRoute.kind === 'fan') {
        const b = srcRoute.branches[s.b % srcRoute.branches.length]!;
        if (s.op % 10 === 3) return null;
        const f = next.routes.get(src) as { kind: 'fan'; branches: string[]; join: string };
        f.branches = f.branches.filter((x) => x !== b);
        if (f.branches.length === 0) next.routes.set(src, { kind: 'seq', to: f.join });
        return finish({ type: 'remove-branch', source: src, branch: b });
      }
      const edges =
        srcRoute.kind === 'seq' ? [{ if: undefined as string | undefined, to: srcRoute.to }] : srcRoute.rules;
      if (edges.length === 0) return null;
      const idx = s.b % edges.length;
      const chosen = edges[idx]!;
      const edgeRef = {
        source: src,
        target: chosen.to,
        rule: srcRoute.kind === 'rules' ? idx : undefined,
        condition: chosen.if,
      };
      const r = next.routes.get(src)!;
      if (s.op % 10 === 2) {
        // Fan-in edges cannot be cut.
        const fanInEdge = m.edges().includes(`${src}>${chosen.to}:fan-in`);
        if (fanInEdge)
          return { edit: { type: 'disconnect', edge: edgeRef as unknown as GraphEdge }, expect: 'throws' };
        if (r.kind === 'seq') {
          if (r.to !== '__end__') r.to = '__end__';
        } else if (r.kind === 'rules') {
          if (r.rules.length > 1) r.rules.splice(idx, 1);
          else if (chosen.to !== '__end__') r.rules = [{ to: '__end__' }];
        }
        return finish({ type: 'disconnect', edge: edgeRef as unknown as GraphEdge });
      }
      const fanInEdge = m.edges().includes(`${src}>${chosen.to}:fan-in`);
      const value = s.c % 4 === 3 ? undefined : cond;
      if (fanInEdge)
        return {
          edit: { type: 'set-condition', edge: edgeRef as unknown as GraphEdge, condition: value },
          expect: 'throws',
        };
      if (r.kind === 'seq') {
        if (value !== undefined) next.routes.set(src, { kind: 'rules', rules: [{ if: value, to: r.to }] });
      } else if (r.kind === 'rules') {
        r.rules[idx] = value === undefined ? { to: chosen.to } : { if: value, to: chosen.to };
      }
      return finish({ type: 'set-condition', edge: edgeRef as unknown as GraphEdge, condition: value });
    }
    case 4: {
      const name = next.fresh('n', s.c % 7, false);
      const after = s.b % 2 === 0 ? undefined : src;
      if (after !== undefined && srcRoute.kind === 'fan') return null;
      if (after === undefined) next.add(name, { kind: 'seq', to: '__end__' });
      else {
        next.add(name, { kind: 'seq', to: m.wayOn(after) });
        next.setWayOn(after, name);
      }
      return finish({
        type: 'add-node',
        node: { name, language: 'lua', run: 'return {}\n' },
        ...(after ? { after } : {}),
        position: { x: s.b, y: s.c },
      });
    }
    case 5: {
      if (srcRoute.kind === 'fan')
        return { edit: { type: 'add-parallel-branches', source: src, count: 2 }, expect: 'throws' };
      if (srcRoute.kind === 'rules' && srcRoute.rules.some((x) => x.if !== undefined)) {
        return { edit: { type: 'add-parallel-branches', source: src, count: 2 }, expect: 'throws' };
      }
      const count = 1 + (s.c % 3);
      const old = m.wayOn(src);
      const heads: string[] = [];
      for (let i = 1; heads.length < count; i++)
        if (!next.routes.has(`${src}_branch_${i}`)) heads.push(`${src}_branch_${i}`);
      const join = next.fresh(`${src}_join`, 1, true);
      for (const h of heads) next.add(h, { kind: 'seq', to: join });
      next.add(join, { kind: 'seq', to: old });
      next.routes.set(src, { kind: 'fan', branches: heads, join });
      return finish({ type: 'add-parallel-branches', source: src, count });
    }
    case 6: {
      if (srcRoute.kind !== 'fan') return null;
      let head = '';
      for (let i = srcRoute.branches.length + 1; head === '' || next.routes.has(head); i++)
        head = `${src}_branch_${i}`;
      next.add(head, { kind: 'seq', to: srcRoute.join });
      (next.routes.get(src) as { branches: string[] }).branches.push(head);
      return finish({ type: 'add-branch', source: src });
    }
    case 7: {
      const to = `${src}_r${s.c % 3}`;
      if (m.routes.has(to)) return null;
      const rn = (x: string) => (x === src ? to : x);
      const renamed = new Model();
      for (const [k, r] of next.routes) {
        const copy: Route =
          r.kind === 'seq'
            ? { kind: 'seq', to: rn(r.to) }
            : r.kind === 'rules'
              ? { kind: 'rules', rules: r.rules.map((x) => ({ ...x, to: rn(x.to) })) }
              : { kind: 'fan', branches: r.branches.map(rn), join: rn(r.join) };
        renamed.add(rn(k), copy);
      }
      renamed.entry = next.entry === null ? null : rn(next.entry);
      return { edit: { type: 'rename-node', from: src, to }, expect: renamed };
    }
    case 8: {
      // delete a node that takes no part in a fan-out (fan-out deletions have their own tests)
      const involved = m.fans().some(([s2, f]) => s2 === src || f.join === src || m.branchNodes(f).has(src));
      if (involved || srcRoute.kind === 'fan' || m.routes.size < 2) return null;
      let bridge = src;
      const seen = new Set<string>();
      while (bridge === src && !seen.has(bridge)) {
        seen.add(bridge);
        bridge = m.wayOn(bridge);
      }
      if (bridge === src) bridge = '__end__';
      if (m.entry === src && bridge === '__end__') return null;
      next.routes.delete(src);
      next.order = next.order.filter((x) => x !== src);
      for (const [, r] of next.routes) {
        if (r.kind === 'seq' && r.to === src) r.to = bridge;
        if (r.kind === 'rules') for (const x of r.rules) if (x.to === src) x.to = bridge;
      }
      if (next.entry === src) next.entry = bridge;
      return finish({ type: 'delete-nodes', names: [src] });
    }
    default: {
      const positions: Record<string, { x: number; y: number }> = {};
      for (const n of names.slice(0, 1 + (s.c % 4))) positions[n] = { x: s.a, y: s.b };
      return { edit: { type: 'move-nodes', positions }, expect: next };
    }
  }
}

/** Resolves the model's edge reference to the document's GraphEdge. */
function resolveEdge(
  text: string,
  ref: { source: string; target: string; rule?: number; condition?: string },
): GraphEdge {
  const g = graphOf(text);
  const found = g.edges.find(
    (e) =>
      e.source === ref.source &&
      e.target === ref.target &&
      (ref.rule === undefined || (e.origin.type === 'goto' && e.origin.rule === ref.rule)) &&
      e.kind !== 'parallel',
  );
  expect(found, JSON.stringify(ref)).toBeDefined();
  return found!;
}

// Case count and timeout from test/budgets.ts (FANOUT_PROPERTY_RUNS); 75 ms per case measured under load.
const GRAPH_EDITS = propertyBudget(120, 75);

describe('random graph edit sequences (property)', GRAPH_EDITS, () => {
  const chainDoc = (names: string[]) =>
    [
      'name: prop',
      'nodes:',
      ...names.flatMap((n, i) => [
        `  - name: ${n}`,
        '    language: lua',
        '    run: |',
        '      return {}',
        `    goto: ${names[i + 1] ?? '__end__'}`,
      ]),
      '',
    ].join('\n');
  const edgesDoc = (names: string[]) =>
    [
      'name: prop-edges',
      'nodes:',
      ...names.flatMap((n) => [`  - name: ${n}`, '    language: lua', '    run: |', '      return {}']),
      'edges:',
      `  - from: __start__`,
      `    to: ${names[0]}`,
      ...names.flatMap((n, i) => [`  - from: ${n}`, `    to: ${names[i + 1] ?? '__end__'}`]),
      '',
    ].join('\n');
  const step = fc.record({ op: fc.nat(99), a: fc.nat(99), b: fc.nat(99), c: fc.nat(99) });

  // In an edges-style file a `when` on an entry stays an entry, so set-condition (op 3) is left out
  // there: a later unconditional connect adds a sequential entry instead of a goto fallback rule.
  it.each([
    { style: 'goto', doc: chainDoc, skip: -1 },
    { style: 'edges', doc: edgesDoc, skip: 3 },
  ])('keeps a $style-style document valid and its graph equal to the tracked one', ({ doc, skip }) => {
    let applied = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 14 }), (steps) => {
        let text = doc(['a', 'b', 'c']);
        let model = Model.fromChain(['a', 'b', 'c']);
        for (const s of steps) {
          if (s.op % 10 === skip) continue;
          const p = plan(model, s);
          if (!p) continue;
          const e = p.edit;
          if (e.type === 'disconnect' || e.type === 'set-condition') {
            e.edge = resolveEdge(
              text,
              e.edge as unknown as { source: string; target: string; rule?: number },
            );
          }
          if (p.expect === 'throws') {
            expect(() => applyGraphEdit(text, e), JSON.stringify(e)).toThrow(EditError);
            refused++;
            continue;
          }
          const out = applyGraphEdit(text, e).text;
          expect(errors(out), `${JSON.stringify(e)}\n${out}`).toEqual([]);
          expect(edgeSet(out), `${JSON.stringify(e)}\n${out}`).toEqual(p.expect.edges());
          expect(
            graphOf(out)
              .fanOuts.map((f) => `${f.source}>${f.branches.join(',')}>${f.fanIn}`)
              .sort(),
          ).toEqual(p.expect.fanOuts());
          for (const f of graphOf(out).fanOuts) expect(f.form).toBe('hybrid');
          text = out;
          model = p.expect;
          applied++;
        }
      }),
      { numRuns: GRAPH_EDITS.numRuns },
    );
    // The generator must mostly produce edits that apply, not only refusals.
    expect(applied).toBeGreaterThan(refused * 3);
  });
});
