// Compiles a workflow's graph view into what the scheduler walks: per node its kind and routing,
// and per fan-out source its branches (each a path up to the fan-in).
import { branchPaths, buildGraph } from '../workflow/graph.ts';
import { END, START } from '../workflow/types.ts';
import type { FanOut, GraphEdge, NodeSpec, WorkflowGraph, WorkflowModel } from '../workflow/types.ts';

/** One way out of a node, in evaluation order. `condition` undefined = unconditional. */
export interface Route {
  target: string;
  condition?: string | boolean;
  /** 'goto' rules use first-match-wins with TEA Python's error policy; 'when' edges their own. */
  use: 'goto' | 'when';
}

export interface PlannedFanOut {
  source: string;
  fanIn: string | null;
  /** Branch head names in declaration order. */
  branches: string[];
  /** Node names each branch runs, head first, up to (excluding) the fan-in. */
  paths: string[][];
}

export interface RunPlan {
  entry: string | null;
  nodes: Map<string, NodeSpec>;
  routes: Map<string, Route[]>;
  fanOuts: Map<string, PlannedFanOut>;
  graph: WorkflowGraph;
}

/**
 * Plans of deep-frozen models (the engine's kept loads, workflow/load-cache.ts): re-running an
 * unchanged document skips building its graph again (~1-2 ms per run of a 200-branch file). Runs
 * only read a plan.
 */
const plans = new WeakMap<WorkflowModel, RunPlan>();

export function compilePlan(model: WorkflowModel): RunPlan {
  if (!Object.isFrozen(model)) return compile(model);
  let plan = plans.get(model);
  if (!plan) plans.set(model, (plan = compile(model)));
  return plan;
}

function compile(model: WorkflowModel): RunPlan {
  const graph = buildGraph(model);
  const nodes = new Map(model.nodes.map((n) => [n.name, n] as const));
  const routes = new Map<string, Route[]>();
  const bySource = new Map<string, GraphEdge[]>();
  for (const edge of graph.edges) {
    if (edge.kind === 'parallel') continue; // fan-out edges are taken by the scheduler, not routed
    const list = bySource.get(edge.source) ?? [];
    list.push(edge);
    bySource.set(edge.source, list);
  }
  for (const [source, edges] of bySource) {
    if (source === START) continue;
    // Goto rules keep their declared order (first match wins); unconditional edges go last so a
    // conditional `when` edge is tried before a plain fall-through.
    const sorted = [...edges].sort((a, b) => rank(a) - rank(b) || a.order - b.order);
    routes.set(
      source,
      sorted.map((e) => ({
        target: e.target,
        condition: e.fallback ? undefined : e.condition,
        use: e.origin.type === 'goto' ? 'goto' : 'when',
      })),
    );
  }
  const fanOuts = new Map<string, PlannedFanOut>();
  for (const fo of graph.fanOuts) fanOuts.set(fo.source, planFanOut(graph, fo));
  return { entry: graph.entry, nodes, routes, fanOuts, graph };
}

function rank(edge: GraphEdge): number {
  if (edge.origin.type === 'goto') return 0;
  return edge.condition !== undefined ? 1 : 2;
}

function planFanOut(graph: WorkflowGraph, fo: FanOut): PlannedFanOut {
  const paths = branchPaths(graph, fo).map((p) => p.filter((n) => n !== END && n !== START));
  return { source: fo.source, fanIn: fo.fanIn, branches: [...fo.branches], paths };
}
