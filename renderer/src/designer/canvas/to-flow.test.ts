/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateWorkflow } from '../../../../bench/gen.ts';
import { graphOf } from './test-helpers.ts';
import { nodeSize } from './geometry.ts';
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

describe('toFlow: TEA forms (corpus files)', () => {
  const corpus = (path: string) =>
    readFileSync(new URL(`../../../../test/fixtures/tea-corpus/${path}`, import.meta.url), 'utf8');
  const flowOf = (path: string) => {
    const g = graphOf(corpus(path));
    return toFlow(g, storedPositions(g), {});
  };
  const between = (f: ReturnType<typeof toFlow>, source: string, target: string) =>
    f.edges.filter((e) => e.source === source && e.target === target);

  it('draws a _route goto map as dashed edges labelled with the keys; key + _default on one path share a label', () => {
    const f = flowOf('examples/mem0/mem0-user-personalization.yaml');
    const store = between(f, 'route_action', 'store_preference');
    expect(store).toHaveLength(1);
    expect(store[0]!.data!.kind).toBe('conditional');
    expect(store[0]!.style!.strokeDasharray).toBeTruthy();
    expect(store[0]!.label).toBe('_route: store');
    // `recommend` and `_default` both go to get_preferences: two edges, one joined label.
    const recommend = between(f, 'route_action', 'get_preferences');
    expect(recommend).toHaveLength(2);
    expect(recommend.map((e) => e.label)).toEqual([undefined, '_route: recommend · _default']);
    // Labelled edges are painted last (their label covers crossing lines).
    const firstLabelled = f.edges.findIndex((e) => e.label !== undefined);
    expect(f.edges.slice(firstLabelled).every((e) => e.label !== undefined)).toBe(true);
  });

  it('draws a to: route list as conditional edges numbered in the order they are tried', () => {
    const f = flowOf('examples/web/test-scrapegraph-production.yaml');
    const out = f.edges.filter((e) => e.source === 'route_test');
    expect(out.map((e) => e.data!.kind)).toEqual([
      'conditional',
      'conditional',
      'conditional',
      'conditional',
    ]);
    const complex = between(f, 'route_test', 'test_complex_schema')[0]!;
    expect(complex.label).toBe('2. state.get("test_mode") == "complex_s…');
    expect(String(complex.label).length).toBeLessThanOrEqual(40);
    // Routes 1 and 4 (`True`, the catch-all) both reach test_inline_schema.
    const inline = between(f, 'route_test', 'test_inline_schema');
    expect(inline[0]!.label).toBeUndefined();
    expect(inline[1]!.label).toMatch(/^1\. state\.get\("test_mode", .*… · 4\. True$/);
  });

  it('draws dynamic_parallel as a fan-out over its list: items and variables on the node, a coloured edge to its marked fan_in', () => {
    const f = flowOf('examples/yaml/dynamic_parallel_action_mode.yaml');
    const node = f.nodes.find((n) => n.id === 'fetch_all')!;
    expect(node.type).toBe('dynamic_parallel');
    expect(node.data.marked).toBeUndefined(); // not drawn as an unsupported node
    expect(node.data.dynamic).toMatchObject({
      items: '{{ state.urls }}',
      itemVar: 'url',
      indexVar: 'i',
      body: 'action: http.get',
      settings: ['max 3'],
    });
    expect(node.data.action).toBe('http.get');
    const join = f.nodes.find((n) => n.id === 'aggregate')!;
    expect(join.data.join).toBe(true);
    expect(join.data.joinColor).toBe(node.data.dynamic!.color);
    const edge = between(f, 'fetch_all', 'aggregate')[0]!;
    expect(edge.data!.kind).toBe('dynamic');
    expect(edge.className).toContain('fs-edge-dynamic');
    expect(edge.label).toBe('⇉ for each url');
    expect(edge.style!.stroke).toBe(`var(--fanout-${node.data.dynamic!.color})`);
    expect(Number(edge.style!.strokeWidth)).toBeGreaterThan(1.5);
    expect(node.width).toBeGreaterThanOrEqual(nodeSize('lua').width);
  });

  it('gives two dynamic fan-outs (and static ones) distinct colours, each matching its join', () => {
    const f = flowOf('examples/workflows/rust-agentic-pipeline.yaml');
    const c1 = f.nodes.find((n) => n.id === 'phase1_run')!.data.dynamic!.color;
    const c2 = f.nodes.find((n) => n.id === 'phase2_run')!.data.dynamic!.color;
    expect(c1).not.toBe(c2);
    expect(f.nodes.find((n) => n.id === 'phase1_complete')!.data.joinColor).toBe(c1);
    expect(f.nodes.find((n) => n.id === 'phase2_complete')!.data.joinColor).toBe(c2);
    const steps = f.nodes.find((n) => n.id === 'phase1_run')!.data.dynamic!;
    expect(steps).toMatchObject({ itemVar: 'story_id', indexVar: 'index', body: 'steps' });
    expect(steps.settings).toEqual(['max 2']);
  });

  it('records the action of each action node for the "not available in Fanout" badge', () => {
    const f = flowOf('examples/mem0/mem0-user-personalization.yaml');
    expect(f.nodes.find((n) => n.id === 'generate_recommendations')!.data.action).toBe('llm.call');
    expect(f.nodes.find((n) => n.id === 'route_action')!.data.action).toBeUndefined();
  });
});
