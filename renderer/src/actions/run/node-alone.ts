import { all, needsOneNode, notRunning, singleNode } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const runNodeAlone = defineAction('run:node-alone', {
  enabled: (ctx) => all(needsOneNode(ctx, 'run it alone'), notRunning(ctx)),
  perform: async (ctx) => {
    const node = singleNode(ctx);
    if (node) await ctx.run.controller.runNode(node);
  },
});
