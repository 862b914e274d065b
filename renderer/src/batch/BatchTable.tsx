// The rows of a batch as a virtualised table: only the rows in view (plus a margin) are in the DOM, so
// 10,000 rows scroll as smoothly as 50. A row is a button: Enter or a click opens its run.
import { useLayoutEffect, useRef, useState } from 'react';
import type { BatchRowView } from '../../../engine/batch/view-types.ts';

export const ROW_PX = 26;
const OVERSCAN = 8;

function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function BatchTable({
  rows,
  onOpen,
  opening,
}: {
  rows: readonly BatchRowView[];
  onOpen(row: BatchRowView): void;
  opening: number | null;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 300 });
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const first = Math.max(0, Math.floor(view.top / ROW_PX) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((view.top + view.height) / ROW_PX) + OVERSCAN);
  return (
    <div className="bt-table" role="table" aria-label="Batch rows" aria-rowcount={rows.length}>
      <div className="bt-row bt-head" role="row">
        <span role="columnheader">#</span>
        <span role="columnheader">Status</span>
        <span role="columnheader" className="bt-num">
          Time
        </span>
        <span role="columnheader">Expect</span>
        <span role="columnheader">Final state / error</span>
      </div>
      <div
        className="bt-scroll"
        ref={scroller}
        onScroll={(e) => setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}
      >
        <div style={{ height: rows.length * ROW_PX, position: 'relative' }}>
          {rows.slice(first, last).map((row, i) => {
            const done = row.status === 'succeeded' || row.status === 'failed';
            return (
              <button
                type="button"
                role="row"
                key={row.row}
                className={`bt-row bt-body bt-${row.status}${row.expect === 'fail' ? ' bt-expect-fail' : ''}`}
                style={{ top: (first + i) * ROW_PX }}
                aria-rowindex={first + i + 2}
                disabled={!done}
                data-testid={`batch-row-${row.row}`}
                title={done ? `Open row ${row.row}'s run` : undefined}
                aria-busy={opening === row.row || undefined}
                onClick={() => onOpen(row)}
              >
                <span role="cell" className="bt-rownum">
                  {row.row}
                </span>
                <span role="cell">
                  <span className="bt-chip">{row.status}</span>
                </span>
                <span role="cell" className="bt-num">
                  {formatMs(row.ms)}
                </span>
                <span role="cell" className={row.expect ? `bt-expect bt-expect-${row.expect}` : undefined}>
                  {row.expect ?? ''}
                </span>
                <span
                  role="cell"
                  className={`bt-excerpt${row.error ? ' bt-error' : ''}`}
                  title={row.error ?? row.excerpt}
                >
                  {row.error ?? row.excerpt ?? ''}
                </span>
              </button>
            );
          })}
        </div>
      </div>
    </div>
  );
}
