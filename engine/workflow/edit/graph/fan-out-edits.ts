// Fan-out gestures, written in the portable hybrid parallel form (tea-format.md §3.3): add parallel
// branches (with a fan-in), turn a node's way on plus a new target into a fan-out (the second edge
// drawn out of a node), add a branch, remove a branch. A fan-out drawn by hand may have no fan-in yet
// (its branches do not meet): it is written without `fan_in` and shows as FAN_IN_UNDETERMINED until
// the user connects the branches (fan-in-edits.ts declares it then).
import { batchEdit } from '../../batch.ts';
import { edgeParallelForm } from '../../graph.ts';
import type { PlainEdge, PlainNode } from '../../serialize.ts';
import { END, START } from '../../types.ts';
import type { EdgeSpec, FanOut, WorkflowModel } from '../../types.ts';
import { EditError } from '../splice.ts';
import { branchOf, meetingNode, PENDING_FAN_IN } from './fan-in-edits.ts';
import type { GraphDoc } from './graph-doc.ts';
import { freshName, insertNodes, routeNew } from './placement.ts';
import { fileStyle, outgoing, sequentialEntries, setWayOn, wayOn } from './routing.ts';

/** Code of a fan-in created by add-parallel-branches: gathers the branch states. */
export const FAN_IN_CODE = [
  '-- Collect the state of every branch (state.parallel_results, in branch order).',
  'local results = {}',
  'for i, r in ipairs(state.parallel_results or {}) do',
  '  results[i] = r.state',
  'end',
  'return { branch_results = results }',
  '',
].join('\n');

const MAX_BRANCHES = 64;

function parallelEntries(model: WorkflowModel, source: string): EdgeSpec[] {
  return model.edges.filter((e) => e.from === source && edgeParallelForm(e) !== undefined);
}

/**
 * Writes the fan-out from `source` with `branches` in hybrid form: in place when it already is (a
 * changed fan-in is set on each entry). `fanIn` null: no `fan_in` yet (the branches do not meet).
 */
export function writeFanOut(doc: GraphDoc, source: string, branches: string[], fanIn: string | null): void {
  const entries = parallelEntries(doc.model, source);
  const perBranch = (b: string, i: number): Record<string, unknown> => ({
    from: source,
    to: b,
    type: 'parallel',
    ...(fanIn !== null ? { fan_in: fanIn } : {}),
    ...(i === 0 ? { parallel: [...branches] } : {}),
  });
  const inPlace =
    entries.length > 0 &&
    entries.every((e, i) => typeof e.to === 'string' && e.type === 'parallel' && e.to === branches[i]) &&
    entries.length <= branches.length &&
    entries.slice(1).every((e) => e.parallel === undefined);
  if (!inPlace) {
    for (const e of [...entries].sort((a, b) => b.index - a.index)) doc.edit(batchEdit.removeEdge(e.index));
    for (const [i, b] of branches.entries()) doc.edit(batchEdit.addEdge(perBranch(b, i)));
    return;
  }
  for (const e of entries) {
    if ((e.fanIn ?? null) !== fanIn) doc.edit(batchEdit.setEdgeField(e.index, 'fan_in', fanIn ?? undefined));
  }
  const first = entries[0]!;
  const list = Array.isArray(first.parallel) ? first.parallel : null;
  if (!list || list.join('\u0000') !== branches.join('\u0000')) {
    doc.edit(batchEdit.setEdgeField(first.index, 'parallel', [...branches]));
  }
  for (let i = entries.length; i < branches.length; i++)
    doc.edit(batchEdit.addEdge(perBranch(branches[i]!, i)));
}

function reaches(doc: GraphDoc, from: string, goal: string): boolean {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const e of outgoing(doc, n)) {
      if (e.kind === 'parallel') continue;
      if (e.target === goal) return true;
      if (e.target === END || seen.has(e.target)) continue;
      seen.add(e.target);
      queue.push(e.target);
    }
  }
  return false;
}

export function addBranchTo(doc: GraphDoc, fo: FanOut, head: string): void {
  if (fo.branches.includes(head)) return;
  if (head === fo.fanIn || head === fo.source)
    throw new EditError(`'${head}' cannot be a branch of the fan-out from '${fo.source}'`);
  const fanIn = fo.fanIn;
  if (fanIn === null) {
    // Still waiting for its fan-in: the new branch joins the others wherever they end.
    doc.allow(PENDING_FAN_IN);
    writeFanOut(doc, fo.source, [...fo.branches, head], declaredFanIn(doc.model, fo.source));
    return;
  }
  writeFanOut(doc, fo.source, [...fo.branches, head], fanIn);
  if (!reaches(doc, head, fanIn)) setWayOn(doc, head, fanIn);
}

