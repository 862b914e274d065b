// Property: random valid workflows (sequential chains, goto rules, fan-outs of 2-5 single- or
// multi-node branches in every parallel form) -> serializeWorkflow -> loadWorkflow -> buildGraph
// give exactly the graph the generator meant, validate with no errors, and export to the same graph.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportPortable, graphSignature } from '../engine/workflow/export.ts';
import { buildGraph } from '../engine/workflow/graph.ts';
import { loadWorkflow } from '../engine/workflow/load.ts';
import { serializeWorkflow } from '../engine/workflow/serialize.ts';
import type { PlainEdge, PlainNode, PlainWorkflow } from '../engine/workflow/serialize.ts';
import { END, START } from '../engine/workflow/types.ts';
import type { WorkflowGraph } from '../engine/workflow/types.ts';
import { validateWorkflow } from '../engine/workflow/validate.ts';
import { propertyBudget } from './budgets.ts';

type Successor = 'goto' | 'edge' | 'implicit' | 'rules';
type Block =
  | { kind: 'seq'; successor: Successor; threshold: number }
  | { kind: 'fan'; form: 'python' | 'rust' | 'hybrid'; branchLengths: number[]; joinVia: 'goto' | 'edge' };

const blockArb: fc.Arbitrary<Block> = fc.oneof(
  fc.record({
    kind: fc.constant('seq' as const),
    successor: fc.constantFrom<Successor>('goto', 'edge', 'implicit', 'rules'),
    threshold: fc.integer({ min: 0, max: 99 }),
  }),
  fc
    .record({
      kind: fc.constant('fan' as const),
      form: fc.constantFrom('python' as const, 'rust' as const, 'hybrid' as const),
      branchLengths: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 5 }),
      joinVia: fc.constantFrom('goto' as const, 'edge' as const),
    })
    // TEA Rust infers the join from the branches' common successor: only single-node branches.
    .map((b) => (b.form === 'rust' ? { ...b, branchLengths: b.branchLengths.map(() => 1) } : b)),
);

interface Expected {
  doc: PlainWorkflow;
  edges: string[];
  fanOuts: string[];
}

/** Builds the document and, independently of buildGraph, the graph it must produce. */
function build(blocks: Block[]): Expected {
  const nodes: PlainNode[] = [];
  const edges: PlainEdge[] = [];
  const expected: string[] = [];
  const fanOuts: string[] = [];
  const edge = (s: string, t: string, kind: string, cond = '', fallback = false, order = 0) =>
    expected.push([s, t, kind, cond, fallback ? 'fallback' : '', order].join('|'));
  const first = (i: number) => {
    const b = blocks[i];
    return b === undefined ? END : b.kind === 'seq' ? `n${i}` : `f${i}_src`;
  };
  const lua = (name: string, extra: Partial<PlainNode> = {}): PlainNode => ({
    name,
    language: 'lua',
    run: `-- ${name}\nreturn { last = "${name}" }\n`,
    ...extra,
  });
  edge(START, first(0), 'sequential');

  blocks.forEach((block, i) => {
    const next = first(i + 1);
    if (block.kind === 'seq') {
      const name = `n${i}`;
      if (block.successor === 'goto') nodes.push(lua(name, { goto: next }));
      else if (block.successor === 'rules') {
        nodes.push(lua(name, { goto: [{ if: `state.count > ${block.threshold}`, to: END }, { to: next }] }));
        edge(name, END, 'conditional', `state.count > ${block.threshold}`, false, 0);
        edge(name, next, 'conditional', '', true, 1);
        return;
      } else {
        nodes.push(lua(name));
        if (block.successor === 'edge') edges.push({ from: name, to: next });
      }
      edge(name, next, 'sequential');
      return;
    }
    const src = `f${i}_src`;
    const join = `f${i}_join`;
    const heads = block.branchLengths.map((_, b) => `f${i}_b${b}_0`);
    nodes.push(lua(src));
    block.branchLengths.forEach((len, b) => {
      for (let k = 0; k < len; k++) {
        const name = `f${i}_b${b}_${k}`;
        const last = k === len - 1;
        if (last) {
          nodes.push(lua(name));
          edges.push({ from: name, to: join });
          edge(name, join, 'fan-in');
        } else {
          nodes.push(lua(name, { goto: `f${i}_b${b}_${k + 1}` }));
          edge(name, `f${i}_b${b}_${k + 1}`, 'sequential');
        }
      }
      edge(src, heads[b] as string, 'parallel');
    });
    if (block.form === 'rust') edges.push({ from: src, parallel: [...heads] });
    else {
      heads.forEach((head, b) =>
        edges.push({
          from: src,
          to: head,
          type: 'parallel',
          fan_in: join,
          ...(block.form === 'hybrid' && b === 0 ? { parallel: [...heads] } : {}),
        }),
      );
    }
    nodes.push(lua(join, block.joinVia === 'goto' ? { goto: next } : {}));
    if (block.joinVia === 'edge') edges.push({ from: join, to: next });
    edge(join, next, 'sequential');
    fanOuts.push(`${src}>${heads.join(',')}>${join}`);
  });

  const doc: PlainWorkflow = { name: 'property', nodes };
  if (edges.length > 0) doc.edges = edges;
  return { doc, edges: expected.sort(), fanOuts: fanOuts.sort() };
}

function graphOf(text: string): WorkflowGraph {
  const load = loadWorkflow(text);
  if (!load.model) throw new Error(JSON.stringify(load.problems));
  return buildGraph(load.model);
}

const workflows = fc.array(blockArb, { minLength: 1, maxLength: 8 });

// ~21 ms per case measured on the loaded 2-core machine (test/budgets.ts: FANOUT_PROPERTY_RUNS).
const GRAPH = propertyBudget(150, 21);
const EXPORT = propertyBudget(25, 21);

describe('graph property: serialize -> load -> buildGraph', () => {
  it(
    'gives the intended nodes, edges (kinds, conditions) and fan-outs, and validates without errors',
    GRAPH,
    () => {
      fc.assert(
        fc.property(workflows, (blocks) => {
          const { doc, edges, fanOuts } = build(blocks);
          const text = serializeWorkflow(doc);
          const load = loadWorkflow(text);
          expect(load.problems).toEqual([]);
          const g = buildGraph(load.model!);
          const sig = graphSignature(g);
          expect(sig.edges).toEqual(edges);
          expect(sig.fanOuts).toEqual(fanOuts);
          expect(g.nodes.map((n) => n.id).sort()).toEqual(
            [START, END, ...doc.nodes.map((n) => n.name)].sort(),
          );
          expect(validateWorkflow(load).filter((p) => p.severity === 'error')).toEqual([]);
        }),
        { numRuns: GRAPH.numRuns },
      );
    },
  );

  it('exports to a file with the same graph that re-exports identically', EXPORT, () => {
    fc.assert(
      fc.property(fc.array(blockArb, { minLength: 1, maxLength: 5 }), (blocks) => {
        const text = serializeWorkflow(build(blocks).doc);
        const result = exportPortable(text);
        expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
        expect(graphSignature(graphOf(result.text))).toEqual(graphSignature(graphOf(text)));
        expect(exportPortable(result.text).text).toBe(result.text);
      }),
      { numRuns: EXPORT.numRuns },
    );
  });
});
