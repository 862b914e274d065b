// Copy and paste: the YAML of a set of nodes with the edges among them, and pasting such YAML with
// fresh names, shifted positions and an explicit way on for every pasted node. Pasted nodes never land
// on top of placed nodes: while one would cover a node's corner, the whole paste moves one step down
// and right (so a paste is offset from its originals, and repeated pastes from each other).
import { parseDocument } from 'yaml';
import { batchEdit } from '../../batch.ts';
import { serializeWorkflow } from '../../serialize.ts';
import type { PlainEdge, PlainNode } from '../../serialize.ts';
import { END, START } from '../../types.ts';
import type { Position } from '../../types.ts';
import { EditError } from '../splice.ts';
import { GraphDoc } from './graph-doc.ts';
import { freshName, insertNodes, routeNew, withPosition } from './placement.ts';
import { fileStyle, ruleToPlain } from './routing.ts';

/** YAML text of the named nodes plus the edges among them (goto rules leaving the set are dropped). */
export function copyNodesAsYaml(text: string, names: string[]): string {
  const doc = new GraphDoc(text);
  const set = new Set(names);
  for (const n of set) doc.node(n);
  const inSet = (t: string) => t === END || set.has(t);
  const nodes: PlainNode[] = [];
  for (const spec of doc.model.nodes) {
    if (!set.has(spec.name)) continue;
    const plain = { ...spec.raw } as PlainNode;
    delete plain.goto;
    if (typeof spec.goto === 'string' && inSet(spec.goto)) plain.goto = spec.goto;
    if (Array.isArray(spec.goto)) {
      const rules = spec.goto.filter((r) => inSet(r.to)).map(ruleToPlain);
      if (rules.length > 0) plain.goto = rules;
    }
    // An implicit successor inside the set is written out: the copy must not depend on list order.
    const implicit = doc.graph.edges.find((e) => e.source === spec.name && e.origin.type === 'implicit');
    if (implicit && inSet(implicit.target)) plain.goto = implicit.target;
    nodes.push(plain);
  }
  const edges: PlainEdge[] = [];
  for (const e of doc.model.edges) {
    if (typeof e.from !== 'string' || !set.has(e.from)) continue;
    const targets = [
      ...(Array.isArray(e.to) ? e.to : typeof e.to === 'string' ? [e.to] : []),
      ...(Array.isArray(e.parallel) ? e.parallel : []),
    ];
    if (targets.length === 0 || !targets.every(inSet) || (e.fanIn !== undefined && !inSet(e.fanIn))) continue;
    edges.push({ ...e.raw } as PlainEdge);
  }
  return serializeWorkflow({ name: 'clipboard', nodes, ...(edges.length > 0 ? { edges } : {}) });
}

