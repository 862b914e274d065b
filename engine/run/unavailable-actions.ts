// Which actions a workflow uses that the registry lacks, wherever a run could call them: `uses:`
// nodes, while_loop bodies, dynamic_parallel action mode and steps. For RunOptions.refuseUnavailableActions.
import type { ActionRegistry } from '../actions/registry.ts';
import type { NodeSpec, WorkflowModel } from '../workflow/types.ts';

export interface ActionUse {
  node: string;
  action: string;
}

export function unavailableActions(model: WorkflowModel, registry: ActionRegistry): ActionUse[] {
  const uses: ActionUse[] = [];
  const note = (node: string, action: unknown) => {
    if (typeof action === 'string' && action !== '' && !registry.has(action)) uses.push({ node, action });
  };
  const visit = (node: NodeSpec) => {
    if (node.kind === 'action') note(node.name, node.uses);
    const dp = node.dynamicParallel;
    if (dp?.action) note(node.name, dp.action.uses);
    for (const step of dp?.steps ?? []) {
      if (typeof step === 'object' && step !== null)
        note(node.name, (step as Record<string, unknown>)['uses']);
    }
    for (const child of node.body ?? []) visit(child);
  };
  for (const node of model.nodes) visit(node);
  return uses;
}
