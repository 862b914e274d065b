import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addEdge,
  addNode,
  EditError,
  removeEdge,
  removeNode,
  renameNode,
  setEdgeField,
  setNodeCode,
  setNodeField,
  setNodePosition,
  setTopLevelField,
} from './edit.ts';
import { loadWorkflow } from './load.ts';
import type { NodeSpec, WorkflowModel } from './types.ts';
import { propertyBudget } from '../../test/budgets.ts';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/tea-compat/fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** Lines that differ between two texts of equal line count: [lineNo, before, after]. */
function changedLines(a: string, b: string): [number, string, string][] {
  const x = a.split('\n');
  const y = b.split('\n');
  expect(y.length, 'line count changed').toBe(x.length);
  const out: [number, string, string][] = [];
  x.forEach((line, i) => {
    if (line !== y[i]) out.push([i + 1, line, y[i]!]);
  });
  return out;
}

/** The block of lines replacing another: common prefix/suffix stripped. */
function hunk(a: string, b: string): { at: number; removed: string[]; added: string[] } {
  const x = a.split('\n');
  const y = b.split('\n');
  let pre = 0;
  while (pre < x.length && pre < y.length && x[pre] === y[pre]) pre++;
  let post = 0;
  while (post < x.length - pre && post < y.length - pre && x[x.length - 1 - post] === y[y.length - 1 - post])
    post++;
  return { at: pre + 1, removed: x.slice(pre, x.length - post), added: y.slice(pre, y.length - post) };
}

function load(text: string): WorkflowModel {
  const result = loadWorkflow(text);
  expect(
    result.problems.filter((p) => p.severity === 'error'),
    text,
  ).toEqual([]);
  return result.model!;
}

