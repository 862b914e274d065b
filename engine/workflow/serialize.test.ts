import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWorkflow } from './load.ts';
import { serializeWorkflow } from './serialize.ts';
import type { PlainEdge, PlainNode, PlainWorkflow } from './serialize.ts';
import type { GotoRule, NodeSpec } from './types.ts';
import { propertyBudget } from '../../test/budgets.ts';

describe('serializeWorkflow', () => {
  it('writes clean, diff-friendly TEA YAML', () => {
    const text = serializeWorkflow({
      name: 'demo',
      description: 'Fan-out: three branches',
      state_schema: { count: 'int' },
      settings: { timeout_ms: 2000, parallel: { fail_fast: false } },
      nodes: [
        {
          name: 'start',
          language: 'lua',
          run: 'return { count = #state.items }\n',
          metadata: { fanout: { x: 0, y: 0 } },
        },
        { goto: [{ if: 'state.count > 1', to: 'a' }, { to: 'b' }], name: 'route', run: 'return {}' },
        {
          name: 'loop',
          type: 'while_loop',
          condition: 'state.n < 3',
          max_iterations: 5,
          body: [{ name: 'step' }],
        },
      ],
      edges: [
        { from: 's', to: 'a', type: 'parallel', fan_in: 'j', parallel: ['a', 'b'] },
        { from: 'a', to: 'j' },
      ],
    });
    expect(text).toBe(`name: demo
description: "Fan-out: three branches"

state_schema:
  count: int

settings:
  timeout_ms: 2000
  parallel:
    fail_fast: false

nodes:
  - name: start
    language: lua
    run: |
      return { count = #state.items }
    metadata: {fanout: {x: 0, y: 0}}

  - name: route
    run: |-
      return {}
    goto:
      - if: "state.count > 1"
        to: a
      - to: b

  - name: loop
    type: while_loop
    condition: "state.n < 3"
    max_iterations: 5
    body:
      - name: step

edges:
  - {from: s, to: a, type: parallel, fan_in: j, parallel: [a, b]}
  - {from: a, to: j}
`);
    expect(loadWorkflow(text).problems).toEqual([]);
  });

  it('quotes strings YAML would read as something else', () => {
    const text = serializeWorkflow({
      name: 'true',
      nodes: [{ name: '123', output: 'null', with: { on: 'yes', 'a b': '', '#x': '- y' } }],
    });
    const model = loadWorkflow(text).model!;
    expect(model.name).toBe('true');
    expect(model.nodes[0]).toMatchObject({
      name: '123',
      output: 'null',
      with: { on: 'yes', 'a b': '', '#x': '- y' },
    });
  });
});

// ---------------------------------------------------------------- property: serialize -> load

const nameArb = fc.oneof(
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/),
  fc.string({ minLength: 1, maxLength: 10 }),
  fc.constantFrom('true', 'null', '1.5', 'a: b', '#x', '- y', "it's", 'ü'),
);
const codeArb = fc.oneof(
  fc.constantFrom('return {}', 'return { n = #state.x } -- a: b\n', '\tlocal t = {}\nreturn t\n'),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }).map((l) => l.join('\n')),
  fc.string({ maxLength: 20, unit: 'binary' }),
);
const posArb = fc.record({
  x: fc.integer({ min: -9999, max: 9999 }),
  y: fc.integer({ min: -9999, max: 9999 }),
});
const gotoArb = fc.oneof(
  nameArb,
  fc.array(fc.record({ if: fc.option(fc.string({ maxLength: 15 }), { nil: undefined }), to: nameArb }), {
    minLength: 1,
    maxLength: 3,
  }),
);

const leafNodeArb: fc.Arbitrary<PlainNode> = fc.record(
  {
    name: nameArb,
    language: fc.constantFrom('lua', 'python'),
    run: codeArb,
    goto: gotoArb,
    metadata: posArb.map((fanout) => ({ fanout })),
    timeout_ms: fc.nat(60_000),
  },
  { requiredKeys: ['name'] },
);
const nodeArb: fc.Arbitrary<PlainNode> = fc.oneof(
  { weight: 4, arbitrary: leafNodeArb },
  {
    weight: 1,
    arbitrary: fc.record({
      name: nameArb,
      type: fc.constant('while_loop'),
      condition: fc.string({ maxLength: 12 }),
      max_iterations: fc.integer({ min: 1, max: 1000 }),
      body: fc.array(leafNodeArb, { minLength: 1, maxLength: 2 }),
    }),
  },
);
const edgeArb: fc.Arbitrary<PlainEdge> = fc.oneof(
  fc.record({ from: nameArb, to: nameArb }),
  fc.record({ from: nameArb, to: nameArb, when: fc.oneof(fc.string({ maxLength: 12 }), fc.boolean()) }),
  fc.record({
    from: nameArb,
    to: nameArb,
    type: fc.constant('parallel'),
    fan_in: nameArb,
    parallel: fc.array(nameArb, { maxLength: 3 }),
  }),
);
const workflowArb: fc.Arbitrary<PlainWorkflow> = fc.record(
  {
    name: nameArb,
    description: fc.string({ maxLength: 40 }),
    nodes: fc.array(nodeArb, { maxLength: 5 }),
    edges: fc.array(edgeArb, { maxLength: 5 }),
  },
  { requiredKeys: ['name', 'nodes'] },
);

function plainGoto(goto: NodeSpec['goto']): unknown {
  if (!Array.isArray(goto)) return goto;
  return (goto as GotoRule[]).map((r) => (r.if === undefined ? { to: r.to } : { if: r.if, to: r.to }));
}

function nodeBack(n: NodeSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: n.name };
  if (n.type !== undefined) out.type = n.type;
  if (n.language !== undefined) out.language = n.language;
  if (n.run !== undefined) out.run = n.run;
  if (n.condition !== undefined) out.condition = n.condition;
  if (n.maxIterations !== undefined) out.max_iterations = n.maxIterations;
  if (n.body !== undefined) out.body = n.body.map(nodeBack);
  if (n.goto !== undefined) out.goto = plainGoto(n.goto);
  if (n.timeoutMs !== undefined) out.timeout_ms = n.timeoutMs;
  if (n.position !== undefined) out.metadata = { fanout: n.position };
  return out;
}

// Case count and timeout from test/budgets.ts (FANOUT_PROPERTY_RUNS); 5 ms per case measured under load.
const ROUND_TRIP = propertyBudget(300, 5);

describe('property: serialize -> loadWorkflow', () => {
  it('gives back the same nodes, edges, goto and positions', ROUND_TRIP, () => {
    fc.assert(
      fc.property(workflowArb, (doc) => {
        const text = serializeWorkflow(doc);
        const result = loadWorkflow(text);
        expect(
          result.problems.filter((p) => p.severity === 'error'),
          text,
        ).toEqual([]);
        const model = result.model!;
        expect(model.name).toBe(doc.name);
        expect(model.description).toBe(doc.description);
        expect(model.nodes.map(nodeBack)).toEqual(JSON.parse(JSON.stringify(doc.nodes)));
        expect(model.edges.map((e) => e.raw)).toEqual(doc.edges ?? []);
        expect(text.endsWith('\n') && !text.endsWith('\n\n')).toBe(true);
      }),
      { numRuns: ROUND_TRIP.numRuns },
    );
  });
});
