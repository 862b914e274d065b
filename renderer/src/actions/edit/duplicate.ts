import { addedNodes, duplicateNodes } from '../../designer/canvas/canvas-edits.ts';
import { editAndSelectAdded, needsNodes, selectedNodes } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const duplicate = defineAction('edit:duplicate', {
  enabled: (ctx) => needsNodes(ctx, 'duplicate'),
  perform: (ctx) => {
    const nodes = selectedNodes(ctx);
    editAndSelectAdded(ctx, (t) => duplicateNodes(t, nodes), 'Duplicate', addedNodes);
  },
});
