// Surgical edits of TEA workflow text. Each edit parses the text, finds the AST ranges it must touch
// and splices new text in there, so comments, key order, blank lines and unknown keys elsewhere stay
// byte-identical (re-stringifying the whole document with `yaml` would not be). Every result is
// re-parsed; an edit that would produce broken YAML throws instead of returning it.
//
// The pipeline lives in ./edit/: locate.ts (find AST nodes and their text extent) -> primitives.ts
// (splice builders) -> one file per edit family (node, edge, goto rule, top-level) -> splice.ts
// (apply + re-parse once); batch.ts runs many builders against one parse. This module is the public
// face: each edit as `(text) => text` and as a splice builder (`…Splices`) for batch.ts.

export { EditError, NeedsReparse } from './edit/splice.ts';
export type { BatchState, Splice } from './edit/splice.ts';
export { parseForEdit } from './edit/locate.ts';
export type { EditDoc } from './edit/locate.ts';
export {
  addNode,
  addNodeSplices,
  removeNode,
  renameNode,
  renameNodeSplices,
  setNodeCode,
  setNodeCodeSplices,
  setNodeField,
  setNodeFieldSplices,
  setNodePosition,
  setNodePositionSplices,
} from './edit/node-edits.ts';
export {
  addEdge,
  addEdgeSplices,
  removeEdge,
  removeEdgeSplices,
  setEdgeField,
  setEdgeFieldSplices,
} from './edit/edge-edits.ts';
export { setTopLevelField } from './edit/top-level-edits.ts';
export {
  appendNodeSeqItem,
  moveNodeSeqItem,
  removeNodeSeqItem,
  setNodePath,
  setNodePathSplices,
  setTopLevelPath,
  swapNodeSeqItems,
} from './edit/path-edits.ts';
export type { PathKey } from './edit/path-edits.ts';
// Re-exported for callers that render YAML snippets consistently with edits.
export { renderKey, renderScalar } from './serialize.ts';
