import { defineAction } from '../define.ts';

export const redo = defineAction('edit:redo', {
  enabled: (ctx) => (ctx.opened && ctx.doc.getState().future.length > 0) || 'Nothing to redo',
  perform: (ctx) => ctx.doc.getState().redo(),
});
