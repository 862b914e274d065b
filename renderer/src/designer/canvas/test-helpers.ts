// Test helper: text -> graph through the same engine modules the document store uses.
import { buildGraph } from '../../../../engine/workflow/graph.ts';
import { loadWorkflow } from '../../../../engine/workflow/load.ts';
import type { WorkflowGraph } from '../../../../engine/workflow/types.ts';

export function graphOf(text: string): WorkflowGraph {
  const loaded = loadWorkflow(text);
  if (!loaded.model) throw new Error(`does not load: ${loaded.problems.map((p) => p.message).join('; ')}`);
  return buildGraph(loaded.model);
}
