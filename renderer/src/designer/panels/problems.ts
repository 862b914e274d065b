// Problems panel logic: errors before warnings, each group in file order, and the row text.
import type { Problem, WorkflowGraph } from '../../../../engine/workflow/types.ts';

export interface ProblemGroups {
  errors: Problem[];
  warnings: Problem[];
}

function byPosition(a: Problem, b: Problem): number {
  return (
    a.line - b.line || a.col - b.col || a.code.localeCompare(b.code) || a.message.localeCompare(b.message)
  );
}

export function groupProblems(problems: readonly Problem[]): ProblemGroups {
  const errors = problems.filter((p) => p.severity === 'error').sort(byPosition);
  const warnings = problems.filter((p) => p.severity !== 'error').sort(byPosition);
  return { errors, warnings };
}

/** `line:col CODE message` */
export function problemText(p: Problem): string {
  return `${p.line}:${p.col} ${p.code} ${p.message}`;
}

const ENGINE_TAG = { python: 'TEA Python', rust: 'TEA Rust', both: 'TEA Python + Rust' } as const;

/** The engine tag of a portability warning ("TEA Rust"), or undefined. */
export function engineTag(p: Problem): string | undefined {
  return p.engine ? ENGINE_TAG[p.engine] : undefined;
}

/** Header summary, e.g. "2 errors, 1 warning". */
export function countsText(groups: ProblemGroups): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(groups.errors.length, 'error')}, ${plural(groups.warnings.length, 'warning')}`;
}

/**
 * What a click on the row asks the other views to show: the node, or for an `edges:` entry the first
 * graph edge drawn from it (when the graph has one), and always the line.
 */
export function focusTarget(
  p: Problem,
  graph: WorkflowGraph | null = null,
): { node?: string; edge?: string; line: number } {
  if (p.node !== undefined) return { node: p.node, line: p.line };
  if (p.edgeIndex !== undefined && graph) {
    const edge = graph.edges.find((e) => e.origin.type === 'edge' && e.origin.index === p.edgeIndex);
    if (edge) return { edge: edge.id, line: p.line };
  }
  return { line: p.line };
}
