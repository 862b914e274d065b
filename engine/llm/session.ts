// What model calls share within one run: the workflow's settings.llm defaults and rate limiters, the
// environment keys come from (process env, then the `.env` beside the workflow), the redactor that keeps
// those keys out of every message, call numbering, and the run's cassette when recording or replaying.
import { join } from 'node:path';
import { RateLimiters } from './rate-limit.ts';
import { Redactor, runEnvironment } from './secrets.ts';
import type { EnvLookup } from './secrets.ts';
import { isObject } from './wire-openai.ts';
import type { ExchangeStore, LlmRunOptions } from './types.ts';

export interface LlmSessionInit {
  /** The workflow's `settings:` mapping as written (model.raw.settings). */
  settings?: unknown;
  /** The workflow's folder: where its `.env` is read from. */
  baseDir: string;
  options?: LlmRunOptions;
}

export class LlmSession {
  readonly env: EnvLookup;
  readonly redactor = new Redactor();
  readonly exchanges: ExchangeStore | undefined;
  /** settings.llm as written ({} when absent). */
  readonly defaults: Record<string, unknown>;
  /** Where a key may be put, for error messages. */
  readonly dotenvPath: string;
  private limiters: RateLimiters | undefined;
  private readonly rateLimiterConfig: unknown;
  private calls = 0;

  constructor(init: LlmSessionInit) {
    const settings = isObject(init.settings) ? init.settings : {};
    this.defaults = isObject(settings['llm']) ? settings['llm'] : {};
    this.rateLimiterConfig = settings['rate_limiters'];
    this.env = runEnvironment(init.baseDir, init.options?.env, init.options?.storedKeys);
    this.exchanges = init.options?.exchanges;
    this.dotenvPath = join(init.baseDir, '.env');
  }

  /** Built on first use, so a bad settings.rate_limiters fails the call that needs it, not every run. */
  rateLimiters(): RateLimiters {
    this.limiters ??= new RateLimiters(this.rateLimiterConfig);
    return this.limiters;
  }

  nextCallId(node: string): string {
    return `${node}#${++this.calls}`;
  }
}
