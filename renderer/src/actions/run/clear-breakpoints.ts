import { defineAction } from '../define.ts';

export const clearBreakpoints = defineAction('run:clear-breakpoints', {
  enabled: (ctx) => (ctx.opened && ctx.run.hasBreakpoints) || 'No breakpoints are set',
  perform: (ctx) => ctx.run.controller.clearBreakpoints(),
});
