import { all, needsDocument, notRunning } from '../conditions.ts';
import { defineAction } from '../define.ts';
import type { ActionContext } from '../types.ts';

/** The History row's run (its context menu), else the run the panel shows. */
const targetRun = (ctx: ActionContext) => (ctx.target?.kind === 'run' ? ctx.target.runId : undefined);

export const rerunRecorded = defineAction('run:rerun-recorded', {
  enabled: (ctx) => {
    const found = ctx.run.controller.recordedRun(targetRun(ctx));
    return all(needsDocument(ctx), notRunning(ctx), found.ok || found.reason);
  },
  perform: async (ctx) => {
    const outcome = await ctx.run.controller.rerunRecorded(targetRun(ctx));
    if (!outcome.ok && outcome.reason === 'host') ctx.app.fail(outcome.message);
  },
});
