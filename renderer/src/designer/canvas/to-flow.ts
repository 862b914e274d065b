// WorkflowGraph -> React Flow nodes and edges. Pure: the canvas calls it whenever the document's graph
// or the layout changes, then `reuseUnchanged` keeps old objects so memoised nodes do not re-render.
import type { Edge, Node, NodeHandle } from '@xyflow/react';
import type {
  DynamicFanOut,
  GraphEdge,
  GraphEdgeKind,
  GraphNode,
  GraphNodeKind,
  Position,
  Problem,
  WorkflowGraph,
} from '../../../../engine/workflow/types.ts';
import { flowKindOf, nodeSize, type FlowKind, type Size } from './geometry.ts';

export type PositionMap = Record<string, Position>;

/** Number of distinct fan-out colours (CSS variables --fanout-0 … --fanout-5). */
export const FANOUT_COLORS = 6;

export interface FlowNodeData extends Record<string, unknown> {
  kind: GraphNodeKind;
  title: string;
  /** One-line summary: first line of Lua, `uses:` name, loop condition. */
  detail?: string;
  /** Small tag: `language: lua`, `uses`, `while`, `pass-through`, `language: python`, `type: …`. */
  chip?: string;
  /** Not-runnable-here or no-op nodes are drawn marked (hatched). */
  marked?: boolean;
  maxIterations?: number;
  /** Branch count when this node fans out. */
  fanOut?: number;
  fanOutColor?: number;
  /** True when this node joins a fan-out. */
  join?: boolean;
  joinColor?: number;
  /** The action the node calls (`uses:`, or a dynamic_parallel's `action.uses`), for its badge. */
  action?: string;
  /** A dynamic_parallel node: what it fans out over (drawn on the node), in its fan-out colour. */
  dynamic?: DynamicSummary;
}

/** What a dynamic_parallel node shows: flat strings, so reuseUnchanged compares it cheaply. */
export interface DynamicSummary extends Record<string, unknown> {
  items: string;
  itemVar: string;
  indexVar: string;
  /** `action: http.get`, `steps`, `subgraph`, or `no body` (TEA's DYN_PARALLEL_MODE problem). */
  body: string;
  /** `max 3`, `fail fast`: the parallel settings as written. */
  settings: string[];
  color: number;
}

/** Flow edge kinds: the graph's, plus the edge from a dynamic_parallel node to its fan_in. */
export type FlowEdgeKind = GraphEdgeKind | 'dynamic';

export interface FlowEdgeData extends Record<string, unknown> {
  kind: FlowEdgeKind;
  colorIndex?: number;
}

export type FlowNode = Node<FlowNodeData>;
export type FlowEdge = Edge<FlowEdgeData>;

