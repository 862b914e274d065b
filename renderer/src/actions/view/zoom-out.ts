import { canvasOf, needsCanvas } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const zoomOut = defineAction('view:zoom-out', {
  enabled: needsCanvas,
  perform: (ctx) => canvasOf(ctx).zoomOut(),
});
