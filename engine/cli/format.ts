// Problem printing for the command line, in the `file:line:col: severity CODE message` shape tsc uses
// so editors and CI annotators can jump to the spot.
import type { Problem } from '../workflow/types.ts';

export function formatProblem(p: Problem, fallbackFile = '<input>'): string {
  const where = `${p.file ?? fallbackFile}:${p.line}:${p.col}`;
  const node = p.node !== undefined ? ` (node '${p.node}')` : '';
  const engine = p.engine !== undefined ? ` [TEA ${p.engine}]` : '';
  return `${where}: ${p.severity} ${p.code} ${p.message}${node}${engine}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function summaryLine(problems: Problem[], files: number): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(files, 'file')}`;
}
