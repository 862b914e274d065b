import { all, needsDocument, notRunning } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const run = defineAction('run:run', {
  enabled: (ctx) => all(needsDocument(ctx), notRunning(ctx)),
  perform: async (ctx) => {
    await ctx.run.controller.run();
  },
});
