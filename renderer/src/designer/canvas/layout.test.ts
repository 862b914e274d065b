/// <reference types="node" />
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../../engine/workflow/graph.ts';
import { loadWorkflow } from '../../../../engine/workflow/load.ts';
import type { WorkflowGraph } from '../../../../engine/workflow/types.ts';
import { boxesOverlap, GRID, nodeSize, overlappingPairs, type Box } from './geometry.ts';
import { moveNodes } from './canvas-edits.ts';
import { layoutAll, layoutGraph } from './layout.ts';
import { graphOf } from './test-helpers.ts';
import { storedPositions, toFlow } from './to-flow.ts';

const dirs = ['../../../../test/fixtures/tea-compat/fixtures/', '../../../../resources/examples/'].map((d) =>
  fileURLToPath(new URL(d, import.meta.url)),
);
const files = dirs.flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ name: f, path: dir + f })),
);

function boxes(graph: WorkflowGraph, positions: Record<string, { x: number; y: number }>): Box[] {
  return toFlow(graph, storedPositions(graph), positions).nodes.map((n) => ({
    id: n.id,
    x: n.position.x,
    y: n.position.y,
    width: n.width!,
    height: n.height!,
  }));
}

describe('layoutGraph on every fixture and example', () => {
  it('finds the files', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of files) {
    it(`${file.name}: no overlapping node boxes, left to right`, async () => {
      const graph = graphOf(readFileSync(file.path, 'utf8'));
      const positions = await layoutGraph(graph);
      for (const n of graph.nodes) {
        expect(positions[n.id] ?? storedPositions(graph)[n.id], `${n.id} has a position`).toBeDefined();
      }
      expect(overlappingPairs(boxes(graph, positions))).toEqual([]);
      if (graph.entry) expect(positions['__start__']!.x).toBeLessThan(positions[graph.entry]!.x);
    });
  }
});

// Every YAML file of TEA's repository (test/fixtures/tea-corpus): each workflow lays out with no
// overlapping boxes. Files the loader builds no model for have nothing to draw; the test asserts they
// are exactly the non-workflows (NOT_A_WORKFLOW) and the YAML TEA cannot parse either.
const CORPUS = fileURLToPath(new URL('../../../../test/fixtures/tea-corpus/', import.meta.url));
function corpusFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return corpusFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}
const NOTHING_TO_DRAW = new Set([
  'NOT_A_WORKFLOW',
  'YAML_SYNTAX',
  'YAML_DUPLICATE_KEY',
  'YAML_MULTIPLE_DOCUMENTS',
]);

describe('layoutGraph on every file of the TEA corpus', () => {
  const files = corpusFiles(CORPUS).sort();
  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(200);
  });

  for (const path of files) {
    const name = relative(CORPUS, path);
    it(`${name}: no overlapping node boxes`, async () => {
      const load = loadWorkflow(readFileSync(path, 'utf8'), name);
      if (!load.model) {
        const codes = [...new Set(load.problems.map((p) => p.code))];
        console.log(`${name}: nothing to lay out (${codes.join(', ')})`);
        expect(codes.length).toBeGreaterThan(0);
        for (const code of codes) expect(NOTHING_TO_DRAW, `${name}: ${code}`).toContain(code);
        return;
      }
      const graph = buildGraph(load.model);
      const positions = await layoutGraph(graph);
      for (const n of graph.nodes) {
        expect(positions[n.id] ?? storedPositions(graph)[n.id], `${n.id} has a position`).toBeDefined();
      }
      expect(overlappingPairs(boxes(graph, positions))).toEqual([]);
    });
  }
});

