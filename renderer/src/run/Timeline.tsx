// Gantt view of a run: one row per node/branch in start order, bars from start to end coloured by
// status, the branch VM's creation time marked at the start of its bar; running bars grow live.
// Virtualised: the SVG has the height of every row but holds only the rows in view (plus a margin),
// so a 200-branch fan-out or a 1,000-node chain costs per frame what 30 rows cost.
// Runs with model calls get a right-hand column: tokens and cost per row (a branch row sums its whole
// branch) with the run's total on the axis line; a streaming call's bar shows its tokens arriving.
import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { MouseEvent } from 'react';
import type { LlmTotals } from '../../../engine/llm/types.ts';
import { formatBytes, formatCost, formatMs, formatTokens, niceTicks, workerLabel } from './format.ts';
import { rowLlmTotals, rowsInStartOrder } from './run-store.ts';
import type { LlmCallRecord, RunRecord, RunRow } from './run-store.ts';
import { placeTooltip, type Size } from './tooltip-place.ts';
import { useScrollWindow, useWidth } from './use-width.ts';

const LABEL = 170;
/** Width of the tokens · cost column (only in runs with model calls). */
const COST = 180;
const ROW = 22;
const AXIS = 22;
const PAD = 30;
/** Rows rendered above and below the visible ones (smooth scrolling without blank rows). */
const OVERSCAN = 15;

interface Hover {
  row: RunRow;
  /** Pointer position in viewport coordinates (the tooltip is fixed: no panel edge clips it). */
  x: number;
  y: number;
}

/** Memoised: the panel re-renders on host messages that do not change this run or the clock. */
export const Timeline = memo(function Timeline({ run, liveT }: { run: RunRecord; liveT: number }) {
  const [box, width] = useWidth<HTMLDivElement>();
  const view = useScrollWindow(box, ROW);
  const [hover, setHover] = useState<Hover | null>(null);
  const rows = useMemo(() => rowsInStartOrder(run.rows), [run.rows]);
  const first = Math.max(0, Math.floor((view.top - AXIS) / ROW) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((view.top + view.height - AXIS) / ROW) + OVERSCAN);
  const shown = rows.slice(first, last);
  const live = run.status === 'running';
  const end = Math.max(liveT, run.durationMs ?? 0, run.lastT, 1);
  // While live, the scale moves in steps so most frames only grow the running bars.
  const span = live ? stepUp(end) : end;
  const hasLlm = run.llmCalls.length > 0 || run.llmTotals !== null;
  const costCol = hasLlm ? COST : 0;
  const plot = Math.max(hasLlm ? 80 : 120, width - LABEL - PAD - costCol - (hasLlm ? PAD : 0));
  // Right-aligned to the panel's edge: in a narrow panel the bars give way, never the figures.
  const costX = Math.max(width, LABEL + plot + costCol) - 8;
  const ticks = niceTicks(span, Math.max(2, Math.floor(plot / 90)));
  const height = AXIS + rows.length * ROW + 4;
  const x = (t: number) => LABEL + (t / span) * plot;

  // One handler for every bar: bars stay memoised, so a tick re-renders only the running ones.
  const onMove = (event: MouseEvent<SVGSVGElement>) => {
    const key = (event.target as Element).closest('[data-key]')?.getAttribute('data-key');
    const index = key ? run.rowIndex.get(key) : undefined;
    const row = index === undefined ? undefined : run.rows[index];
    if (!row) return setHover(null);
    setHover({ row, x: event.clientX, y: event.clientY });
  };

  return (
    <div className="rp-timeline" ref={box} onMouseLeave={() => setHover(null)}>
      {rows.length === 0 ? (
        <p className="rp-empty">No nodes have started yet.</p>
      ) : (
        <svg
          width={Math.max(width, LABEL + plot + PAD + costCol)}
          height={height}
          role="img"
          aria-label="Run timeline"
          onMouseMove={onMove}
        >
          <g className="rp-axis">
            {ticks.map((t) => (
              <g key={t}>
                <line x1={x(t)} x2={x(t)} y1={AXIS - 4} y2={height} />
                <text x={x(t)} y={AXIS - 8} textAnchor="middle">
                  {formatMs(t)}
                </text>
              </g>
            ))}
          </g>
          {shown.map((row, i) => (
            <Label key={row.key} row={row} y={AXIS + (first + i) * ROW} />
          ))}
          {hasLlm && (
            <g className="rp-llm-col" data-testid="timeline-llm-column">
              <RunTotal
                x={costX}
                totals={run.llmTotals}
                inFlight={run.llmCalls.filter((c) => c.status === 'running').length}
              />
              {shown.map((row, i) => (
                <RowCost
                  key={row.key}
                  row={row}
                  x={costX}
                  y={AXIS + (first + i) * ROW}
                  totals={rowLlmTotals(run, row)}
                />
              ))}
            </g>
          )}
          {/* Bars are drawn in ms and scaled once: a new scale changes one attribute, not every bar. */}
          <g transform={`translate(${LABEL} 0) scale(${plot / span} 1)`}>
            {shown.map((row, i) => (
              <Bar
                key={row.key}
                row={row}
                y={AXIS + (first + i) * ROW}
                liveT={row.status === 'running' && row.end === undefined ? liveT : undefined}
              />
            ))}
          </g>
        </svg>
      )}
      {hover && <Tooltip hover={hover} liveT={liveT} run={run} />}
    </div>
  );
});

