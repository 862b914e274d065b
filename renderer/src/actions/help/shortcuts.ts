import { defineAction } from '../define.ts';

export const shortcuts = defineAction('help:shortcuts', {
  enabled: () => true,
  perform: (ctx) => ctx.app.showShortcuts(),
});
