import { canvasOf, needsCanvas } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const zoomReset = defineAction('view:zoom-reset', {
  enabled: needsCanvas,
  perform: (ctx) => canvasOf(ctx).zoomTo(1),
});
