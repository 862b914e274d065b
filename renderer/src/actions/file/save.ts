import { needsDocument } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const save = defineAction('file:save', {
  enabled: needsDocument,
  perform: (ctx) => ctx.app.save(),
});
