// Portable export (tea-format.md §3.3, §9): rewrites a workflow, by surgical edits of the original
// text (comments and key order survive), into the form both TEA engines run the same way:
// `language: lua` on Lua code, every fan-out in the hybrid parallel form, an explicit successor for
// every node that relied on list order, and the broken parallel forms converted.
import { applyEdits, batchEdit } from './batch.ts';
import type { BatchEdit } from './batch.ts';
import { addEdge, removeEdge, setEdgeField, setNodeField } from './edit.ts';
import { buildGraph, edgeParallelForm } from './graph.ts';
import { lintPortability } from './lint.ts';
import { loadWorkflow } from './load.ts';
import { START } from './types.ts';
import type {
  EdgeSpec,
  FanOut,
  GraphEdge,
  LoadResult,
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

/** One export edit: as a splice builder (batched) and as a text edit (one at a time), same result. */
interface ExportEdit {
  batch: BatchEdit;
  text: Edit;
  what: string;
}

export interface ExportOptions {
  /**
   * Apply the edits one at a time, re-parsing after each (the reference behaviour; slow on big
   * files). Default false: all edits against one parse (batch.ts), byte-identical output.
   */
  oneAtATime?: boolean;
}

export function exportPortable(text: string, options: ExportOptions = {}): ExportResult {
  const load = loadWorkflow(text);
  if (!load.model) return { text, problems: load.problems };
  const model = load.model;
  const graph = buildGraph(model);
  const failures: Problem[] = [];
  const fail = (what: string, err: unknown): void => {
    failures.push({
      severity: 'error',
      code: 'EXPORT_EDIT_FAILED',
      message: `Export could not ${what}: ${err instanceof Error ? err.message : String(err)}`,
      line: 1,
      col: 1,
    });
  };

  const edits = planEdits(model, graph);
  let out = text;
  let reloaded: LoadResult | null = null;
  if (options.oneAtATime) {
    for (const edit of edits) {
      try {
        out = edit.text(out);
      } catch (err) {
        fail(edit.what, err);
      }
    }
  } else if (edits.length > 0) {
    const batch = (sequential: boolean) =>
      applyEdits(
        text,
        edits.map((e) => e.batch),
        { onError: (err, index) => fail(edits[index]!.what, err), verify: false, sequential },
      );
    out = batch(false);
    // The result's load is the YAML check; broken YAML means one edit broke it: redo one at a time.
    reloaded = out === text ? load : loadWorkflow(out);
    if (!reloaded.model) {
      failures.length = 0;
      out = batch(true);
      reloaded = null;
    }
  }

  // Untouched text: reuse the first load instead of parsing again.
  const result = out === text ? load : (reloaded ?? loadWorkflow(out));
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

/** Every edit the export needs, in the order they apply (each sees the result of the previous ones). */
function planEdits(model: WorkflowModel, graph: WorkflowGraph): ExportEdit[] {
  const edits: ExportEdit[] = [];
  // 1. Fan-outs: in-place field edits first (indices stay valid), then removals (last index first),
  //    then the entries that replace removed declarations.
  const plans = graph.fanOuts.map((fo) => planFanOut(model, fo));
  for (const plan of plans) edits.push(...plan.fieldEdits);
  const removals = plans.flatMap((p) => p.remove).sort((a, b) => b - a);
  for (const index of removals) {
    edits.push({
      batch: batchEdit.removeEdge(index),
      text: (t) => removeEdge(t, index),
      what: `remove edge ${index + 1}`,
    });
  }
  for (const plan of plans) {
    for (const entry of plan.add)
      edits.push({ batch: batchEdit.addEdge(entry), text: (t) => addEdge(t, entry), what: 'add an edge' });
  }

  // 2. `language: lua` where Lua code carries no language (TEA Python would run it as Python).
  for (const node of allNodes(model)) {
    if (node.kind !== 'lua' || node.language !== undefined || typeof node.raw.run !== 'string' || !node.name)
      continue;
    edits.push({
      batch: batchEdit.setNodeField(node.name, 'language', 'lua'),
      text: (t) => setNodeField(t, node.name, 'language', 'lua'),
      what: `set language on '${node.name}'`,
    });
  }

  // 3. An explicit successor for every node that relied on list order.
  const useEdges = prefersEdges(model);
  for (const e of implicitEdges(graph)) {
    const edge = { from: e.source, to: e.target };
    edits.push(
      useEdges
        ? {
            batch: batchEdit.addEdge(edge),
            text: (t) => addEdge(t, edge),
            what: `add an edge from '${e.source}'`,
          }
        : {
            batch: batchEdit.setNodeField(e.source, 'goto', e.target),
            text: (t) => setNodeField(t, e.source, 'goto', e.target),
            what: `set goto on '${e.source}'`,
          },
    );
  }
  return edits;
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
  fieldEdits: ExportEdit[];
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
      plan.fieldEdits.push({
        batch: batchEdit.setEdgeField(e.index, key, value),
        text: (t: string) => setEdgeField(t, e.index, key, value),
        what: `set ${key} on edge ${e.index + 1}`,
      });
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
