// Canvas gestures -> document text. Each function is text -> text built from applyGraphEdit, so the
// canvas hands it to `doc.edit(...)` and every gesture is exactly one undo step.
import { applyGraphEdit } from '../../../../engine/workflow/graph-edit.ts';
import { buildGraph } from '../../../../engine/workflow/graph.ts';
import { loadWorkflow } from '../../../../engine/workflow/load.ts';
import type { PlainNode } from '../../../../engine/workflow/serialize.ts';
import {
  END,
  START,
  type GraphEdge,
  type Position,
  type WorkflowGraph,
} from '../../../../engine/workflow/types.ts';
import { boxesOverlap, GRID, nodeSize, snapPosition } from './geometry.ts';
import type { Box, Size } from './geometry.ts';
import { LAYER_GAP, NODE_GAP } from './layout.ts';
import type { PositionMap } from './to-flow.ts';

export type PaletteKind = 'lua' | 'action' | 'while' | 'parallel';

/** Default branch count of "Add parallel branches". */
export const DEFAULT_BRANCHES = 3;

function graphOf(text: string): WorkflowGraph {
  const model = loadWorkflow(text).model;
  if (!model) throw new Error('The document does not load');
  return buildGraph(model);
}

function names(text: string): Set<string> {
  const model = loadWorkflow(text).model;
  const out = new Set<string>([START, END]);
  const visit = (list: { name: string; body?: { name: string }[] }[] | undefined) => {
    for (const n of list ?? []) {
      out.add(n.name);
      visit(n.body);
    }
  };
  visit(model?.nodes);
  return out;
}

