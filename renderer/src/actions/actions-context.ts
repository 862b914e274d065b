// How components below App reach the registry: the current ActionContext (built on demand, so it is
// never stale) and perform. Null outside App (component tests render the canvas alone).
import { createContext, useContext } from 'react';
import type { ActionId } from '../../../electron/shared/actions.ts';
import type { ActionContext, CanvasOps, Enablement, MenuTarget } from './types.ts';

export interface ActionsApi {
  context(target?: MenuTarget | null): ActionContext;
  perform(id: ActionId, target?: MenuTarget | null): Enablement;
  /** The canvas registers what it can do (zoom, fit, rename…) while it is mounted. */
  registerCanvas(ops: CanvasOps): () => void;
}

export const ActionsContext = createContext<ActionsApi | null>(null);

export function useActions(): ActionsApi | null {
  return useContext(ActionsContext);
}
