import type { ActionId } from '../../../../electron/shared/actions.ts';
import type { PanelId } from '../../designer/ui-store.ts';
import { needsDocument } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const togglePanelAction = (id: ActionId, panel: PanelId) =>
  defineAction(id, {
    enabled: needsDocument,
    perform: (ctx) => ctx.ui.getState().togglePanel(panel),
  });