describe('layout details', () => {
  const fanout = graphOf(readFileSync(files.find((f) => f.name === 'parallel-isolation.yaml')!.path, 'utf8'));

  it('stacks parallel branches vertically in one column, in declaration order, on the grid', async () => {
    const p = await layoutAll(fanout);
    const branches = ['branch_a', 'branch_b', 'branch_c', 'branch_d'].map((b) => p[b]!);
    expect(new Set(branches.map((b) => b.x)).size).toBe(1);
    const ys = branches.map((b) => b.y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
    expect(p['prepare']!.x).toBeLessThan(branches[0]!.x);
    expect(p['join']!.x).toBeGreaterThan(branches[0]!.x);
    for (const pos of Object.values(p)) {
      expect(pos.x % GRID).toBe(0);
      expect(pos.y % GRID).toBe(0);
    }
  });

  it('keeps stored positions and moves computed boxes off them', async () => {
    const all = await layoutAll(fanout);
    // Pin branch_b where layout would put branch_c: the computed branch_c must move away.
    const text = readFileSync(files.find((f) => f.name === 'parallel-isolation.yaml')!.path, 'utf8').replace(
      '  - name: branch_b\n',
      `  - name: branch_b\n    metadata:\n      fanout: {x: ${all['branch_c']!.x}, y: ${all['branch_c']!.y}}\n`,
    );
    const graph = graphOf(text);
    expect(storedPositions(graph)['branch_b']).toEqual(all['branch_c']);
    const p = await layoutGraph(graph);
    expect(p['branch_b']).toBeUndefined();
    expect(overlappingPairs(boxes(graph, p))).toEqual([]);
  });

  it('puts Start left of a stored entry and End right of its stored predecessors', async () => {
    const text = readFileSync(files.find((f) => f.name === 'parallel-isolation.yaml')!.path, 'utf8')
      .replace('  - name: prepare\n', '  - name: prepare\n    metadata:\n      fanout: {x: 2000, y: 800}\n')
      .replace('  - name: join\n', '  - name: join\n    metadata:\n      fanout: {x: 3000, y: 800}\n');
    const graph = graphOf(text);
    const p = await layoutGraph(graph);
    expect(p['__start__']!.x + nodeSize('start').width).toBeLessThanOrEqual(2000);
    expect(Math.abs(p['__start__']!.y - 800)).toBeLessThan(80);
    expect(p['__end__']!.x).toBeGreaterThanOrEqual(3000 + nodeSize('lua').width);
  });

  it('auto-layout positions written into the file are kept; only Start/End are computed then', async () => {
    const text = readFileSync(files.find((f) => f.name === 'parallel-isolation.yaml')!.path, 'utf8');
    const all = await layoutAll(fanout);
    const written = graphOf(moveNodes(text, all));
    expect(storedPositions(written)['branch_c']).toEqual(all['branch_c']);
    const p = await layoutGraph(written);
    expect(Object.keys(p).sort()).toEqual(['__end__', '__start__']);
    expect(overlappingPairs(boxes(written, p))).toEqual([]);
  });

  it('boxesOverlap ignores touching edges', () => {
    const a = { id: 'a', x: 0, y: 0, width: 10, height: 10 };
    expect(boxesOverlap(a, { id: 'b', x: 10, y: 0, width: 10, height: 10 })).toBe(false);
    expect(boxesOverlap(a, { id: 'b', x: 9, y: 9, width: 10, height: 10 })).toBe(true);
  });
});

describe('quickLayout (big graphs)', () => {
  it('lays out a generated 1,000-node graph left to right without overlaps, fast', async () => {
    const { generateWorkflow } = await import('../../../../bench/gen.ts');
    const { quickLayout } = await import('./layout.ts');
    const graph = graphOf(generateWorkflow({ nodes: 1000 }));
    quickLayout(graph); // warm-up
    const t0 = performance.now();
    const p = quickLayout(graph);
    const ms = performance.now() - t0;
    console.log(`quickLayout 1,000 nodes: ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(200);
    expect(overlappingPairs(boxes(graph, p))).toEqual([]);
    for (const fo of graph.fanOuts.slice(0, 5)) {
      const xs = new Set(fo.branches.map((b) => p[b]!.x));
      expect(xs.size).toBe(1); // branches stacked in one column
      expect(p[fo.source]!.x).toBeLessThan(p[fo.branches[0]!]!.x);
    }
    expect(p['__start__']!.x).toBeLessThan(p[graph.entry!]!.x);
  });
});
