import { needsDocument } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const close = defineAction('file:close', {
  enabled: needsDocument,
  perform: (ctx) => ctx.app.close(),
});
