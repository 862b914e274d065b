import { defineAction } from '../define.ts';

/** Settings › Providers: API keys for model calls, kept by the host (write-only). */
export const providers = defineAction('settings:providers', {
  enabled: () => true,
  perform: (ctx) => ctx.app.showProviders(),
});
