/**
 * retry.loop — TEA Python retry_actions.py: call a validation action; while it says `valid: false`
 * and retries remain, put its errors in `_retry_errors`, run the correction node, and try again.
 * Returns the loop's state plus `_retry_count`, `_retry_errors`, `_retry_result`,
 * `_retry_exhausted` and the fields of the last validation result, exactly as TEA does.
 *
 * The correction node runs through ctx.runNode (the engine runs it as it runs any node: Lua in a
 * worker). Bounds: max_retries ≤ MAX_WHILE_ITERATIONS, retry_delay ≤ 60 s and cancellable.
 */
import { MAX_WHILE_ITERATIONS } from '../limits.ts';
import { ActionError } from './registry.ts';
import { aliasInfo } from './catalogue.ts';
import type { ActionContext, ActionRegistry } from './registry.ts';

type Obj = Record<string, unknown>;
const MAX_RETRY_DELAY_S = 60;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ActionError('retry.loop: cancelled', 'retry.loop'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ActionError('retry.loop: cancelled', 'retry.loop'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface RetryParams {
  validate: string;
  validateArgs: Obj;
  correct: string;
  maxRetries: number;
  delayMs: number;
}

function readParams(params: Obj, registry: ActionRegistry): RetryParams {
  const bad = (message: string): never => {
    throw new ActionError(`retry.loop: ${message}`, 'retry.loop');
  };
  const validate = params['validate'];
  if (typeof validate !== 'string' || validate === '')
    bad("missing required parameter 'validate' (a validation action name)");
  if (validate === 'retry.loop') bad("parameter 'validate' cannot be retry.loop itself");
  if (!registry.has(validate as string))
    bad(`Unknown validation action: ${String(validate)} (parameter 'validate')`);
  const correct = params['correct'];
  if (typeof correct !== 'string' || correct === '')
    bad("'correct' parameter is required (the correction node's name)");
  const maxRetries = params['max_retries'] ?? 1;
  if (typeof maxRetries !== 'number' || !Number.isInteger(maxRetries) || maxRetries < 0) {
    bad(`max_retries must be a non-negative integer, got ${JSON.stringify(maxRetries)}`);
  }
  if ((maxRetries as number) > MAX_WHILE_ITERATIONS)
    bad(`max_retries must be at most ${MAX_WHILE_ITERATIONS}`);
  const delay = params['retry_delay'] ?? 0;
  if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0 || delay > MAX_RETRY_DELAY_S) {
    bad(
      `retry_delay must be a number of seconds from 0 to ${MAX_RETRY_DELAY_S}, got ${JSON.stringify(delay)}`,
    );
  }
  const args = params['validate_args'] ?? {};
  if (!isObject(args)) bad("parameter 'validate_args' must be a mapping");
  return {
    validate: validate as string,
    validateArgs: args as Obj,
    correct: correct as string,
    maxRetries: maxRetries as number,
    delayMs: (delay as number) * 1000,
  };
}

async function retryLoop(registry: ActionRegistry, params: Obj, ctx: ActionContext): Promise<unknown> {
  const p = readParams(params, registry);
  if (!ctx.runNode || !ctx.state) {
    throw new ActionError(
      'retry.loop: this host gives actions no way to run the correction node (ActionContext.runNode and state)',
      'retry.loop',
    );
  }
  let loopState: Obj = { ...ctx.state };
  let result: Obj = {};
  let errors: unknown[] = [];
  const finish = (exhausted: boolean, errs: unknown[]) => ({
    ...loopState,
    _retry_count: loopState['_retry_count'],
    _retry_errors: errs,
    _retry_result: result,
    _retry_exhausted: exhausted,
    ...result,
  });
  for (let count = 0; count <= p.maxRetries; count++) {
    loopState['_retry_count'] = count;
    try {
      const r = await registry.call(p.validate, structuredClone(p.validateArgs), {
        ...ctx,
        state: loopState,
      });
      result = isObject(r) ? r : { valid: false };
    } catch (e) {
      result = { valid: false, errors: [{ message: (e as Error).message, type: 'validation_error' }] };
    }
    errors = Array.isArray(result['errors']) ? (result['errors'] as unknown[]) : [];
    if (result['valid'] === true) return finish(false, []);
    loopState['_retry_errors'] = errors;
    if (count >= p.maxRetries) return finish(true, errors);
    try {
      loopState = await ctx.runNode(p.correct, loopState);
    } catch (e) {
      const message = `Correction node '${p.correct}' failed: ${(e as Error).message}`;
      return {
        ...loopState,
        _retry_count: count,
        _retry_errors: [...errors, { message, type: 'correction_error' }],
        _retry_result: { valid: false, errors, correction_error: (e as Error).message },
        _retry_exhausted: false,
        valid: false,
      };
    }
    if (p.delayMs > 0) await sleep(p.delayMs, ctx.signal);
  }
  return finish(true, errors);
}

export function registerRetryActions(registry: ActionRegistry): void {
  const handler = (params: Obj, ctx: ActionContext) => retryLoop(registry, params, ctx);
  registry.register('retry.loop', handler);
  registry.register('actions.retry_loop', handler, aliasInfo('retry.loop'));
}
