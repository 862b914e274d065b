// Graph view of a workflow model, built with TEA's own algorithm (tea-format.md §3.1):
// entry, then per node goto > explicit `edges:` entries > implicit list-order chaining,
// then the `edges:` entries. Every parallel notation is read as what it was meant to say.
import { END, START } from './types.ts';
import type {
  DynamicFanOut,
  DynamicParallelSpec,
  EdgeOrigin,
  EdgeSpec,
  FanOut,
  GraphEdge,
  GraphEdgeKind,
  GraphNode,
  NodeSpec,
  ParallelForm,
  WorkflowGraph,
  WorkflowModel,
} from './types.ts';

/** The parallel form of one `edges:` entry: the loader's classification, else derived from its keys. */
export function edgeParallelForm(edge: EdgeSpec): ParallelForm | undefined {
  if (edge.parallelForm) return edge.parallelForm;
  const list = Array.isArray(edge.parallel);
  if (edge.type === 'parallel') return list ? 'hybrid' : 'python';
  if (list) return 'rust';
  if (Array.isArray(edge.to)) return 'to-list';
  if (edge.parallel === true) return 'parallel-true';
  return undefined;
}

/** Targets of an entry: the `to` value(s), its `{target, condition}` routes, the rust `parallel:` list. */
function edgeTargets(edge: EdgeSpec): string[] {
  const out: string[] = [];
  const add = (t: unknown): void => {
    if (typeof t === 'string' && !out.includes(t)) out.push(t);
  };
  if (Array.isArray(edge.to)) edge.to.forEach(add);
  else add(edge.to);
  edge.routes?.forEach((r) => add(r.target));
  if (Array.isArray(edge.parallel)) edge.parallel.forEach(add);
  return out;
}

/** First node of each name (duplicates are a validation error; the graph uses the first). */
function uniqueNodes(model: WorkflowModel): NodeSpec[] {
  const seen = new Set<string>();
  const out: NodeSpec[] = [];
  for (const node of model.nodes) {
    if (typeof node.name !== 'string' || node.name === '' || node.name === START || node.name === END)
      continue;
    if (seen.has(node.name)) continue;
    seen.add(node.name);
    out.push(node);
  }
  return out;
}

function originKey(origin: EdgeOrigin): string {
  if (origin.type === 'goto') return `goto:${origin.node}:${origin.rule ?? ''}`;
  if (origin.type === 'edge')
    return `edge:${origin.index}${origin.route !== undefined ? `:${origin.route}` : ''}`;
  return `implicit:${origin.node}`;
}

interface PendingFanOut {
  source: string;
  branches: string[];
  declaredFanIn: string | null;
  forms: Set<ParallelForm>;
}

function groupForm(forms: Set<ParallelForm>): ParallelForm {
  if (forms.has('hybrid') || (forms.has('python') && forms.has('rust'))) return 'hybrid';
  if (forms.has('python')) return 'python';
  if (forms.has('rust')) return 'rust';
  if (forms.has('parallel-true')) return 'parallel-true';
  return 'to-list';
}

