// Drawing a graph's structure by hand: the second edge makes a fan-out, its fan-in is declared where
// the branches meet, edge kinds change both ways on the edge, and the node picker's inserts.
import { describe, expect, it } from 'vitest';
import { EditError } from '../splice.ts';
import { applyGraphEdit, planConnect, planNewNode } from '../../graph-edit.ts';
import type { GraphEdit } from '../../graph-edit.ts';
import { buildGraph } from '../../graph.ts';
import { loadWorkflow } from '../../load.ts';
import type { GraphEdge, WorkflowGraph } from '../../types.ts';
import { validateWorkflow } from '../../validate.ts';

function graphOf(text: string): WorkflowGraph {
  const load = loadWorkflow(text);
  expect(load.model, JSON.stringify(load.problems)).not.toBeNull();
  return buildGraph(load.model!);
}

function errorCodes(text: string): string[] {
  return validateWorkflow(loadWorkflow(text))
    .filter((p) => p.severity === 'error')
    .map((p) => p.code);
}

/** `source>target:kind[?condition]`, sorted. */
function edges(text: string): string[] {
  return graphOf(text)
    .edges.map(
      (e) => `${e.source}>${e.target}:${e.kind}${e.condition !== undefined ? `?${e.condition}` : ''}`,
    )
    .sort();
}

function edgeOf(text: string, source: string, target: string): GraphEdge {
  const e = graphOf(text).edges.find((x) => x.source === source && x.target === target);
  expect(e, `${source} -> ${target}`).toBeDefined();
  return e!;
}

function apply(text: string, edit: GraphEdit): string {
  const out = applyGraphEdit(text, edit).text;
  // Round trip: the result loads, and a no-op edit (moving nothing) leaves it byte-identical.
  expect(applyGraphEdit(out, { type: 'move-nodes', positions: {} }).text).toBe(out);
  return out;
}

const lua = (name: string) => ({ name, language: 'lua', run: 'return {}\n' });

/** What New → Blank plus three dropped Lua nodes gives (each ends the run). */
function dropped(names: string[]): string {
  let text = 'name: drawn\nnodes: []\n';
  for (const [i, n] of names.entries()) {
    text = apply(text, { type: 'add-node', node: lua(n), position: { x: i * 200, y: 0 } });
  }
  return text;
}

