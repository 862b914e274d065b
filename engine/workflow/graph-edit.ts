// Graph (canvas) edits mapped back to minimal document edits. The canvas works on buildGraph's view;
// each GraphEdit becomes a few surgical edits in the document's own style (a node that routes by
// `goto` gets goto edits, a file that routes by `edges:` gets entries), fan-outs are written in the
// portable hybrid form (tea-format.md §3.3) and every new node gets an explicit successor, so
// nothing relies on list order.
//
// This module is the dispatcher: one handler per edit, from the edit families in ./edit/graph/. Each
// handler queues splice builders on a GraphDoc (applied through batch.ts, against one parse where
// they can share it); the result is checked once: an edit that would add validation errors throws
// EditError instead.
import { EditError } from './edit/splice.ts';
import { copyNodesAsYaml, pasteNodes } from './edit/graph/clipboard-edits.ts';
import { connect, disconnect, setCondition } from './edit/graph/connect-edits.ts';
import { setEdgeKind, setEdgeTarget } from './edit/graph/edge-kind-edits.ts';
import type { EdgeKind } from './edit/graph/edge-kind-edits.ts';
import { setFanIn } from './edit/graph/fan-in-edits.ts';
import { addBranch, addParallelBranches, fanOutTo, removeBranch } from './edit/graph/fan-out-edits.ts';
import { GraphDoc } from './edit/graph/graph-doc.ts';
import { addGraphNode, deleteNodes, moveNodesOnly } from './edit/graph/node-edits.ts';
import { applyNoteEdit, type NoteEdit } from './edit/graph/note-edits.ts';
import type { NewNodeLink } from './edit/graph/node-edits.ts';
import { batchEdit } from './batch.ts';
import type { PlainNode } from './serialize.ts';
import type { GraphEdge, Position } from './types.ts';

export { FAN_IN_CODE } from './edit/graph/fan-out-edits.ts';
export { copyNodesAsYaml } from './edit/graph/clipboard-edits.ts';
export { editableKind } from './edit/graph/edge-kind-edits.ts';
export type { EdgeKind } from './edit/graph/edge-kind-edits.ts';
export { planConnect, planNewNode, wayOnIn } from './edit/graph/gesture-plan.ts';
export type { ConnectPlan, NewNodePlan } from './edit/graph/gesture-plan.ts';
export type { NewNodeLink } from './edit/graph/node-edits.ts';

export type GraphEdit =
  | { type: 'connect'; source: string; target: string; condition?: string }
  | { type: 'disconnect'; edge: GraphEdge }
  | { type: 'set-condition'; edge: GraphEdge; condition: string | undefined }
  | { type: 'set-edge-kind'; edge: GraphEdge; kind: EdgeKind; condition?: string }
  | { type: 'set-edge-target'; edge: GraphEdge; target: string }
  /** The second edge out of a node: it fans out to its way on and `target` (or one more branch). */
  | { type: 'fan-out'; source: string; target: string }
  /** Declares where a fan-out's branches meet; open branch ends are routed there. */
  | { type: 'set-fan-in'; source: string; fanIn: string }
  /** `after`: spliced in after that node; `from`: joined to it as the node picker's plan says. */
  | { type: 'add-node'; node: PlainNode; position?: Position; after?: string; from?: NewNodeLink }
  | { type: 'delete-nodes'; names: string[] }
  | { type: 'rename-node'; from: string; to: string }
  | { type: 'move-nodes'; positions: Record<string, Position> }
  | { type: 'add-parallel-branches'; source: string; count: number; fanIn?: string; template?: string }
  | { type: 'add-branch'; source: string; name?: string }
  | { type: 'remove-branch'; source: string; branch: string }
  | { type: 'duplicate-nodes'; names: string[]; suffix?: string }
  | { type: 'paste'; yaml: string; position?: Position }
  | { type: 'notes'; edit: NoteEdit };

type Handler<T extends GraphEdit['type']> = (doc: GraphDoc, edit: Extract<GraphEdit, { type: T }>) => void;

const HANDLERS: { [T in Exclude<GraphEdit['type'], 'move-nodes' | 'notes'>]: Handler<T> } = {
  connect: (doc, e) => connect(doc, e.source, e.target, e.condition),
  disconnect: (doc, e) => disconnect(doc, e.edge),
  'set-condition': (doc, e) => setCondition(doc, e.edge, e.condition),
  'set-edge-kind': (doc, e) => setEdgeKind(doc, e.edge, e.kind, e.condition),
  'set-edge-target': (doc, e) => setEdgeTarget(doc, e.edge, e.target),
  'fan-out': (doc, e) => fanOutTo(doc, e.source, e.target),
  'set-fan-in': (doc, e) => setFanIn(doc, e.source, e.fanIn),
  'add-node': (doc, e) => addGraphNode(doc, e.node, e.position, e.after, e.from),
  'delete-nodes': (doc, e) => deleteNodes(doc, e.names),
  'rename-node': (doc, e) => doc.edit(batchEdit.renameNode(e.from, e.to)),
  'add-parallel-branches': (doc, e) => addParallelBranches(doc, e.source, e.count, e.fanIn, e.template),
  'add-branch': (doc, e) => addBranch(doc, e.source, e.name),
  'remove-branch': (doc, e) => removeBranch(doc, e.source, e.branch),
  'duplicate-nodes': (doc, e) =>
    pasteNodes(doc, copyNodesAsYaml(doc.text, e.names), undefined, e.suffix ?? '_copy', { x: 40, y: 40 }),
  paste: (doc, e) => pasteNodes(doc, e.yaml, e.position, undefined),
};

export interface GraphEditOptions {
  /**
   * Apply the document edits one at a time, re-parsing after each (the reference behaviour). Default
   * false: the edits queued between two looks at the graph share one parse (batch.ts), same output.
   */
  oneAtATime?: boolean;
}

export function applyGraphEdit(
  text: string,
  edit: GraphEdit,
  options: GraphEditOptions = {},
): { text: string } {
  // Positions live in node metadata, which validation never reads: a move cannot add errors, so it
  // skips loading and validation (most of a drop's cost on a 1,000-node file).
  if (edit.type === 'move-nodes') return { text: moveNodesOnly(text, edit.positions, options.oneAtATime) };
  // Notes are not part of the flow (a broken note is only a warning): no load or validation either.
  if (edit.type === 'notes') return { text: applyNoteEdit(text, edit.edit) };
  const doc = new GraphDoc(text, options.oneAtATime); // refuses documents that do not load
  const handler = HANDLERS[edit.type] as Handler<typeof edit.type> | undefined;
  if (!handler) throw new EditError(`Unknown graph edit ${(edit as { type: string }).type}`);
  handler(doc, edit);
  return { text: doc.finish() };
}