function node(model: WorkflowModel, name: string): NodeSpec {
  const walk = (nodes: NodeSpec[]): NodeSpec | undefined => {
    for (const n of nodes) {
      if (n.name === name) return n;
      const inner = n.body ? walk(n.body) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  const found = walk(model.nodes);
  expect(found, `node ${name}`).toBeDefined();
  return found!;
}

const comments = (text: string) => text.split('\n').filter((l) => l.trim().startsWith('#'));

describe('lossless round trip', () => {
  it('an untouched fixture loads with its exact text', () => {
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'))) {
      const text = fixture(file);
      expect(loadWorkflow(text).text).toBe(text);
      // A no-op edit returns the same bytes too.
      const first = load(text).nodes[0]!.name;
      expect(renameNode(text, first, first)).toBe(text);
    }
  });
});

describe('renameNode', () => {
  it('changes exactly the name line and each referencing line in lua_test_agent', () => {
    const text = fixture('lua_test_agent.yaml');
    const out = renameNode(text, 'test_string', 'string_ops');
    expect(changedLines(text, out)).toEqual([
      [28, '  - name: test_string', '  - name: string_ops'],
      [77, '    to: test_string', '    to: string_ops'],
      [78, '  - from: test_string', '  - from: string_ops'],
    ]);
    expect(comments(out)).toEqual(comments(text));
    const model = load(out);
    expect(model.nodes[1]!.name).toBe('string_ops');
  });

  it('updates _route goto map values, to: route targets and a dynamic_parallel fan_in (not labels)', () => {
    const text = [
      'name: r',
      'nodes:',
      '  - name: route',
      '    goto: {b: b, _default: c}',
      '  - {name: fan, type: dynamic_parallel, items: "{{ state.xs }}", fan_in: b, action: {uses: x}}',
      '  - name: b',
      '  - name: c',
      'edges:',
      '  - from: fan',
      '    to:',
      '      - {target: b, condition: "state.b"}',
      '      - target: c',
      '',
    ].join('\n');
    const out = renameNode(text, 'b', 'bee');
    expect(changedLines(text, out)).toEqual([
      [4, '    goto: {b: b, _default: c}', '    goto: {b: bee, _default: c}'],
      [
        5,
        '  - {name: fan, type: dynamic_parallel, items: "{{ state.xs }}", fan_in: b, action: {uses: x}}',
        '  - {name: fan, type: dynamic_parallel, items: "{{ state.xs }}", fan_in: bee, action: {uses: x}}',
      ],
      [6, '  - name: b', '  - name: bee'],
      [11, '      - {target: b, condition: "state.b"}', '      - {target: bee, condition: "state.b"}'],
    ]);
    expect(renameNode(out, 'bee', 'b')).toBe(text);
  });

  it('updates goto strings, goto rules, parallel lists, fan_in, bodies and interrupts', () => {
    const text = `name: r
nodes:
  - name: s
    goto:
      - if: "state.x"
        to: 'a'
      - to: "a"
  - name: a # the branch
    goto: a
  - name: loop
    type: while_loop
    condition: "state.n < 2"
    max_iterations: 3
    body:
      - name: inner
        goto: a
edges:
  - {from: s, to: a, type: parallel, fan_in: a, parallel: [a, b]}
  - from: a
    to: [a, c]
config:
  interrupt_before: [a]
`;
    const out = renameNode(text, 'a', 'alpha');
    expect(changedLines(text, out).map(([n, , after]) => [n, after])).toEqual([
      [6, "        to: 'alpha'"],
      [7, '      - to: "alpha"'],
      [8, '  - name: alpha # the branch'],
      [9, '    goto: alpha'],
      [16, '        goto: alpha'],
      [18, '  - {from: s, to: alpha, type: parallel, fan_in: alpha, parallel: [alpha, b]}'],
      [19, '  - from: alpha'],
      [20, '    to: [alpha, c]'],
      [22, '  interrupt_before: [alpha]'],
    ]);
    const model = load(out);
    expect(node(model, 'inner').goto).toBe('alpha');
  });

  it('quotes a new name that is not a safe plain scalar', () => {
    const text = fixture('goto_parity_test.yaml');
    const out = renameNode(text, 'skip', 'skip: now');
    expect(out).toContain('  - name: "skip: now"');
    expect(load(out).nodes[0]!.goto).toMatchObject([{}, { to: 'skip: now' }]);
  });

  it('refuses reserved names, collisions and unknown nodes', () => {
    const text = fixture('goto_parity_test.yaml');
    expect(() => renameNode(text, 'skip', '__end__')).toThrow(EditError);
    expect(() => renameNode(text, 'skip', 'process')).toThrow(/already exists/);
    expect(() => renameNode(text, 'nope', 'x')).toThrow(/No node named 'nope'/);
    expect(() => renameNode(text, 'skip', '')).toThrow(EditError);
  });

  it('is stable when applied twice (second time: not found)', () => {
    const text = fixture('simple_workflow.yaml');
    const once = renameNode(text, 'process', 'proc');
    expect(renameNode(once, 'proc', 'proc')).toBe(once);
    expect(() => renameNode(once, 'process', 'proc')).toThrow(EditError);
  });
});

describe('setNodeCode', () => {
  it('replaces only the code lines with a block scalar; # and : survive', () => {
    const text = fixture('simple_workflow.yaml');
    const code = 'local n = #state.items -- count: items\nreturn { n = n }\n';
    const out = setNodeCode(text, 'finalize', code);
    expect(hunk(text, out)).toEqual({
      at: 14,
      removed: ['      return { output = state.result .. " - done" }'],
      added: ['      local n = #state.items -- count: items', '      return { n = n }'],
    });
    expect(node(load(out), 'finalize').run).toBe(code);
    expect(setNodeCode(out, 'finalize', code)).toBe(out);
  });

  it('keeps exact trailing-newline semantics and leading indentation', () => {
    const text = fixture('goto_parity_test.yaml');
    for (const code of [
      'return {}',
      'return {}\n',
      'return {}\n\n\n',
      '  indented()\nreturn {}\n',
      'x\r\ny',
    ]) {
      const out = setNodeCode(text, 'process', code);
      expect(node(load(out), 'process').run).toBe(code);
      expect(out).not.toMatch(/run: return/);
    }
  });

  it('adds run: where it is missing, before goto', () => {
    const text = 'name: x\nnodes:\n  - name: a\n    goto: __end__\n';
    const out = setNodeCode(text, 'a', 'return {}\n');
    expect(out).toBe('name: x\nnodes:\n  - name: a\n    run: |\n      return {}\n    goto: __end__\n');
  });

  it('writes into Python map form `run: {type: lua, code}`', () => {
    const text = 'name: x\nnodes:\n  - name: a\n    run:\n      type: lua\n      code: "return {}"\n';
    const out = setNodeCode(text, 'a', 'return { a = 1 }\n');
    expect(node(load(out), 'a')).toMatchObject({ run: 'return { a = 1 }\n', language: 'lua' });
  });

  it('edits nested while_loop body nodes with their deeper indentation', () => {
    const text = fixture('while-loop-parity-test.yaml');
    const out = setNodeCode(text, 'increment', 'return { count = (state.count or 0) + 1 }\n');
    const h = hunk(text, out);
    expect(h.added).toEqual(['          return { count = (state.count or 0) + 1 }']);
    expect(comments(out)).toEqual(comments(text));
  });
});

describe('setNodeField', () => {
  it('adds, replaces and deletes keys in canonical positions', () => {
    const text = fixture('invalid_workflow.yaml');
    const added = setNodeField(text, 'node_a', 'language', 'lua');
    expect(hunk(text, added)).toEqual({ at: 6, removed: [], added: ['    language: lua'] });
    const replaced = setNodeField(added, 'node_a', 'goto', 'node_b');
    expect(changedLines(added, replaced)).toEqual([[10, '    goto: non_existent_node', '    goto: node_b']]);
    expect(comments(replaced)).toEqual(comments(text));
    const deleted = setNodeField(replaced, 'node_a', 'language', undefined);
    expect(deleted).toBe(setNodeField(text, 'node_a', 'goto', 'node_b'));
    expect(setNodeField(deleted, 'node_a', 'language', undefined)).toBe(deleted);
  });

  it('writes maps and lists in block style and reads them back', () => {
    const text = fixture('simple_workflow.yaml');
    let out = setNodeField(text, 'process', 'with', {
      text: '{{ state.x }}',
      n: 2,
      deep: { list: [1, 'two'] },
    });
    out = setNodeField(out, 'process', 'goto', [{ if: 'state.ok', to: 'finalize' }, { to: '__end__' }]);
    out = setNodeField(out, 'process', 'timeout_ms', 1500);
    const n = node(load(out), 'process');
    expect(n.with).toEqual({ text: '{{ state.x }}', n: 2, deep: { list: [1, 'two'] } });
    expect((n.goto as { to: string }[]).map((r) => r.to)).toEqual(['finalize', '__end__']);
    expect(n.timeoutMs).toBe(1500);
    expect(n.run).toBe('-- Lua code\nreturn { result = "processed: " .. (state.input or "none") }\n');
  });

  it('deleting the first key of a `- key:` item keeps the item', () => {
    const text = 'name: x\nnodes:\n  - language: lua\n    name: a\n';
    expect(setNodeField(text, 'a', 'language', undefined)).toBe('name: x\nnodes:\n  - name: a\n');
  });

  it('edits flow-style nodes on their one line', () => {
    const text = 'name: x\nnodes:\n  - {name: a, goto: b}\n  - {name: b}\n';
    expect(setNodeField(text, 'a', 'goto', '__end__')).toBe(
      'name: x\nnodes:\n  - {name: a, goto: __end__}\n  - {name: b}\n',
    );
  });
});

describe('setNodePosition', () => {
  it('a move is a one-line diff, rounded to integers', () => {
    const text = fixture('lua_test_agent.yaml');
    const placed = setNodePosition(text, 'test_array', { x: 10.4, y: -20.6 });
    expect(hunk(text, placed)).toEqual({
      at: 46,
      removed: [],
      added: ['    metadata: {fanout: {x: 10, y: -21}}'],
    });
    const moved = setNodePosition(placed, 'test_array', { x: 300, y: 40 });
    expect(changedLines(placed, moved)).toEqual([
      [46, '    metadata: {fanout: {x: 10, y: -21}}', '    metadata: {fanout: {x: 300, y: 40}}'],
    ]);
    expect(setNodePosition(moved, 'test_array', { x: 300, y: 40 })).toBe(moved);
    expect(node(load(moved), 'test_array').position).toEqual({ x: 300, y: 40 });
  });

  it('keeps other metadata keys (flow and block)', () => {
    const flow = 'name: x\nnodes:\n  - name: a\n    metadata: {owner: me}\n';
    const out1 = setNodePosition(flow, 'a', { x: 1, y: 2 });
    expect(out1).toBe('name: x\nnodes:\n  - name: a\n    metadata: {owner: me, fanout: {x: 1, y: 2}}\n');
    const block =
      'name: x\nnodes:\n  - name: a\n    metadata:\n      owner: me # keep\n      fanout:\n        x: 5\n        y: 6\n';
    const out2 = setNodePosition(block, 'a', { x: 7, y: 8 });
    expect(out2).toBe(
      'name: x\nnodes:\n  - name: a\n    metadata:\n      owner: me # keep\n      fanout: {x: 7, y: 8}\n',
    );
    expect(load(out2).nodes[0]!.raw.metadata).toEqual({ owner: 'me', fanout: { x: 7, y: 8 } });
  });
});

describe('addNode / removeNode', () => {
  it('appends in the file style with canonical key order', () => {
    const text = fixture('goto_parity_test.yaml');
    const out = addNode(text, { goto: '__end__', run: 'return {}\n', language: 'lua', name: 'extra' });
    expect(out).toBe(
      text + '\n  - name: extra\n    language: lua\n    run: |\n      return {}\n    goto: __end__\n',
    );
    expect(load(out).nodes.map((n) => n.name)).toEqual(['set_flag', 'process', 'skip', 'extra']);
  });

  it('inserts after a given node, also inside a while_loop body', () => {
    const text = fixture('while-loop-parity-test.yaml');
    const out = addNode(text, { name: 'inc2', language: 'lua', run: 'return {}' }, { after: 'increment' });
    expect(hunk(text, out).added).toEqual([
      '      - name: inc2',
      '        language: lua',
      '        run: |-',
      '          return {}',
    ]);
    expect(node(load(out), 'counter_loop').body!.map((n) => n.name)).toEqual(['increment', 'inc2']);
    expect(comments(out)).toEqual(comments(text));
  });

  it('creates nodes: when missing and refuses duplicates', () => {
    const out = addNode('name: fresh\n', { name: 'a', run: 'return {}\n' });
    expect(out).toBe('name: fresh\nnodes:\n  - name: a\n    run: |\n      return {}\n');
    expect(() => addNode(out, { name: 'a' })).toThrow(/already exists/);
    expect(() => addNode(out, { name: '__start__' })).toThrow(/reserved/);
    expect(addNode('name: x\nnodes: []\nedges: []\n', { name: 'b' })).toBe(
      'name: x\nnodes:\n  - name: b\nedges: []\n',
    );
  });

  it('removes the node, its comment, its edges, and goto rules pointing at it', () => {
    const text = fixture('lua_test_agent.yaml');
    const out = removeNode(text, 'test_array');
    expect(out).not.toContain('Test 3');
    expect(out).not.toContain('test_array');
    expect(out).toContain('# Test 4: Object operations');
    const model = load(out);
    expect(model.nodes.map((n) => n.name)).toEqual([
      'test_math',
      'test_string',
      'test_object',
      'test_conditional',
    ]);
    expect(model.edges.map((e) => `${e.from}>${e.to}`)).toEqual([
      '__start__>test_math',
      'test_math>test_string',
      'test_object>test_conditional',
      'test_conditional>__end__',
    ]);
    expect(out).not.toMatch(/\n\n\n/);

    const g = fixture('goto_parity_test.yaml');
    const g2 = removeNode(g, 'process');
    expect(node(load(g2), 'set_flag').goto).toMatchObject([{ to: 'skip' }]);
    const g3 = removeNode(g2, 'skip');
    expect(node(load(g3), 'set_flag').goto).toBeUndefined();
    expect(g3).toBe(
      'name: goto-parity-test\nnodes:\n  - name: set_flag\n    language: lua\n    run: |\n      return { should_continue = true }\n',
    );
  });

  it('drops the node from parallel lists and keeps fan_in for validation to report', () => {
    const text = `name: p
nodes:
  - name: s
  - name: a
  - name: b
  - name: j
edges:
  - {from: s, to: a, type: parallel, fan_in: j, parallel: [a, b]}
  - {from: s, to: b, type: parallel, fan_in: j}
  - {from: a, to: j}
  - {from: b, to: j}
`;
    const out = removeNode(text, 'b');
    expect(out).toBe(`name: p
nodes:
  - name: s
  - name: a
  - name: j
edges:
  - {from: s, to: a, type: parallel, fan_in: j, parallel: [a]}
  - {from: a, to: j}
`);
    expect(load(removeNode(out, 'j')).edges.map((e) => e.fanIn)).toEqual(['j']);
  });

  it('removing the last node leaves `nodes: []`', () => {
    expect(removeNode('name: x\nnodes:\n  - name: a\n    run: x\n', 'a')).toBe('name: x\nnodes: []\n');
  });
});

describe('edges', () => {
  it('addEdge follows the block style of existing entries', () => {
    const text = fixture('parallel_fanout.yaml');
    const out = addEdge(text, { to: 'branch_1', from: 'x' });
    expect(hunk(text, out)).toEqual({ at: 58, removed: [], added: ['  - from: x', '    to: branch_1'] });
  });

  it('addEdge writes one-line flow entries in a new edges: section', () => {
    const text = fixture('goto_parity_test.yaml');
    const out = addEdge(text, { from: 'skip', to: '__end__', when: 'state.done' });
    expect(out).toBe(text + '\nedges:\n  - {from: skip, to: __end__, when: state.done}\n');
    const out2 = addEdge(out, { from: 's', to: 'a', type: 'parallel', fan_in: 'j', parallel: ['a', 'b'] });
    expect(hunk(out, out2).added).toEqual([
      '  - {from: s, to: a, type: parallel, fan_in: j, parallel: [a, b]}',
    ]);
    expect(load(out2).edges[1]!.parallelForm).toBe('hybrid');
  });

  it('removeEdge deletes exactly the entry lines', () => {
    const text = fixture('simple_workflow.yaml');
    const out = removeEdge(text, 1);
    expect(hunk(text, out)).toEqual({
      at: 20,
      removed: ['  - from: process', '    to: finalize', ''],
      added: [],
    });
    expect(() => removeEdge(text, 3)).toThrow(/No edge at index 3/);
    const last = removeEdge(removeEdge(out, 0), 0);
    expect(load(last).edges).toEqual([]);
    expect(last.endsWith('edges: []\n')).toBe(true);
  });

  it('setEdgeField sets and deletes keys', () => {
    const text = fixture('parallel_fanout.yaml');
    const out = setEdgeField(text, 1, 'parallel', ['branch_1', 'branch_2', 'branch_3']);
    expect(hunk(text, out)).toEqual({
      at: 42,
      removed: [],
      added: ['    parallel: [branch_1, branch_2, branch_3]'],
    });
    expect(load(out).edges[1]!.parallelForm).toBe('hybrid');
    expect(setEdgeField(out, 1, 'parallel', undefined)).toBe(text);
    const flow = 'name: x\nedges:\n  - {from: a, to: b} # keep\n';
    expect(setEdgeField(flow, 0, 'when', 'state.ok')).toBe(
      'name: x\nedges:\n  - {from: a, to: b, when: state.ok} # keep\n',
    );
  });
});

describe('setTopLevelField', () => {
  it('replaces in place, inserts before nodes:, deletes cleanly', () => {
    const text = fixture('lua_test_agent.yaml');
    const renamed = setTopLevelField(text, 'description', 'New: text');
    expect(changedLines(text, renamed)).toEqual([
      [5, 'description: Tests Lua code execution for Python-Rust parity', 'description: "New: text"'],
    ]);
    const withSettings = setTopLevelField(text, 'settings', {
      timeout_ms: 500,
      parallel: { fail_fast: true },
    });
    expect(hunk(text, withSettings)).toEqual({
      at: 18,
      removed: [],
      added: ['settings:', '  timeout_ms: 500', '  parallel:', '    fail_fast: true', ''],
    });
    expect(load(withSettings).settings).toEqual({ timeoutMs: 500, failFast: true });
    expect(setTopLevelField(withSettings, 'settings', undefined)).toBe(text);
    expect(() => setTopLevelField(text, 'nodes', [])).toThrow(EditError);
  });

  it('works on an empty document', () => {
    expect(setTopLevelField('', 'name', 'new')).toBe('name: new\n');
  });
});

describe('edits refuse broken input', () => {
  it('throws EditError on YAML errors', () => {
    expect(() => renameNode('a: [\n', 'a', 'b')).toThrow(EditError);
    expect(() => addNode('- x\n', { name: 'a' })).toThrow(/not a YAML mapping/);
  });
});

// ---------------------------------------------------------------- property test

const NAMES = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta'];
const codeArb = fc.oneof(
  fc.constantFrom('return {}', 'return { n = #state.x } -- a: b\n', '  local x = 1\nreturn { x = x }\n\n'),
  fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }).map((lines) => lines.join('\n')),
  fc.string({ maxLength: 30, unit: 'binary' }),
);

