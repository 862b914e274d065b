/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateWorkflow } from '../../../../bench/gen.ts';
import { graphOf } from './test-helpers.ts';
import { edgeLabel, reuseUnchanged, storedPositions, toFlow } from './to-flow.ts';

const example = (name: string) =>
  readFileSync(new URL(`../../../../resources/examples/${name}`, import.meta.url), 'utf8');

const BRANCHY = `
name: branchy
nodes:
  - name: check
    language: lua
    run: |

      -- decide
      return { n = 1 }
    goto:
      - if: "state.n > 1"
        to: big
      - to: small
  - name: big
    uses: json.parse
    goto: fan
  - name: small
    type: while_loop
    condition: "state.n < 3"
    max_iterations: 5
    body:
      - name: inc
        run: |
          return { n = state.n + 1 }
    goto: fan
  - name: fan
    run: |
      return {}
  - name: a
    run: |
      return { a = 1 }
  - name: b
    language: python
    run: |
      return {"b": 2}
  - name: join
    fan_in: true
    metadata:
      fanout: {x: 640, y: 96}
edges:
  - {from: fan, to: a, type: parallel, fan_in: join}
  - {from: fan, to: b, type: parallel, fan_in: join}
  - {from: a, to: join}
  - {from: b, to: join}
  - {from: join, to: __end__}
`;

