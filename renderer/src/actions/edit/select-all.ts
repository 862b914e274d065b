import { needsDocument } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const selectAll = defineAction('edit:select-all', {
  enabled: (ctx) => {
    const doc = needsDocument(ctx);
    if (doc !== true) return doc;
    return (ctx.doc.getState().graph?.nodes.length ?? 0) > 0 || 'The workflow has no nodes';
  },
  perform: (ctx) => {
    const graph = ctx.doc.getState().graph;
    if (graph) ctx.ui.getState().select({ nodes: graph.nodes.map((n) => n.id), edges: [] });
  },
});
