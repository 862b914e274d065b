// Number formatting and axis ticks shared by the run panel's charts and tables.

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** About `count` round tick values from 0 to `max` (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(max: number, count = 6): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A distinct colour for series `i` (golden-angle hues). */
export function seriesColour(i: number): string {
  return `hsl(${Math.round((i * 137.508) % 360)} 65% 50%)`;
}

/** Token counts: "840", "12.4k", "1.20M". */
export function formatTokens(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 2 : 1)}k`;
  return `${(n / 1_000_000).toFixed(2)}M`;
}

/** USD: "$0" for none, "<$0.0001" for a trace, four significant decimals below a cent, else cents. */
export function formatCost(usd: number | undefined): string {
  if (usd === undefined || !Number.isFinite(usd)) return '—';
  if (usd === 0) return '$0';
  if (usd < 0.0001) return '<$0.0001';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  if (usd < 100) return `$${usd.toFixed(usd < 1 ? 3 : 2)}`;
  return `$${usd.toFixed(0)}`;
}

/**
 * A row's worker in the timeline tooltip: the pool slot, and in queue mode the `fanout worker` that ran
 * the branch ("gpu-box-2 · 1"; an action-only remote branch has the machine and no slot).
 */
export function workerLabel(row: { worker?: number; remoteWorker?: string }): string {
  if (row.remoteWorker === undefined) return row.worker === undefined ? '—' : String(row.worker);
  return row.worker === undefined ? row.remoteWorker : `${row.remoteWorker} · ${row.worker}`;
}
