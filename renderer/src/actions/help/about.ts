import { defineAction } from '../define.ts';

export const about = defineAction('help:about', {
  enabled: () => true,
  perform: (ctx) => ctx.app.showAbout(),
});
