// One run store per window, fed by every RunEvent batch the host delivers.
import { useEffect, useMemo } from 'react';
import type { HostApi } from '../../../engine/host/types.ts';
import { createRunStore } from './run-store.ts';
import type { RunStore } from './run-store.ts';

export function useHostRuns(host: HostApi): RunStore {
  const store = useMemo(() => createRunStore(), []);
  useEffect(() => host.onRunEvents((events) => store.getState().ingest(events)), [host, store]);
  return store;
}
