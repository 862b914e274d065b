// "Add … node": at the context menu's click, or at the view's centre from the palette or a key.
import { addedNodes, dropPaletteItem, type PaletteKind } from '../../designer/canvas/canvas-edits.ts';
import { addPosition, editAndSelectAdded, needsCanvas } from '../conditions.ts';
import type { ActionContext } from '../types.ts';

export function addNodeAction(kind: PaletteKind, label: string) {
  return {
    enabled: needsCanvas,
    perform: (ctx: ActionContext) => {
      const at = addPosition(ctx);
      editAndSelectAdded(ctx, (t) => dropPaletteItem(t, kind, at), `Add ${label}`, addedNodes);
    },
  };
}
