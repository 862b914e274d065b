/** The shared ActionRegistry and its built-in actions (TEA names and parameters). */
import { registerDataActions } from './data.ts';
import { registerFileActions } from './file.ts';
import { registerHttpActions } from './http.ts';
import { registerLlmActions } from './llm.ts';
import { registerLuaEvalAction } from './lua-eval.ts';
import { registerMemoryActions } from './memory.ts';
import { ActionRegistry } from './registry.ts';
import { registerRetryActions } from './retry.ts';
import { registerSchemaActions } from './schema.ts';
import { registerStateActions } from './state.ts';
import { registerValidateActions } from './validate.ts';

export { ActionError, ActionRegistry } from './registry.ts';
export type { ActionContext, ActionHandler, ActionInfo, LuaRunOutcome, RegisterOptions } from './registry.ts';

/**
 * A fresh registry holding the built-ins: json.*, data.merge, file.*, http.*, memory.*, state.set,
 * core.return, core.switch, return, template(.render), schema.merge, validate.input|schema,
 * lua.eval, retry.loop, llm.call|stream|chat|embed|tools (and TEA Python's `actions.*` aliases of these).
 */
export function createDefaultRegistry(): ActionRegistry {
  const registry = new ActionRegistry();
  registerDataActions(registry);
  registerFileActions(registry);
  registerHttpActions(registry);
  registerMemoryActions(registry);
  registerStateActions(registry);
  registerSchemaActions(registry);
  registerValidateActions(registry);
  registerLuaEvalAction(registry);
  registerRetryActions(registry);
  registerLlmActions(registry);
  return registry;
}

/** Process-wide registry used by the engine; every branch of every run calls into this one. */
export const sharedRegistry: ActionRegistry = createDefaultRegistry();
