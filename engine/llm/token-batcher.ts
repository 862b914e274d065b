// Coalesces one call's streamed text into one event per LLM_TOKEN_BATCH_MS: a model sending 100 tokens
// a second gives ~20 events a second per call, however many calls stream at once.
import { LLM_TOKEN_BATCH_MS } from '../limits.ts';

export class TokenBatcher {
  private parts: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Pieces received in all (a retry cannot take back what was handed out). */
  received = 0;

  constructor(
    private readonly flushTo: (text: string, chunks: number) => void,
    private readonly intervalMs = LLM_TOKEN_BATCH_MS,
  ) {}

  push(text: string): void {
    if (text === '') return;
    this.parts.push(text);
    this.received++;
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Sends what is buffered now (end of stream, failure). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.parts.length === 0) return;
    const parts = this.parts;
    this.parts = [];
    this.flushTo(parts.join(''), parts.length);
  }
}
