import { moveNodes } from '../../designer/canvas/canvas-edits.ts';
import { layoutAll } from '../../designer/canvas/layout.ts';
import { needsDocument, runEdit } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const autoLayout = defineAction('graph:auto-layout', {
  enabled: (ctx) => {
    const doc = needsDocument(ctx);
    if (doc !== true) return doc;
    return ctx.doc.getState().graph !== null || 'Fix the YAML errors first';
  },
  perform: async (ctx) => {
    const graph = ctx.doc.getState().graph;
    if (!graph) return;
    const positions = await layoutAll(graph);
    if (ctx.doc.getState().graph !== graph) return; // the document changed meanwhile
    if (runEdit(ctx, (t) => moveNodes(t, positions), 'Auto-layout')) ctx.canvas?.fitAfterLayout();
  },
});
