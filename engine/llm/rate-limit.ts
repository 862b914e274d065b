// settings.rate_limiters as TEA defines them: named limiters, each a minimum interval between requests
// (`rps` wins over `rpm`; neither = 1 request per second). A call names one with `rate_limiter`
// (or settings.llm.rate_limiter); calls through one limiter, from any branch, are spaced out.
import { sleep } from './retry.ts';

export class RateLimiterError extends Error {}

export class RateLimiters {
  private readonly next = new Map<string, number>();
  private readonly intervals = new Map<string, number>();

  constructor(config: unknown) {
    if (config === undefined || config === null) return;
    if (typeof config !== 'object' || Array.isArray(config)) {
      throw new RateLimiterError('settings.rate_limiters must be a mapping of name -> {rpm | rps}');
    }
    for (const [name, spec] of Object.entries(config as Record<string, unknown>)) {
      this.intervals.set(name, intervalMs(spec));
    }
  }

  /** Waits for the named limiter's next free slot (reserved at once, so concurrent callers queue). */
  async acquire(name: string, signal: AbortSignal): Promise<number> {
    const interval = this.intervals.get(name);
    if (interval === undefined) {
      const known = [...this.intervals.keys()];
      throw new RateLimiterError(
        `rate limiter '${name}' is not defined in settings.rate_limiters${known.length ? ` (defined: ${known.join(', ')})` : ''}`,
      );
    }
    const now = Date.now();
    const slot = Math.max(now, this.next.get(name) ?? now);
    this.next.set(name, slot + interval);
    const wait = slot - now;
    if (wait > 0) await sleep(wait, signal);
    return wait;
  }
}

function intervalMs(spec: unknown): number {
  const s = (spec ?? {}) as { rpm?: unknown; rps?: unknown };
  if (typeof s.rps === 'number' && s.rps > 0) return 1000 / s.rps;
  if (typeof s.rpm === 'number' && s.rpm > 0) return 60_000 / s.rpm;
  return 1000;
}
