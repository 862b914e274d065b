// Retries with exponential backoff and jitter on 429, 408, 5xx and network errors, honouring
// Retry-After; never past the call's deadline, and never once streamed tokens were handed out.
import { LlmHttpError, LlmNetworkError } from './transport.ts';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryOutcome<T> {
  value: T;
  attempts: number;
  totalDelayMs: number;
}

/** Thrown with the last error once retries are used up; keeps the attempt count. */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly last: unknown,
    readonly attempts: number,
  ) {
    super(last instanceof Error ? last.message : String(last));
  }
}

export function isRetryable(error: unknown): boolean {
  return (error instanceof LlmHttpError || error instanceof LlmNetworkError) && error.retryable;
}

/** The wait before retry `n` (1-based): Retry-After when the server sent one, else backoff with jitter. */
export function retryDelayMs(error: unknown, n: number, policy: RetryPolicy, random = Math.random): number {
  if (error instanceof LlmHttpError && error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, policy.maxDelayMs);
  }
  const ceiling = Math.min(policy.baseDelayMs * 2 ** (n - 1), policy.maxDelayMs);
  // "Equal jitter": at least half the backoff, so parallel branches spread out but never hammer.
  return ceiling / 2 + random() * (ceiling / 2);
}

export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  deadline: number,
): Promise<RetryOutcome<T>> {
  let totalDelayMs = 0;
  for (let n = 1; ; n++) {
    try {
      return { value: await attempt(n), attempts: n, totalDelayMs };
    } catch (error) {
      if (signal.aborted || !isRetryable(error) || n > policy.maxRetries) {
        throw n > 1 ? new RetriesExhaustedError(error, n) : error;
      }
      const delay = retryDelayMs(error, n, policy);
      // Waiting past the deadline only to fail there helps no one: fail now with the real reason.
      if (Date.now() + delay >= deadline) throw new RetriesExhaustedError(error, n);
      await sleep(delay, signal);
      totalDelayMs += delay;
    }
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