describe('the second edge out of a node makes a fan-out (issue #12 item 2)', () => {
  it('lua_1→lua_2 then lua_1→lua_3 keeps both edges, as parallel branches with the fan-in still open', () => {
    let text = dropped(['lua_1', 'lua_2', 'lua_3']);
    text = apply(text, { type: 'connect', source: 'lua_1', target: 'lua_2' });
    const g = graphOf(text);
    expect(planConnect(g, 'lua_1', 'lua_3')).toEqual({ do: 'fan-out', wayOn: 'lua_2' });
    text = apply(text, { type: 'fan-out', source: 'lua_1', target: 'lua_3' });
    expect(graphOf(text).fanOuts).toEqual([
      { source: 'lua_1', branches: ['lua_2', 'lua_3'], fanIn: null, form: 'hybrid' },
    ]);
    expect(edges(text)).toEqual(expect.arrayContaining(['lua_1>lua_2:parallel', 'lua_1>lua_3:parallel']));
    // The open fan-in is the one problem left, and it says what to do.
    expect(errorCodes(text)).toEqual(['FAN_IN_UNDETERMINED']);
    expect(text).toContain('parallel: [lua_2, lua_3]');
    expect(text).not.toContain('fan_in');
  });

  it('declares the fan-in where the branches already meet', () => {
    let text = dropped(['a', 'b', 'c', 'd']);
    text = apply(text, { type: 'connect', source: 'a', target: 'b' });
    text = apply(text, { type: 'connect', source: 'b', target: 'd' });
    text = apply(text, { type: 'connect', source: 'c', target: 'd' });
    text = apply(text, { type: 'fan-out', source: 'a', target: 'c' });
    expect(graphOf(text).fanOuts).toEqual([
      { source: 'a', branches: ['b', 'c'], fanIn: 'd', form: 'hybrid' },
    ]);
    expect(errorCodes(text)).toEqual([]);
    expect(text.match(/fan_in: d/g)).toHaveLength(2);
    expect(edges(text)).toEqual(expect.arrayContaining(['b>d:fan-in', 'c>d:fan-in']));
  });

  it('builds start → 3 branches → fan-in from picker inserts and "make X the fan-in?"', () => {
    let text = 'name: drawn\nnodes: []\n';
    const add = (name: string, source: string) => {
      const as = planNewNode(graphOf(text), source);
      text = apply(text, { type: 'add-node', node: lua(name), from: { source, as } });
      return as;
    };
    expect(add('start', '__start__')).toBe('sequential');
    expect(add('b1', 'start')).toBe('sequential');
    expect(add('b2', 'start')).toBe('parallel'); // the second edge
    expect(add('b3', 'start')).toBe('parallel'); // one more branch
    expect(graphOf(text).fanOuts[0]!.branches).toEqual(['b1', 'b2', 'b3']);
    expect(add('join', 'b1')).toBe('sequential'); // b1's way on was __end__
    // b2 → join: join is reached by another branch, so the canvas asks to make it the fan-in.
    expect(planConnect(graphOf(text), 'b2', 'join')).toEqual({
      ask: 'fan-in',
      fanOut: 'start',
      wayOn: '__end__',
    });
    text = apply(text, { type: 'set-fan-in', source: 'start', fanIn: 'join' });
    expect(graphOf(text).fanOuts).toEqual([
      { source: 'start', branches: ['b1', 'b2', 'b3'], fanIn: 'join', form: 'hybrid' },
    ]);
    expect(edges(text)).toEqual([
      '__start__>start:sequential',
      'b1>join:fan-in',
      'b2>join:fan-in',
      'b3>join:fan-in',
      'join>__end__:sequential',
      'start>b1:parallel',
      'start>b2:parallel',
      'start>b3:parallel',
    ]);
    expect(errorCodes(text)).toEqual([]);
    // Picking from a branch end now splices into the branch (no fan-out inside a branch).
    expect(planNewNode(graphOf(text), 'b3')).toBe('after');
    expect(add('b3_more', 'b3')).toBe('after');
    expect(edges(text)).toEqual(expect.arrayContaining(['b3>b3_more:sequential', 'b3_more>join:fan-in']));
    expect(errorCodes(text)).toEqual([]);
    // A new first node goes on to the old entry.
    expect(add('first', '__start__')).toBe('before-entry');
    expect(edges(text)).toEqual(
      expect.arrayContaining(['__start__>first:sequential', 'first>start:sequential']),
    );
  });

  it('asks instead of guessing where a fan-out cannot be drawn', () => {
    let text = dropped(['a', 'b', 'c', 'd']);
    text = apply(text, { type: 'connect', source: 'a', target: 'b' });
    text = apply(text, { type: 'connect', source: 'a', target: 'c', condition: 'state.x' });
    const g = graphOf(text);
    expect(planConnect(g, 'a', 'd')).toMatchObject({ ask: 'route', wayOn: 'b' });
    expect(planConnect(g, 'a', 'b')).toMatchObject({ do: 'nothing' });
    expect(planConnect(g, 'b', 'd')).toEqual({ do: 'connect' }); // b ends the run: nothing is lost
    expect(() => applyGraphEdit(text, { type: 'fan-out', source: 'a', target: 'd' })).toThrow(
      /routes by conditions \(→ c when state\.x\)/,
    );
    expect(() => applyGraphEdit(text, { type: 'fan-out', source: '__start__', target: 'd' })).toThrow(
      EditError,
    );
  });
});

