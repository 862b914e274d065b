// The inspector's "Run" section for one node: breakpoint, run from here, run alone, and what the node
// did in the last run of this file (status, time, heap, error, state diff). Hidden without a run bridge.
import { useMemo } from 'react';
import { useStore } from 'zustand';
import { shallow } from 'zustand/shallow';
import { useStoreWithEqualityFn } from 'zustand/traditional';
import type { JsonObject } from '../../../../engine/run/types.ts';
import { formatBytes, formatMs } from '../../run/format.ts';
import { useRunBridge } from '../../run/run-context.ts';
import type { RunBridge } from '../../run/run-context.ts';
import { diffStates } from '../../run/state-diff.ts';
import { branchNodes, elapsedMs, nodeRunView, runStatusIndex, STATUS_LABEL } from '../canvas/run-status.ts';
import { LiveElapsed, STATUS_ICON } from '../canvas/RunBadge.tsx';
import type { DocumentStore } from '../document-store.ts';
import type { UiStore } from '../ui-store.ts';
import { breakpointBlocked, runErrorFocus, runFromHereBlocked } from './run-section.ts';

export function NodeRunSection(props: { doc: DocumentStore; ui: UiStore; name: string }) {
  const bridge = useRunBridge();
  return bridge ? <RunSection bridge={bridge} {...props} /> : null;
}

function RunSection({
  bridge,
  doc,
  ui,
  name,
}: {
  bridge: RunBridge;
  doc: DocumentStore;
  ui: UiStore;
  name: string;
}) {
  const isBranch = useStore(doc, (s) => branchNodes(s.graph ?? s.lastGoodGraph).has(name));
  const fileKey = useStore(bridge.view, (s) => s.fileKey);
  const runId = useStore(bridge.view, (s) => s.canvasRunId);
  const on = useStore(bridge.session, (s) => s.breakpoints[fileKey]?.includes(name) ?? false);
  const fromHere = useStore(bridge.runs, (s) =>
    runFromHereBlocked(runId ? s.runs[runId] : undefined, name, isBranch),
  );
  const view = useStoreWithEqualityFn(
    bridge.runs,
    (s) => nodeRunView(runId ? s.runs[runId] : undefined, name),
    shallow,
  );
  const extra = useStoreWithEqualityFn(
    bridge.runs,
    (s) => {
      const run = runId ? s.runs[runId] : undefined;
      const status = run ? runStatusIndex(run).nodes.get(name) : undefined;
      return {
        heap: status?.heapBytes,
        errorType: status?.errorType,
        states: status ? run?.nodeStates.get(status.rowKey) : undefined,
      };
    },
    shallow,
  );
  const bpBlocked = breakpointBlocked(isBranch);
  return (
    <div className="fp-section fp-run" data-testid="inspector-run">
      <h3>Run</h3>
      <div className="fp-run-actions">
        <label className="fp-run-bp" title={bpBlocked ?? 'Pause the run before this node'}>
          <input
            type="checkbox"
            data-testid="inspector-breakpoint"
            checked={on && !isBranch}
            disabled={bpBlocked !== null}
            onChange={() => bridge.actions.toggleBreakpoint(name)}
          />
          Breakpoint
        </label>
        <button
          type="button"
          data-testid="inspector-run-from-here"
          disabled={fromHere !== null}
          title={fromHere ?? 'Run from this node with the state it saw in the last run'}
          onClick={() => bridge.actions.runFromHere(name)}
        >
          ▶ Run from here
        </button>
        <button
          type="button"
          data-testid="inspector-run-alone"
          title="Run only this node, with the state it saw in the last run (else the run input)"
          onClick={() => bridge.actions.runNodeAlone(name)}
        >
          Run this node alone
        </button>
      </div>
      {bpBlocked !== null || fromHere !== null ? (
        <div className="fp-hint" data-testid="inspector-run-reason">
          {bpBlocked ?? fromHere}
        </div>
      ) : null}
      {view ? (
        <dl className="fp-run-figures" data-testid="inspector-run-figures">
          {view.paused ? (
            <>
              <dt>Paused</dt>
              <dd>{view.paused} this node</dd>
            </>
          ) : null}
          {view.status ? (
            <>
              <dt>Status</dt>
              <dd>
                <span className={`fp-run-status fp-run-${view.status}`}>
                  {STATUS_ICON[view.status]} {STATUS_LABEL[view.status]}
                </span>
                {view.executions > 1 ? ` (run ${view.executions} times, latest shown)` : ''}
                {view.branchStatus && view.branchStatus !== view.status
                  ? ` · branch ${STATUS_LABEL[view.branchStatus]}`
                  : ''}
              </dd>
              <dt>Time</dt>
              <dd>
                {view.status === 'running' ? <LiveElapsed view={view} /> : formatMs(elapsedMs(view, 0))}
              </dd>
            </>
          ) : null}
          {extra.heap !== undefined ? (
            <>
              <dt>Lua heap</dt>
              <dd>{formatBytes(extra.heap)}</dd>
            </>
          ) : null}
          {view.error ? (
            <>
              <dt>Error</dt>
              <dd className="fp-run-error">
                <button
                  type="button"
                  className="fp-link"
                  data-testid="inspector-run-error"
                  title="Show the line in the editor"
                  onClick={() => {
                    const s = doc.getState();
                    ui.getState().requestFocus(runErrorFocus(s.text, s.load.model, name, view.line));
                  }}
                >
                  {extra.errorType ? `${extra.errorType}: ` : ''}
                  {view.error}
                  {view.line !== undefined ? ` (line ${view.line})` : ''}
                </button>
              </dd>
            </>
          ) : null}
        </dl>
      ) : runId ? (
        <div className="fp-hint">This node did not run in the last run.</div>
      ) : null}
      {extra.states?.after ? <StateDiff before={extra.states.before} after={extra.states.after} /> : null}
    </div>
  );
}

function StateDiff({ before, after }: { before: JsonObject; after: JsonObject }) {
  const diff = useMemo(() => diffStates(before, after), [before, after]);
  const changed = diff.filter((d) => d.kind !== 'same');
  return (
    <div className="fp-run-diff" data-testid="inspector-run-diff">
      <div className="fp-label">
        State change{' '}
        <span className="fp-hint">
          ({changed.length} changed, {diff.length - changed.length} unchanged)
        </span>
      </div>
      {changed.length === 0 ? (
        <div className="fp-hint">The node left the state unchanged.</div>
      ) : (
        <table>
          <tbody>
            {changed.map((d) => (
              <tr key={d.key} className={`fp-diff-${d.kind}`}>
                <th>{d.key}</th>
                <td>{d.kind === 'added' ? <i>—</i> : <code>{short(d.before)}</code>}</td>
                <td>{d.kind === 'removed' ? <i>—</i> : <code>{short(d.after)}</code>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
