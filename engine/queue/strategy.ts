// Whether a run sends its fan-out branches to the queue, and to which Redis. The URL comes from the
// caller (`--redis`) or the environment (FANOUT_REDIS_URL with `settings.parallel.strategy: remote`),
// never from the workflow file: a file is shared, a URL may hold a password. A Redis URL written under
// `settings.parallel` is a validation error at its line.
import type { LoadResult, Problem } from '../workflow/types.ts';
import { redisUrlProblems } from '../workflow/redis-url-problems.ts';

export { redisUrlProblems };

export type QueueMode = { remote: false } | { remote: true; redisUrl: string } | { problems: Problem[] };

/** `settings.parallel.strategy` as written ('thread', 'process', 'remote' in TEA Python), if a string. */
function strategyOf(load: LoadResult): unknown {
  const settings = load.model?.raw['settings'];
  const parallel =
    settings && typeof settings === 'object' ? (settings as Record<string, unknown>)['parallel'] : undefined;
  return parallel && typeof parallel === 'object'
    ? (parallel as Record<string, unknown>)['strategy']
    : undefined;
}

/**
 * The run's queue mode: `--redis` wins; else `settings.parallel.strategy: remote` takes
 * FANOUT_REDIS_URL (an error when it is unset); else local.
 */
export function queueModeFor(
  load: LoadResult,
  flagUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): QueueMode {
  const inFile = redisUrlProblems(load);
  if (inFile.length > 0) return { problems: inFile };
  if (flagUrl) return { remote: true, redisUrl: flagUrl };
  if (strategyOf(load) !== 'remote') return { remote: false };
  const fromEnv = env['FANOUT_REDIS_URL'];
  if (fromEnv) return { remote: true, redisUrl: fromEnv };
  return {
    problems: [
      {
        severity: 'error',
        code: 'REMOTE_WITHOUT_REDIS',
        message:
          'settings.parallel.strategy is remote, but no Redis is given: pass --redis URL or set FANOUT_REDIS_URL',
        ...(load.file ? { file: load.file } : {}),
        line: 1,
        col: 1,
      },
    ],
  };
}