/** The `fan_in` the entries declare (null when none does): kept as it is when branches change. */
function declaredFanIn(model: WorkflowModel, source: string): string | null {
  const e = parallelEntries(model, source).find((x) => typeof x.fanIn === 'string');
  return (e?.fanIn as string | undefined) ?? null;
}

/**
 * The second edge out of `source`: its way on and `target` become the branches of a fan-out (a node
 * that already fans out gets `target` as one more branch). The fan-in is where the branches meet, if
 * they do; else it stays open until the user connects them.
 */
export function fanOutTo(doc: GraphDoc, source: string, target: string): void {
  if (source === START) throw new EditError('__start__ cannot fan out; add a first node after it');
  if (target === START || target === END) throw new EditError(`A branch cannot be ${target}`);
  doc.node(target);
  const fo = doc.fanOut(source);
  if (fo) {
    addBranchTo(doc, fo, target);
    return;
  }
  const next = wayOn(doc, source);
  makeFanOut(doc, source, next !== null && next !== END && next !== target ? [next, target] : [target]);
}

/**
 * Makes `source` fan out to `branches`, replacing its routing. Conditional routes to other nodes
 * would be lost, so they refuse: the user removes them or picks another kind.
 */
export function makeFanOut(doc: GraphDoc, source: string, branches: string[], fanIn?: string): void {
  doc.node(source);
  if (doc.fanOut(source)) throw new EditError(`'${source}' already fans out`);
  const lost = outgoing(doc, source).filter(
    (e) => e.kind === 'conditional' && !e.fallback && !branches.includes(e.target),
  );
  if (lost.length > 0) {
    const which = lost.map((e) => `→ ${e.target} when ${e.condition ?? '…'}`).join(', ');
    throw new EditError(`'${source}' routes by conditions (${which}); remove them before fanning out`);
  }
  const inside = branchOf(doc, source);
  if (inside) {
    throw new EditError(
      `'${source}' is on a branch of the fan-out from '${inside.source}'; fan-outs inside a branch are not portable`,
    );
  }
  for (const b of branches) {
    if (b === source || b === START || b === END)
      throw new EditError(`'${b}' cannot be a branch of '${source}'`);
    doc.node(b);
  }
  const join = fanIn ?? meetingNode(doc, branches, source);
  if (join === null) doc.allow(PENDING_FAN_IN);
  if (doc.node(source).goto !== undefined) doc.edit(batchEdit.setNodeField(source, 'goto', undefined));
  for (const e of [...sequentialEntries(doc.model, source)].sort((a, b) => b.index - a.index)) {
    doc.edit(batchEdit.removeEdge(e.index));
  }
  writeFanOut(doc, source, branches, join);
}

function branchSpec(name: string, template?: string): PlainNode {
  return { name, language: 'lua', run: template ?? 'return {}\n' };
}