export interface Flow {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** Positions written in the document (`metadata.fanout`), by node name. */
export function storedPositions(graph: WorkflowGraph): PositionMap {
  const out: PositionMap = {};
  for (const n of graph.nodes) if (n.spec?.position) out[n.id] = n.spec.position;
  return out;
}

function firstLine(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  const line = code.split('\n').find((l) => l.trim() !== '');
  return line?.trim();
}

function describe(node: GraphNode): Omit<FlowNodeData, 'kind' | 'title'> {
  const spec = node.spec;
  switch (node.kind) {
    case 'start':
    case 'end':
      return {};
    case 'lua':
      return {
        detail: firstLine(spec?.run) ?? '',
        chip: spec?.language ? `language: ${spec.language}` : 'lua (implicit)',
      };
    case 'action':
      return { detail: spec?.uses ?? '', chip: 'uses' };
    case 'while_loop': {
      const out: Omit<FlowNodeData, 'kind' | 'title'> = { detail: spec?.condition ?? '', chip: 'while' };
      if (spec?.maxIterations !== undefined) out.maxIterations = spec.maxIterations;
      return out;
    }
    case 'passthrough':
      return { detail: 'passes state through', chip: 'pass-through', marked: true };
    case 'other-code':
      return {
        detail: firstLine(spec?.run) ?? '',
        chip: `language: ${spec?.language ?? 'not lua'}`,
        marked: true,
      };
    case 'unsupported':
      return { detail: 'not supported by Fanout', chip: `type: ${spec?.type ?? '?'}`, marked: true };
  }
}

function dynamicSummary(d: DynamicFanOut, color: number): DynamicSummary {
  const settings: string[] = [];
  if (d.maxConcurrency !== undefined) settings.push(`max ${d.maxConcurrency}`);
  if (d.failFast) settings.push('fail fast');
  const body = d.mode === 'action' ? `action: ${d.uses ?? '?'}` : (d.mode ?? 'no body');
  return { items: d.items ?? '(no items)', itemVar: d.itemVar, indexVar: d.indexVar, body, settings, color };
}

function nodeData(
  node: GraphNode,
  fanOut: Map<string, [number, number]>,
  joins: Map<string, number>,
  dynamicColors: Map<string, number>,
) {
  const title = node.kind === 'start' ? 'Start' : node.kind === 'end' ? 'End' : node.id;
  const data: FlowNodeData = { kind: node.kind, title, ...describe(node) };
  const action = node.spec?.uses ?? node.dynamic?.uses;
  if (action !== undefined) data.action = action;
  if (node.dynamic) {
    // Drawn as a fan-out over a list, not as an unsupported node (whatever runs it).
    const color = dynamicColors.get(node.id) ?? 0;
    data.dynamic = dynamicSummary(node.dynamic, color);
    data.detail = data.dynamic.items;
    data.chip = data.dynamic.body;
    delete data.marked;
  }
  const fo = fanOut.get(node.id);
  if (fo) {
    data.fanOut = fo[0];
    data.fanOutColor = fo[1];
  }
  const join = joins.get(node.id);
  if (join !== undefined) {
    data.join = true;
    data.joinColor = join;
  }
  return data;
}

const STROKE: Record<FlowEdgeKind, number> = {
  sequential: 1.5,
  conditional: 1.5,
  parallel: 3.5,
  'fan-in': 3,
  dynamic: 3.5,
};

function edgeColor(kind: FlowEdgeKind, colorIndex: number | undefined): string {
  if (colorIndex !== undefined) return `var(--fanout-${colorIndex})`;
  return kind === 'conditional' ? 'var(--edge-conditional)' : 'var(--edge-sequential)';
}

/** Longest label text; longer conditions are shortened with an ellipsis. */
const LABEL_MAX = 40;

function shorten(text: string, max = LABEL_MAX): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Edge label of a conditional edge: the condition, or "else" for a fallback; a `_route` goto map's
 * key as `_route: key` (its fallback as `_default`); an entry of a `to:` route list numbered by the
 * order its condition is tried in (the list is ordered and its conditions may overlap).
 */
export function edgeLabel(edge: GraphEdge, max = LABEL_MAX): string | undefined {
  if (edge.kind !== 'conditional') return undefined;
  if (edge.label !== undefined) return shorten(edge.fallback ? edge.label : `_route: ${edge.label}`, max);
  const text = edge.fallback ? 'else' : (edge.condition ?? '');
  if (edge.origin.type === 'edge' && edge.origin.route !== undefined) {
    return shorten(`${edge.order + 1}. ${text}`, max);
  }
  return shorten(text, max);
}

/** Label of the edge from a dynamic_parallel node to its fan_in: one branch per item. */
export function dynamicEdgeLabel(dynamic: NonNullable<GraphEdge['dynamic']>): string {
  return `⇉ for each ${dynamic.itemVar}`;
}

function flowEdge(edge: GraphEdge, colorIndex: number | undefined, label: string | undefined): FlowEdge {
  const kind: FlowEdgeKind = edge.dynamic && edge.target === edge.dynamic.fanIn ? 'dynamic' : edge.kind;
  const color = edgeColor(kind, colorIndex);
  const style: Record<string, string | number> = { stroke: color, strokeWidth: STROKE[kind] };
  if (kind === 'conditional') style.strokeDasharray = '6 4';
  const data: FlowEdgeData = { kind };
  if (colorIndex !== undefined) data.colorIndex = colorIndex;
  const out: FlowEdge = {
    id: edge.id,
    source: edge.source,
    target: edge.target,
    type: kind === 'parallel' || kind === 'fan-in' ? 'default' : 'smoothstep',
    className: `fs-edge fs-edge-${kind}`,
    style,
    // Fixed-size arrows (user space), so thick parallel edges do not get oversized heads.
    markerEnd: { type: 'arrowclosed', color, width: 36, height: 36, markerUnits: 'userSpaceOnUse' },
    data,
  };
  if (label !== undefined) {
    out.label = label;
    out.labelShowBg = true;
    out.labelBgPadding = [4, 2];
    out.labelBgBorderRadius = 4;
    out.labelStyle =
      kind === 'dynamic'
        ? { fill: color, fontSize: 11, fontWeight: 600 }
        : { fill: 'var(--edge-label-fg)', fontSize: 11 };
    out.labelBgStyle = { fill: 'var(--edge-label-bg)' };
  }
  return out;
}

/**
 * Labels of all edges. Edges with the same source and target (a `_route` key and `_default` both
 * going to one node, a route list naming a target twice) are drawn on one path, so their labels are
 * joined on the last of them instead of being stacked unreadably on the same spot.
 */
export function edgeLabels(edges: readonly GraphEdge[]): Map<string, string> {
  const groups = new Map<string, GraphEdge[]>();
  for (const e of edges) {
    const key = `${e.source}\u0000${e.target}`;
    const group = groups.get(key);
    if (group) group.push(e);
    else groups.set(key, [e]);
  }
  const out = new Map<string, string>();
  for (const group of groups.values()) {
    if (group.length === 1) {
      const e = group[0]!;
      const label = e.dynamic && e.target === e.dynamic.fanIn ? dynamicEdgeLabel(e.dynamic) : edgeLabel(e);
      if (label !== undefined) out.set(e.id, label);
      continue;
    }
    const parts = group.map((e) => edgeLabel(e, 28)).filter((l): l is string => l !== undefined);
    // On the group's last labelled edge, so the group's other paths are painted under it.
    const last = group.findLast((e) => edgeLabel(e) !== undefined);
    if (last && parts.length > 0) out.set(last.id, parts.join(' · '));
  }
  return out;
}

/** Rendered size of a handle (6 px plus its 1 px border), centred on the node's left/right side. */
const HANDLE = 8;

/**
 * Where a node's handles sit, per node kind (one shared array each, so reuseUnchanged sees equal
 * nodes). React Flow renders every node it has no handle bounds for, visible or not, to measure it:
 * declaring them lets `onlyRenderVisibleElements` render only the nodes in view when a big document
 * opens. The DOM measurement replaces them once a node is rendered.
 */
const handlesByKind = new Map<FlowKind, NodeHandle[]>();
function handlesOf(kind: FlowKind, size: Size): NodeHandle[] {
  let handles = handlesByKind.get(kind);
  if (!handles) {
    const y = size.height / 2 - HANDLE / 2;
    const target: NodeHandle = {
      type: 'target',
      position: 'left' as NodeHandle['position'],
      x: -HANDLE / 2,
      y,
      width: HANDLE,
      height: HANDLE,
    };
    const source: NodeHandle = {
      type: 'source',
      position: 'right' as NodeHandle['position'],
      x: size.width - HANDLE / 2,
      y,
      width: HANDLE,
      height: HANDLE,
    };
    handles = kind === 'start' ? [source] : kind === 'end' ? [target] : [target, source];
    handlesByKind.set(kind, handles);
  }
  return handles;
}

/**
 * Maps the graph to React Flow nodes/edges. `positions` are the document's stored positions (they
 * always win); `layout` the computed positions for the rest. A node in neither sits at the origin.
 */
export function toFlow(graph: WorkflowGraph, positions: PositionMap, layout: PositionMap): Flow {
  const fanOut = new Map<string, [number, number]>();
  const joins = new Map<string, number>();
  graph.fanOuts.forEach((fo, i) => {
    const color = i % FANOUT_COLORS;
    fanOut.set(fo.source, [fo.branches.length, color]);
    if (fo.fanIn !== null && !joins.has(fo.fanIn)) joins.set(fo.fanIn, color);
  });
  // dynamic_parallel fan-outs continue the colour sequence; their fan_in is a join like any other.
  const dynamicColors = new Map<string, number>();
  graph.dynamicFanOuts.forEach((d, i) => {
    const color = (graph.fanOuts.length + i) % FANOUT_COLORS;
    dynamicColors.set(d.source, color);
    if (d.fanIn !== null && !joins.has(d.fanIn)) joins.set(d.fanIn, color);
  });

  const nodes: FlowNode[] = graph.nodes.map((node) => {
    const kind = flowKindOf(node);
    const size = nodeSize(kind);
    return {
      id: node.id,
      type: kind,
      position: positions[node.id] ?? layout[node.id] ?? { x: 0, y: 0 },
      data: nodeData(node, fanOut, joins, dynamicColors),
      width: size.width,
      height: size.height,
      handles: handlesOf(kind, size),
      // Start can only be a source and End only a target; the pills must not be deleted.
      deletable: node.kind !== 'start' && node.kind !== 'end',
    };
  });

  const labels = edgeLabels(graph.edges);
  const edges = graph.edges.map((edge) => {
    let color: number | undefined;
    if (edge.kind === 'parallel') color = fanOut.get(edge.source)?.[1];
    else if (edge.kind === 'fan-in') color = joins.get(edge.target);
    else if (edge.dynamic && edge.target === edge.dynamic.fanIn) color = dynamicColors.get(edge.source);
    return flowEdge(edge, color, labels.get(edge.id));
  });
  // Labelled edges last: SVG paints in order, so a label's background covers the lines of edges
  // crossing it (a sibling route's bend runs right through the label at its edge's midpoint).
  return {
    nodes,
    edges: [...edges.filter((e) => e.label === undefined), ...edges.filter((e) => e.label !== undefined)],
  };
}

function shallowEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const va = a[k];
    const vb = b[k];
    if (va === vb) continue;
    if (typeof va === 'object' && va !== null && typeof vb === 'object' && vb !== null) {
      if (!shallowEqual(va as Record<string, unknown>, vb as Record<string, unknown>)) return false;
      continue;
    }
    return false;
  }
  return true;
}

