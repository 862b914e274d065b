// A toolbar button for a registry action: its tooltip is the action's title and shortcut; a click on an
// action that cannot run now says why (in the canvas notice, or the app's message bar).
import type { ReactNode } from 'react';
import type { ActionId } from '../../../electron/shared/actions.ts';
import { useActions } from './actions-context.ts';
import { actionTooltip } from './tooltip.ts';

export function ActionButton({
  id,
  testId,
  tooltip,
  children,
}: {
  id: ActionId;
  testId?: string;
  /** A longer text than the title for the tooltip. */
  tooltip?: string;
  children: ReactNode;
}) {
  const actions = useActions();
  if (!actions) return null;
  return (
    <button
      type="button"
      data-testid={testId}
      title={actionTooltip(id, actions.context().mac, tooltip)}
      onClick={() => {
        const result = actions.perform(id);
        if (result === true) return;
        const ctx = actions.context();
        if (ctx.canvas) ctx.canvas.notice(result);
        else ctx.app.fail(result);
      }}
    >
      {children}
    </button>
  );
}
