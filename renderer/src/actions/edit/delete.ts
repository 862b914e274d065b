import { deleteSelection } from '../../designer/canvas/canvas-edits.ts';
import { needsDocument, runEdit, selectedNodes } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const deleteSelected = defineAction('edit:delete', {
  enabled: (ctx) => {
    const doc = needsDocument(ctx);
    if (doc !== true) return doc;
    const { edges } = ctx.ui.getState().selection;
    return selectedNodes(ctx).length + edges.length > 0 || 'Select nodes or edges to delete';
  },
  perform: (ctx) => {
    const graph = ctx.doc.getState().graph;
    if (!graph) return ctx.canvas?.notice('Fix the YAML before deleting from the canvas');
    const ids = new Set(ctx.ui.getState().selection.edges);
    const edges = graph.edges.filter((e) => ids.has(e.id));
    const nodes = selectedNodes(ctx);
    if (runEdit(ctx, (t) => deleteSelection(t, nodes, edges), 'Delete')) ctx.ui.getState().clearSelection();
    // The focused node element goes away: keep keyboard focus on the canvas for Ctrl+Z.
    ctx.canvas?.focus();
  },
});
