// V8 flags and malloc settings for every worker process (node-port.ts spreads them into the fork's
// execArgv and env). Measured on the compiled worker (docs/engine.md, "Worker memory"): a bare
// `node -e` is ~39 MiB RSS here, nearly all of it the Node binary's shared pages; what a worker adds
// is its private memory (USS), which these settings keep small.
// Left out on purpose: --lite-mode and --jitless disable WebAssembly in Node 20 (wasmoon cannot
// load); --no-liftoff compiles the whole module with TurboFan up front (+~120 ms CPU per worker
// start) for a first long loop that was within noise of the dynamic-tiering default.

/**
 * The worker's JS heap is small and short-lived (one message, one state copy at a time): a 1 MiB
 * semi-space keeps the young generation from growing to V8's 16 MiB default after one large state
 * (three execs of a ~7 MB state: heap 67 -> 37 MiB, RSS 195-201 -> 163-170 MiB).
 */
export const WORKER_EXEC_ARGV: readonly string[] = [
  '--max-semi-space-size=1',
  // One background task for WebAssembly compilation instead of one per CPU (V8's default, up to 128):
  // a worker's start used ~30 ms less CPU (152 -> 123 ms mean of 21 interleaved starts, wall 139 ->
  // 119 ms), and the 3M-iteration loop's tiered-up speed was unchanged (min 85 ms both ways).
  '--wasm-num-compilation-tasks=1',
];

/**
 * Added for a one-shot `fanout run` (node-port.ts useOneShotWorkers()): the start (factory, sandbox
 * compile, warm-up) spends V8's default budget of wasm functions, so they tier up to TurboFan in the
 * background right after `ready`: ~60-70 ms more CPU per worker (at ready + 700 ms: 144 -> 75 ms)
 * while a CLI fan-out's other workers start. A budget no start reaches leaves that to code that really
 * runs long: a CLI fan-out 1,013 -> 697 ms wall, CPU 590 -> 370 ms (11 interleaved, load 6.5-7.4), and
 * 424 -> 376 ms at load ~6 (CPU 680 -> 410); a 20M-iteration Lua loop from the CLI 982 -> 734 ms, the
 * 3M loop 468 -> 394 ms (7 interleaved, load 5.5). Not for pools
 * that stay warm (serve, Electron, batch): there the default's tier-up finishes while idle, and the
 * first 3M loop after 1 s idle took 141 ms against 365 ms with this budget.
 */
export const ONE_SHOT_WORKER_EXEC_ARGV: readonly string[] = ['--wasm-tiering-budget=1000000000'];

/**
 * glibc malloc settings (ignored by other C libraries). A tier-up compiles Lua's interpreter loop
 * with TurboFan on a background thread, peaking at ~15 MiB of compiler zones (heaptrack); freed,
 * glibc kept most of it resident: in that thread's own arena, and behind a trim threshold it raises
 * (up to 64 MiB) after large frees. One arena and a fixed 128 KiB threshold (glibc's default, no
 * longer raised) give it back. Compiled worker, medians of 14 interleaved starts (load 5-7, with the
 * hook watchdog): after a run (Lua loop + a 2,000-record state) USS 30.9 -> 23.6 MiB, PSS 37.5 ->
 * 30.2, RSS 71.9 -> 64.6; idle USS 15.9 -> 14.7 (the warm-up no longer tiers up before `ready`;
 * with the count hook it did: 18.3 -> 13.8). Start CPU 78.8 -> 78.5 ms, loop speed and per-request
 * CPU unchanged. Not used: MALLOC_MMAP_THRESHOLD_=32768 (USS -2.5 MiB more, but +5% worker CPU per
 * request: about one mmap/munmap pair per IPC message, 809 mmaps over 900 requests against 101).
 */
export const WORKER_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '1',
  MALLOC_TRIM_THRESHOLD_: '131072',
};
