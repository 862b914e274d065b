// Progress text for a batch: one redrawn line on a terminal (bar, done/total, rate, ETA, failures),
// or plain lines at most once a second elsewhere (logs, CI). Pure formatting plus a small throttle.
import type { BatchProgress, BatchSummary } from './runner.ts';

const BAR_WIDTH = 24;

export function progressLine(p: BatchProgress, bar: boolean): string {
  const rate = p.elapsedMs > 0 ? (p.doneNow * 1000) / p.elapsedMs : 0;
  const left = p.total - p.done;
  const eta = rate > 0 ? formatDuration((left / rate) * 1000) : '–';
  const parts = [
    `${p.done}/${p.total}`,
    `${rate.toFixed(rate < 10 ? 1 : 0)}/s`,
    `ETA ${left === 0 ? '0s' : eta}`,
    `${p.failed} failed`,
  ];
  if (!bar) return `batch: ${parts.join('  ')}`;
  const filled = p.total === 0 ? BAR_WIDTH : Math.round((p.done / p.total) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${parts.join('  ')}`;
}

/** "45s", "3m 05s", "2h 10m". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function summaryText(s: BatchSummary, expect: boolean): string {
  const lines = [
    `${s.done} of ${s.total} rows done${s.resumed ? ` (${s.resumed} from an earlier run)` : ''}` +
      ` in ${formatDuration(s.elapsedMs)}, ${s.rate.toFixed(1)} rows/s`,
    `runs: ${s.succeeded} succeeded, ${s.runFailed} failed`,
  ];
  if (expect) lines.push(`expect: ${s.expectPassed} passed, ${s.expectFailed} failed`);
  if (s.cancelled) lines.push(`cancelled: ${s.notRun} rows not run (--resume runs them)`);
  else if (s.error) lines.push(`stopped: ${s.error}; ${s.notRun} rows not run (--resume runs them)`);
  return lines.join('\n');
}

/** Writes progress to a stream: redrawn on a TTY (at most 10 times a second), a line a second elsewhere. */
export class ProgressReporter {
  /** The first line waits a throttle period too: a rate over the first row alone is noise. */
  private last = performance.now();
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly tty: boolean = stream.isTTY === true,
  ) {}

  update(p: BatchProgress, force = false): void {
    const now = performance.now();
    if (!force && now - this.last < (this.tty ? 100 : 1000)) return;
    this.last = now;
    if (this.tty) {
      this.stream.write(`\r${progressLine(p, true)}\x1b[K`);
      this.drawn = true;
    } else this.stream.write(progressLine(p, false) + '\n');
  }

  /** Ends the redrawn line so the summary starts on its own. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
