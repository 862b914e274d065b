// Node box sizes shared by the node components (fixed CSS sizes), the layout and the overlap checks,
// so what ELK places is exactly what the canvas draws.
import type { GraphNode, GraphNodeKind, Position } from '../../../../engine/workflow/types.ts';

export interface Size {
  width: number;
  height: number;
}

/** Grid the canvas snaps drags (and written positions) to. */
export const GRID = 16;

/**
 * What the canvas draws a node as: its graph kind, except a dynamic_parallel node (whatever kind the
 * engine gives it), which is drawn as a fan-out over a list and needs room for its item variables.
 */
export type FlowKind = GraphNodeKind | 'dynamic_parallel';

export function flowKindOf(node: Pick<GraphNode, 'kind' | 'dynamic'>): FlowKind {
  return node.dynamic ? 'dynamic_parallel' : node.kind;
}

const SIZES: Record<FlowKind, Size> = {
  start: { width: 96, height: 40 },
  end: { width: 96, height: 40 },
  lua: { width: 224, height: 80 },
  action: { width: 208, height: 64 },
  while_loop: { width: 224, height: 80 },
  passthrough: { width: 176, height: 48 },
  'other-code': { width: 208, height: 64 },
  unsupported: { width: 208, height: 64 },
  dynamic_parallel: { width: 256, height: 80 },
};

export function nodeSize(kind: FlowKind): Size {
  return SIZES[kind];
}

export function snap(value: number, grid = GRID): number {
  return Math.round(value / grid) * grid;
}

export function snapPosition(p: Position, grid = GRID): Position {
  return { x: snap(p.x, grid), y: snap(p.y, grid) };
}

export interface Box extends Position, Size {
  id: string;
}

/** True when two boxes share interior area (touching edges do not count). */
export function boxesOverlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Every overlapping pair, by sweeping boxes sorted by x (fast enough for thousands of nodes). */
export function overlappingPairs(boxes: Box[]): [string, string][] {
  const sorted = [...boxes].sort((a, b) => a.x - b.x);
  const pairs: [string, string][] = [];
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j]!;
      if (b.x >= a.x + a.width) break;
      if (boxesOverlap(a, b)) pairs.push([a.id, b.id]);
    }
  }
  return pairs;
}
