// V8 flags for every worker process (spread into the fork's execArgv by node-port.ts). Measured on
// the compiled worker (docs/engine.md, Performance): a bare `node -e` is ~39 MiB RSS here, nearly all
// of it the Node binary's shared pages; what a worker adds is its private memory (USS ~20 MiB, of
// which ~16 MiB is wasmoon's declared WASM memory, untouched pages not resident).
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
