// What the designer (canvas nodes, inspector) needs from running: the run store to show live status,
// the session store for breakpoints, and actions implemented by the App's run controller. The value
// is stable for the window's life (stores, not snapshots), so per-node components subscribe narrowly.
import { createContext, useContext } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { RunStore } from './run-store.ts';
import type { FileKey, RunSessionStore } from './run-session.ts';

export interface RunActions {
  /** Runs from this main-line node with the state recorded before it in the last run of this file. */
  runFromHere(node: string): void;
  /**
   * Runs only this node: with the state recorded before it in the last run of this file, else the
   * input editor's JSON.
   */
  runNodeAlone(node: string): void;
  toggleBreakpoint(node: string): void;
}

/** Which file is open and which run the canvas shows (the latest run of that file, or none). */
export interface RunView {
  fileKey: FileKey;
  /** Run whose status the canvas nodes show; null before the first run of this file. */
  canvasRunId: string | null;
}

export interface RunBridge {
  runs: RunStore;
  session: RunSessionStore;
  view: StoreApi<RunView>;
  actions: RunActions;
}

export const RunBridgeContext = createContext<RunBridge | null>(null);

/** The run bridge, or null where the designer is used without running (tests, previews). */
export function useRunBridge(): RunBridge | null {
  return useContext(RunBridgeContext);
}
