// What the canvas says when a document has no graph to draw (opened as it is, never drawn yet): one
// line, instead of a blank canvas or the previous file's graph.
import type { Problem } from '../../../../engine/workflow/types.ts';

export type CanvasStateKind = 'not-a-workflow' | 'invalid';

export function canvasStateMessage(problems: readonly Problem[]): { kind: CanvasStateKind; text: string } {
  const notWorkflow = problems.find((p) => p.code === 'NOT_A_WORKFLOW');
  if (notWorkflow) return { kind: 'not-a-workflow', text: notWorkflow.message };
  const error = problems.find((p) => p.severity === 'error');
  if (!error) return { kind: 'invalid', text: 'Nothing to draw' };
  return {
    kind: 'invalid',
    text: `Cannot draw this file: ${error.message} (line ${error.line}, col ${error.col})`,
  };
}