/**
 * Returns `next` with every element that equals (one level deep) its predecessor in `previous` replaced
 * by the previous object, so React Flow and memoised node components see unchanged identities.
 */
export function reuseUnchanged<T extends { id: string }>(previous: readonly T[], next: T[]): T[] {
  if (previous.length === 0) return next;
  const byId = new Map(previous.map((item) => [item.id, item]));
  let changed = previous.length !== next.length;
  const out = next.map((item, i) => {
    const old = byId.get(item.id);
    if (old && shallowEqual(old as Record<string, unknown>, item as Record<string, unknown>)) {
      if (previous[i] !== old) changed = true;
      return old;
    }
    changed = true;
    return item;
  });
  return changed ? out : (previous as T[]);
}

/**
 * Merges a fresh flow (`base`, after reuseUnchanged) into React Flow's current nodes or edges: items
 * whose base object did not change keep their current object (with RF's `measured`, `selected`, …);
 * changed ones take the new base plus the current selection and measurements.
 */
export function mergeIntoCurrent<T extends { id: string; selected?: boolean; measured?: unknown }>(
  current: readonly T[],
  previousBase: readonly T[],
  base: readonly T[],
  selected: ReadonlySet<string>,
): T[] {
  const cur = new Map(current.map((item) => [item.id, item]));
  const prev = new Map(previousBase.map((item) => [item.id, item]));
  return base.map((item) => {
    const now = cur.get(item.id);
    const isSelected = selected.has(item.id);
    if (now && prev.get(item.id) === item && !!now.selected === isSelected) return now;
    const next: T = { ...item, selected: isSelected };
    if (now?.measured !== undefined) next.measured = now.measured;
    return next;
  });
}

/** Error/warning counts of one node, cached per problems array so each node component reads O(1). */
const countsCache = new WeakMap<readonly Problem[], Map<string, string>>();
export function problemSummary(problems: readonly Problem[], node: string): string {
  let byNode = countsCache.get(problems);
  if (!byNode) {
    const counts = new Map<string, [number, number]>();
    for (const p of problems) {
      if (p.node === undefined) continue;
      const c = counts.get(p.node) ?? [0, 0];
      c[p.severity === 'error' ? 0 : 1]++;
      counts.set(p.node, c);
    }
    byNode = new Map([...counts].map(([n, [e, w]]) => [n, `${e}:${w}`]));
    countsCache.set(problems, byNode);
  }
  return byNode.get(node) ?? '0:0';
}
