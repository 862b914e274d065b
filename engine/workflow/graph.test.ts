import { describe, expect, it } from 'vitest';
import { branchPaths, buildGraph } from './graph.ts';
import { loadWorkflow } from './load.ts';
import type { WorkflowGraph } from './types.ts';

function graphOf(text: string): WorkflowGraph {
  const load = loadWorkflow(text);
  if (!load.model) throw new Error(JSON.stringify(load.problems));
  return buildGraph(load.model);
}

/** Edges as `source->target:kind` strings, for compact assertions. */
function edgeList(g: WorkflowGraph): string[] {
  return g.edges.map((e) => `${e.source}->${e.target}:${e.kind}`);
}

describe('buildGraph: TEA build order', () => {
  it('chains nodes in list order when nothing is explicit, last node to __end__', () => {
    const g = graphOf('name: w\nnodes:\n  - name: a\n  - name: b\n  - name: c\n');
    expect(g.entry).toBe('a');
    expect(edgeList(g)).toEqual([
      '__start__->a:sequential',
      'a->b:sequential',
      'b->c:sequential',
      'c->__end__:sequential',
    ]);
    expect(g.edges.map((e) => e.origin)).toEqual([
      { type: 'implicit', node: '__start__' },
      { type: 'implicit', node: 'a' },
      { type: 'implicit', node: 'b' },
      { type: 'implicit', node: 'c' },
    ]);
    expect(g.nodes.map((n) => `${n.id}:${n.kind}`)).toEqual([
      '__start__:start',
      'a:passthrough',
      'b:passthrough',
      'c:passthrough',
      '__end__:end',
    ]);
  });

  it('uses the target of a __start__ edge as entry', () => {
    const g = graphOf('name: w\nnodes:\n  - name: a\n  - name: b\nedges:\n  - {from: __start__, to: b}\n');
    expect(g.entry).toBe('b');
    expect(g.edges[0]).toMatchObject({
      source: '__start__',
      target: 'b',
      origin: { type: 'edge', index: 0 },
    });
  });

  it('goto wins over edges entries of the same node; an edges entry stops implicit chaining', () => {
    const g = graphOf(
      [
        'name: w',
        'nodes:',
        '  - name: a',
        '    goto: c',
        '  - name: b',
        '  - name: c',
        'edges:',
        '  - {from: a, to: b}',
        '  - {from: b, to: __end__}',
      ].join('\n'),
    );
    expect(edgeList(g)).toEqual([
      '__start__->a:sequential',
      'a->c:sequential',
      'c->__end__:sequential',
      'b->__end__:sequential',
    ]);
    expect(g.edges.find((e) => e.source === 'a')?.origin).toEqual({ type: 'goto', node: 'a' });
    expect(g.edges.find((e) => e.source === 'b')?.origin).toEqual({ type: 'edge', index: 1 });
  });

  it('turns goto rules into ordered conditional edges with a fallback', () => {
    const g = graphOf(
      [
        'name: w',
        'nodes:',
        '  - name: a',
        '    goto:',
        '      - if: "state.x > 1"',
        '        to: b',
        '      - if: "state.y"',
        '        to: __end__',
        '      - to: c',
        '  - name: b',
        '    goto: __end__',
        '  - name: c',
        '    goto: __end__',
      ].join('\n'),
    );
    const out = g.edges.filter((e) => e.source === 'a');
    expect(out.map((e) => [e.target, e.kind, e.condition, e.fallback ?? false, e.order])).toEqual([
      ['b', 'conditional', 'state.x > 1', false, 0],
      ['__end__', 'conditional', 'state.y', false, 1],
      ['c', 'conditional', undefined, true, 2],
    ]);
    expect(out[2]?.origin).toEqual({ type: 'goto', node: 'a', rule: 2 });
  });

  it('makes `when` edges conditional, ordered per source', () => {
    const g = graphOf(
      [
        'name: w',
        'nodes: [{name: a}, {name: b}, {name: c}]',
        'edges:',
        '  - {from: a, to: b, when: "state.ok"}',
        '  - {from: a, to: c, when: "not state.ok"}',
        '  - {from: b, to: __end__}',
        '  - {from: c, to: __end__}',
      ].join('\n'),
    );
    const out = g.edges.filter((e) => e.source === 'a');
    expect(out.map((e) => [e.target, e.kind, e.condition, e.order])).toEqual([
      ['b', 'conditional', 'state.ok', 0],
      ['c', 'conditional', 'not state.ok', 1],
    ]);
  });

  it('keeps while-loop bodies inside their node', () => {
    const g = graphOf(
      [
        'name: w',
        'nodes:',
        '  - name: loop',
        '    type: while_loop',
        '    condition: "state.n < 3"',
        '    max_iterations: 5',
        '    body:',
        '      - name: inner',
        '        language: lua',
        '        run: |',
        '          return { n = (state.n or 0) + 1 }',
      ].join('\n'),
    );
    expect(g.nodes.map((n) => n.id)).toEqual(['__start__', 'loop', '__end__']);
    expect(g.nodes[1]?.kind).toBe('while_loop');
  });
});

