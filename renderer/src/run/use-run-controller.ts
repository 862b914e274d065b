// React glue of the run controller: one controller per window, kept pointed at the open document,
// moving breakpoints along when a node is renamed, and shared with the run panel (Continue / Cancel
// at a breakpoint) through RunControllerContext.
import { createContext, useContext, useEffect, useMemo, useRef } from 'react';
import { useStore } from 'zustand';
import { useStoreWithEqualityFn } from 'zustand/traditional';
import { shallow } from 'zustand/shallow';
import type { HostApi } from '../../../engine/host/types.ts';
import type { DocumentStore } from '../designer/document-store.ts';
import type { RunBridge } from './run-context.ts';
import {
  createRunController,
  followDocument,
  shownRun,
  type RunController,
  type ShownRun,
} from './run-controller.ts';
import { createRunSessionStore } from './run-session.ts';
import type { RunStore } from './run-store.ts';

export const RunControllerContext = createContext<RunController | null>(null);

/** The window's run controller, or null outside the App (tests, previews). */
export function useRunControllerContext(): RunController | null {
  return useContext(RunControllerContext);
}

export interface RunControllerSetup {
  host: HostApi;
  runs: RunStore;
  doc: DocumentStore;
  /** A launch started: e.g. show the run panel. */
  onLaunch: () => void;
}

/** Creates the controller and the RunBridge the designer reads (both stable for the window's life). */
export function useRunController({ host, runs, doc, onLaunch }: RunControllerSetup): {
  controller: RunController;
  bridge: RunBridge;
} {
  const launched = useRef(onLaunch);
  useEffect(() => {
    launched.current = onLaunch;
  }, [onLaunch]);
  const result = useMemo(() => {
    const session = createRunSessionStore();
    const controller = createRunController({
      host,
      runs,
      session,
      document: () => {
        const s = doc.getState();
        return { text: s.text, path: s.path, model: s.load.model, openId: s.openId };
      },
      onLaunch: () => launched.current(),
    });
    const bridge: RunBridge = { runs, session, view: controller.view, actions: controller.actions };
    return { controller, bridge };
    // The host, stores and document are created once per window.
  }, [host, runs, doc]);

  useEffect(() => followDocument(doc, result.controller), [result, doc]);
  return result;
}

/**
 * Only the status of the open file's latest run: the App re-renders when it changes, not on every
 * event batch (the toolbar's RunControls follow the event count themselves).
 */
export function useShownStatus(controller: RunController, runs: RunStore): ShownRun['status'] {
  const state = useStore(controller.store);
  return useStore(runs, (r) => shownRun(state, r).status);
}

export function useShownRun(controller: RunController, runs: RunStore): ShownRun {
  const state = useStore(controller.store);
  return useStoreWithEqualityFn(runs, (r) => shownRun(state, r), shallow);
}
