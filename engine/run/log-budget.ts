// A run's log budget: every `log` event of the run (prints of all nodes and branches, engine warnings)
// counts against MAX_RUN_LOG_LINES and MAX_RUN_LOG_BYTES. A run that prints in a loop would otherwise
// push hundreds of megabytes through the host's channel (480 MB in 5 s were seen through serve).
import { MAX_ERROR_MESSAGE_CHARS, MAX_RUN_LOG_BYTES, MAX_RUN_LOG_LINES, formatBytes } from '../limits.ts';

export type LogVerdict =
  /** Emit it as it is. */
  | { kind: 'keep' }
  /** The budget ran out with this line: emit `notice` instead (once per run). */
  | { kind: 'notice'; notice: string }
  /** Past the budget: drop it (counted in `dropped`). */
  | { kind: 'drop' };

export class RunLogBudget {
  private lines = 0;
  private bytes = 0;
  private exhausted = false;
  /** Log lines dropped after the notice, including the one the notice replaced. */
  dropped = 0;

  constructor(
    private readonly maxLines: number = MAX_RUN_LOG_LINES,
    private readonly maxBytes: number = MAX_RUN_LOG_BYTES,
  ) {}

  admit(message: string): LogVerdict {
    if (this.exhausted) {
      this.dropped++;
      return { kind: 'drop' };
    }
    // Characters stand in for bytes: cheap, and within a factor of 3 for any text.
    const size = Math.min(message.length, MAX_ERROR_MESSAGE_CHARS);
    if (this.lines + 1 > this.maxLines || this.bytes + size > this.maxBytes) {
      this.exhausted = true;
      this.dropped++;
      return {
        kind: 'notice',
        notice:
          `log truncated: this run reached its log limit (${this.maxLines} lines or ` +
          `${formatBytes(this.maxBytes)}); further log lines are dropped and counted`,
      };
    }
    this.lines++;
    this.bytes += size;
    return { kind: 'keep' };
  }
}
