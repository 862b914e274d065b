// "Open in results" from a node's output preview on the canvas: the run panel switches to its Results
// tab and the state before/after view picks that node. A tiny store, so the canvas needs no handle on
// the panel (which may not even be mounted yet: the request is read when it mounts).
import { createStore } from 'zustand/vanilla';

export interface ResultsRequest {
  /** The node whose latest execution the Results tab shows; null before any request. */
  node: string | null;
  /** Increases on every request, so asking for the same node twice still switches the tab. */
  seq: number;
}

export const resultsRequests = createStore<ResultsRequest>()(() => ({ node: null, seq: 0 }));

export function requestResults(node: string): void {
  resultsRequests.setState((s) => ({ node, seq: s.seq + 1 }));
}

/** Key of the latest execution (row) of `node` that recorded its states, or null. */
export function latestRowKeyOf(
  rows: readonly { key: string; node: string }[],
  hasState: (key: string) => boolean,
  node: string | null,
): string | null {
  if (node === null) return null;
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    if (row.node === node && hasState(row.key)) return row.key;
  }
  return null;
}
