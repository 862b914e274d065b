// Blocking sleep for Lua's `sleep(ms)`: Atomics.wait parks the thread without burning CPU (allowed on
// Node's main thread and in Electron utility processes). Waiting in short chunks lets the worker emit
// memory samples (onTick) and lets the exec deadline cut a long sleep short.

/** Longest single wait, so onTick runs at least this often while Lua sleeps. */
export const SLEEP_CHUNK_MS = 50;

const parking = new Int32Array(new SharedArrayBuffer(4));

/**
 * Sleeps `ms` milliseconds or until `deadline` (a performance.now() value), whichever comes first.
 * Returns 'timeout' when the deadline cut the sleep short.
 */
export function sleepUntil(ms: number, deadline: number, onTick: () => void): 'slept' | 'timeout' {
  const start = performance.now();
  const wakeAt = start + Math.max(0, ms);
  for (;;) {
    const now = performance.now();
    if (now >= wakeAt && wakeAt <= deadline) return 'slept';
    if (now >= deadline) return 'timeout';
    const chunk = Math.min(SLEEP_CHUNK_MS, wakeAt - now, deadline - now);
    // The value never changes, so this always waits the full chunk (returns 'timed-out').
    Atomics.wait(parking, 0, 0, chunk);
    onTick();
  }
}
