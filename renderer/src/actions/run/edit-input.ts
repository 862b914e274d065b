import { needsDocument } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const editInput = defineAction('run:edit-input', {
  enabled: needsDocument,
  perform: (ctx) => ctx.run.controller.setInputOpen(true),
});
