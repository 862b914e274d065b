// Pure logic of the inspector's Run section and of run errors in the Lua editor: which debugging
// actions a node allows (and why not), the run-error marker on the failing Lua line, and mapping an
// engine-reported Lua line to the file line the UI's focus requests carry.
import type { NodeSpec, WorkflowModel } from '../../../../engine/workflow/types.ts';
import type { RunRecord } from '../../run/run-store.ts';
import { codeLineToFileLine, type EditorMarker } from './code-lines.ts';
import { findNodeSpec } from './nodes.ts';

export const BRANCH_NODE_REASON =
  'Inside a parallel branch: branches run without interruption (as in TEA), so no breakpoints or run from here';

/** Key of the latest main-line execution of `node` that recorded the state it saw, if any. */
export function mainLineRowKey(run: RunRecord | undefined, node: string): string | undefined {
  if (!run) return undefined;
  for (let i = run.rows.length - 1; i >= 0; i--) {
    const row = run.rows[i]!;
    if (row.kind === 'node' && row.fanOut === undefined && row.node === node && run.nodeStates.has(row.key)) {
      return row.key;
    }
  }
  return undefined;
}

/** Why "Run from here" is unavailable for `node`, or null when it can run. */
export function runFromHereBlocked(
  run: RunRecord | undefined,
  node: string,
  isBranchNode: boolean,
): string | null {
  if (isBranchNode) return BRANCH_NODE_REASON;
  if (!run) return 'Run the workflow first: run from here reuses the state recorded before this node';
  if (run.paused) return 'The run is paused: continue or cancel it first';
  if (run.status === 'running') return 'Wait for the run to finish (or cancel it)';
  if (mainLineRowKey(run, node) === undefined) return 'The last run did not reach this node';
  return null;
}

/** Why a breakpoint cannot be set on `node`, or null when it can. */
export function breakpointBlocked(isBranchNode: boolean): string | null {
  return isBranchNode ? BRANCH_NODE_REASON : null;
}

// ---- the code each run ran, so a run-error marker disappears once the code is edited ---------------

const MAX_REMEMBERED = 50;
const modelsAtRun = new Map<string, WorkflowModel | null>();

/** Records the document's model when run `runId` was first seen (the text the run was started with). */
export function rememberRunModel(runId: string, model: WorkflowModel | null): void {
  if (modelsAtRun.has(runId)) return;
  modelsAtRun.set(runId, model);
  if (modelsAtRun.size > MAX_REMEMBERED) modelsAtRun.delete(modelsAtRun.keys().next().value!);
}

/** The code `node` had when `runId` started; undefined when that run was not recorded here. */
export function codeAtRun(runId: string, node: string): string | undefined {
  if (!modelsAtRun.has(runId)) return undefined;
  return findNodeSpec(modelsAtRun.get(runId) ?? null, node)?.run ?? '';
}

export interface RunFailure {
  error?: string | undefined;
  line?: number | undefined;
}

/**
 * The marker "Run failed: <message>" on the Lua line the run failed at, as long as the node's code is
 * still the code that ran (`ranCode` undefined: unknown, shown). Lines beyond the code are clamped.
 */
export function runErrorMarkers(
  failure: RunFailure | null,
  code: string,
  ranCode: string | undefined,
): EditorMarker[] {
  if (!failure || failure.error === undefined || failure.line === undefined) return [];
  if (ranCode !== undefined && ranCode !== code) return [];
  const lines = Math.max(1, code.split('\n').length - (code.endsWith('\n') ? 1 : 0));
  return [
    {
      line: Math.min(Math.max(1, failure.line), lines),
      col: 1,
      severity: 'error',
      code: 'Run failed',
      message: failure.error,
    },
  ];
}

/**
 * The focus request for an error at Lua line `codeLine` of `node` (engine lines count from the first
 * line of the node's `run:` code): focus requests carry file lines, like problems do.
 */
export function runErrorFocus(
  text: string,
  model: WorkflowModel | null,
  node: string,
  codeLine: number | undefined,
): { node: string; line?: number } {
  if (codeLine === undefined) return { node };
  const spec: NodeSpec | undefined = findNodeSpec(model, node);
  if (!spec) return { node };
  const last = Math.max(1, (spec.run ?? '').split('\n').length - ((spec.run ?? '').endsWith('\n') ? 1 : 0));
  const fileLine = codeLineToFileLine(text, spec, Math.min(Math.max(1, codeLine), last));
  return fileLine === null ? { node } : { node, line: fileLine };
}
