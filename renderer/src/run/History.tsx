// The open document's runs of this session, newest first; clicking one shows it in the other tabs. Each
// row has the run's number, its model-call totals (calls, tokens, cost) and, for a replay, the run it
// answered from; its context menu lists the registry's run actions ("Re-run with recorded responses").
// Ticking two rows compares them. Rows are memoised per RunRecord: while one run streams events, only
// its row re-renders.
import {
  memo,
  useCallback,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import type { ActionsApi } from '../actions/actions-context.ts';
import { useActions } from '../actions/actions-context.ts';
import { CONTEXT_MENUS } from '../actions/context-menus.ts';
import { ContextMenu } from '../actions/ContextMenu.tsx';
import { formatKeys } from '../actions/keys.ts';
import { actionState, getAction } from '../actions/registry.ts';
import type { MenuTarget } from '../actions/types.ts';
import { formatCost, formatMs, formatTokens } from './format.ts';
import { compareRuns, runLlmTotals, tickCompare, type CompareLine } from './run-compare.ts';
import { runOutcome } from './run-store.ts';
import type { RunRecord } from './run-store.ts';
import './llm-calls.css';

export interface HistoryProps {
  runs: RunRecord[];
  selected: string | null;
  onSelect: (runId: string) => void;
  /** Each run's number in the document's history (from 1, in start order). */
  numbers?: ReadonlyMap<string, number>;
  /** runId → the run whose recorded responses it replayed. */
  replays?: Readonly<Record<string, string>>;
  /** runId → the breakpoint after which it replayed (runs that switched when they continued). */
  replayAfter?: Readonly<Record<string, string>>;
}

interface OpenRunMenu {
  runId: string;
  at: { x: number; y: number };
}

const NO_NUMBERS: ReadonlyMap<string, number> = new Map();
const NO_REPLAYS: Readonly<Record<string, string>> = {};

export function History({
  runs,
  selected,
  onSelect,
  numbers = NO_NUMBERS,
  replays = NO_REPLAYS,
  replayAfter = NO_REPLAYS,
}: HistoryProps) {
  // A stable callback, so the memoised rows do not re-render because the parent made a new one.
  const latest = useRef(onSelect);
  useLayoutEffect(() => {
    latest.current = onSelect;
  });
  const select = useCallback((runId: string) => latest.current(runId), []);
  const actions = useActions();
  const [menu, setMenu] = useState<OpenRunMenu | null>(null);
  const openMenu = useCallback((runId: string, at: { x: number; y: number }) => setMenu({ runId, at }), []);
  const [compare, setCompare] = useState<string[]>([]);
  const tick = useCallback((runId: string) => setCompare((picked) => tickCompare(picked, runId)), []);
  if (runs.length === 0) return <p className="rp-empty">No runs of this document in this session yet.</p>;
  const pair = compare.map((id) => runs.find((r) => r.runId === id)).filter((r) => r !== undefined);
  return (
    <>
      <div className="lc-wrap">
        <table className="rp-table rp-history" data-testid="run-history">
          <thead>
            <tr>
              <th>
                <span className="lc-hidden">compare</span>
              </th>
              <th>#</th>
              <th>started</th>
              <th>status</th>
              <th className="rp-num">duration</th>
              <th className="rp-num">calls</th>
              <th className="rp-num">tokens in / out</th>
              <th className="rp-num">cost</th>
              <th>workflow</th>
              <th>input</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => {
              const source = replays[run.runId];
              return (
                <HistoryRow
                  key={run.runId}
                  run={run}
                  number={numbers.get(run.runId)}
                  replayedFrom={source ? (numbers.get(source) ?? 0) : undefined}
                  replayedAfter={replayAfter[run.runId]}
                  selected={run.runId === selected}
                  compared={compare.includes(run.runId)}
                  onSelect={select}
                  onMenu={actions ? openMenu : undefined}
                  onCompare={tick}
                />
              );
            })}
          </tbody>
        </table>
      </div>
      {pair.length === 2 && (
        <ComparePanel
          runs={pair.sort((a, b) => (numbers.get(a.runId) ?? 0) - (numbers.get(b.runId) ?? 0))}
          numbers={numbers}
          onClose={() => setCompare([])}
        />
      )}
      <p className="lc-hint">
        Tick two runs to compare them; right-click a run (or Shift+F10) for its actions.
      </p>
      {menu && actions && <RunMenu menu={menu} actions={actions} onClose={() => setMenu(null)} />}
    </>
  );
}

