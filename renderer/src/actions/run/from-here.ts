import { all, needsOneNode, notRunning, singleNode } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const runFromHere = defineAction('run:from-here', {
  enabled: (ctx) => all(needsOneNode(ctx, 'run from it'), notRunning(ctx)),
  perform: async (ctx) => {
    const node = singleNode(ctx);
    if (node) await ctx.run.controller.runFrom(node);
  },
});
