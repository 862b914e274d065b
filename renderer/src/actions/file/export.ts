import { needsDocument } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const exportPortable = defineAction('file:export', {
  enabled: needsDocument,
  perform: (ctx) => ctx.app.exportPortable(),
});