/** The next round value above `t` (1, 1.5, 2, 3, 5, 7.5 x 10^n): the live time axis grows in steps. */
function stepUp(t: number): number {
  const power = 10 ** Math.floor(Math.log10(t));
  const m = [1, 1.5, 2, 3, 5, 7.5, 10].find((k) => k * power >= t * 1.05) ?? 10;
  return m * power;
}

const Label = memo(function Label({ row, y }: { row: RunRow; y: number }) {
  const inner = row.branch && row.branch !== row.node ? `${row.branch} › ${row.node}` : row.node;
  return (
    <text x={row.branch ? 18 : 6} y={y + ROW / 2 + 4} className="rp-label">
      {row.branch && <tspan className="rp-label-fan">↳ </tspan>}
      {inner}
      {row.iteration > 1 ? ` #${row.iteration}` : ''}
      {row.start === undefined && <tspan className="rp-queued"> (queued)</tspan>}
    </text>
  );
});

const Bar = memo(function Bar({ row, y, liveT }: { row: RunRow; y: number; liveT: number | undefined }) {
  const start = row.start;
  if (start === undefined) return null;
  const end = row.end ?? liveT ?? start;
  return (
    <g data-key={row.key}>
      <rect
        data-testid="timeline-bar"
        data-node={row.node}
        data-key={row.key}
        data-status={row.status}
        data-start={start}
        data-end={end}
        className={`rp-bar rp-status-${row.status}`}
        x={start}
        y={y + 4}
        width={Math.max(0.001, end - start)}
        height={ROW - 8}
        vectorEffect="non-scaling-stroke"
      />
      {row.llmFirstTokenT !== undefined && row.llmFirstTokenT < end && (
        // Tokens arriving: from the first token to now (or the end), pulsing while it streams.
        <rect
          data-testid="timeline-stream"
          data-key={row.key}
          data-chunks={row.llmChunks ?? 0}
          data-streaming={row.llmStreaming ? 'true' : 'false'}
          className={`rp-stream${row.llmStreaming ? ' rp-streaming' : ''}`}
          x={row.llmFirstTokenT}
          y={y + ROW - 8}
          width={end - row.llmFirstTokenT}
          height={3}
          pointerEvents="none"
        />
      )}
      {row.vmCreateMs !== undefined && row.vmCreateMs > 0 && (
        <rect
          className="rp-vm"
          x={row.vmAt ?? start}
          y={y + 4}
          width={row.vmCreateMs}
          height={ROW - 8}
          pointerEvents="none"
        />
      )}
    </g>
  );
});

/** The run's total tokens and cost, on the axis line above the column. */
function RunTotal({ x, totals, inFlight }: { x: number; totals: LlmTotals | null; inFlight: number }) {
  return (
    <text x={x} y={AXIS - 8} textAnchor="end" className="rp-llm-total" data-testid="timeline-llm-total">
      <tspan className="rp-llm-caption">run </tspan>
      {totals
        ? `${formatTokens(totals.promptTokens + totals.completionTokens)} tok · ${formatCost(totals.costUsd)}`
        : ''}
      {inFlight > 0 && (
        <tspan className="rp-llm-live">
          {totals ? ' · ' : ''}
          {inFlight} in flight
        </tspan>
      )}
    </text>
  );
}

/** Tokens and cost of one row (a branch row: its whole branch); its chunk count while a call streams. */
const RowCost = memo(function RowCost({
  row,
  x,
  y,
  totals,
}: {
  row: RunRow;
  x: number;
  y: number;
  totals: LlmTotals | undefined;
}) {
  if (!totals && !row.llmStreaming) return null;
  const tokens = totals ? totals.promptTokens + totals.completionTokens : 0;
  return (
    <text
      x={x}
      y={y + ROW / 2 + 4}
      textAnchor="end"
      className={`rp-llm-cost${row.kind === 'branch' ? ' rp-llm-branch' : ''}`}
      data-testid="timeline-llm-cost"
      data-key={row.key}
      data-tokens={tokens}
      data-cost={totals?.costUsd ?? 0}
    >
      {totals && `${formatTokens(tokens)} tok · ${formatCost(totals.costUsd)}`}
      {row.llmStreaming && (
        <tspan className="rp-llm-live">
          {totals ? ' ' : ''}● {row.llmChunks ?? 0} chunks
        </tspan>
      )}
    </text>
  );
});