export function pasteNodes(
  doc: GraphDoc,
  yamlText: string,
  position: Position | undefined,
  suffix: string | undefined,
  offset?: Position,
): void {
  const parsed = parseDocument(yamlText);
  if (parsed.errors.length > 0)
    throw new EditError(`Cannot paste: ${parsed.errors[0]!.message.split('\n')[0]}`);
  const js = parsed.toJS() as unknown;
  const rawNodes = Array.isArray(js)
    ? js
    : js && typeof js === 'object'
      ? (js as { nodes?: unknown }).nodes
      : undefined;
  const rawEdges =
    js && typeof js === 'object' && !Array.isArray(js) ? (js as { edges?: unknown }).edges : undefined;
  if (!Array.isArray(rawNodes) || rawNodes.length === 0)
    throw new EditError('Cannot paste: no nodes in the pasted text');
  const nodes = rawNodes.map((n) => {
    if (!n || typeof n !== 'object' || Array.isArray(n) || typeof (n as PlainNode).name !== 'string') {
      throw new EditError('Cannot paste: every pasted node needs a name');
    }
    return n as PlainNode;
  });
  // Fresh names for every pasted node (and while_loop body node) that clashes.
  const taken = doc.names();
  const rename = new Map<string, string>();
  const claim = (name: string) => {
    let fresh = suffix !== undefined ? `${name}${suffix}` : name;
    if (taken.has(fresh) || fresh === START || fresh === END) fresh = freshName(taken, fresh, 2);
    taken.add(fresh);
    rename.set(name, fresh);
  };
  const walk = (list: PlainNode[]) => {
    for (const n of list) {
      claim(n.name);
      if (Array.isArray(n.body)) walk(n.body);
    }
  };
  walk(nodes);
  const mapName = (t: unknown) => (typeof t === 'string' ? (rename.get(t) ?? t) : t);
  const pastedTop = new Set(nodes.map((n) => rename.get(n.name)!));
  const internal = (t: unknown) => t === END || (typeof t === 'string' && pastedTop.has(t));
  const shift = avoidStacking(doc, nodes, pasteShift(nodes, position, offset));
  const style = fileStyle(doc.model);
  const edges: PlainEdge[] = [];
  if (Array.isArray(rawEdges)) {
    for (const raw of rawEdges) {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) continue;
      const e = { ...(raw as PlainEdge) };
      e.from = mapName(e.from) as string;
      e.to = Array.isArray(e.to) ? e.to.map((t) => mapName(t) as string) : (mapName(e.to) as string);
      if (e.fan_in !== undefined) e.fan_in = mapName(e.fan_in) as string;
      if (Array.isArray(e.parallel)) e.parallel = e.parallel.map((t) => mapName(t) as string);
      const targets = [
        ...(Array.isArray(e.to) ? e.to : e.to === undefined ? [] : [e.to]),
        ...(Array.isArray(e.parallel) ? e.parallel : []),
      ];
      if (!internal(e.from) || e.from === END || !targets.every(internal)) continue;
      if (e.fan_in !== undefined && !internal(e.fan_in)) continue;
      edges.push(e);
    }
  }
  const edgeSources = new Set(edges.map((e) => e.from));
  const renameNode = (n: PlainNode): PlainNode => {
    const out: PlainNode = { ...n, name: rename.get(n.name)! };
    if (typeof n.goto === 'string') out.goto = mapName(n.goto) as string;
    else if (Array.isArray(n.goto)) out.goto = n.goto.map((r) => ({ ...r, to: mapName(r.to) as string }));
    if (Array.isArray(n.body)) out.body = n.body.map(renameNode);
    return out;
  };
  const specs: PlainNode[] = [];
  for (const n of nodes) {
    let spec = renameNode(n);
    if (typeof spec.goto === 'string' && !internal(spec.goto)) delete spec.goto;
    if (Array.isArray(spec.goto)) {
      const rules = spec.goto.filter((r) => internal(r.to));
      if (rules.length > 0) spec.goto = rules;
      else delete spec.goto;
    }
    const fanout = spec.metadata?.fanout as Position | undefined;
    if (shift && fanout && typeof fanout.x === 'number' && typeof fanout.y === 'number') {
      spec = withPosition(spec, { x: fanout.x + shift.x, y: fanout.y + shift.y });
    }
    if (spec.goto === undefined && !edgeSources.has(spec.name)) {
      const r = routeNew(doc, spec, END, style);
      spec = r.spec;
      if (r.edge) edges.push(r.edge);
    }
    specs.push(spec);
  }
  insertNodes(doc, specs);
  for (const e of edges) doc.edit(batchEdit.addEdge(e as Record<string, unknown>));
}

/** How far apart two node corners must be for the nodes not to look stacked. */
export const PASTE_NEAR = 24;
/** How far a paste moves per step while it would stack on placed nodes. */
export const PASTE_STEP: Position = { x: 40, y: 40 };

/** `shift` (none: stay put), moved on in PASTE_STEPs while a pasted node would sit on a placed one. */
function avoidStacking(doc: GraphDoc, nodes: PlainNode[], shift: Position | null): Position | null {
  const pasted = placedPoints(nodes);
  if (pasted.length === 0) return shift;
  const placed = doc.model.nodes.flatMap((n) => (n.position ? [n.position] : []));
  const near = (a: Position, b: Position) =>
    Math.abs(a.x - b.x) < PASTE_NEAR && Math.abs(a.y - b.y) < PASTE_NEAR;
  let at = shift ?? { x: 0, y: 0 };
  for (let step = 0; step < 200; step++) {
    const moved = pasted.map((p) => ({ x: p.x + at.x, y: p.y + at.y }));
    if (!moved.some((p) => placed.some((q) => near(p, q)))) break;
    at = { x: at.x + PASTE_STEP.x, y: at.y + PASTE_STEP.y };
  }
  return at.x === 0 && at.y === 0 && !shift ? null : at;
}

function placedPoints(nodes: PlainNode[]): Position[] {
  return nodes
    .map((n) => n.metadata?.fanout as Position | undefined)
    .filter((p): p is Position => !!p && typeof p.x === 'number' && typeof p.y === 'number');
}

/** How far pasted positions move: their top-left corner to `position`, or by `offset`. */
function pasteShift(nodes: PlainNode[], position?: Position, offset?: Position): Position | null {
  if (offset) return offset;
  if (!position) return null;
  const points = placedPoints(nodes);
  if (points.length === 0) return null;
  return {
    x: position.x - Math.min(...points.map((p) => p.x)),
    y: position.y - Math.min(...points.map((p) => p.y)),
  };
}
