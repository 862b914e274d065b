// Whether a run sends its fan-out branches to the queue, and to which Redis. The URL comes from the
// caller (`--redis`) or the environment (FANOUT_REDIS_URL with `settings.parallel.strategy: remote`),
// never from the workflow file: a file is shared, a URL may hold a password. A Redis URL written under
// `settings.parallel` is a validation error at its line.
import { LineCounter, parseDocument, isMap, isScalar } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { LoadResult, Problem } from '../workflow/types.ts';
import { redactRedisUrl } from './redis-url.ts';

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
 * Every Redis URL written under `settings.parallel` (where a queue's address would go: TEA Python keeps
 * its `remote` config there), as problems at their line and column. URLs elsewhere (an LTM backend's,
 * say) are other features' business.
 */
export function redisUrlProblems(load: LoadResult): Problem[] {
  if (!/rediss?:\/\//i.test(load.text)) return [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(load.text, { lineCounter, uniqueKeys: false });
  const problems: Problem[] = [];
  const visit = (node: YamlNode | null | undefined, depth: number) => {
    if (!node || depth > 200) return;
    if (isScalar(node)) {
      if (typeof node.value === 'string' && /^\s*rediss?:\/\//i.test(node.value) && node.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        problems.push({
          severity: 'error',
          code: 'REDIS_URL_IN_FILE',
          message: `a Redis URL (${redactRedisUrl(node.value.trim())}) does not belong in a workflow file: give it with --redis or FANOUT_REDIS_URL (the file is shared; the URL may hold a password)`,
          ...(load.file ? { file: load.file } : {}),
          line,
          col,
        });
      }
      return;
    }
    if (isMap(node)) {
      for (const pair of node.items) visit(pair.value as YamlNode, depth + 1);
      return;
    }
    const items = (node as { items?: unknown[] }).items;
    if (Array.isArray(items)) for (const item of items) visit(item as YamlNode, depth + 1);
  };
  const parallel = doc.getIn(['settings', 'parallel'], true);
  visit(parallel as YamlNode | undefined, 0);
  return problems;
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
