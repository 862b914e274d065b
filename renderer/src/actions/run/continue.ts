import { defineAction } from '../define.ts';

export const continueRun = defineAction('run:continue', {
  enabled: (ctx) => ctx.run.pausedRunId !== null || 'No run is paused at a breakpoint',
  perform: async (ctx) => {
    if (ctx.run.pausedRunId) await ctx.run.controller.resume(ctx.run.pausedRunId);
  },
});