const FAN_NODES = [
  'nodes:',
  '  - {name: s, goto: __end__}',
  '  - {name: a}',
  '  - {name: b}',
  '  - {name: j}',
].join('\n');

describe('buildGraph: fan-outs in every parallel form', () => {
  const cases: [string, string[], string][] = [
    [
      'python',
      ['  - {from: s, to: a, type: parallel, fan_in: j}', '  - {from: s, to: b, type: parallel, fan_in: j}'],
      'python',
    ],
    ['rust', ['  - {from: s, parallel: [a, b]}'], 'rust'],
    [
      'hybrid',
      [
        '  - {from: s, to: a, type: parallel, fan_in: j, parallel: [a, b]}',
        '  - {from: s, to: b, type: parallel, fan_in: j}',
      ],
      'hybrid',
    ],
    [
      'parallel: true',
      ['  - {from: s, to: a, parallel: true, fan_in: j}', '  - {from: s, to: b, parallel: true, fan_in: j}'],
      'parallel-true',
    ],
    ['to: [..]', ['  - {from: s, to: [a, b], parallel: true, fan_in: j}'], 'to-list'],
  ];
  for (const [label, parallelEdges, form] of cases) {
    it(`reads the ${label} form as a fan-out s -> [a, b] -> j`, () => {
      const text = [
        'name: w',
        FAN_NODES.replace('{name: s, goto: __end__}', '{name: s}'),
        'edges:',
        '  - {from: __start__, to: s}',
        ...parallelEdges,
        '  - {from: a, to: j}',
        '  - {from: b, to: j}',
        '  - {from: j, to: __end__}',
      ].join('\n');
      const g = graphOf(text);
      expect(g.fanOuts).toEqual([{ source: 's', branches: ['a', 'b'], fanIn: 'j', form }]);
      expect(edgeList(g)).toEqual([
        '__start__->s:sequential',
        's->a:parallel',
        's->b:parallel',
        'a->j:fan-in',
        'b->j:fan-in',
        'j->__end__:sequential',
      ]);
      const byId = new Map(g.nodes.map((n) => [n.id, n]));
      expect(byId.get('s')?.fanOut).toBe(true);
      expect(byId.get('j')?.fanIn).toBe(true);
      expect(byId.get('a')?.fanIn).toBe(false);
    });
  }

  it('leaves the fan-in undetermined when rust-form branches share no successor', () => {
    const g = graphOf(
      [
        'name: w',
        'nodes: [{name: s}, {name: a, goto: x}, {name: b, goto: y}, {name: x}, {name: y}]',
        'edges:',
        '  - {from: s, parallel: [a, b]}',
      ].join('\n'),
    );
    expect(g.fanOuts[0]?.fanIn).toBeNull();
    expect(branchPaths(g, g.fanOuts[0]!)).toEqual([['a'], ['b']]);
  });

  it('maps a hybrid fan-out edge back to the python entry of that branch', () => {
    const g = graphOf(
      [
        'name: w',
        'nodes: [{name: s}, {name: a}, {name: b}, {name: j}]',
        'edges:',
        '  - {from: s, to: a, type: parallel, fan_in: j, parallel: [a, b]}',
        '  - {from: s, to: b, type: parallel, fan_in: j}',
        '  - {from: a, to: j}',
        '  - {from: b, to: j}',
      ].join('\n'),
    );
    const toB = g.edges.find((e) => e.source === 's' && e.target === 'b');
    expect(toB?.origin).toEqual({ type: 'edge', index: 0 });
    expect(g.edges.filter((e) => e.kind === 'parallel')).toHaveLength(2);
  });
});

describe('branchPaths', () => {
  it('follows multi-node and conditional branches up to the fan-in and survives cycles', () => {
    const g = graphOf(
      [
        'name: w',
        'nodes:',
        '  - {name: s}',
        '  - {name: a1, goto: a2}',
        '  - name: a2',
        '    goto:',
        '      - {if: "state.again", to: a1}',
        '      - {if: "state.alt", to: a3}',
        '      - {to: j}',
        '  - {name: a3, goto: j}',
        '  - {name: b, goto: j}',
        '  - {name: j, goto: __end__}',
        'edges:',
        '  - {from: s, to: a1, type: parallel, fan_in: j}',
        '  - {from: s, to: b, type: parallel, fan_in: j}',
      ].join('\n'),
    );
    const fo = g.fanOuts[0]!;
    expect(branchPaths(g, fo)).toEqual([['a1', 'a2', 'a3'], ['b']]);
    expect(g.edges.find((e) => e.source === 'a3')?.kind).toBe('fan-in');
    // A conditional edge into the fan-in stays conditional (it has a condition to show).
    expect(g.edges.find((e) => e.source === 'a2' && e.target === 'j')?.kind).toBe('conditional');
  });
});
