import { all, needsCanvas, needsOneNode, singleNode } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const rename = defineAction('edit:rename', {
  enabled: (ctx) => all(needsCanvas(ctx), needsOneNode(ctx, 'rename')),
  perform: (ctx) => {
    const node = singleNode(ctx);
    if (node) ctx.canvas?.startRename(node);
  },
});
