/** The shared ActionRegistry and its built-in actions (TEA names and parameters). */
import { registerDataActions } from './data.ts';
import { registerFileActions } from './file.ts';
import { registerHttpActions } from './http.ts';
import { registerMemoryActions } from './memory.ts';
import { ActionRegistry } from './registry.ts';

export { ActionError, ActionRegistry } from './registry.ts';
export type { ActionContext, ActionHandler, ActionInfo, RegisterOptions } from './registry.ts';

/** A fresh registry holding the built-ins: json.*, data.merge, file.*, http.*, memory.*. */
export function createDefaultRegistry(): ActionRegistry {
  const registry = new ActionRegistry();
  registerDataActions(registry);
  registerFileActions(registry);
  registerHttpActions(registry);
  registerMemoryActions(registry);
  return registry;
}

/** Process-wide registry used by the engine; every branch of every run calls into this one. */
export const sharedRegistry: ActionRegistry = createDefaultRegistry();
