// "Go to source / target node" on an edge's context menu: selects that node and brings it into view.
import type { ActionContext, Enablement } from '../types.ts';

function targetEdge(ctx: ActionContext) {
  const id = ctx.target?.kind === 'edge' ? ctx.target.edge : ctx.ui.getState().selection.edges[0];
  return ctx.doc.getState().graph?.edges.find((e) => e.id === id) ?? null;
}

export function edgeEndAction(end: 'source' | 'target') {
  return {
    enabled: (ctx: ActionContext): Enablement => targetEdge(ctx) !== null || 'Select an edge',
    perform: (ctx: ActionContext) => {
      const edge = targetEdge(ctx);
      if (edge) ctx.ui.getState().requestFocus({ node: edge[end] });
    },
  };
}
