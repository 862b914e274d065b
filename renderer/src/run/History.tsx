// The open document's runs of this session, newest first; clicking one shows it in the other tabs. Rows
// are memoised per RunRecord: while one run streams events, only its row re-renders.
import { memo, useCallback, useLayoutEffect, useRef } from 'react';
import { formatMs } from './format.ts';
import { runOutcome } from './run-store.ts';
import type { RunRecord } from './run-store.ts';

export function History({
  runs,
  selected,
  onSelect,
}: {
  runs: RunRecord[];
  selected: string | null;
  onSelect: (runId: string) => void;
}) {
  // A stable callback, so the memoised rows do not re-render because the parent made a new one.
  const latest = useRef(onSelect);
  useLayoutEffect(() => {
    latest.current = onSelect;
  });
  const select = useCallback((runId: string) => latest.current(runId), []);
  if (runs.length === 0) return <p className="rp-empty">No runs of this document in this session yet.</p>;
  return (
    <table className="rp-table rp-history" data-testid="run-history">
      <thead>
        <tr>
          <th>started</th>
          <th>workflow</th>
          <th>status</th>
          <th>duration</th>
          <th>input</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <HistoryRow key={run.runId} run={run} selected={run.runId === selected} onSelect={select} />
        ))}
      </tbody>
    </table>
  );
}

const HistoryRow = memo(function HistoryRow({
  run,
  selected,
  onSelect,
}: {
  run: RunRecord;
  selected: boolean;
  onSelect: (runId: string) => void;
}) {
  const outcome = runOutcome(run);
  return (
    <tr
      className={selected ? 'rp-selected' : undefined}
      onClick={() => onSelect(run.runId)}
      data-run-id={run.runId}
    >
      <td>{run.startedAtWall ? new Date(run.startedAtWall).toLocaleTimeString() : '—'}</td>
      <td>
        <button type="button" className="rp-link" onClick={() => onSelect(run.runId)}>
          {run.workflow || run.runId.slice(0, 8)}
        </button>
      </td>
      <td>
        <span className={`rp-pill rp-status-${outcome.tone}`} data-testid="history-status">
          {outcome.label}
        </span>
      </td>
      <td className="rp-num">{formatMs(run.durationMs)}</td>
      <td>
        <code>{JSON.stringify(run.input).slice(0, 80)}</code>
      </td>
    </tr>
  );
});