export function buildGraph(model: WorkflowModel): WorkflowGraph {
  const specs = uniqueNodes(model);
  const names = new Set(specs.map((n) => n.name));
  const isTarget = (t: string): boolean => t === END || names.has(t);
  const edges: GraphEdge[] = [];
  const edgeKeys = new Set<string>();
  const addEdge = (
    source: string,
    target: string,
    kind: GraphEdgeKind,
    origin: EdgeOrigin,
    extra: { condition?: string; fallback?: boolean; order?: number; label?: string } = {},
  ): void => {
    const id = `${source}->${target}@${originKey(origin)}`;
    if (edgeKeys.has(id)) return;
    edgeKeys.add(id);
    const edge: GraphEdge = { id, source, target, kind, order: extra.order ?? 0, origin };
    if (extra.condition !== undefined) edge.condition = extra.condition;
    if (extra.fallback) edge.fallback = true;
    if (extra.label !== undefined) edge.label = extra.label;
    edges.push(edge);
  };

  const gotoNodes = new Set(specs.filter((n) => n.goto !== undefined).map((n) => n.name));
  const edgeSources = new Set<string>();
  for (const e of model.edges) if (typeof e.from === 'string') edgeSources.add(e.from);

  // 1. Entry point.
  let entry: string | null = null;
  const startEdge = model.edges.find((e) => e.from === START && edgeTargets(e).some((t) => names.has(t)));
  if (startEdge) entry = edgeTargets(startEdge).find((t) => names.has(t)) ?? null;
  else if (specs[0]) {
    entry = specs[0].name;
    addEdge(START, entry, 'sequential', { type: 'implicit', node: START });
  }

  // 2. goto edges and implicit chaining, node by node in list order.
  specs.forEach((node, i) => {
    if (node.goto !== undefined) {
      if (typeof node.goto === 'string') {
        if (isTarget(node.goto))
          addEdge(node.name, node.goto, 'sequential', { type: 'goto', node: node.name });
      } else if (Array.isArray(node.goto)) {
        node.goto.forEach((rule, r) => {
          if (typeof rule.to !== 'string' || !isTarget(rule.to)) return;
          const extra: { condition?: string; fallback?: boolean; order: number; label?: string } = {
            order: r,
          };
          if (typeof rule.if === 'string') extra.condition = rule.if;
          else extra.fallback = true;
          if (rule.route !== undefined) extra.label = rule.route;
          addEdge(node.name, rule.to, 'conditional', { type: 'goto', node: node.name, rule: r }, extra);
        });
      }
      return;
    }
    if (edgeSources.has(node.name)) return;
    const next = specs[i + 1]?.name ?? END;
    addEdge(node.name, next, 'sequential', { type: 'implicit', node: node.name });
  });

  // 3. `edges:` entries (skipped when their source has goto, like both engines).
  const pending = new Map<string, PendingFanOut>();
  const conditionalOrder = new Map<string, number>();
  const parallelPairs = new Set<string>();
  for (const e of model.edges) {
    const from = e.from;
    if (typeof from !== 'string' || gotoNodes.has(from)) continue;
    if (from !== START && !names.has(from)) continue;
    const origin: EdgeOrigin = { type: 'edge', index: e.index };
    const form = edgeParallelForm(e);
    if (form) {
      let group = pending.get(from);
      if (!group) {
        group = { source: from, branches: [], declaredFanIn: null, forms: new Set() };
        pending.set(from, group);
      }
      group.forms.add(form);
      if (group.declaredFanIn === null && typeof e.fanIn === 'string') group.declaredFanIn = e.fanIn;
      for (const t of edgeTargets(e)) {
        if (!names.has(t)) continue;
        if (!group.branches.includes(t)) group.branches.push(t);
        if (!parallelPairs.has(`${from}\u0000${t}`)) {
          parallelPairs.add(`${from}\u0000${t}`);
          addEdge(from, t, 'parallel', origin);
        }
      }
      continue;
    }
    if (from === START) {
      for (const t of edgeTargets(e)) if (names.has(t)) addEdge(START, t, 'sequential', origin);
      continue;
    }
    if (e.routes) {
      // `to: [{target, condition}, ..]`: conditional edges tried in list order; no condition = fallback.
      e.routes.forEach((route, r) => {
        if (!isTarget(route.target)) return;
        const order = conditionalOrder.get(from) ?? 0;
        conditionalOrder.set(from, order + 1);
        const routeOrigin: EdgeOrigin = { type: 'edge', index: e.index, route: r };
        const extra =
          route.condition !== undefined ? { condition: route.condition, order } : { fallback: true, order };
        addEdge(from, route.target, 'conditional', routeOrigin, extra);
      });
      continue;
    }
    for (const t of edgeTargets(e)) {
      if (!isTarget(t)) continue;
      if (e.when !== undefined && e.when !== null) {
        const order = conditionalOrder.get(from) ?? 0;
        conditionalOrder.set(from, order + 1);
        addEdge(from, t, 'conditional', origin, { condition: String(e.when), order });
      } else {
        addEdge(from, t, 'sequential', origin);
      }
    }
  }

  // 4. Fan-outs: declared fan-in, else the common successor of the branches (TEA Rust).
  const fanOuts: FanOut[] = [];
  for (const group of pending.values()) {
    if (group.branches.length === 0) continue;
    let fanIn: string | null = null;
    if (group.declaredFanIn !== null && names.has(group.declaredFanIn)) fanIn = group.declaredFanIn;
    else if (group.declaredFanIn === null) fanIn = commonSuccessor(group.branches, edges, specs);
    fanOuts.push({ source: group.source, branches: group.branches, fanIn, form: groupForm(group.forms) });
  }

  const dynamicFanOuts = specs.flatMap((s) => (s.dynamicParallel ? [dynamicFanOut(s, names)] : []));
  const dynamicBySource = new Map(dynamicFanOuts.map((d) => [d.source, d]));
  for (const e of edges) {
    const d = dynamicBySource.get(e.source);
    if (!d) continue;
    e.dynamic = { itemVar: d.itemVar, indexVar: d.indexVar };
    if (d.items !== undefined) e.dynamic.items = d.items;
    if (d.fanIn !== null) e.dynamic.fanIn = d.fanIn;
  }

  // __start__ edges first (they come from `edges:` entries, read after the per-node pass).
  const ordered = [...edges.filter((e) => e.source === START), ...edges.filter((e) => e.source !== START)];
  const graph: WorkflowGraph = {
    nodes: [],
    edges: ordered,
    fanOuts,
    dynamicFanOuts,
    entry: entry ?? fanOuts.find((f) => f.source === START)?.branches[0] ?? null,
    ...(model.notes ? { notes: model.notes } : {}),
  };

  // Edges from a branch into its fan-in are the fan-in edges.
  for (const fo of fanOuts) {
    if (fo.fanIn === null) continue;
    const onBranch = new Set(branchPaths(graph, fo).flat());
    for (const e of ordered) {
      if (e.kind === 'sequential' && e.target === fo.fanIn && onBranch.has(e.source)) e.kind = 'fan-in';
    }
  }

  const fanOutSources = new Set([...fanOuts, ...dynamicFanOuts].map((f) => f.source));
  const fanIns = new Set(
    [...fanOuts, ...dynamicFanOuts].map((f) => f.fanIn).filter((f): f is string => f !== null),
  );
  const graphNode = (id: string, kind: GraphNode['kind'], spec?: NodeSpec): GraphNode => {
    const n: GraphNode = { id, kind, fanOut: fanOutSources.has(id), fanIn: fanIns.has(id) };
    if (spec) n.spec = spec;
    const dynamic = dynamicBySource.get(id);
    if (dynamic) n.dynamic = dynamic;
    return n;
  };
  graph.nodes = [
    graphNode(START, 'start'),
    ...specs.map((s) => graphNode(s.name, s.kind, s)),
    graphNode(END, 'end'),
  ];
  return graph;
}