const HistoryRow = memo(function HistoryRow({
  run,
  number,
  replayedFrom,
  replayedAfter,
  selected,
  compared,
  onSelect,
  onMenu,
  onCompare,
}: {
  run: RunRecord;
  number: number | undefined;
  /** The number of the run this one replayed (0: not in this history). */
  replayedFrom: number | undefined;
  replayedAfter: string | undefined;
  selected: boolean;
  compared: boolean;
  onSelect: (runId: string) => void;
  onMenu: ((runId: string, at: { x: number; y: number }) => void) | undefined;
  onCompare: (runId: string) => void;
}) {
  const outcome = runOutcome(run);
  const totals = runLlmTotals(run);
  const label = number ? `run #${number}` : 'run';
  const onContextMenu = (event: MouseEvent) => {
    if (!onMenu) return;
    event.preventDefault();
    onSelect(run.runId);
    onMenu(run.runId, { x: event.clientX, y: event.clientY });
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (!onMenu || !(event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey))) return;
    event.preventDefault();
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    onMenu(run.runId, { x: box.left + 24, y: box.bottom });
  };
  return (
    <tr
      className={selected ? 'rp-selected' : undefined}
      onClick={() => onSelect(run.runId)}
      onContextMenu={onContextMenu}
      onKeyDown={onKeyDown}
      data-run-id={run.runId}
    >
      <td onClick={(e) => e.stopPropagation()}>
        <input
          type="checkbox"
          checked={compared}
          aria-label={`Compare ${label}`}
          data-testid="history-compare"
          onChange={() => onCompare(run.runId)}
        />
      </td>
      <td className="rp-num" data-testid="history-number">
        {number ?? ''}
      </td>
      <td>{run.startedAtWall ? new Date(run.startedAtWall).toLocaleTimeString() : '—'}</td>
      <td>
        <span className={`rp-pill rp-status-${outcome.tone}`} data-testid="history-status">
          {outcome.label}
        </span>{' '}
        {replayedFrom !== undefined && (
          <span
            className="lc-replayed"
            data-testid="history-replayed-from"
            title="Every model call of this run was answered from that run's recorded responses"
          >
            replayed from run #{replayedFrom || '?'}
            {replayedAfter !== undefined && ` after ${replayedAfter || 'the breakpoint'}`}
          </span>
        )}
      </td>
      <td className="rp-num">{formatMs(run.durationMs)}</td>
      <td className="rp-num" data-testid="history-calls">
        {totals.calls > 0 ? totals.calls : '—'}
      </td>
      <td className="rp-num" data-testid="history-tokens">
        {totals.calls > 0
          ? `${formatTokens(totals.promptTokens)} / ${formatTokens(totals.completionTokens)}`
          : '—'}
      </td>
      <td className="rp-num" data-testid="history-cost">
        {totals.calls > 0 ? formatCost(totals.costUsd) : '—'}
      </td>
      <td>
        <button type="button" className="rp-link" onClick={() => onSelect(run.runId)}>
          {run.workflow || run.runId.slice(0, 8)}
        </button>
      </td>
      <td>
        <code>{JSON.stringify(run.input).slice(0, 80)}</code>
      </td>
    </tr>
  );
});

/** The registry's run actions for one History row. */
function RunMenu({
  menu,
  actions,
  onClose,
}: {
  menu: OpenRunMenu;
  actions: ActionsApi;
  onClose: () => void;
}) {
  const target: MenuTarget = { kind: 'run', runId: menu.runId, at: { x: 0, y: 0 } };
  const ctx = actions.context(target);
  const groups = CONTEXT_MENUS.run.map((group) => group.map((id) => actionState(id, ctx)));
  return (
    <ContextMenu
      at={menu.at}
      label="Run actions"
      groups={groups}
      keysOf={(id) => {
        const keys = getAction(id).keys?.[0];
        return keys ? formatKeys(keys, ctx.mac) : undefined;
      }}
      onChoose={(id) => void actions.perform(id, target)}
      onClose={onClose}
    />
  );
}

function ComparePanel({
  runs: [a, b],
  numbers,
  onClose,
}: {
  runs: RunRecord[];
  numbers: ReadonlyMap<string, number>;
  onClose: () => void;
}) {
  if (!a || !b) return null;
  const lines = compareRuns(a, b);
  const name = (run: RunRecord) => `run #${numbers.get(run.runId) ?? '?'}`;
  // One column per measure, one row per run and a row of changes: three lines, whatever is compared.
  return (
    <section className="lc-compare" data-testid="history-compare-panel" aria-label="Compare runs">
      <table className="rp-table">
        <thead>
          <tr>
            <th>
              <button type="button" className="lc-close" onClick={onClose} aria-label="Close the comparison">
                ×
              </button>{' '}
              compare
            </th>
            {lines.map((line) => (
              <th key={line.label} className={line.kind === 'text' ? undefined : 'rp-num'}>
                {line.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[a, b].map((run, i) => (
            <tr key={run.runId}>
              <th scope="row">{name(run)}</th>
              {lines.map((line) => (
                <td key={line.label} className={line.kind === 'text' ? undefined : 'rp-num'}>
                  {shown(line, i === 0 ? line.a : line.b)}
                </td>
              ))}
            </tr>
          ))}
          <tr className="lc-compare-change">
            <th scope="row">change</th>
            {lines.map((line) => (
              <td
                key={line.label}
                className={`${line.kind === 'text' ? '' : 'rp-num'} ${deltaClass(line)}`}
                data-testid={`compare-${line.label.replace(/ /g, '-')}`}
              >
                {delta(line)}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </section>
  );
}

function shown(line: CompareLine, value: number | string | undefined): string {
  if (typeof value === 'string') return value;
  if (line.kind === 'ms') return formatMs(value);
  if (line.kind === 'tokens') return formatTokens(value);
  if (line.kind === 'usd') return formatCost(value);
  return value === undefined ? '—' : String(value);
}

function delta(line: CompareLine): string {
  if (line.delta === undefined) return '';
  if (line.delta === 0) return '=';
  const sign = line.delta > 0 ? '+' : '−';
  return `${sign}${shown(line, Math.abs(line.delta))}`;
}

/** More time, tokens or money is worse (red); less is better (green). */
function deltaClass(line: CompareLine): string {
  if (!line.delta) return '';
  return line.delta > 0 ? 'lc-delta-up' : 'lc-delta-down';
}
