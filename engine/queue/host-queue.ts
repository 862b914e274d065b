// What a host (`fanout run`, `fanout serve`) does for queue mode before a run: decide from `--redis`,
// the file's strategy and the environment, and connect. Errors are lines to print, passwords redacted.
import type { LoadResult, Problem } from '../workflow/types.ts';
// Types only (classes imported where a queue is used): bullmq, ioredis and zod load with a queue, not
// on every `fanout run` / `serve` start (their load was most of the CLI's start-up CPU).
import type { QueueBranchRunner } from './remote-branches.ts';
import { RedisUrlError } from './redis-url.ts';
import { queueModeFor, redisUrlProblems } from './strategy.ts';
import type { QueueRunExecutor } from './run-executor.ts';
import type { RowLimits } from '../batch/executor.ts';
import { validateWorkflow } from '../workflow/validate.ts';
import { sharedRegistry } from '../actions/index.ts';

export type HostQueue =
  | { ok: true; runner?: QueueBranchRunner }
  | { ok: false; problems: Problem[] }
  | { ok: false; message: string };

export async function openHostQueue(load: LoadResult, flagUrl: string | undefined): Promise<HostQueue> {
  const mode = queueModeFor(load, flagUrl);
  if ('problems' in mode) return { ok: false, problems: mode.problems };
  if (!mode.remote) return { ok: true };
  let runner: QueueBranchRunner;
  try {
    const { QueueBranchRunner } = await import('./remote-branches.ts');
    runner = new QueueBranchRunner({
      redisUrl: mode.redisUrl,
      ...(process.env['FANOUT_QUEUE_PREFIX'] ? { prefix: process.env['FANOUT_QUEUE_PREFIX'] } : {}),
    });
  } catch (error) {
    if (error instanceof RedisUrlError) return { ok: false, message: error.message };
    throw error;
  }
  try {
    await runner.start();
  } catch (error) {
    await runner.close();
    return { ok: false, message: (error as Error).message };
  }
  return { ok: true, runner };
}

/**
 * `fanout serve`'s queue: with `--redis`, every run's fan-outs go to the queue; with only
 * FANOUT_REDIS_URL, those of workflows saying `settings.parallel.strategy: remote`.
 */
export async function serveQueue(
  flagUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ok: true; runner?: QueueBranchRunner } | { ok: false; message: string }> {
  const redisUrl = flagUrl ?? env['FANOUT_REDIS_URL'];
  if (!redisUrl) return { ok: true };
  let runner: QueueBranchRunner;
  try {
    const { QueueBranchRunner } = await import('./remote-branches.ts');
    runner = new QueueBranchRunner({
      redisUrl,
      scope: flagUrl ? 'all' : 'strategy-remote',
      ...(env['FANOUT_QUEUE_PREFIX'] ? { prefix: env['FANOUT_QUEUE_PREFIX'] } : {}),
    });
  } catch (error) {
    if (error instanceof RedisUrlError) return { ok: false, message: error.message };
    throw error;
  }
  try {
    await runner.start();
  } catch (error) {
    await runner.close();
    return { ok: false, message: (error as Error).message };
  }
  return { ok: true, runner };
}

/** `fanout batch --redis`: the queue executor, once the workflow validates here and Redis answers. */
export async function openQueueExecutor(
  load: LoadResult,
  redisUrl: string,
  limits: RowLimits,
): Promise<
  | { ok: true; executor: QueueRunExecutor }
  | { ok: false; problems: Problem[] }
  | { ok: false; message: string }
> {
  const problems = [
    ...validateWorkflow(load, { knownActions: sharedRegistry.names() }),
    ...redisUrlProblems(load),
  ];
  const errors = problems.filter((p) => p.severity === 'error');
  if (!load.model || errors.length > 0) return { ok: false, problems: errors };
  let executor: QueueRunExecutor;
  try {
    const { QueueRunExecutor } = await import('./run-executor.ts');
    executor = new QueueRunExecutor(
      { text: load.text, ...(load.file ? { file: load.file } : {}) },
      {
        redisUrl,
        limits,
        ...(process.env['FANOUT_QUEUE_PREFIX'] ? { prefix: process.env['FANOUT_QUEUE_PREFIX'] } : {}),
      },
    );
  } catch (error) {
    if (error instanceof RedisUrlError) return { ok: false, message: error.message };
    throw error;
  }
  try {
    await executor.start();
  } catch (error) {
    await executor.close();
    return { ok: false, message: (error as Error).message };
  }
  return { ok: true, executor };
}