type Op =
  | { t: 'add'; name: string; code: string }
  | { t: 'rename'; i: number; name: string }
  | { t: 'code'; i: number; code: string }
  | { t: 'pos'; i: number; x: number; y: number }
  | { t: 'remove'; i: number }
  | { t: 'edge'; i: number; j: number }
  | { t: 'unedge'; i: number }
  | { t: 'timeout'; i: number; ms: number | undefined };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('add' as const), name: fc.constantFrom(...NAMES), code: codeArb }),
  fc.record({ t: fc.constant('rename' as const), i: fc.nat(), name: fc.constantFrom(...NAMES) }),
  fc.record({ t: fc.constant('code' as const), i: fc.nat(), code: codeArb }),
  fc.record({
    t: fc.constant('pos' as const),
    i: fc.nat(),
    x: fc.double({ min: -5000, max: 5000, noNaN: true }),
    y: fc.double({ min: -5000, max: 5000, noNaN: true }),
  }),
  fc.record({ t: fc.constant('remove' as const), i: fc.nat() }),
  fc.record({ t: fc.constant('edge' as const), i: fc.nat(), j: fc.nat() }),
  fc.record({ t: fc.constant('unedge' as const), i: fc.nat() }),
  fc.record({
    t: fc.constant('timeout' as const),
    i: fc.nat(),
    ms: fc.option(fc.nat(100_000), { nil: undefined }),
  }),
);

