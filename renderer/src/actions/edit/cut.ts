import { deleteSelection } from '../../designer/canvas/canvas-edits.ts';
import { needsNodes, runEdit, selectedNodes } from '../conditions.ts';
import { defineAction } from '../define.ts';
import { selectionYaml, writeClipboard } from './clipboard.ts';

export const cut = defineAction('edit:cut', {
  enabled: (ctx) => needsNodes(ctx, 'cut'),
  perform: async (ctx) => {
    const yaml = selectionYaml(ctx);
    if (yaml === null) return;
    const nodes = selectedNodes(ctx);
    if (runEdit(ctx, (t) => deleteSelection(t, nodes, []), 'Cut')) ctx.ui.getState().clearSelection();
    await writeClipboard(yaml);
  },
});
