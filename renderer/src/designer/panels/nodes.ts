// Node lookups over the model, including while_loop bodies (which the inspector can select too).
import { END } from '../../../../engine/workflow/types.ts';
import type { NodeSpec, WorkflowModel } from '../../../../engine/workflow/types.ts';

export function findNodeSpec(model: WorkflowModel | null, name: string): NodeSpec | undefined {
  if (!model) return undefined;
  const walk = (nodes: readonly NodeSpec[]): NodeSpec | undefined => {
    for (const n of nodes) {
      if (n.name === name) return n;
      const inBody = n.body ? walk(n.body) : undefined;
      if (inBody) return inBody;
    }
    return undefined;
  };
  return walk(model.nodes);
}

/** Names a goto rule may target: every node (bodies included) and `__end__`. */
export function gotoTargets(model: WorkflowModel | null): string[] {
  const names: string[] = [];
  const walk = (nodes: readonly NodeSpec[]) => {
    for (const n of nodes) {
      names.push(n.name);
      if (n.body) walk(n.body);
    }
  };
  if (model) walk(model.nodes);
  return [...names, END];
}

/** TEA's built-in actions (engine/actions), offered in the `uses` field. */
export const BUILTIN_ACTIONS = [
  'json.parse',
  'json.stringify',
  'data.merge',
  'file.read',
  'file.write',
  'file.exists',
  'file.list',
  'http.get',
  'http.post',
  'memory.store',
  'memory.retrieve',
] as const;

export const KIND_LABEL: Record<NodeSpec['kind'], string> = {
  lua: 'Lua',
  action: 'Action',
  while_loop: 'While loop',
  passthrough: 'Pass-through',
  'other-code': 'Code (not Lua)',
  unsupported: 'Unsupported',
};