describe('toFlow', () => {
  const graph = graphOf(BRANCHY);
  const flow = toFlow(graph, storedPositions(graph), {});
  const node = (id: string) => flow.nodes.find((n) => n.id === id)!;
  const edge = (source: string, target: string) =>
    flow.edges.find((e) => e.source === source && e.target === target)!;

  it('maps every node with its kind, summary and fixed size', () => {
    expect(flow.nodes.map((n) => n.id)).toEqual(graph.nodes.map((n) => n.id));
    expect(node('__start__')).toMatchObject({ type: 'start', deletable: false, data: { title: 'Start' } });
    expect(node('__end__')).toMatchObject({ type: 'end', deletable: false, data: { title: 'End' } });
    expect(node('check').data).toMatchObject({
      kind: 'lua',
      detail: '-- decide',
      chip: 'language: lua',
    });
    expect(node('big').data).toMatchObject({ kind: 'action', detail: 'json.parse' });
    expect(node('small').data).toMatchObject({ kind: 'while_loop', detail: 'state.n < 3', maxIterations: 5 });
    expect(node('b').data).toMatchObject({ kind: 'other-code', chip: 'language: python', marked: true });
    expect(node('join').data).toMatchObject({ kind: 'passthrough', marked: true, join: true });
    expect(node('check').width).toBeGreaterThan(0);
    expect(node('check').height).toBeGreaterThan(0);
  });

  it('marks fan-out sources with their branch count and joins with the same colour', () => {
    expect(node('fan').data.fanOut).toBe(2);
    expect(node('fan').data.fanOutColor).toBe(node('join').data.joinColor);
    expect(node('a').data.fanOut).toBeUndefined();
    expect(node('a').data.join).toBeUndefined();
  });

  it('stored positions win over computed ones', () => {
    const f = toFlow(graph, storedPositions(graph), { join: { x: 1, y: 2 }, a: { x: 5, y: 6 } });
    expect(f.nodes.find((n) => n.id === 'join')!.position).toEqual({ x: 640, y: 96 });
    expect(f.nodes.find((n) => n.id === 'a')!.position).toEqual({ x: 5, y: 6 });
  });

  it('styles each edge kind: solid, dashed + label, thick coloured parallel and fan-in', () => {
    const seq = edge('big', 'fan');
    expect(seq.data!.kind).toBe('sequential');
    expect(seq.style!.strokeDasharray).toBeUndefined();
    expect(seq.label).toBeUndefined();

    const cond = edge('check', 'big');
    expect(cond.data!.kind).toBe('conditional');
    expect(cond.style!.strokeDasharray).toBeTruthy();
    expect(cond.label).toBe('state.n > 1');
    expect(edge('check', 'small').label).toBe('else');

    const par = [edge('fan', 'a'), edge('fan', 'b')];
    const fanIn = [edge('a', 'join'), edge('b', 'join')];
    for (const e of [...par, ...fanIn]) {
      expect(Number(e.style!.strokeWidth)).toBeGreaterThan(Number(seq.style!.strokeWidth));
      expect(e.style!.stroke).toBe(par[0]!.style!.stroke);
      expect(e.style!.stroke).toMatch(/^var\(--fanout-\d\)$/);
    }
    expect(par.map((e) => e.data!.kind)).toEqual(['parallel', 'parallel']);
    expect(fanIn.map((e) => e.data!.kind)).toEqual(['fan-in', 'fan-in']);
    for (const e of flow.edges) expect(e.markerEnd).toMatchObject({ type: 'arrowclosed' });
  });

  it('gives two fan-outs different colours', () => {
    const g = graphOf(generateWorkflow({ nodes: 40, fanOutEvery: 3, portable: true }));
    const f = toFlow(g, {}, {});
    const colours = new Set(f.edges.filter((e) => e.data!.kind === 'parallel').map((e) => e.style!.stroke));
    expect(g.fanOuts.length).toBeGreaterThan(1);
    expect(colours.size).toBeGreaterThan(1);
  });

  it('shortens long conditions', () => {
    const label = edgeLabel({
      id: 'x',
      source: 'a',
      target: 'b',
      kind: 'conditional',
      condition: 'state.value > 10 and state.other < 20 and state.third == "something long"',
      order: 0,
      origin: { type: 'goto', node: 'a', rule: 0 },
    });
    expect(label!.length).toBeLessThanOrEqual(40);
    expect(label!.endsWith('…')).toBe(true);
  });

  it('maps parallel-isolation.yaml: 6 nodes + Start/End, 4 parallel and 4 fan-in edges', () => {
    const g = graphOf(example('parallel-isolation.yaml'));
    const f = toFlow(g, storedPositions(g), {});
    expect(f.nodes).toHaveLength(8);
    expect(f.edges.filter((e) => e.data!.kind === 'parallel')).toHaveLength(4);
    expect(f.edges.filter((e) => e.data!.kind === 'fan-in')).toHaveLength(4);
    expect(f.nodes.find((n) => n.id === 'prepare')!.data.fanOut).toBe(4);
  });

  it('maps a generated 1,000-node graph in under 50 ms', () => {
    const g = graphOf(generateWorkflow({ nodes: 1000 }));
    expect(g.nodes.length).toBeGreaterThanOrEqual(1000);
    for (let i = 0; i < 3; i++) toFlow(g, storedPositions(g), {}); // warm-up (JIT)
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const f = toFlow(g, storedPositions(g), {});
      times.push(performance.now() - t0);
      expect(f.nodes).toHaveLength(g.nodes.length);
    }
    const median = times.sort((a, b) => a - b)[2]!;
    console.log(`toFlow 1,000 nodes: median ${median.toFixed(2)} ms`);
    expect(median).toBeLessThan(50);
  });
});

describe('reuseUnchanged', () => {
  it('keeps identities of unchanged items and returns the old array when nothing changed', () => {
    const g = graphOf(example('parallel-isolation.yaml'));
    const first = toFlow(g, {}, {}).nodes;
    const same = toFlow(g, {}, {}).nodes;
    expect(reuseUnchanged(first, same)).toBe(first);

    const moved = toFlow(g, { branch_a: { x: 32, y: 32 } }, {}).nodes;
    const merged = reuseUnchanged(first, moved);
    expect(merged).not.toBe(first);
    for (const n of merged) {
      if (n.id === 'branch_a') expect(n).toBe(moved.find((m) => m.id === 'branch_a'));
      else expect(n).toBe(first.find((m) => m.id === n.id));
    }
  });
});
