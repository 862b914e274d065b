// Automatic layout with ELK (layered, left to right): fan-out branches land in the same layer, so they
// stack vertically. Pure async functions; ELK runs in the calling thread (its bundled build).
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { END, START, type Position, type WorkflowGraph } from '../../../../engine/workflow/types.ts';
import { boxesOverlap, flowKindOf, GRID, nodeSize, snapPosition, type Box } from './geometry.ts';
import { edgeLabels, storedPositions, type PositionMap } from './to-flow.ts';

const elk = new ELK();

/** Gap between layers leaves room for condition labels on the edges. */
export const LAYER_GAP = 112;
/**
 * ELK's gap between layers: smaller, because ELK gives each labelled edge a layer of its own as wide
 * as its label (so a label gets its width plus twice this gap).
 */
export const ELK_LAYER_GAP = 80;
export const NODE_GAP = 32;

const OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.spacing.nodeNode': String(NODE_GAP),
  'elk.layered.spacing.nodeNodeBetweenLayers': String(ELK_LAYER_GAP),
  'elk.spacing.edgeNode': '16',
  // Keep declaration order: branch A above branch B, as in the YAML.
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED',
};

const BIG_GRAPH_OPTIONS: Record<string, string> = {
  'elk.layered.thoroughness': '1',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
};

/** Above this many nodes the canvas lays out unplaced nodes with quickLayout (ELK takes ~1 s per 1,000). */
export const QUICK_LAYOUT_NODES = 400;

/**
 * Linear-time layered layout: longest path from the sources over the graph without its back edges,
 * one column per layer, nodes stacked in declaration order. Used for big graphs on open; boxes never
 * overlap by construction (fixed column width, stacked heights plus a gap of two grid steps).
 */
export function quickLayout(graph: WorkflowGraph): PositionMap {
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const succ = graph.nodes.map(() => [] as number[]);
  for (const e of graph.edges) {
    const a = index.get(e.source);
    const b = index.get(e.target);
    if (a !== undefined && b !== undefined && a !== b) succ[a]!.push(b);
  }
  // Iterative DFS from Start (then any unvisited node) marks back edges, which layering ignores.
  const state = new Uint8Array(graph.nodes.length); // 0 new, 1 on stack, 2 done
  const forward = graph.nodes.map(() => [] as number[]);
  const startAt = [index.get(START) ?? 0, ...graph.nodes.map((_, i) => i)];
  for (const root of startAt) {
    if (state[root] !== 0) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, k] = top;
      if (k < succ[v]!.length) {
        top[1]++;
        const w = succ[v]![k]!;
        if (state[w] === 1) continue; // back edge
        forward[v]!.push(w);
        if (state[w] === 0) {
          state[w] = 1;
          stack.push([w, 0]);
        }
      } else {
        state[v] = 2;
        stack.pop();
      }
    }
  }
  const indegree = new Int32Array(graph.nodes.length);
  for (const list of forward) for (const w of list) indegree[w]!++;
  const layer = new Int32Array(graph.nodes.length);
  const queue = graph.nodes.map((_, i) => i).filter((i) => indegree[i] === 0);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const w of forward[v]!) {
      layer[w] = Math.max(layer[w]!, layer[v]! + 1);
      if (--indegree[w]! === 0) queue.push(w);
    }
  }
  const columns = new Map<number, number[]>();
  graph.nodes.forEach((_, i) => {
    const list = columns.get(layer[i]!) ?? [];
    list.push(i);
    columns.set(layer[i]!, list);
  });
  const columnWidth = Math.max(...graph.nodes.map((n) => nodeSize(flowKindOf(n)).width)) + LAYER_GAP;
  const out: PositionMap = {};
  for (const [l, members] of columns) {
    const heights = members.map((i) => nodeSize(flowKindOf(graph.nodes[i]!)).height);
    const total = heights.reduce((a, h) => a + h + NODE_GAP, -NODE_GAP);
    let y = -total / 2;
    members.forEach((i, k) => {
      out[graph.nodes[i]!.id] = snapPosition({ x: l * columnWidth, y });
      y += heights[k]! + NODE_GAP;
    });
  }
  return out;
}

