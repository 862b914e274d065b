// Results of a run: final state (tree + copy as JSON), parallel_results per fan-in as tables, errors
// that jump to the node/line, and the state before/after a selected node as a diff.
import { useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { useActions } from '../actions/actions-context.ts';
import { JsonTree } from './JsonTree.tsx';
import { hadModelCalls } from './llm-calls-table.ts';
import { LlmCallsTable } from './LlmCallsTable.tsx';
import { latestRowKeyOf, resultsRequests } from './results-request.ts';
import { runOutcome } from './run-store.ts';
import type { RunRecord, RunRow } from './run-store.ts';
import { diffStates } from './state-diff.ts';
import { actionState } from '../actions/registry.ts';
import type { MenuTarget } from '../actions/types.ts';

export interface JumpTarget {
  node: string;
  /** Line within the node's Lua code (1-based), as the engine reports it — not a file line. */
  line?: number;
}

/**
 * Rows to list as errors: a branch row repeats the error of the node that failed inside the branch, so
 * it is left out when that node's own row (which knows the node and line) is listed.
 */
export function errorRows(rows: readonly RunRow[]): RunRow[] {
  const failed = rows.filter((r) => r.error);
  const failedLines = new Set(
    failed.filter((r) => r.kind === 'node' && r.fanOut).map((r) => `${r.fanOut}/${r.branch}`),
  );
  return failed.filter((r) => r.kind !== 'branch' || !failedLines.has(r.key));
}

/** The row of the node that failed inside a branch (the branch row itself when its head failed). */
export function branchFailure(run: RunRecord, fanOut: string, branch: string): RunRow | undefined {
  const key = `${fanOut}/${branch}`;
  let found: RunRow | undefined;
  for (const r of run.rows)
    if (r.error && r.kind === 'node' && r.fanOut === fanOut && r.branch === branch) found = r;
  if (found) return found;
  const index = run.rowIndex.get(key);
  return index === undefined ? undefined : run.rows[index];
}

export function ResultsTab({ run, onJumpTo }: { run: RunRecord; onJumpTo?: (target: JumpTarget) => void }) {
  const errors = useMemo(() => errorRows(run.rows), [run.rows]);
  const outcome = runOutcome(run);
  return (
    <div className="rp-results">
      {outcome.tone === 'partial' && (
        <p className="rp-outcome rp-outcome-partial" data-testid="results-outcome" role="status">
          <span className="rp-pill rp-status-partial">{outcome.label}</span> The run reached its end, but its
          fan-in went on without what the failed branches would have given: <code>parallel_results</code>{' '}
          below shows each branch.
        </p>
      )}
      {(errors.length > 0 || run.error) && (
        <section>
          <h4>Errors</h4>
          <ul className="rp-errors">
            {errors.map((r) => (
              <li key={r.key}>
                <JumpLink node={r.node} line={r.line} onJumpTo={onJumpTo} />{' '}
                <span className={`rp-pill rp-status-${r.status}`}>{r.errorType ?? r.status}</span> {r.error}
              </li>
            ))}
            {run.error && !errors.some((r) => r.node === run.errorNode) && (
              <li>
                {run.errorNode && <JumpLink node={run.errorNode} onJumpTo={onJumpTo} />} {run.error}
              </li>
            )}
          </ul>
        </section>
      )}
      <section>
        <h4>
          Final state{' '}
          {run.finalState && (
            <button
              type="button"
              className="rp-small"
              onClick={() => void navigator.clipboard?.writeText(JSON.stringify(run.finalState, null, 2))}
            >
              Copy as JSON
            </button>
          )}
        </h4>
        {run.finalState ? (
          <JsonTree value={run.finalState} />
        ) : (
          <p className="rp-empty">The run has not finished.</p>
        )}
      </section>
      {run.fanIns.map((fanIn) => (
        <section key={`${fanIn.fanOut}-${fanIn.t}`}>
          <h4>
            parallel_results at <code>{fanIn.fanIn}</code> <small>(from {fanIn.fanOut})</small>{' '}
            <FanInTally results={fanIn.results} />
          </h4>
          <table className="rp-table" data-testid="results-parallel-table">
            <thead>
              <tr>
                <th>branch</th>
                <th>success</th>
                <th>timing_ms</th>
                <th>error_type</th>
                <th>error</th>
              </tr>
            </thead>
            <tbody>
              {fanIn.results.map((r) => {
                const row = r.error ? branchFailure(run, fanIn.fanOut, r.branch) : undefined;
                return (
                  <tr key={r.branch} className={r.success ? '' : 'rp-row-failed'}>
                    <td>{r.branch}</td>
                    <td>{r.success ? '✓' : '✗'}</td>
                    <td className="rp-num">{r.timing_ms.toFixed(1)}</td>
                    <td>{r.error_type ?? ''}</td>
                    <td>
                      {r.error ? (
                        <JumpLink
                          node={row?.node ?? r.branch}
                          line={row?.line}
                          label={r.error}
                          onJumpTo={onJumpTo}
                        />
                      ) : (
                        ''
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      ))}
      {hadModelCalls(run) && <ModelCalls run={run} onJumpTo={onJumpTo} />}
      <NodeDiff run={run} />
    </div>
  );
}

/** The run's model calls, and the way to run it again answering them from its recording. */
function ModelCalls({
  run,
  onJumpTo,
}: {
  run: RunRecord;
  onJumpTo?: ((target: JumpTarget) => void) | undefined;
}) {
  const actions = useActions();
  const target: MenuTarget = { kind: 'run', runId: run.runId, at: { x: 0, y: 0 } };
  const enabled = actions ? actionState('run:rerun-recorded', actions.context(target)).enabled : null;
  return (
    <section data-testid="results-llm-calls">
      <h4 className="lc-head">
        Model calls
        {actions && (
          <button
            type="button"
            className="rp-small"
            data-testid="rerun-recorded-button"
            disabled={enabled !== true}
            title={
              enabled === true
                ? "Run this again with every model call answered from this run's recorded responses (no network)"
                : (enabled ?? undefined)
            }
            onClick={() => void actions.perform('run:rerun-recorded', target)}
          >
            Re-run with recorded responses
          </button>
        )}
      </h4>
      <LlmCallsTable run={run} onSelect={(call) => onJumpTo?.({ node: call.node })} />
    </section>
  );
}

/** "1 of 3 failed" in amber next to a fan-in whose branches did not all succeed. */
function FanInTally({ results }: { results: RunRecord['fanIns'][number]['results'] }) {
  const failed = results.filter((r) => !r.success).length;
  if (failed === 0) return null;
  return (
    <span className="rp-pill rp-status-partial" data-testid="fan-in-tally">
      {failed} of {results.length} failed
    </span>
  );
}

function JumpLink({
  node,
  line,
  label,
  onJumpTo,
}: {
  node: string;
  line?: number | undefined;
  label?: string;
  onJumpTo?: ((target: JumpTarget) => void) | undefined;
}) {
  return (
    <button
      type="button"
      className="rp-link"
      data-testid="run-error-link"
      title="Show in the editor"
      onClick={() => onJumpTo?.(line !== undefined ? { node, line } : { node })}
    >
      {label ?? `${node}${line !== undefined ? `:${line}` : ''}`}
    </button>
  );
}

function NodeDiff({ run }: { run: RunRecord }) {
  const keys = useMemo(() => run.rows.filter((r) => run.nodeStates.has(r.key)).map((r) => r.key), [run]);
  const [picked, setPicked] = useState<string | null>(null);
  // A node asked for from the canvas ("Open in results") wins until the user picks another.
  const request = useStore(resultsRequests);
  useEffect(() => setPicked(null), [request.seq]);
  const requested = latestRowKeyOf(run.rows, (k) => run.nodeStates.has(k), request.node);
  const key = picked && run.nodeStates.has(picked) ? picked : (requested ?? keys[0] ?? null);
  const states = key ? run.nodeStates.get(key) : undefined;
  const diff = useMemo(() => (states?.after ? diffStates(states.before, states.after) : null), [states]);
  if (keys.length === 0) return null;
  return (
    <section>
      <h4>
        State before / after{' '}
        <select value={key ?? ''} onChange={(e) => setPicked(e.target.value)} aria-label="Node">
          {keys.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </h4>
      {!diff ? (
        <p className="rp-empty">This node has not finished.</p>
      ) : (
        <table className="rp-table rp-diff">
          <thead>
            <tr>
              <th>key</th>
              <th>before</th>
              <th>after</th>
            </tr>
          </thead>
          <tbody>
            {diff.map((d) => (
              <tr key={d.key} className={`rp-diff-${d.kind}`}>
                <td>{d.key}</td>
                <td>{d.kind === 'added' ? '' : <code>{short(d.before)}</code>}</td>
                <td>{d.kind === 'removed' ? '' : <code>{short(d.after)}</code>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
