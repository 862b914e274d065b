/**
 * lua.eval — TEA WASM's action (rust/tea-wasm-llm/src/lib.rs `execute_lua_eval`; TEA Python and TEA
 * Rust do not register it): run `code` (already template-rendered by the engine, as TEA WASM
 * renders it) with the node's `state` as a global, and give back what it returns.
 *
 * The Lua runs in the run's sandboxed worker VM through ctx.runLua, under the node's timeout and
 * memory cap — never in the host. A host that provides no runner gets a clear error, not a fallback.
 */
import { ActionError } from './registry.ts';
import type { ActionContext, ActionRegistry } from './registry.ts';

async function luaEval(params: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
  const code = params['code'];
  if (typeof code !== 'string' || code.trim() === '') {
    throw new ActionError("lua.eval: missing required parameter 'code' (Lua source text)", 'lua.eval');
  }
  if (!ctx.runLua || !ctx.state) {
    throw new ActionError(
      'lua.eval: this host gives actions no Lua worker (ActionContext.runLua and state); the node cannot run',
      'lua.eval',
    );
  }
  const outcome = await ctx.runLua(code, { ...ctx.state });
  if (!outcome.ok) {
    const where = outcome.error.line !== undefined ? ` (line ${outcome.error.line})` : '';
    throw new ActionError(
      `lua.eval: Lua ${outcome.error.kind}${where}: ${outcome.error.message}`,
      'lua.eval',
    );
  }
  // TEA WASM stores the value under `output:` (or `lua_result` without one); the engine puts a
  // returned value under `output:` and merges a returned table, which is what the corpus relies on.
  return outcome.value ?? null;
}

export function registerLuaEvalAction(registry: ActionRegistry): void {
  registry.register('lua.eval', luaEval);
}