/** The model calls of a row (a branch row: every call in the branch), for the tooltip. */
function rowCalls(run: RunRecord, row: RunRow): LlmCallRecord[] {
  const calls: LlmCallRecord[] = [];
  for (const call of run.llmCalls) {
    const inBranch = row.kind === 'branch' && call.fanOut && `${call.fanOut}/${call.branch}` === row.key;
    if (call.rowKey === row.key || inBranch) calls.push(call);
  }
  return calls;
}

function Tooltip({ hover, liveT, run }: { hover: Hover; liveT: number; run: RunRecord }) {
  // The row as it is now (a streaming row's text grows under a still pointer).
  const index = run.rowIndex.get(hover.row.key);
  const row = (index === undefined ? undefined : run.rows[index]) ?? hover.row;
  const calls = rowCalls(run, row);
  const last = calls[calls.length - 1];
  const totals = rowLlmTotals(run, row);
  const end = row.end ?? (row.status === 'running' ? liveT : undefined);
  const duration = row.start !== undefined && end !== undefined ? end - row.start : undefined;
  // Measured after each render (its text changes with the row): placed once its size is known.
  const ref = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<Size | null>(null);
  useLayoutEffect(() => {
    const rect = ref.current?.getBoundingClientRect();
    if (rect && (rect.width !== size?.width || rect.height !== size?.height))
      setSize({ width: rect.width, height: rect.height });
  });
  const at = size
    ? placeTooltip(hover, size, { width: window.innerWidth, height: window.innerHeight })
    : { left: hover.x, top: hover.y };
  return (
    <div
      ref={ref}
      className="rp-tooltip"
      data-testid="timeline-tooltip"
      style={{ left: at.left, top: at.top, visibility: size ? 'visible' : 'hidden' }}
      role="tooltip"
    >
      <strong>{row.branch && row.branch !== row.node ? `${row.branch} › ${row.node}` : row.node}</strong>{' '}
      <span className={`rp-pill rp-status-${row.status}`}>{row.status}</span>
      <dl>
        <dt>start</dt>
        <dd>{formatMs(row.start)}</dd>
        <dt>end</dt>
        <dd>{row.end === undefined ? '—' : formatMs(row.end)}</dd>
        <dt>duration</dt>
        <dd>{formatMs(duration)}</dd>
        {(row.worker !== undefined || row.remoteWorker !== undefined) && (
          <>
            <dt>worker</dt>
            <dd>{workerLabel(row)}</dd>
          </>
        )}
        {row.vmCreateMs !== undefined && (
          <>
            <dt>VM create</dt>
            <dd>{formatMs(row.vmCreateMs)}</dd>
          </>
        )}
        {row.peakHeapBytes !== undefined && (
          <>
            <dt>peak heap</dt>
            <dd>{formatBytes(row.peakHeapBytes)}</dd>
          </>
        )}
        {row.heapBytes !== undefined && (
          <>
            <dt>heap after</dt>
            <dd>{formatBytes(row.heapBytes)}</dd>
          </>
        )}
        {row.error && (
          <>
            <dt>{row.errorType ?? 'error'}</dt>
            <dd>{row.error}</dd>
          </>
        )}
        {last && (
          <>
            <dt>model</dt>
            <dd>
              {last.model} · {last.provider}
              {last.source && last.source !== 'network' ? ` (${last.source})` : ''}
            </dd>
            <dt>calls</dt>
            <dd>
              {calls.length}
              {totals?.failedCalls ? ` (${totals.failedCalls} failed)` : ''}
            </dd>
          </>
        )}
        {totals && (
          <>
            <dt>tokens</dt>
            <dd>
              {formatTokens(totals.promptTokens)} in · {formatTokens(totals.completionTokens)} out
            </dd>
            <dt>cost</dt>
            <dd>{formatCost(totals.costUsd)}</dd>
          </>
        )}
        {last?.latencyMs !== undefined && (
          <>
            <dt>latency</dt>
            <dd>
              {formatMs(last.latencyMs)}
              {last.ttftMs !== undefined ? ` · first token ${formatMs(last.ttftMs)}` : ''}
            </dd>
          </>
        )}
      </dl>
      {row.llmText ? (
        <p className="rp-tooltip-text" data-testid="timeline-tooltip-text">
          {row.llmText}
          {row.llmStreaming && <span className="rp-caret" aria-hidden="true" />}
        </p>
      ) : null}
    </div>
  );
}
