import { defineAction } from '../define.ts';

export const newDocument = defineAction('file:new', {
  enabled: () => true,
  perform: (ctx) => ctx.app.newDocument(),
});
