import { defineAction } from '../define.ts';

export const palette = defineAction('view:palette', {
  enabled: () => true,
  perform: (ctx) => ctx.app.openPalette(),
});