export function addParallelBranches(
  doc: GraphDoc,
  source: string,
  count: number,
  fanIn?: string,
  template?: string,
): void {
  const node = doc.node(source);
  if (!Number.isInteger(count) || count < 1 || count > MAX_BRANCHES) {
    throw new EditError(`Branch count must be a whole number from 1 to ${MAX_BRANCHES}`);
  }
  if (doc.fanOut(source)) throw new EditError(`'${source}' already fans out; use add-branch`);
  if (Array.isArray(node.goto) && node.goto.some((r) => r.if !== undefined)) {
    throw new EditError(`'${source}' routes by conditions; remove them before fanning out`);
  }
  if (sequentialEntries(doc.model, source).some((e) => e.when !== undefined)) {
    throw new EditError(`'${source}' routes by conditions; remove them before fanning out`);
  }
  const old = wayOn(doc, source) ?? END;
  const taken = doc.names();
  const heads: string[] = [];
  for (let i = 1; heads.length < count; i++) {
    const name = `${source}_branch_${i}`;
    if (!taken.has(name)) heads.push(name);
  }
  const joinExists = fanIn !== undefined && taken.has(fanIn);
  if (fanIn !== undefined && (fanIn === source || fanIn === START || fanIn === END)) {
    throw new EditError(`'${fanIn}' cannot be the fan-in of '${source}'`);
  }
  const join = fanIn ?? freshName(taken, `${source}_join`, 1);
  if (joinExists) doc.node(join);
  const style = fileStyle(doc.model);
  const newEdges: PlainEdge[] = [];
  const specs: PlainNode[] = [];
  for (const head of heads) {
    const r = routeNew(doc, branchSpec(head, template), join, style);
    specs.push(r.spec);
    if (r.edge) newEdges.push(r.edge);
  }
  if (!joinExists) {
    const r = routeNew(doc, { name: join, language: 'lua', run: FAN_IN_CODE }, old, style);
    specs.push(r.spec);
    if (r.edge) newEdges.push(r.edge);
  }
  // The source's old way on moves to the fan-in: drop it from the source.
  insertNodes(doc, specs, source);
  if (doc.node(source).goto !== undefined) doc.edit(batchEdit.setNodeField(source, 'goto', undefined));
  for (const e of [...sequentialEntries(doc.model, source)].sort((a, b) => b.index - a.index)) {
    doc.edit(batchEdit.removeEdge(e.index));
  }
  writeFanOut(doc, source, heads, join);
  for (const e of newEdges) doc.edit(batchEdit.addEdge(e));
}

export function addBranch(doc: GraphDoc, source: string, name?: string): void {
  doc.node(source);
  const fo = doc.fanOut(source);
  if (!fo) throw new EditError(`'${source}' does not fan out; use add-parallel-branches`);
  // No fan-in yet: the new branch ends the run like the others until the fan-in is set.
  if (fo.fanIn === null) doc.allow(PENDING_FAN_IN);
  const taken = doc.names();
  let head = name;
  if (head === undefined) {
    for (let i = fo.branches.length + 1; head === undefined || taken.has(head); i++)
      head = `${source}_branch_${i}`;
  } else if (taken.has(head)) throw new EditError(`A node named '${head}' already exists`);
  if (head === START || head === END || head.trim() === '')
    throw new EditError(`'${head}' cannot name a node`);
  const r = routeNew(doc, branchSpec(head), fo.fanIn ?? END, fileStyle(doc.model));
  const lastBranch = fo.branches[fo.branches.length - 1]!;
  const after = doc.model.nodes.some((n) => n.name === lastBranch) ? lastBranch : source;
  insertNodes(doc, [r.spec], after);
  writeFanOut(doc, source, [...fo.branches, head], fo.fanIn ?? declaredFanIn(doc.model, source));
  if (r.edge) doc.edit(batchEdit.addEdge(r.edge!));
}

export function removeBranch(doc: GraphDoc, source: string, branch: string): void {
  const fo = doc.fanOut(source);
  if (!fo || !fo.branches.includes(branch))
    throw new EditError(`'${branch}' is not a branch of a fan-out from '${source}'`);
  const rest = fo.branches.filter((b) => b !== branch);
  if (rest.length === 0) {
    // No branches left: the source goes straight to the fan-in (or ends, while it has none).
    const fanIn = fo.fanIn ?? END;
    const entries = parallelEntries(doc.model, source);
    for (const e of [...entries].sort((a, b) => b.index - a.index)) doc.edit(batchEdit.removeEdge(e.index));
    setWayOn(doc, source, fanIn);
    return;
  }
  const entries = parallelEntries(doc.model, source);
  const inPlace =
    entries.length === fo.branches.length &&
    entries.every((e, i) => typeof e.to === 'string' && e.type === 'parallel' && e.to === fo.branches[i]);
  if (!inPlace) {
    for (const e of [...entries].sort((a, b) => b.index - a.index)) doc.edit(batchEdit.removeEdge(e.index));
    writeFanOut(doc, source, rest, fo.fanIn ?? declaredFanIn(doc.model, source));
    return;
  }
  const gone = entries[fo.branches.indexOf(branch)]!;
  if (gone === entries[0]) {
    // The rust list moves to the next entry, then the first goes.
    doc.edit(batchEdit.setEdgeField(entries[1]!.index, 'parallel', rest));
    doc.edit(batchEdit.removeEdge(gone.index));
  } else {
    doc.edit(batchEdit.setEdgeField(entries[0]!.index, 'parallel', rest));
    doc.edit(batchEdit.removeEdge(gone.index));
  }
}
