// What a host (`fanout run`, `fanout serve`) does for queue mode before a run: decide from `--redis`,
// the file's strategy and the environment, and connect. Errors are lines to print, passwords redacted.
import type { LoadResult, Problem } from '../workflow/types.ts';
// Types only (classes imported where a queue is used): bullmq, ioredis and zod load with a queue, not
// on every `fanout run` / `serve` start (their load was most of the CLI's start-up CPU).
import type { QueueBranchRunner } from './remote-branches.ts';
import { RedisUrlError } from './redis-url.ts';
import { queueModeFor } from './strategy.ts';
import type { QueueRunExecutor } from './run-executor.ts';
import type { RowLimits } from '../batch/executor.ts';
import { validateWorkflow } from '../workflow/validate.ts';
import { sharedRegistry } from '../actions/index.ts';

export type HostQueue =
  | { ok: true; runner?: QueueBranchRunner }
  | { ok: false; problems: Problem[] }
  | { ok: false; message: string };

type Connected<T> = { ok: true; client: T } | { ok: false; message: string };

/**
 * Creates a queue client (a bad Redis URL is a message, not a throw) and connects it; a client that
 * cannot connect is closed again. The classes are imported by `create`, so only a queue loads them.
 */
async function connect<T extends { start(): Promise<void>; close(): Promise<void> }>(
  create: () => Promise<T>,
): Promise<Connected<T>> {
  let client: T;
  try {
    client = await create();
  } catch (error) {
    if (error instanceof RedisUrlError) return { ok: false, message: error.message };
    throw error;
  }
  try {
    await client.start();
  } catch (error) {
    await client.close();
    return { ok: false, message: (error as Error).message };
  }
  return { ok: true, client };
}

/** FANOUT_QUEUE_PREFIX, when set: the queues' key prefix (several deployments on one Redis). */
function prefixOption(env: NodeJS.ProcessEnv): { prefix?: string } {
  return env['FANOUT_QUEUE_PREFIX'] ? { prefix: env['FANOUT_QUEUE_PREFIX'] } : {};
}

export async function openHostQueue(load: LoadResult, flagUrl: string | undefined): Promise<HostQueue> {
  const mode = queueModeFor(load, flagUrl);
  if ('problems' in mode) return { ok: false, problems: mode.problems };
  if (!mode.remote) return { ok: true };
  const connected = await connect(async () => {
    const { QueueBranchRunner } = await import('./remote-branches.ts');
    return new QueueBranchRunner({ redisUrl: mode.redisUrl, ...prefixOption(process.env) });
  });
  return connected.ok ? { ok: true, runner: connected.client } : connected;
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
  const connected = await connect(async () => {
    const { QueueBranchRunner } = await import('./remote-branches.ts');
    return new QueueBranchRunner({
      redisUrl,
      scope: flagUrl ? 'all' : 'strategy-remote',
      ...prefixOption(env),
    });
  });
  return connected.ok ? { ok: true, runner: connected.client } : connected;
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
  // validateWorkflow includes the Redis-URL-in-the-file check.
  const problems = validateWorkflow(load, { knownActions: sharedRegistry.names() });
  const errors = problems.filter((p) => p.severity === 'error');
  if (!load.model || errors.length > 0) return { ok: false, problems: errors };
  const connected = await connect(async () => {
    const { QueueRunExecutor } = await import('./run-executor.ts');
    return new QueueRunExecutor(
      { text: load.text, ...(load.file ? { file: load.file } : {}) },
      { redisUrl, limits, ...prefixOption(process.env) },
    );
  });
  return connected.ok ? { ok: true, executor: connected.client } : connected;
}