/** Positions for every node of the graph, ignoring stored ones (what "Auto-layout" writes). */
export async function layoutAll(graph: WorkflowGraph): Promise<PositionMap> {
  // ELK depends only on the structure: moving nodes (most edits) reuses the last result. Edge labels
  // size the gaps but are left out of the key, so typing a condition does not move unplaced nodes.
  const key = structureKey(graph);
  if (lastLayout?.key === key) return { ...(await lastLayout.result) };
  const result = runElk(graph);
  lastLayout = { key, result };
  try {
    return { ...(await result) };
  } catch (error) {
    if (lastLayout?.result === result) lastLayout = null;
    throw error;
  }
}

/**
 * Edges that shape the layout. Side exits to End (`- if: state.abort; to: __end__` on many nodes)
 * are left out when their source has another way on: each would span every later layer, and ELK's
 * dummy nodes for such edges make big graphs quadratic (minutes for 1,000 nodes). End still follows
 * the nodes whose only way on it is.
 */
function layoutEdges(graph: WorkflowGraph) {
  const outgoing = new Map<string, number>();
  for (const e of graph.edges) outgoing.set(e.source, (outgoing.get(e.source) ?? 0) + 1);
  const kept = graph.edges.filter((e) => e.target !== END || (outgoing.get(e.source) ?? 0) < 2);
  // End must stay connected, or ELK would put it in the first layer.
  if (!kept.some((e) => e.target === END)) return graph.edges;
  return kept;
}

let lastLayout: { key: string; result: Promise<PositionMap> } | null = null;

function structureKey(graph: WorkflowGraph): string {
  const nodes = graph.nodes.map((n) => `${n.id}\u0000${flowKindOf(n)}`).join('\u0001');
  return `${nodes}\u0002${graph.edges.map((e) => e.id).join('\u0001')}`;
}

/** Edge label box as React Flow draws it: 11 px text plus its 4 px padding (approximate width). */
const LABEL_CHAR_WIDTH = 6.5;
export function labelSize(text: string): { width: number; height: number } {
  return { width: Math.ceil(text.length * LABEL_CHAR_WIDTH) + 8, height: 18 };
}
const LABEL_OPTIONS = { 'elk.edgeLabels.placement': 'CENTER' };

async function runElk(graph: WorkflowGraph): Promise<PositionMap> {
  const labels = edgeLabels(graph.edges);
  const root: ElkNode = {
    id: '__root__',
    // Big graphs: fewer crossing-minimisation passes (quality barely changes, time drops a lot).
    layoutOptions: graph.nodes.length > 200 ? { ...OPTIONS, ...BIG_GRAPH_OPTIONS } : OPTIONS,
    children: graph.nodes.map((n) => ({ id: n.id, ...nodeSize(flowKindOf(n)) })),
    edges: layoutEdges(graph).map((e) => {
      const label = labels.get(e.id);
      const edge: ElkExtendedEdge = { id: e.id, sources: [e.source], targets: [e.target] };
      // ELK makes room between the layers for the label (route keys, conditions, "for each x").
      if (label !== undefined)
        edge.labels = [{ text: label, ...labelSize(label), layoutOptions: LABEL_OPTIONS }];
      return edge;
    }),
  };
  const result = await elk.layout(root);
  const out: PositionMap = {};
  for (const child of result.children ?? []) {
    // NODE_GAP is twice the grid, so snapping every box keeps at least one grid step between boxes.
    out[child.id] = snapPosition({ x: child.x ?? 0, y: child.y ?? 0 });
  }
  return out;
}

/** Whether every node except the Start/End pills has a position written in the document. */
export function allPlaced(graph: WorkflowGraph): boolean {
  return graph.nodes.every((n) => n.id === START || n.id === END || n.spec?.position !== undefined);
}

/** quickLayout, remembered for the last graph structure (moving nodes does not change it). */
let lastQuick: { key: string; result: PositionMap } | null = null;
function cachedQuickLayout(graph: WorkflowGraph): PositionMap {
  const key = structureKey(graph);
  if (lastQuick?.key !== key) lastQuick = { key, result: quickLayout(graph) };
  return lastQuick.result;
}

