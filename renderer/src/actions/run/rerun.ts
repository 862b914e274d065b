import { all, needsDocument, notRunning } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const rerun = defineAction('run:rerun', {
  enabled: (ctx) => all(needsDocument(ctx), notRunning(ctx)),
  perform: async (ctx) => {
    await ctx.run.controller.rerun();
  },
});
