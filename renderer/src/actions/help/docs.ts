import { DOCS_URL } from '../../../../electron/shared/actions.ts';
import { defineAction } from '../define.ts';

export const docs = defineAction('help:docs', {
  enabled: () => true,
  perform: (ctx) => ctx.app.openExternal(DOCS_URL),
});