interface Expected {
  nodes: { name: string; code?: string; pos?: { x: number; y: number }; timeout?: number }[];
  edges: { from: string; to: string }[];
}

function applyOp(text: string, exp: Expected, op: Op): string {
  const n = exp.nodes.length;
  const pick = (i: number) => exp.nodes[i % n]!;
  switch (op.t) {
    case 'add': {
      if (exp.nodes.some((x) => x.name === op.name)) {
        expect(() => addNode(text, { name: op.name })).toThrow(EditError);
        return text;
      }
      exp.nodes.push({ name: op.name, code: op.code });
      return addNode(text, { name: op.name, language: 'lua', run: op.code });
    }
    case 'rename': {
      if (n === 0) return text;
      const target = pick(op.i);
      if (exp.nodes.some((x) => x.name === op.name && x !== target)) {
        expect(() => renameNode(text, target.name, op.name)).toThrow(EditError);
        return text;
      }
      const old = target.name;
      target.name = op.name;
      for (const e of exp.edges) {
        if (e.from === old) e.from = op.name;
        if (e.to === old) e.to = op.name;
      }
      return renameNode(text, old, op.name);
    }
    case 'code':
      if (n === 0) return text;
      pick(op.i).code = op.code;
      return setNodeCode(text, pick(op.i).name, op.code);
    case 'pos':
      if (n === 0) return text;
      pick(op.i).pos = { x: Math.round(op.x) + 0, y: Math.round(op.y) + 0 };
      return setNodePosition(text, pick(op.i).name, { x: op.x, y: op.y });
    case 'remove': {
      if (n === 0) return text;
      const gone = pick(op.i).name;
      exp.nodes = exp.nodes.filter((x) => x.name !== gone);
      exp.edges = exp.edges.filter((e) => e.from !== gone && e.to !== gone);
      return removeNode(text, gone);
    }
    case 'edge':
      if (n === 0) return text;
      exp.edges.push({ from: pick(op.i).name, to: pick(op.j).name });
      return addEdge(text, { from: pick(op.i).name, to: pick(op.j).name });
    case 'unedge': {
      if (exp.edges.length === 0) return text;
      const index = op.i % exp.edges.length;
      exp.edges.splice(index, 1);
      return removeEdge(text, index);
    }
    case 'timeout':
      if (n === 0) return text;
      if (op.ms === undefined) delete pick(op.i).timeout;
      else pick(op.i).timeout = op.ms;
      return setNodeField(text, pick(op.i).name, 'timeout_ms', op.ms);
  }
}

