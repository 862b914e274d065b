// A queue's Redis URL never belongs in a workflow file: the file is shared and the URL may hold a
// password. The URL comes from `--redis` or FANOUT_REDIS_URL (docs/queue.md). Part of validation, so
// the designer's Problems panel, `fanout validate` and `fanout run` all report it at its line.
import { LineCounter, parseDocument, isMap, isScalar } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { LoadResult, Problem } from './types.ts';

const REDIS_URL = /^\s*rediss?:\/\//i;

/** The URL with any `user:password@` part hidden, so the problem itself never quotes a password. */
function withoutCredentials(url: string): string {
  return url.trim().replace(/^(rediss?:\/\/)[^@/]*@/i, '$1***@');
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
      if (typeof node.value === 'string' && REDIS_URL.test(node.value) && node.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        problems.push({
          severity: 'error',
          code: 'REDIS_URL_IN_FILE',
          message: `a Redis URL (${withoutCredentials(node.value)}) does not belong in a workflow file: give it with --redis or FANOUT_REDIS_URL (the file is shared; the URL may hold a password)`,
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
  visit(doc.getIn(['settings', 'parallel'], true) as YamlNode | undefined, 0);
  return problems;
}
