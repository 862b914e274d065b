import { isActive } from '../../run/run-controller.ts';
import { defineAction } from '../define.ts';

export const cancel = defineAction('run:cancel', {
  enabled: (ctx) => isActive(ctx.run.status) || 'No run in progress',
  perform: async (ctx) => {
    await ctx.run.controller.cancel();
  },
});
