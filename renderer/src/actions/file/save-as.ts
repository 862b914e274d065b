import { needsDocument } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const saveAs = defineAction('file:save-as', {
  enabled: needsDocument,
  perform: (ctx) => ctx.app.saveAs(),
});
