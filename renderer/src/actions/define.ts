// Joins an action's behaviour to its manifest entry, so titles and keys exist in one place only.
import { actionSpec, type ActionId } from '../../../electron/shared/actions.ts';
import type { Action, ActionImpl } from './types.ts';

export function defineAction(id: ActionId, impl: ActionImpl): Action {
  return { ...actionSpec(id), ...impl, id };
}
