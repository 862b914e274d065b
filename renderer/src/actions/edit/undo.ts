import { defineAction } from '../define.ts';

export const undo = defineAction('edit:undo', {
  enabled: (ctx) => (ctx.opened && ctx.doc.getState().past.length > 0) || 'Nothing to undo',
  perform: (ctx) => ctx.doc.getState().undo(),
});