/** `base_1`, `base_2`, … : the first name not taken. */
export function freshName(taken: Set<string>, base: string): string {
  for (let i = 1; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** The node a palette item creates (not for 'parallel', which is a Lua source plus branches). */
export function paletteNode(kind: Exclude<PaletteKind, 'parallel'>, taken: Set<string>): PlainNode {
  switch (kind) {
    case 'lua':
      return { name: freshName(taken, 'lua'), language: 'lua', run: 'return {}\n' };
    case 'action':
      return { name: freshName(taken, 'action'), uses: 'json.parse', with: { text: '{{ state.text }}' } };
    case 'while': {
      const name = freshName(taken, 'loop');
      return {
        name,
        type: 'while_loop',
        condition: '{{ (state.count or 0) < 3 }}',
        max_iterations: 10,
        body: [{ name: `${name}_body`, language: 'lua', run: 'return { count = (state.count or 0) + 1 }\n' }],
      };
    }
  }
}

/** Positions for nodes new in `after` (not in `before`), placed right of `anchor`: one column per layer. */
function placeNew(before: string, after: string, anchorName: string, anchor: Position): PositionMap {
  const old = names(before);
  const graph = graphOf(after);
  const fresh = graph.nodes.filter((n) => !old.has(n.id) && n.spec);
  const fo = graph.fanOuts.find((f) => f.source === anchorName);
  const anchorSize = nodeSize('lua');
  const out: PositionMap = {};
  const column = anchor.x + anchorSize.width + LAYER_GAP;
  const heads = fo ? fo.branches.filter((b) => fresh.some((n) => n.id === b)) : [];
  const rowHeight = nodeSize('lua').height + NODE_GAP;
  const top = anchor.y + anchorSize.height / 2 - (heads.length * rowHeight - NODE_GAP) / 2;
  heads.forEach((h, i) => (out[h] = snapPosition({ x: column, y: top + i * rowHeight })));
  if (fo?.fanIn && fresh.some((n) => n.id === fo.fanIn)) {
    out[fo.fanIn] = snapPosition({ x: column + nodeSize('lua').width + LAYER_GAP, y: anchor.y });
  }
  return out;
}

/** What a dropped item covers: one node, or a fan-out block (source, branch column, fan-in). */
function footprint(kind: PaletteKind): Size {
  const node = nodeSize(kind === 'action' ? 'action' : 'lua');
  if (kind !== 'parallel') return node;
  const rows = DEFAULT_BRANCHES * (node.height + NODE_GAP) - NODE_GAP;
  return { width: 3 * node.width + 2 * LAYER_GAP, height: Math.max(node.height, rows) };
}

/**
 * The first spot at or below `at` (grid steps) where a `size` box overlaps no placed node, so a drop
 * near existing nodes never lands on top of them. Start/End have no saved place and are not avoided.
 */
export function freeSpot(text: string, at: Position, size: Size): Position {
  const model = loadWorkflow(text).model;
  const placed: Box[] = [];
  for (const n of model?.nodes ?? []) {
    if (!n.position) continue;
    placed.push({ id: n.name, ...n.position, ...nodeSize(n.dynamicParallel ? 'dynamic_parallel' : n.kind) });
  }
  // The block is centred on `at` vertically for a fan-out (its source sits mid-height).
  const top = (p: Position) => p.y - (size.height - nodeSize('lua').height) / 2;
  let spot = at;
  for (let step = 0; step < 400; step++) {
    const box: Box = { id: '', x: spot.x, y: top(spot), ...size };
    const hit = placed.find((b) => boxesOverlap(b, box));
    if (!hit) return spot;
    spot = { x: spot.x, y: Math.max(spot.y + GRID, hit.y + hit.height + NODE_GAP + (spot.y - top(spot))) };
  }
  return at;
}

/** Palette drop (or click): the new node (or fan-out block) at `position`, snapped to the grid. */
export function dropPaletteItem(text: string, kind: PaletteKind, position: Position): string {
  const at = snapPosition(freeSpot(text, snapPosition(position), footprint(kind)));
  const taken = names(text);
  if (kind !== 'parallel') {
    return applyGraphEdit(text, { type: 'add-node', node: paletteNode(kind, taken), position: at }).text;
  }
  const source = freshName(taken, 'fan_out');
  const node: PlainNode = { name: source, language: 'lua', run: 'return {}\n' };
  const withSource = applyGraphEdit(text, { type: 'add-node', node, position: at }).text;
  return addParallelBranches(withSource, source, DEFAULT_BRANCHES);
}

/** One-step "Add parallel branches" after `source`; new nodes are placed next to it when it has a position. */
export function addParallelBranches(text: string, source: string, count: number): string {
  const next = applyGraphEdit(text, { type: 'add-parallel-branches', source, count }).text;
  const anchor = graphOf(text).nodes.find((n) => n.id === source)?.spec?.position;
  if (!anchor) return next;
  const positions = placeNew(text, next, source, anchor);
  if (Object.keys(positions).length === 0) return next;
  return applyGraphEdit(next, { type: 'move-nodes', positions }).text;
}

/** Writes positions (snapped) for the given nodes; Start/End have no place in the file and are skipped. */
export function moveNodes(text: string, positions: PositionMap): string {
  const snapped: PositionMap = {};
  for (const [name, p] of Object.entries(positions)) {
    if (name !== START && name !== END) snapped[name] = snapPosition(p);
  }
  if (Object.keys(snapped).length === 0) return text;
  return applyGraphEdit(text, { type: 'move-nodes', positions: snapped }).text;
}

/** Deletes nodes, then the selected edges that did not go with them. */
export function deleteSelection(text: string, nodeNames: string[], edges: GraphEdge[]): string {
  const doomed = nodeNames.filter((n) => n !== START && n !== END);
  let out = text;
  if (doomed.length > 0) out = applyGraphEdit(out, { type: 'delete-nodes', names: doomed }).text;
  const gone = new Set(doomed);
  for (const edge of edges) {
    if (gone.has(edge.source) || gone.has(edge.target)) continue;
    out = applyGraphEdit(out, { type: 'disconnect', edge }).text;
  }
  return out;
}

export function connect(text: string, source: string, target: string, condition?: string): string {
  const edit: { type: 'connect'; source: string; target: string; condition?: string } = {
    type: 'connect',
    source,
    target,
  };
  if (condition !== undefined && condition.trim() !== '') edit.condition = condition;
  return applyGraphEdit(text, edit).text;
}

export function renameNode(text: string, from: string, to: string): string {
  return applyGraphEdit(text, { type: 'rename-node', from, to }).text;
}

export function duplicateNodes(text: string, nodeNames: string[]): string {
  const list = nodeNames.filter((n) => n !== START && n !== END);
  if (list.length === 0) return text;
  return applyGraphEdit(text, { type: 'duplicate-nodes', names: list }).text;
}

export function pasteYaml(text: string, yaml: string, position?: Position): string {
  const edit: { type: 'paste'; yaml: string; position?: Position } = { type: 'paste', yaml };
  if (position) edit.position = snapPosition(position);
  return applyGraphEdit(text, edit).text;
}

/** Names of the nodes in `after` that are not in `before` (to select what was pasted or added). */
export function addedNodes(before: string, after: string): string[] {
  const old = names(before);
  return graphOf(after)
    .nodes.map((n) => n.id)
    .filter((n) => !old.has(n));
}