// Case count and timeout from test/budgets.ts (FANOUT_PROPERTY_RUNS); 7 ms per case measured under load.
const EDIT_SEQUENCES = propertyBudget(150, 7);

describe('property: random edit sequences', () => {
  const bases: [string, Expected][] = [
    [
      '# a comment\nname: prop\n\nnodes:\n  - name: alpha\n    run: |\n      return {}\n',
      {
        nodes: [{ name: 'alpha', code: 'return {}\n' }],
        edges: [],
      },
    ],
    ['name: prop\nnodes: []\n', { nodes: [], edges: [] }],
    [
      fixture('simple_workflow.yaml'),
      {
        nodes: [
          {
            name: 'process',
            code: '-- Lua code\nreturn { result = "processed: " .. (state.input or "none") }\n',
          },
          { name: 'finalize', code: 'return { output = state.result .. " - done" }\n' },
        ],
        edges: [
          { from: '__start__', to: 'process' },
          { from: 'process', to: 'finalize' },
          { from: 'finalize', to: '__end__' },
        ],
      },
    ],
  ];

  it('always re-loads without YAML errors and reflects every edit', EDIT_SEQUENCES, () => {
    fc.assert(
      fc.property(fc.nat(bases.length - 1), fc.array(opArb, { maxLength: 14 }), (baseIndex, ops) => {
        const [base, initial] = bases[baseIndex]!;
        const exp: Expected = structuredClone(initial);
        let text = base;
        for (const op of ops) {
          text = applyOp(text, exp, op);
          const result = loadWorkflow(text);
          expect(
            result.problems.filter((p) => p.severity === 'error'),
            text,
          ).toEqual([]);
          const model = result.model!;
          expect(model.nodes.map((x) => x.name)).toEqual(exp.nodes.map((x) => x.name));
          exp.nodes.forEach((e, i) => {
            const got = model.nodes[i]!;
            if (e.code !== undefined) expect(got.run ?? '').toBe(e.code);
            expect(got.position).toEqual(e.pos);
            expect(got.timeoutMs).toEqual(e.timeout);
          });
          expect(model.edges.map((e) => ({ from: e.from, to: e.to }))).toEqual(exp.edges);
        }
        // Comments in the base survive every edit sequence.
        for (const c of comments(base)) expect(text).toContain(c.trim());
      }),
      { numRuns: EDIT_SEQUENCES.numRuns },
    );
  });
});

describe('regressions found by the random-edit property', () => {
  const base = '# a comment\nname: prop\n\nnodes:\n  - name: alpha\n    run: |\n      return {}\n';

  it('keeps trailing spaces of the last code line when a section is appended after it', () => {
    const text = addEdge(setNodeCode(base, 'alpha', '! '), { from: 'alpha', to: 'alpha' });
    expect(loadWorkflow(text).model!.nodes[0]!.run).toBe('! ');
  });

  it('keeps a last code line of only spaces when a node is added after it', () => {
    const text = addNode(addNode(base, { name: 'beta', run: '!\n ' }), { name: 'zeta', run: 'return {}' });
    const nodes = loadWorkflow(text).model!.nodes;
    expect(nodes.map((n) => [n.name, n.run])).toEqual([
      ['alpha', 'return {}\n'],
      ['beta', '!\n '],
      ['zeta', 'return {}'],
    ]);
  });
});
