import { needsDocument } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const copyPortable = defineAction('file:copy-portable', {
  enabled: needsDocument,
  perform: (ctx) => ctx.app.copyPortable(),
});