/** What a dynamic_parallel node fans out over, for the graph view. */
function dynamicFanOut(spec: NodeSpec, names: Set<string>): DynamicFanOut {
  const dp = spec.dynamicParallel as DynamicParallelSpec;
  const out: DynamicFanOut = {
    source: spec.name,
    fanIn: dp.fanIn !== undefined && names.has(dp.fanIn) ? dp.fanIn : null,
    itemVar: dp.itemVar,
    indexVar: dp.indexVar,
    mode: dp.mode,
  };
  if (dp.items !== undefined) out.items = dp.items;
  if (dp.action?.uses !== undefined) out.uses = dp.action.uses;
  if (dp.maxConcurrency !== undefined) out.maxConcurrency = dp.maxConcurrency;
  if (dp.failFast !== undefined) out.failFast = dp.failFast;
  return out;
}

/** Intersection of the branch nodes' direct successors; the first in node-list order when several. */
function commonSuccessor(branches: string[], edges: GraphEdge[], specs: NodeSpec[]): string | null {
  const succ = successors(edges);
  let common: string[] | null = null;
  for (const b of branches) {
    const next = new Set<string>(succ.get(b) ?? []);
    common = common === null ? [...next] : common.filter((t) => next.has(t));
  }
  const shared = new Set(common ?? []);
  return specs.find((s) => shared.has(s.name))?.name ?? null;
}

/** Non-parallel successors per node; cached per edge list (graphs are not mutated after building). */
const successorCache = new WeakMap<GraphEdge[], { count: number; map: Map<string, string[]> }>();
function successors(edges: GraphEdge[]): Map<string, string[]> {
  const cached = successorCache.get(edges);
  if (cached && cached.count === edges.length) return cached.map;
  const map = new Map<string, string[]>();
  for (const e of edges) {
    if (e.kind === 'parallel') continue;
    let list = map.get(e.source);
    if (!list) map.set(e.source, (list = []));
    list.push(e.target);
  }
  successorCache.set(edges, { count: edges.length, map });
  return map;
}

/**
 * For each branch of a fan-out, the nodes from its head up to (excluding) the fan-in, following
 * sequential/conditional edges (all reachable nodes for conditional ones). Stops at __end__ and
 * guards cycles. A fan-out without a determined fan-in has one-node branches (TEA Rust semantics).
 */
export function branchPaths(graph: WorkflowGraph, fanOut: FanOut): string[][] {
  const out = successors(graph.edges);
  return fanOut.branches.map((head) => {
    if (fanOut.fanIn === null) return [head];
    const path: string[] = [];
    const seen = new Set<string>([fanOut.fanIn, END, START]);
    const queue = [head];
    seen.add(head);
    while (queue.length > 0) {
      const node = queue.shift() as string;
      path.push(node);
      for (const next of out.get(node) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    return path;
  });
}
