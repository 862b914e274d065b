// Builds the ActionsApi from the App's pieces. The context is assembled when an action is asked about,
// from the latest render's values, so a key, menu or palette item never sees stale state.
import { useMemo, useRef } from 'react';
import type { ActionId } from '../../../electron/shared/actions.ts';
import type { ActionsApi } from './actions-context.ts';
import { performAction } from './registry.ts';
import type { ActionContext, CanvasOps, MenuTarget } from './types.ts';

export type AppPieces = Omit<ActionContext, 'canvas' | 'target' | 'run'> & {
  run: () => ActionContext['run'];
};

export function useActionsApi(pieces: AppPieces): ActionsApi {
  const latest = useRef(pieces);
  latest.current = pieces;
  const canvas = useRef<CanvasOps | null>(null);
  return useMemo(() => {
    const context = (target: MenuTarget | null = null): ActionContext => {
      const p = latest.current;
      return { ...p, run: p.run(), canvas: canvas.current, target };
    };
    return {
      context,
      perform: (id: ActionId, target?: MenuTarget | null) => performAction(id, context(target)),
      registerCanvas(ops: CanvasOps) {
        canvas.current = ops;
        return () => {
          if (canvas.current === ops) canvas.current = null;
        };
      },
    };
  }, []);
}
