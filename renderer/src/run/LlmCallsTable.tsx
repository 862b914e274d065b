// Results' "Model calls": every call the run store kept (node, branch, provider, model, status, latency,
// time to first token, tokens, cost, source, attempts), sortable by any column, with a totals line.
// Clicking a row selects its node; the disclosure button shows the call's text. Logic in llm-calls-table.ts.
import { Fragment, useMemo, useState, type KeyboardEvent } from 'react';
import { formatCost, formatMs, formatTokens } from './format.ts';
import {
  CALL_COLUMNS,
  branchLabel,
  callText,
  callsTotals,
  nextSort,
  sortCalls,
  type CallColumn,
  type CallSort,
} from './llm-calls-table.ts';
import type { LlmCallRecord, RunRecord } from './run-store.ts';
import './llm-calls.css';

const STATUS_TONE = { running: 'running', ok: 'succeeded', failed: 'failed' } as const;

export function LlmCallsTable({
  run,
  onSelect,
}: {
  run: Pick<RunRecord, 'llmCalls' | 'llmTotals' | 'nodeStates'>;
  /** A row was chosen: select the call's node (and its branch) in the designer. */
  onSelect?: (call: LlmCallRecord) => void;
}) {
  const [sort, setSort] = useState<CallSort | null>(null);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [picked, setPicked] = useState<string | null>(null);
  const rows = useMemo(() => sortCalls(run.llmCalls, sort), [run.llmCalls, sort]);
  const totals = callsTotals(run);
  const toggle = (key: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  const choose = (call: LlmCallRecord) => {
    setPicked(call.key);
    onSelect?.(call);
  };
  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, call: LlmCallRecord) => {
    if (event.target !== event.currentTarget) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      choose(call);
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      const isOpen = open.has(call.key);
      if ((event.key === 'ArrowRight') !== isOpen) toggle(call.key);
    }
  };
  return (
    <div className="lc-wrap">
      <table className="rp-table lc-table" data-testid="llm-calls-table" aria-label="Model calls">
        <thead>
          <tr>
            <th aria-label="Text" className="lc-disclose-col" />
            {CALL_COLUMNS.map((c) => (
              <SortHeader
                key={c.id}
                id={c.id}
                label={c.label}
                title={c.title}
                numeric={c.numeric}
                sort={sort}
                onSort={setSort}
              />
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((call) => {
            const expanded = open.has(call.key);
            return (
              <Fragment key={call.key}>
                <tr
                  className={`lc-row${call.key === picked ? ' rp-selected' : ''}${call.status === 'failed' ? ' rp-row-failed' : ''}`}
                  data-testid="llm-call-row"
                  data-node={call.node}
                  data-source={call.source ?? ''}
                  tabIndex={0}
                  aria-selected={call.key === picked}
                  onClick={() => choose(call)}
                  onKeyDown={(e) => onRowKey(e, call)}
                  title={`Select ${call.node} in the designer`}
                >
                  <td className="lc-disclose-col">
                    <button
                      type="button"
                      className="lc-disclose"
                      aria-expanded={expanded}
                      aria-label={`${expanded ? 'Hide' : 'Show'} the text of ${call.node}'s call`}
                      data-testid="llm-call-expand"
                      onClick={(e) => {
                        e.stopPropagation();
                        toggle(call.key);
                      }}
                    >
                      {expanded ? '▾' : '▸'}
                    </button>
                  </td>
                  <td>{call.node}</td>
                  <td className="lc-branch" title={branchLabel(call)}>
                    {call.branch ?? 'main'}
                  </td>
                  <td>{call.provider}</td>
                  <td>{call.model}</td>
                  <td>
                    <span className={`rp-pill rp-status-${STATUS_TONE[call.status]}`}>{call.status}</span>
                  </td>
                  <td className="rp-num">{formatMs(call.latencyMs)}</td>
                  <td className="rp-num">{formatMs(call.ttftMs)}</td>
                  <td className="rp-num">{formatTokens(call.promptTokens)}</td>
                  <td className="rp-num">{formatTokens(call.completionTokens)}</td>
                  <td className="rp-num">{formatCost(call.costUsd)}</td>
                  <td>
                    {call.source && (
                      <span className={`lc-source lc-source-${call.source}`} data-testid="llm-call-source">
                        {call.source}
                      </span>
                    )}
                  </td>
                  <td className="rp-num">{call.attempts ?? '—'}</td>
                </tr>
                {expanded && <CallDetail run={run} call={call} />}
              </Fragment>
            );
          })}
        </tbody>
        <tfoot>
          <tr className="lc-totals" data-testid="llm-calls-totals">
            <td />
            <th scope="row" colSpan={5}>
              {totals.calls} {totals.calls === 1 ? 'call' : 'calls'}
              {totals.failedCalls > 0 && <> · {totals.failedCalls} failed</>}
              {totals.replayed > 0 && <> · {totals.replayed} replayed</>}
              {totals.unlisted > 0 && <> · {totals.unlisted} not listed</>}
            </th>
            <td className="rp-num" title="Sum of the calls' latencies (branches overlap in time)">
              {formatMs(totals.latencyMs)}
            </td>
            <td />
            <td className="rp-num">{formatTokens(totals.promptTokens)}</td>
            <td className="rp-num">{formatTokens(totals.completionTokens)}</td>
            <td className="rp-num" data-testid="llm-calls-total-cost">
              {formatCost(totals.costUsd)}
            </td>
            <td colSpan={2} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function SortHeader({
  id,
  label,
  title,
  numeric,
  sort,
  onSort,
}: {
  id: CallColumn;
  label: string;
  title: string;
  numeric: boolean;
  sort: CallSort | null;
  onSort: (sort: CallSort) => void;
}) {
  const active = sort?.column === id;
  const ariaSort = active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none';
  return (
    <th aria-sort={ariaSort} className={numeric ? 'rp-num' : undefined}>
      <button
        type="button"
        className="lc-sort"
        data-testid={`llm-calls-sort-${id}`}
        onClick={() => onSort(nextSort(sort, id))}
        title={`Sort by ${title}`}
      >
        {label}
        <span className="lc-sort-mark" aria-hidden="true">
          {active ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  );
}

function CallDetail({ run, call }: { run: Pick<RunRecord, 'nodeStates'>; call: LlmCallRecord }) {
  const { text, fromOutput } = callText(run, call);
  return (
    <tr className="lc-detail">
      <td />
      <td colSpan={CALL_COLUMNS.length}>
        {call.error && <p className="lc-error">{call.error}</p>}
        {fromOutput && <p className="lc-note">What {call.node} added to the state:</p>}
        <pre className="lc-text" data-testid="llm-call-text">
          {text || (call.status === 'running' ? '…' : '(no text)')}
        </pre>
        {call.textTruncated && <p className="rp-empty">Only the first part of this answer is kept.</p>}
      </td>
    </tr>
  );
}
