/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '../../../../engine/workflow/validate.ts';
import { nodeSize, overlappingPairs } from './geometry.ts';
import { loadWorkflow } from '../../../../engine/workflow/load.ts';
import {
  addedNodes,
  addParallelBranches,
  deleteSelection,
  dropPaletteItem,
  freeSpot,
  duplicateNodes,
  moveNodes,
} from './canvas-edits.ts';
import { graphOf } from './test-helpers.ts';

const isolation = readFileSync(
  new URL('../../../../resources/examples/parallel-isolation.yaml', import.meta.url),
  'utf8',
);
const errors = (text: string) => validateWorkflow(loadWorkflow(text)).filter((p) => p.severity === 'error');

describe('canvas edits', () => {
  it('drops a Lua node at the snapped cursor position', () => {
    const next = dropPaletteItem(isolation, 'lua', { x: 101, y: 37 });
    expect(addedNodes(isolation, next)).toEqual(['lua_1']);
    const node = graphOf(next).nodes.find((n) => n.id === 'lua_1')!;
    expect(node.spec!.position).toEqual({ x: 96, y: 32 });
    expect(node.spec!.language).toBe('lua');
    expect(errors(next)).toEqual([]);
    // A second drop gets a fresh name.
    expect(addedNodes(next, dropPaletteItem(next, 'lua', { x: 0, y: 0 }))).toEqual(['lua_2']);
  });

  it('drops action and while-loop nodes', () => {
    const action = dropPaletteItem(isolation, 'action', { x: 0, y: 0 });
    expect(graphOf(action).nodes.find((n) => n.id === 'action_1')!.spec!.uses).toBe('json.parse');
    const loop = dropPaletteItem(isolation, 'while', { x: 0, y: 0 });
    const spec = graphOf(loop).nodes.find((n) => n.id === 'loop_1')!.spec!;
    expect(spec.kind).toBe('while_loop');
    expect(spec.maxIterations).toBe(10);
    expect(errors(loop)).toEqual([]);
  });

  it('drops a parallel block: a source fanning out to 3 branches with a join, all placed', () => {
    const next = dropPaletteItem(isolation, 'parallel', { x: 800, y: 600 });
    const g = graphOf(next);
    const fo = g.fanOuts.find((f) => f.source === 'fan_out_1')!;
    expect(fo.branches).toHaveLength(3);
    expect(fo.fanIn).not.toBeNull();
    for (const n of [...fo.branches, fo.fanIn!]) {
      const p = g.nodes.find((x) => x.id === n)!.spec!.position!;
      expect(p.x).toBeGreaterThan(800);
    }
    const ys = fo.branches.map((b) => g.nodes.find((x) => x.id === b)!.spec!.position!.y);
    expect(new Set(ys).size).toBe(3);
    expect(errors(next)).toEqual([]);
  });

  it('adds parallel branches after an existing node', () => {
    const next = addParallelBranches(isolation, 'join', 2);
    const fo = graphOf(next).fanOuts.find((f) => f.source === 'join')!;
    expect(fo.branches).toHaveLength(2);
  });

  it('writes snapped positions for a multi-node move; Start/End are skipped', () => {
    const next = moveNodes(isolation, {
      branch_a: { x: 10, y: 250 },
      join: { x: 500, y: 7 },
      __start__: { x: 1, y: 1 },
    });
    const g = graphOf(next);
    expect(g.nodes.find((n) => n.id === 'branch_a')!.spec!.position).toEqual({ x: 16, y: 256 });
    expect(g.nodes.find((n) => n.id === 'join')!.spec!.position).toEqual({ x: 496, y: 0 });
  });

  it('deletes selected nodes and edges in one text change', () => {
    const dropped = dropPaletteItem(isolation, 'lua', { x: 0, y: 0 });
    const edge = graphOf(dropped).edges.find((e) => e.source === 'lua_1')!;
    expect(deleteSelection(dropped, ['lua_1'], [edge])).not.toContain('lua_1');
    const next = deleteSelection(isolation, ['branch_d'], []);
    expect(graphOf(next).fanOuts[0]!.branches).toEqual(['branch_a', 'branch_b', 'branch_c']);
    expect(errors(next)).toEqual([]);
  });

  it('duplicates nodes under new names', () => {
    const next = duplicateNodes(isolation, ['branch_a']);
    expect(addedNodes(isolation, next)).toHaveLength(1);
  });
});

describe('dropping next to placed nodes', () => {
  const base = `name: t
nodes:
  - name: a
    run: |
      return {}
    metadata: {fanout: {x: 0, y: 0}}
`;
  it('keeps a free drop where it was dropped', () => {
    expect(freeSpot(base, { x: 0, y: 400 }, { width: 224, height: 80 })).toEqual({ x: 0, y: 400 });
  });

  it('moves a drop on top of a node below it, and a fan-out block clear of it', () => {
    const single = freeSpot(base, { x: 96, y: 16 }, { width: 224, height: 80 });
    expect(single.x).toBe(96);
    expect(single.y).toBeGreaterThanOrEqual(80);
    const text = dropPaletteItem(base, 'parallel', { x: 160, y: 32 });
    const model = loadWorkflow(text).model!;
    const boxes = model.nodes.map((n) => ({ id: n.name, ...n.position!, ...nodeSize(n.kind) }));
    expect(boxes).toHaveLength(6);
    expect(overlappingPairs(boxes)).toEqual([]);
  });
});
