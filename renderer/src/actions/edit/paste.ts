import { needsCanvas } from '../conditions.ts';
import { defineAction } from '../define.ts';
import { pasteAt, readClipboard } from './clipboard.ts';

export const paste = defineAction('edit:paste', {
  enabled: needsCanvas,
  perform: async (ctx) => {
    const yaml = await readClipboard();
    if (!yaml) return ctx.canvas?.notice('The clipboard holds no nodes to paste');
    pasteAt(ctx, yaml, ctx.target?.at ?? ctx.canvas?.pointer() ?? { x: 0, y: 0 });
  },
});
