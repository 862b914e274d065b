// Completion inside `{{ … }}` templates of a node's fields: `state.` → the state keys known at that
// node, `|` → the Jinja filters the engine's evaluator has. Pure: the sources (stateKeysAt) and the
// matcher (templateCompletion); CodeMirror only asks them.
import { FILTER_NAMES } from '../../../../engine/expr/filters.ts';
import type { NodeSpec, WorkflowGraph, WorkflowModel } from '../../../../engine/workflow/types.ts';
import { findNodeSpec } from './nodes.ts';

export type StateKeySource = 'schema' | 'initial' | 'upstream' | 'run' | 'fan-in';

export interface StateKey {
  key: string;
  /** Where it is known from, most specific first: shown beside the key in the list. */
  source: StateKeySource;
  /** The node that writes it (upstream keys). */
  from?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Top-level keys of the table a Lua node returns (`return { a = …, b = … }`), as far as text shows. */
export function luaReturnKeys(code: string): string[] {
  const keys: string[] = [];
  const re = /\breturn\s*\{/g;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    let depth = 1;
    let i = m.index + m[0].length;
    let expectKey = true;
    while (i < code.length && depth > 0) {
      const c = code[i]!;
      if (c === '"' || c === "'") {
        // Skip a string literal so its braces and commas do not count.
        const end = code.indexOf(c, i + 1);
        i = end < 0 ? code.length : end + 1;
        expectKey = false;
        continue;
      }
      if (c === '{' || c === '(' || c === '[') depth++;
      else if (c === '}' || c === ')' || c === ']') depth--;
      else if (depth === 1 && c === ',') expectKey = true;
      else if (depth === 1 && expectKey && /[A-Za-z_]/.test(c)) {
        const id = /^[A-Za-z_][A-Za-z0-9_]*\s*=(?!=)/.exec(code.slice(i));
        if (id) keys.push(id[0].replace(/\s*=$/, ''));
        expectKey = false;
      } else if (!/\s/.test(c)) expectKey = false;
      i++;
    }
  }
  return [...new Set(keys)];
}

/** Keys a node writes into the state, as far as its YAML tells. */
export function keysWrittenBy(spec: NodeSpec): string[] {
  const out: string[] = [];
  if (spec.output) out.push(spec.output);
  if (spec.outputMap) out.push(...Object.keys(spec.outputMap));
  if (spec.run && (spec.language === 'lua' || spec.kind === 'lua')) out.push(...luaReturnKeys(spec.run));
  const uses = spec.uses ?? '';
  // core.return and state.set write their parameters' keys.
  if ((uses === 'core.return' || uses === 'state.set') && isObject(spec.with)) {
    out.push(...Object.keys(spec.with).filter((k) => k !== '*'));
  }
  return out;
}

/** Names of the nodes that can run before `node` (every path from the entry), nearest first. */
export function upstreamNodes(graph: WorkflowGraph, node: string): string[] {
  const into = new Map<string, string[]>();
  for (const e of graph.edges) {
    const list = into.get(e.target) ?? [];
    list.push(e.source);
    into.set(e.target, list);
  }
  const seen = new Set<string>([node]);
  const order: string[] = [];
  let frontier = [node];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const n of frontier) {
      for (const src of into.get(n) ?? []) {
        if (seen.has(src)) continue;
        seen.add(src);
        order.push(src);
        next.push(src);
      }
    }
    frontier = next;
  }
  return order;
}

/**
 * The state keys known at `node`: the last run's state there (when given), keys written by upstream
 * nodes, `parallel_results` at a fan-in, then state_schema and initial_state. One entry per key.
 */
export function stateKeysAt(
  model: WorkflowModel,
  graph: WorkflowGraph | null,
  node: string,
  runState?: Record<string, unknown>,
): StateKey[] {
  const out = new Map<string, StateKey>();
  const add = (k: StateKey) => {
    if (!out.has(k.key) && k.key !== '') out.set(k.key, k);
  };
  if (runState) for (const key of Object.keys(runState)) add({ key, source: 'run' });
  if (graph) {
    for (const up of upstreamNodes(graph, node)) {
      const spec = findNodeSpec(model, up);
      if (spec) for (const key of keysWrittenBy(spec)) add({ key, source: 'upstream', from: up });
    }
    if (graph.fanOuts.some((f) => f.fanIn === node)) add({ key: 'parallel_results', source: 'fan-in' });
  }
  for (const key of Object.keys(isObject(model.raw['state_schema']) ? model.raw['state_schema'] : {})) {
    add({ key, source: 'schema' });
  }
  for (const key of Object.keys(isObject(model.raw['initial_state']) ? model.raw['initial_state'] : {})) {
    add({ key, source: 'initial' });
  }
  return [...out.values()];
}

export const SOURCE_LABEL: Record<StateKeySource, string> = {
  run: 'last run',
  upstream: 'written by',
  'fan-in': 'fan-in',
  schema: 'state_schema',
  initial: 'initial_state',
};

export interface CompletionItem {
  label: string;
  detail: string;
  type: 'property' | 'function';
}

export interface TemplateCompletion {
  /** Offset (in the text given) where the completed word starts. */
  from: number;
  items: CompletionItem[];
}

const FILTERS = [...FILTER_NAMES].sort();

/** True when `before` ends inside an open `{{ … ` or `{% … ` (not yet closed). */
function insideTemplate(before: string): boolean {
  const open = Math.max(before.lastIndexOf('{{'), before.lastIndexOf('{%'));
  if (open < 0) return false;
  const close = Math.max(before.lastIndexOf('}}'), before.lastIndexOf('%}'));
  return close < open;
}

/**
 * Completions for the text before the cursor: after `state.` (and a partial key) inside a template,
 * the state keys; after `|` (and a partial name) inside a template, the filters. Null otherwise.
 * `explicit`: the user asked (Ctrl+Space), so a bare `{{ ` also offers `state.` keys.
 */
export function templateCompletion(
  before: string,
  keys: readonly StateKey[],
  explicit = false,
): TemplateCompletion | null {
  if (!insideTemplate(before)) return null;
  const stateMatch = /\bstate\.([A-Za-z0-9_]*)$/.exec(before);
  if (stateMatch) {
    const partial = stateMatch[1]!;
    return {
      from: before.length - partial.length,
      items: keys
        .filter((k) => k.key.startsWith(partial))
        .map((k) => ({
          label: k.key,
          detail: k.from ? `${SOURCE_LABEL[k.source]} ${k.from}` : SOURCE_LABEL[k.source],
          type: 'property' as const,
        })),
    };
  }
  const filterMatch = /\|\s*([A-Za-z_]*)$/.exec(before);
  if (filterMatch) {
    const partial = filterMatch[1]!;
    return {
      from: before.length - partial.length,
      items: FILTERS.filter((f) => f.startsWith(partial)).map((f) => ({
        label: f,
        detail: 'filter',
        type: 'function' as const,
      })),
    };
  }
  if (explicit) {
    const word = /([A-Za-z_]*)$/.exec(before)![1]!;
    return {
      from: before.length - word.length,
      items: keys
        .filter((k) => `state.${k.key}`.startsWith(word))
        .map((k) => ({ label: `state.${k.key}`, detail: SOURCE_LABEL[k.source], type: 'property' as const })),
    };
  }
  return null;
}
