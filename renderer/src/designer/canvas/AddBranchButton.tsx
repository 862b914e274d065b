// "+ branch" on a fan-out node: one more Lua branch, joined to the fan-in, placed under the others.
// Branch counts come from the canvas (this, or dragging an edge out of the node), never a prompt.
import type { MouseEvent } from 'react';
import { applyGraphEdit } from '../../../../engine/workflow/graph-edit.ts';
import { addedNodes } from './canvas-edits.ts';
import { runEdit, useCanvasStores } from './context.ts';

export function AddBranchButton({ source }: { source: string }) {
  const stores = useCanvasStores();
  const add = (event: MouseEvent) => {
    event.stopPropagation(); // not a node click: the selection stays
    const before = stores.doc.getState().text;
    if (
      runEdit(
        stores,
        (t) => applyGraphEdit(t, { type: 'add-branch', source }).text,
        `Add a branch to ${source}`,
      )
    ) {
      stores.ui.getState().select({ nodes: addedNodes(before, stores.doc.getState().text), edges: [] });
    }
  };
  return (
    <button
      type="button"
      className="fs-add-branch nodrag"
      data-testid={`add-branch-${source}`}
      aria-label={`Add a parallel branch to ${source}`}
      title="Add a parallel branch"
      onClick={add}
    >
      + branch
    </button>
  );
}
