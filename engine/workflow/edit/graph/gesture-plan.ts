// What a drawn edge means, decided from the graph alone (pure: the canvas calls it before it edits).
// Never drops an edge silently: a second edge out of a node makes a fan-out; where the gesture is
// ambiguous (the node routes by conditions, sits on a branch, or could close a fan-out) the plan says
// what to ask, and the canvas asks in a small popover.
import { END, START } from '../../types.ts';
import type { WorkflowGraph } from '../../types.ts';
import { fanOutOfBranchNode } from './branch-paths.ts';

export type ConnectPlan =
  /** Connect as it is: the way on was __end__ (or none), a branch of a fan-out, or the entry. */
  | { do: 'connect' }
  /** The second edge: `source` fans out to its way on and the target. */
  | { do: 'fan-out'; wayOn: string }
  /** Nothing to do (already connected, or impossible), with the reason. */
  | { do: 'nothing'; why: string }
  /** The target is reached by another branch of a fan-out still without fan-in: make it the fan-in? */
  | { ask: 'fan-in'; fanOut: string; wayOn: string | null }
  /** The source already goes on and cannot fan out here: a conditional edge, or replace the way on? */
  | { ask: 'route'; wayOn: string; why: string };

/** How a node dropped from the node picker is connected to the node the edge was dragged from. */
export type NewNodePlan = 'sequential' | 'parallel' | 'after' | 'before-entry';

/** The node's unconditional way on (a sequential edge or the fallback rule), null when it has none. */
export function wayOnIn(graph: WorkflowGraph, source: string): string | null {
  const out = graph.edges.filter((e) => e.source === source);
  const seq = out.find((e) => e.kind === 'sequential' || e.kind === 'fan-in');
  return seq?.target ?? out.find((e) => e.fallback)?.target ?? null;
}

function hasConditions(graph: WorkflowGraph, source: string): boolean {
  return graph.edges.some((e) => e.source === source && e.kind === 'conditional' && !e.fallback);
}

export function planConnect(graph: WorkflowGraph, source: string, target: string): ConnectPlan {
  if (source === END) return { do: 'nothing', why: '__end__ has no outgoing edges' };
  if (target === START) return { do: 'nothing', why: 'Nothing can connect to __start__' };
  if (source === target) return { do: 'nothing', why: 'A node cannot connect to itself here' };
  if (graph.edges.some((e) => e.source === source && e.target === target)) {
    return { do: 'nothing', why: `${source} already connects to ${target}` };
  }
  if (source === START) return { do: 'connect' };
  const fo = graph.fanOuts.find((f) => f.source === source);
  if (fo) {
    if (target === END) return { do: 'nothing', why: `'${source}' fans out; a branch cannot be __end__` };
    return { do: 'connect' };
  }
  const way = wayOnIn(graph, source);
  const inBranch = fanOutOfBranchNode(graph, source);
  if (inBranch && inBranch.fanOut.fanIn === null && target !== END) {
    const { fanOut, branch, paths } = inBranch;
    const elsewhere = paths.some((p, i) => i !== branch && p.includes(target));
    if (elsewhere && !fanOut.branches.includes(target) && !paths[branch]!.includes(target)) {
      return { ask: 'fan-in', fanOut: fanOut.source, wayOn: way };
    }
  }
  if (way === null || way === END) return { do: 'connect' };
  if (inBranch) {
    return {
      ask: 'route',
      wayOn: way,
      why: `'${source}' is on a branch of the fan-out from '${inBranch.fanOut.source}' (no fan-out inside a branch)`,
    };
  }
  if (hasConditions(graph, source))
    return { ask: 'route', wayOn: way, why: `'${source}' routes by conditions` };
  if (target === END) return { ask: 'route', wayOn: way, why: '__end__ cannot be a parallel branch' };
  return { do: 'fan-out', wayOn: way };
}

export function planNewNode(graph: WorkflowGraph, source: string): NewNodePlan {
  if (source === START) return graph.entry !== null ? 'before-entry' : 'sequential';
  if (graph.fanOuts.some((f) => f.source === source)) return 'parallel';
  const way = wayOnIn(graph, source);
  if (way === null || way === END) return 'sequential';
  if (fanOutOfBranchNode(graph, source) || hasConditions(graph, source)) return 'after';
  return 'parallel';
}
