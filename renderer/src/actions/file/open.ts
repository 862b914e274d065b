import { defineAction } from '../define.ts';

export const open = defineAction('file:open', {
  enabled: () => true,
  perform: (ctx) => ctx.app.open(),
});
