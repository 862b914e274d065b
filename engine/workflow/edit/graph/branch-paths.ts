// Where branches go, read from the graph view alone (the canvas's gesture plan and the fan-out edits
// share it): the nodes on each branch of a fan-out, which fan-out a node belongs to, and where the
// branches meet. A fan-out with no fan-in yet has open branch paths: they run until __end__.
import { branchPaths } from '../../graph.ts';
import { END, START } from '../../types.ts';
import type { FanOut, WorkflowGraph } from '../../types.ts';

function successors(graph: WorkflowGraph): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (e.kind === 'parallel') continue;
    let list = out.get(e.source);
    if (!list) out.set(e.source, (list = []));
    list.push(e.target);
  }
  return out;
}

/** Breadth-first distances from `from` along non-parallel edges, never entering `stop`. */
function distances(succ: Map<string, string[]>, from: string, stop: Set<string>): Map<string, number> {
  const dist = new Map<string, number>([[from, 0]]);
  const queue = [from];
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const t of succ.get(n) ?? []) {
      if (dist.has(t) || stop.has(t)) continue;
      dist.set(t, dist.get(n)! + 1);
      queue.push(t);
    }
  }
  return dist;
}

/** Nodes on each branch (head first), up to the fan-in, or up to __end__ while it has none. */
export function openBranchPaths(graph: WorkflowGraph, fo: FanOut): string[][] {
  if (fo.fanIn !== null) return branchPaths(graph, fo);
  const succ = successors(graph);
  const stop = new Set([END, START, fo.source]);
  return fo.branches.map((head) => [...distances(succ, head, stop).keys()]);
}

/** The fan-out whose branch `node` is on (the first found), with the branch index. */
export function fanOutOfBranchNode(
  graph: WorkflowGraph,
  node: string,
): { fanOut: FanOut; branch: number; paths: string[][] } | null {
  for (const fo of graph.fanOuts) {
    const paths = openBranchPaths(graph, fo);
    const branch = paths.findIndex((p) => p.includes(node));
    if (branch >= 0) return { fanOut: fo, branch, paths };
  }
  return null;
}

/**
 * Where `branches` meet: the node every branch reaches (never a branch head, the source, Start or
 * End) with the shortest longest way there; ties go to the earlier node in the file. Null if none.
 */
export function meetingPoint(graph: WorkflowGraph, branches: string[], source: string): string | null {
  if (branches.length === 0) return null;
  const succ = successors(graph);
  const stop = new Set([END, START, source]);
  const all = branches.map((b) => distances(succ, b, stop));
  const heads = new Set(branches);
  let best: string | null = null;
  let bestCost = Infinity;
  for (const node of graph.nodes) {
    if (!node.spec || heads.has(node.id) || stop.has(node.id)) continue;
    if (!all.every((d) => d.has(node.id))) continue;
    const cost = Math.max(...all.map((d) => d.get(node.id)!));
    if (cost < bestCost) {
      best = node.id;
      bestCost = cost;
    }
  }
  return best;
}
