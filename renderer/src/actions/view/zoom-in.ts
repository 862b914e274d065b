import { canvasOf, needsCanvas } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const zoomIn = defineAction('view:zoom-in', {
  enabled: needsCanvas,
  perform: (ctx) => canvasOf(ctx).zoomIn(),
});
