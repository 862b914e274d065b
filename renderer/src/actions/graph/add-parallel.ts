// Parallel branches after the selected node (a fan-out to N new branches and a fan-in), N asked in an
// in-app dialog.
import { addedNodes, addParallelBranches, DEFAULT_BRANCHES } from '../../designer/canvas/canvas-edits.ts';
import { editAndSelectAdded, needsOneNode, singleNode } from '../conditions.ts';
import { defineAction } from '../define.ts';

/** More branches than this is a YAML job, not a dialog's. */
export const MAX_DIALOG_BRANCHES = 32;

export const addParallel = defineAction('graph:add-parallel', {
  enabled: (ctx) => needsOneNode(ctx, 'add parallel branches after it'),
  perform: async (ctx) => {
    const source = singleNode(ctx);
    if (!source) return;
    const count = await ctx.app.askNumber({
      title: `Parallel branches after ${source}`,
      label: 'Number of branches',
      initial: DEFAULT_BRANCHES,
      min: 2,
      max: MAX_DIALOG_BRANCHES,
    });
    if (count === null) return;
    editAndSelectAdded(
      ctx,
      (t) => addParallelBranches(t, source, count),
      'Add parallel branches',
      addedNodes,
    );
  },
});
