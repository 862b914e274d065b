import { defineAction } from '../define.ts';

export const toggleTheme = defineAction('view:toggle-theme', {
  enabled: () => true,
  perform: (ctx) => {
    const ui = ctx.ui.getState();
    ui.setTheme(ui.theme === 'dark' ? 'light' : 'dark');
  },
});
