// Portable export (tea-format.md §3.3, §9): rewrites a workflow, by surgical edits of the original
// text (comments and key order survive), into the form both TEA engines run the same way:
// `language: lua` on Lua code, every fan-out in the hybrid parallel form, an explicit successor for
// every node that relied on list order, and the broken parallel forms converted.
import { addEdge, removeEdge, setEdgeField, setNodeField } from './edit.ts';
import { buildGraph, edgeParallelForm } from './graph.ts';
import { lintPortability } from './lint.ts';
import { loadWorkflow } from './load.ts';
import { START } from './types.ts';
import type {
  EdgeSpec,
  FanOut,
  GraphEdge,
  NodeSpec,
  Problem,
  WorkflowGraph,
  WorkflowModel,
} from './types.ts';
import { dedupeProblems, sortProblems, validateWorkflow } from './validate.ts';

export interface ExportResult {
  /** The portable text (the input unchanged when it already was portable or could not be loaded). */
  text: string;
  /** Errors of the result (or of the input when unusable) and the portability warnings that remain. */
  problems: Problem[];
}

type Edit = (text: string) => string;

export function exportPortable(text: string): ExportResult {
  const load = loadWorkflow(text);
  if (!load.model) return { text, problems: load.problems };
  const model = load.model;
  const graph = buildGraph(model);
  const failures: Problem[] = [];
  const apply = (current: string, edit: Edit, what: string): string => {
    try {
      return edit(current);
    } catch (err) {
      failures.push({
        severity: 'error',
        code: 'EXPORT_EDIT_FAILED',
        message: `Export could not ${what}: ${err instanceof Error ? err.message : String(err)}`,
        line: 1,
        col: 1,
      });
      return current;
    }
  };

  let out = text;
  // 1. Fan-outs: in-place field edits first (indices stay valid), then removals (last index first),
  //    then the entries that replace removed declarations.
  const plans = graph.fanOuts.map((fo) => planFanOut(model, fo));
  for (const plan of plans) for (const [edit, what] of plan.fieldEdits) out = apply(out, edit, what);
  const removals = plans.flatMap((p) => p.remove).sort((a, b) => b - a);
  for (const index of removals) out = apply(out, (t) => removeEdge(t, index), `remove edge ${index + 1}`);
  for (const plan of plans)
    for (const entry of plan.add) out = apply(out, (t) => addEdge(t, entry), 'add an edge');

  // 2. `language: lua` where Lua code carries no language (TEA Python would run it as Python).
  for (const node of allNodes(model)) {
    if (node.kind !== 'lua' || node.language !== undefined || typeof node.raw.run !== 'string' || !node.name)
      continue;
    out = apply(out, (t) => setNodeField(t, node.name, 'language', 'lua'), `set language on '${node.name}'`);
  }

  // 3. An explicit successor for every node that relied on list order.
  const useEdges = prefersEdges(model);
  for (const e of implicitEdges(graph)) {
    out = useEdges
      ? apply(out, (t) => addEdge(t, { from: e.source, to: e.target }), `add an edge from '${e.source}'`)
      : apply(out, (t) => setNodeField(t, e.source, 'goto', e.target), `set goto on '${e.source}'`);
  }

  // Untouched text: reuse the first load instead of parsing again.
  const result = out === text ? load : loadWorkflow(out);
  const problems: Problem[] = [...failures];
  if (result.model) {
    const outGraph = out === text ? graph : buildGraph(result.model);
    problems.push(...validateWorkflow(result, { graph: outGraph }).filter((p) => p.severity === 'error'));
    problems.push(...lintPortability(result.model, outGraph, out));
    if (!sameGraph(graph, outGraph)) {
      problems.push({
        severity: 'error',
        code: 'EXPORT_GRAPH_CHANGED',
        message: 'The exported workflow does not have the same graph as the input (please report this)',
        line: 1,
        col: 1,
      });
    }
  } else {
    problems.push(...result.problems);
  }
  return { text: out, problems: dedupeProblems(sortProblems(problems)) };
}

function allNodes(model: WorkflowModel): NodeSpec[] {
  return model.nodes.flatMap((n) => [n, ...(n.body ?? [])]);
}

/** Successors go into `edges:` when the file already routes that way (edges, no goto), else `goto`. */
function prefersEdges(model: WorkflowModel): boolean {
  const hasGoto = model.nodes.some((n) => n.goto !== undefined);
  const hasSequentialEdges = model.edges.some((e) => e.from !== START && !edgeParallelForm(e));
  return hasSequentialEdges && !hasGoto;
}

function implicitEdges(graph: WorkflowGraph): GraphEdge[] {
  return graph.edges.filter((e) => e.origin.type === 'implicit' && e.source !== START);
}

interface FanOutPlan {
  fieldEdits: [Edit, string][];
  remove: number[];
  add: Record<string, unknown>[];
}

/**
 * Per-branch entries (`to: <branch>`) in branch order are fixed in place (type, fan_in, the rust
 * list on the first one); any other shape (rust list only, `to: [..]`, reordered) is replaced.
 */
function planFanOut(model: WorkflowModel, fo: FanOut): FanOutPlan {
  const plan: FanOutPlan = { fieldEdits: [], remove: [], add: [] };
  if (fo.fanIn === null || fo.branches.length === 0) return plan; // validation reports it
  const fanIn = fo.fanIn;
  const entries = model.edges.filter((e) => e.from === fo.source && edgeParallelForm(e) !== undefined);
  const inPlace =
    entries.length === fo.branches.length &&
    entries.every((e, i) => typeof e.to === 'string' && e.to === fo.branches[i]);
  if (!inPlace) {
    plan.remove = entries.map((e) => e.index);
    plan.add = fo.branches.map((branch, i) => ({
      from: fo.source,
      to: branch,
      type: 'parallel',
      fan_in: fanIn,
      ...(i === 0 ? { parallel: [...fo.branches] } : {}),
    }));
    return plan;
  }
  entries.forEach((e: EdgeSpec, i) => {
    const set = (key: string, value: unknown) =>
      plan.fieldEdits.push([
        (t: string) => setEdgeField(t, e.index, key, value),
        `set ${key} on edge ${e.index + 1}`,
      ]);
    if (e.type !== 'parallel') set('type', 'parallel');
    if (e.fanIn !== fanIn) set('fan_in', fanIn);
    const wanted = i === 0 ? fo.branches : undefined;
    const has = Array.isArray(e.parallel) ? e.parallel : e.parallel === undefined ? undefined : null;
    if (wanted === undefined ? has !== undefined : !(has && sameList(has, wanted)))
      set('parallel', wanted && [...wanted]);
  });
  return plan;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Canonical edge set and fan-outs of a graph, ignoring where each edge is written. */
export function graphSignature(graph: WorkflowGraph): {
  nodes: string[];
  edges: string[];
  fanOuts: string[];
} {
  const edges = graph.edges.map((e) =>
    [e.source, e.target, e.kind, e.condition ?? '', e.fallback ? 'fallback' : '', e.order].join('|'),
  );
  return {
    nodes: graph.nodes.map((n) => `${n.id}:${n.kind}:${n.fanOut}:${n.fanIn}`).sort(),
    edges: edges.sort(),
    fanOuts: graph.fanOuts.map((f) => `${f.source}>${f.branches.join(',')}>${f.fanIn ?? ''}`).sort(),
  };
}

export function sameGraph(a: WorkflowGraph, b: WorkflowGraph): boolean {
  return JSON.stringify(graphSignature(a)) === JSON.stringify(graphSignature(b));
}
