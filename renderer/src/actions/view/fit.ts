import { canvasOf, needsCanvas } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const fit = defineAction('view:fit', {
  enabled: needsCanvas,
  perform: (ctx) => canvasOf(ctx).fit(),
});