/**
 * layoutGraph without waiting, when no ELK run is needed: big graphs (quickLayout) and graphs whose
 * nodes all have stored positions (ELK would only place the Start/End pills). Null: use layoutGraph.
 * The canvas uses it to show a big document in the same frame it was opened or edited in.
 */
export function layoutGraphSync(graph: WorkflowGraph): PositionMap | null {
  if (graph.nodes.length > QUICK_LAYOUT_NODES || allPlaced(graph)) {
    return placeUnstored(graph, cachedQuickLayout(graph));
  }
  return null;
}

/**
 * Positions for the nodes WITHOUT a stored position (stored ones always win). When some nodes are
 * placed by the user, Start/End sit next to their placed neighbours and any computed box that would
 * overlap another is moved down until it is clear.
 */
export async function layoutGraph(graph: WorkflowGraph): Promise<PositionMap> {
  return layoutGraphSync(graph) ?? placeUnstored(graph, await layoutAll(graph));
}

function placeUnstored(graph: WorkflowGraph, computed: PositionMap): PositionMap {
  const stored = storedPositions(graph);
  const storedIds = Object.keys(stored);
  const out: PositionMap = {};
  for (const n of graph.nodes) if (!(n.id in stored) && computed[n.id]) out[n.id] = computed[n.id]!;
  if (storedIds.length === 0) return out;

  const kinds = new Map(graph.nodes.map((n) => [n.id, flowKindOf(n)]));
  const box = (id: string, at: Position): Box => ({
    id,
    x: at.x,
    y: at.y,
    ...nodeSize(kinds.get(id) ?? 'lua'),
  });
  // Start/End follow the user's placement of the nodes they connect to.
  const entry = graph.entry;
  if (entry && stored[entry]) {
    const size = nodeSize('start');
    const target = box(entry, stored[entry]);
    out[START] = snapPosition({
      x: target.x - LAYER_GAP / 2 - size.width,
      y: target.y + target.height / 2 - size.height / 2,
    });
  }
  const preds = graph.edges.filter((e) => e.target === END).map((e) => e.source);
  if (preds.length > 0 && preds.every((p) => stored[p])) {
    const boxes = preds.map((p) => box(p, stored[p]!));
    const right = Math.max(...boxes.map((b) => b.x + b.width));
    const midY = boxes.reduce((sum, b) => sum + b.y + b.height / 2, 0) / boxes.length;
    out[END] = snapPosition({ x: right + LAYER_GAP / 2, y: midY - nodeSize('end').height / 2 });
  }
  return resolveOverlaps(
    Object.entries(stored).map(([id, p]) => box(id, p)),
    Object.entries(out).map(([id, p]) => box(id, p)),
  );
}

/** Width of the x buckets resolveOverlaps files boxes under (wider than any node box). */
const BUCKET = 256;

/**
 * Moves computed boxes down (a grid step at a time) until none overlaps a stored or earlier box.
 * Boxes are filed by x bucket, so a big graph with a few stored positions stays near linear.
 */
function resolveOverlaps(placed: Box[], computed: Box[]): PositionMap {
  const buckets = new Map<number, Box[]>();
  const file = (b: Box) => {
    for (let k = Math.floor(b.x / BUCKET); k <= Math.floor((b.x + b.width) / BUCKET); k++) {
      const list = buckets.get(k);
      if (list) list.push(b);
      else buckets.set(k, [b]);
    }
  };
  const overlapsAny = (b: Box) => {
    for (let k = Math.floor(b.x / BUCKET); k <= Math.floor((b.x + b.width) / BUCKET); k++) {
      if (buckets.get(k)?.some((other) => boxesOverlap(other, b))) return true;
    }
    return false;
  };
  placed.forEach(file);
  const out: PositionMap = {};
  for (const b of computed) {
    // Bounded: each step clears at least a grid row; the graph has finitely many boxes.
    for (let guard = 0; guard < 10_000 && overlapsAny(b); guard++) b.y += GRID;
    file(b);
    out[b.id] = { x: b.x, y: b.y };
  }
  return out;
}
