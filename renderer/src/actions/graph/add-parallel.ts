// Parallel branches after the selected node. Branch counts come from the canvas, never a question:
// a plain node becomes a fan-out of DEFAULT_BRANCHES branches joined by a fan-in; a node that already
// fans out gets one more branch (as its "+ branch" button does).
import { applyGraphEdit } from '../../../../engine/workflow/graph-edit.ts';
import { addedNodes, addParallelBranches, DEFAULT_BRANCHES } from '../../designer/canvas/canvas-edits.ts';
import { editAndSelectAdded, needsOneNode, singleNode } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const addParallel = defineAction('graph:add-parallel', {
  enabled: (ctx) => needsOneNode(ctx, 'add parallel branches after it'),
  perform: (ctx) => {
    const source = singleNode(ctx);
    if (!source) return;
    const fansOut = ctx.doc.getState().graph?.fanOuts.some((f) => f.source === source) ?? false;
    if (fansOut) {
      const addOne = (t: string) => applyGraphEdit(t, { type: 'add-branch', source }).text;
      editAndSelectAdded(ctx, addOne, `Add a branch to ${source}`, addedNodes);
      return;
    }
    const addMany = (t: string) => addParallelBranches(t, source, DEFAULT_BRANCHES);
    editAndSelectAdded(ctx, addMany, 'Add parallel branches', addedNodes);
  },
});
