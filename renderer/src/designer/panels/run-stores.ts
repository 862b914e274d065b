// Empty stand-ins for the run bridge's stores, so hooks can subscribe unconditionally where the
// designer runs without a bridge (tests, previews): they never change, so nothing re-renders.
import { createStore } from 'zustand/vanilla';
import type { RunView } from '../../run/run-context.ts';
import type { RunRecord } from '../../run/run-store.ts';

export const NO_VIEW = createStore<RunView>()(() => ({ fileKey: '', canvasRunId: null }));
export const NO_RUNS = createStore<{ runs: Record<string, RunRecord> }>()(() => ({ runs: {} }));
