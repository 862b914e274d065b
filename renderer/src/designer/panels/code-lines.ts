// Maps between file lines (what problems carry) and lines of a Lua node's code (what its editor shows).
// A block scalar (`run: |`) starts its content on the line after the indicator; a plain or quoted
// scalar starts on the key's own line.
import type { NodeSpec, Problem, Severity } from '../../../../engine/workflow/types.ts';

/** A diagnostic positioned in an editor's own text: 1-based line and column. */
export interface EditorMarker {
  line: number;
  col: number;
  severity: Severity;
  code: string;
  message: string;
}

type RunSpec = Pick<NodeSpec, 'run' | 'runSpan'>;

/** True when the node's `run:` value is a block scalar (`|`, `>`, with any indicators). */
export function isBlockRun(text: string, spec: RunSpec): boolean {
  if (!spec.runSpan) return false;
  return /^[|>]/.test(text.charAt(spec.runSpan.start.offset));
}

/** Lines of code that have a file line: the empty "line" after a final newline has none. */
function codeLineCount(spec: RunSpec): number {
  const run = spec.run ?? '';
  return Math.max(1, run.split('\n').length - (run.endsWith('\n') ? 1 : 0));
}

/** File line of code line `codeLine` (1-based), or null when the node has no code or it is out of range. */
export function codeLineToFileLine(text: string, spec: RunSpec, codeLine: number): number | null {
  if (!spec.runSpan || spec.run === undefined) return null;
  if (!Number.isInteger(codeLine) || codeLine < 1 || codeLine > codeLineCount(spec)) return null;
  return spec.runSpan.start.line + codeLine - (isBlockRun(text, spec) ? 0 : 1);
}

/** Code line shown for file line `fileLine`, or null when that line is not part of the node's code. */
export function fileLineToCodeLine(text: string, spec: RunSpec, fileLine: number): number | null {
  if (!spec.runSpan || spec.run === undefined) return null;
  const codeLine = fileLine - spec.runSpan.start.line + (isBlockRun(text, spec) ? 0 : 1);
  return codeLine >= 1 && codeLine <= codeLineCount(spec) ? codeLine : null;
}

/**
 * Problems of `spec` that point into its code, as markers on code lines. Columns lose the block's
 * indentation (file line length minus code line length); problems pointing at the `run:` key itself
 * (e.g. a whole-node syntax error) land on code line 1.
 */
export function codeMarkers(text: string, spec: NodeSpec, problems: readonly Problem[]): EditorMarker[] {
  if (!spec.runSpan || spec.run === undefined) return [];
  const fileLines = text.split('\n');
  const codeLines = spec.run.split('\n');
  const markers: EditorMarker[] = [];
  for (const p of problems) {
    if (p.node !== spec.name) continue;
    let line = fileLineToCodeLine(text, spec, p.line);
    let col = 1;
    if (line !== null) {
      const indent = (fileLines[p.line - 1]?.length ?? 0) - (codeLines[line - 1]?.length ?? 0);
      col = Math.max(1, p.col - Math.max(0, indent));
    } else if (p.line === spec.runSpan.start.line) {
      line = 1;
    } else continue;
    markers.push({ line, col, severity: p.severity, code: p.code, message: p.message });
  }
  return markers;
}

/** The node's problems that are not shown as code markers (goto targets, missing fields, …). */
export function otherNodeProblems(text: string, spec: NodeSpec, problems: readonly Problem[]): Problem[] {
  const inCode = new Set(codeMarkers(text, spec, problems).map((m) => `${m.code}\0${m.message}`));
  return problems.filter((p) => p.node === spec.name && !inCode.has(`${p.code}\0${p.message}`));
}
