// Where a node goes next: its routes in plan order (goto rules, then `when` edges, then unconditional
// edges), first match wins; conditions use TEA's Jinja rules, after the node's result is merged.
import { ExpressionBudgetError, evaluateCondition } from '../expr/index.ts';
import type { ConditionResult } from '../expr/index.ts';
import type { RunPlan } from './plan.ts';
import type { JsonObject } from './types.ts';

export type NextNode = { ok: true; target: string } | { ok: false; message: string };

/**
 * The next node after `name`. A condition that fails to evaluate counts as false and is reported
 * through `warn`; a runaway one (out of its budget) fails the node instead.
 */
export function nextNode(
  plan: RunPlan,
  name: string,
  state: JsonObject,
  variables: JsonObject,
  warn: (message: string) => void,
): NextNode {
  for (const route of plan.routes.get(name) ?? []) {
    if (route.condition === undefined) return { ok: true, target: route.target };
    let result: ConditionResult;
    try {
      result = evaluateCondition(route.condition, { state, variables }, route.use);
    } catch (error) {
      if (error instanceof ExpressionBudgetError)
        return { ok: false, message: `node '${name}': ${error.message}` };
      throw error;
    }
    if (result.error) {
      warn(`condition '${String(route.condition)}' failed (${result.error}); treated as false`);
    }
    if (result.value) return { ok: true, target: route.target };
  }
  return { ok: false, message: `No valid next node found from node '${name}'` };
}