describe('edge kinds change on the edge, both ways', () => {
  const chain = () => {
    let text = dropped(['a', 'b', 'c']);
    text = apply(text, { type: 'connect', source: 'a', target: 'b' });
    return apply(text, { type: 'connect', source: 'b', target: 'c' });
  };

  it('sequential ⇄ conditional', () => {
    const text = chain();
    const cond = apply(text, {
      type: 'set-edge-kind',
      edge: edgeOf(text, 'a', 'b'),
      kind: 'conditional',
      condition: 'state.go',
    });
    expect(edges(cond)).toContain('a>b:conditional?state.go');
    // Editing the condition on the edge.
    const edited = apply(cond, {
      type: 'set-edge-kind',
      edge: edgeOf(cond, 'a', 'b'),
      kind: 'conditional',
      condition: "state.n > 2 and state.s == 'x'",
    });
    expect(edges(edited)).toContain("a>b:conditional?state.n > 2 and state.s == 'x'");
    // A condition that does not parse is refused with the engine's message, and nothing changes.
    expect(() =>
      applyGraphEdit(edited, {
        type: 'set-edge-kind',
        edge: edgeOf(edited, 'a', 'b'),
        kind: 'conditional',
        condition: 'state.n >',
      }),
    ).toThrow(/invalid/i);
    const back = apply(edited, { type: 'set-edge-kind', edge: edgeOf(edited, 'a', 'b'), kind: 'sequential' });
    expect(edges(back)).toEqual(edges(text));
    expect(errorCodes(back)).toEqual([]);
  });

  it('sequential ⇄ parallel (the fan-in is where the branch goes on)', () => {
    const text = chain();
    const par = apply(text, { type: 'set-edge-kind', edge: edgeOf(text, 'a', 'b'), kind: 'parallel' });
    expect(graphOf(par).fanOuts).toEqual([{ source: 'a', branches: ['b'], fanIn: 'c', form: 'hybrid' }]);
    expect(errorCodes(par)).toEqual([]);
    const back = apply(par, { type: 'set-edge-kind', edge: edgeOf(par, 'a', 'b'), kind: 'sequential' });
    expect(edges(back)).toEqual(edges(text));
    expect(errorCodes(back)).toEqual([]);
  });

  it('parallel → conditional on a single branch makes it an optional step; many branches refuse', () => {
    const text = chain();
    const par = apply(text, { type: 'set-edge-kind', edge: edgeOf(text, 'a', 'b'), kind: 'parallel' });
    const cond = apply(par, {
      type: 'set-edge-kind',
      edge: edgeOf(par, 'a', 'b'),
      kind: 'conditional',
      condition: 'state.deep',
    });
    expect(edges(cond)).toEqual(
      [
        '__start__>a:sequential',
        'a>b:conditional?state.deep',
        'a>c:conditional',
        'b>c:sequential',
        'c>__end__:sequential',
      ].sort(),
    );
    expect(errorCodes(cond)).toEqual([]);
    let two = dropped(['s', 'x', 'y', 'j']);
    for (const [f, t] of [
      ['s', 'x'],
      ['x', 'j'],
      ['y', 'j'],
    ])
      two = apply(two, { type: 'connect', source: f!, target: t! });
    two = apply(two, { type: 'fan-out', source: 's', target: 'y' });
    expect(() =>
      applyGraphEdit(two, { type: 'set-edge-kind', edge: edgeOf(two, 's', 'x'), kind: 'sequential' }),
    ).toThrow(/one of 2 parallel branches/);
  });

  it('conditional → parallel joins the way on as a branch; set-edge-target swaps a branch', () => {
    let text = dropped(['a', 'b', 'c', 'j']);
    for (const [f, t] of [
      ['a', 'b'],
      ['b', 'j'],
      ['c', 'j'],
    ])
      text = apply(text, { type: 'connect', source: f!, target: t! });
    text = apply(text, { type: 'connect', source: 'a', target: 'c', condition: 'state.x' });
    const par = apply(text, { type: 'set-edge-kind', edge: edgeOf(text, 'a', 'c'), kind: 'parallel' });
    expect(graphOf(par).fanOuts).toEqual([{ source: 'a', branches: ['b', 'c'], fanIn: 'j', form: 'hybrid' }]);
    let more = apply(par, { type: 'add-node', node: lua('d'), after: undefined });
    more = apply(more, { type: 'set-edge-target', edge: edgeOf(more, 'a', 'c'), target: 'd' });
    expect(graphOf(more).fanOuts[0]!.branches).toEqual(['b', 'd']);
    expect(edges(more)).toContain('d>j:fan-in');
    expect(errorCodes(more)).toEqual([]);
  });

  it('refuses kinds an edge cannot have, naming the edge', () => {
    const text = chain();
    expect(() =>
      applyGraphEdit(text, {
        type: 'set-edge-kind',
        edge: edgeOf(text, '__start__', 'a'),
        kind: 'conditional',
        condition: 'x',
      }),
    ).toThrow(/entry edge/);
    expect(() =>
      applyGraphEdit(text, {
        type: 'set-edge-kind',
        edge: edgeOf(text, 'a', 'b'),
        kind: 'conditional',
        condition: ' ',
      }),
    ).toThrow(/needs a condition/);
  });
});
