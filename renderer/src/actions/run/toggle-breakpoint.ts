import { needsOneNode, singleNode } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const toggleBreakpoint = defineAction('run:toggle-breakpoint', {
  enabled: (ctx) => needsOneNode(ctx, 'toggle its breakpoint'),
  perform: (ctx) => {
    const node = singleNode(ctx);
    if (node) ctx.run.controller.toggleBreakpoint(node);
  },
});
