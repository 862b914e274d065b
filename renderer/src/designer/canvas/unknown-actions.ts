// Which action names the host does not provide. The renderer cannot know the host's action registry,
// but the host's validate answers (use-lua-check.ts) carry UNKNOWN_ACTION warnings for the current
// text. The names are remembered for the session, so a node's "not available in Fanout" badge stays
// put while the text changes (each change drops the host's answer until the next check arrives).
import type { Problem, WorkflowModel } from '../../../../engine/workflow/types.ts';

export const UNKNOWN_ACTION_CODE = 'UNKNOWN_ACTION';

/**
 * Action names the UNKNOWN_ACTION problems of `problems` are about, read from the nodes they name in
 * `model` (the model of the text the problems belong to): the node's `uses:`, or the action of a
 * dynamic_parallel body. When a node has both, the problem's message (which quotes the action)
 * decides.
 */
export function unknownActionNames(
  problems: readonly Problem[],
  model: WorkflowModel | null | undefined,
): string[] {
  if (!model) return [];
  const names = new Set<string>();
  for (const p of problems) {
    if (p.code !== UNKNOWN_ACTION_CODE || p.node === undefined) continue;
    const node = model.nodes.find((n) => n.name === p.node);
    if (!node) continue;
    const actions = [node.uses, node.dynamicParallel?.action?.uses].filter(
      (a): a is string => a !== undefined,
    );
    const quoted = actions.filter((a) => p.message.includes(`'${a}'`));
    for (const a of quoted.length > 0 ? quoted : actions) names.add(a);
  }
  return [...names];
}
