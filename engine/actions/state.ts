/**
 * Actions that only reshape the state: state.set, core.return, core.switch, return, template.
 *
 * None of these is registered by TEA Python or TEA Rust at the pinned commit (TEA Python answers
 * "Unknown action: state.set"; recorded in test/fixtures/tea-actions/). They appear in TEA's corpus
 * (examples/learning/textgrad-*.yaml, examples/llm/local-chat-gemma3-1b.yaml,
 * examples/qa-neurosymbolic-wasm.yaml) and `return` is TEA WASM's (rust/tea-wasm-llm/src/lib.rs
 * `execute_return`). What each does here is what those files need, said in docs/compat.md.
 *
 * Templates in `with:` are rendered by the engine (engine/expr, under its budget) before the
 * handler runs, so these handlers see plain values.
 */
import { jsonDumps } from '../expr/values.ts';
import { ActionError } from './registry.ts';
import type { ActionRegistry } from './registry.ts';

/** state.set / core.return: every parameter becomes a state key (the node merges the result). */
function setKeys(params: Record<string, unknown>): Record<string, unknown> {
  return { ...params };
}

/** TEA WASM `return`: `value` is the node's result (merged when a mapping, else under `output`). */
function returnValue(params: Record<string, unknown>): unknown {
  return params['value'] ?? null;
}

/** template / template.render: the rendered `template` text. */
function renderedTemplate(params: Record<string, unknown>, action: string): unknown {
  const template = params['template'];
  if (template === undefined || template === null) {
    throw new ActionError(`${action}: missing required parameter 'template'`, action);
  }
  // A template that is one expression renders to its value (engine/expr); TEA's text is a string.
  return typeof template === 'string' ? template : jsonDumps(template);
}

/**
 * core.switch: the corpus writes `with: {value: "{{ cond }}"}` plus a node-level `edges:` map keyed
 * by the value ("true"/"false"). The key is returned as `_route`, TEA's routing key, so a `goto:`
 * mapping on `_route` (already loaded and run by Fanout) picks the branch.
 */
function switchRoute(params: Record<string, unknown>): Record<string, unknown> {
  if (!Object.hasOwn(params, 'value')) {
    throw new ActionError("core.switch: missing required parameter 'value'", 'core.switch');
  }
  return { _route: routeKey(params['value']) };
}

function routeKey(value: unknown): string {
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    // Jinja renders booleans as True/False; YAML keys say true/false.
    const lower = value.trim().toLowerCase();
    return lower === 'true' || lower === 'false' ? lower : value;
  }
  if (value === null || value === undefined) return 'null';
  return typeof value === 'object' ? jsonDumps(value) : String(value as number);
}

export function registerStateActions(registry: ActionRegistry): void {
  registry.register('state.set', setKeys);
  registry.register('core.return', setKeys);
  registry.register('core.switch', switchRoute);
  registry.register('return', returnValue);
  registry.register('template', (p) => renderedTemplate(p, 'template'));
  registry.register('template.render', (p) => renderedTemplate(p, 'template.render'));
}
