// Memory over time: Lua heap per branch VM (and the main line) and RSS per worker, as hand-drawn SVG
// line charts, with each series' peak in the legend. A line gets at most one point per pixel column
// (the highest, so peaks survive): 200 branch VMs with 2,000 samples each stay a few thousand points.
import { memo, useMemo } from 'react';
import { formatBytes, formatMs, niceTicks, seriesColour } from './format.ts';
import type { MemorySeries, RunRecord, SeriesPoint } from './run-store.ts';
import { useWidth } from './use-width.ts';

const H = 190;
const LEFT = 70;
const TOP = 12;
const BOTTOM = 22;
const LEGEND = 16;

/** At most one point per pixel column of `columns` over [0, span]: the highest, plus the last point. */
export function perPixel(points: readonly SeriesPoint[], span: number, columns: number): SeriesPoint[] {
  if (points.length <= columns) return points as SeriesPoint[];
  const out: SeriesPoint[] = [];
  let column = -1;
  for (const p of points) {
    const c = Math.floor((p.t / span) * columns);
    if (c !== column) {
      out.push(p);
      column = c;
    } else if (p.v > out[out.length - 1]!.v) out[out.length - 1] = p;
  }
  const last = points[points.length - 1]!;
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}

/** Memoised: the panel re-renders on host messages that do not change this run or the clock. */
export const MemoryTab = memo(function MemoryTab({ run, liveT }: { run: RunRecord; liveT: number }) {
  const heap = useMemo(() => run.memory.filter((s) => s.kind === 'heap'), [run.memory]);
  const rss = useMemo(() => run.memory.filter((s) => s.kind === 'rss'), [run.memory]);
  const span = Math.max(liveT, run.durationMs ?? 0, run.lastT, 1);
  const peaks = useMemo(
    () => run.rows.filter((r) => r.kind === 'branch' && r.peakHeapBytes !== undefined),
    [run.rows],
  );
  if (run.memory.length === 0) return <p className="rp-empty">No memory samples yet.</p>;
  return (
    <div className="rp-memory">
      <LineChart title="Lua heap per VM" series={heap} span={span} />
      <LineChart title="Worker RSS" series={rss} span={span} />
      {peaks.length > 0 && (
        <table className="rp-table">
          <thead>
            <tr>
              <th>branch</th>
              <th>worker</th>
              <th>peak Lua heap</th>
            </tr>
          </thead>
          <tbody>
            {peaks.map((r) => (
              <tr key={r.key}>
                <td>{r.branch}</td>
                <td>{r.worker ?? '—'}</td>
                <td>{formatBytes(r.peakHeapBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
});

function LineChart({ title, series, span }: { title: string; series: MemorySeries[]; span: number }) {
  const [box, width] = useWidth<HTMLDivElement>();
  const max = Math.max(1, ...series.map((s) => s.peak)) * 1.08;
  const plotW = Math.max(100, width - LEFT - 30);
  const plotH = H - TOP - BOTTOM;
  const x = (t: number) => LEFT + (t / span) * plotW;
  const y = (v: number) => TOP + plotH - (v / max) * plotH;
  const xTicks = niceTicks(span, Math.max(2, Math.floor(plotW / 90)));
  const yTicks = niceTicks(max, 4);
  // 200 branches make 200 lines; the legend names the highest peaks and hovering names the rest.
  const legend = useMemo(
    () =>
      series
        .map((s, i) => ({ s, i }))
        .sort((a, b) => b.s.peak - a.s.peak)
        .slice(0, LEGEND)
        .sort((a, b) => a.i - b.i),
    [series],
  );
  return (
    <figure className="rp-chart" ref={box}>
      <figcaption>{title}</figcaption>
      <svg width={width} height={H} role="img" aria-label={title}>
        <g className="rp-axis">
          {yTicks.map((v) => (
            <g key={`y${v}`}>
              <line x1={LEFT} x2={LEFT + plotW} y1={y(v)} y2={y(v)} />
              <text x={LEFT - 6} y={y(v) + 4} textAnchor="end">
                {formatBytes(v)}
              </text>
            </g>
          ))}
          {xTicks.map((t) => (
            <text key={`x${t}`} x={x(t)} y={H - 6} textAnchor="middle">
              {formatMs(t)}
            </text>
          ))}
        </g>
        {series.map((s, i) => (
          <polyline
            key={s.key}
            className="rp-line"
            stroke={seriesColour(i)}
            points={perPixel(s.points, span, plotW)
              .map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`)
              .join(' ')}
          >
            <title>{`${s.label}: peak ${formatBytes(s.peak)}`}</title>
          </polyline>
        ))}
        {series.map((s, i) =>
          s.points.length === 1 ? (
            <circle
              key={`${s.key}-dot`}
              cx={x(s.points[0]!.t)}
              cy={y(s.points[0]!.v)}
              r={3}
              fill={seriesColour(i)}
            />
          ) : null,
        )}
      </svg>
      <ul className="rp-legend">
        {legend.map(({ s, i }) => (
          <li key={s.key}>
            <span className="rp-swatch" style={{ background: seriesColour(i) }} />
            {s.label} <small>peak {formatBytes(s.peak)}</small>
          </li>
        ))}
        {series.length > legend.length && <li>… {series.length - legend.length} more (hover a line)</li>}
      </ul>
    </figure>
  );
}
