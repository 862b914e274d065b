// Run protocol: the one RunEvent union that IPC, WebSocket, CLI --events and tests consume.
// No runtime imports: the renderer imports this file too.

export type JsonObject = Record<string, unknown>;

/** One entry of `state.parallel_results`, shaped like TEA Rust's ParallelFlowResult. */
export interface ParallelResult {
  branch: string;
  success: boolean;
  /** The branch's full final state; null when the branch failed. */
  state: JsonObject | null;
  error: string | null;
  /** LuaError, TimeoutError, MemoryError, ActionError, WorkerCrashed, Cancelled, ExecutionError. */
  error_type: string | null;
  timeout: boolean;
  timing_ms: number;
}

export type BranchStatus = 'succeeded' | 'failed' | 'timed-out' | 'cancelled';
export type RunStatus = 'succeeded' | 'failed' | 'cancelled';

interface EventBase {
  runId: string;
  /** High-resolution time since the run started, in ms (performance.now based). */
  t: number;
  /** Sequence number within the run, from 0, without gaps. */
  seq: number;
}

/** Identifies where a node ran: the main line, or branch `branch` of fan-out `fanOut`. */
export interface Where {
  /** Fan-out source node name; absent on the main line. */
  fanOut?: string;
  /** Branch head node name; absent on the main line. */
  branch?: string;
}

export type RunEvent =
  | (EventBase & { type: 'run-started'; workflow: string; input: JsonObject; workers: number })
  | (EventBase & Where & { type: 'node-started'; node: string; iteration?: number })
  | (EventBase &
      Where & {
        type: 'node-finished';
        node: string;
        ms: number;
        /** The keys the node changed (the merged update). */
        update: JsonObject;
        heapBytes?: number;
      })
  | (EventBase &
      Where & {
        type: 'node-failed';
        node: string;
        ms: number;
        error: string;
        errorType: string;
        line?: number;
        timeout: boolean;
      })
  | (EventBase & { type: 'fan-out-started'; fanOut: string; branches: string[]; fanIn: string | null })
  | (EventBase & {
      type: 'branch-started';
      fanOut: string;
      branch: string;
      worker: number;
      /** Time to create the branch's fresh VM inside its worker. */
      vmCreateMs: number;
    })
  | (EventBase & {
      type: 'branch-finished';
      fanOut: string;
      branch: string;
      status: BranchStatus;
      result: ParallelResult;
      peakHeapBytes?: number;
    })
  | (EventBase & { type: 'fan-in'; fanOut: string; fanIn: string; results: ParallelResult[] })
  | (EventBase &
      Where & {
        type: 'log';
        level: 'info' | 'warn' | 'error';
        node?: string;
        message: string;
      })
  | (EventBase &
      Where & {
        type: 'memory-sample';
        worker: number;
        /** Lua heap bytes of the VM running on that worker (absent when idle). */
        luaHeapBytes?: number;
        rssBytes: number;
      })
  | (EventBase & {
      type: 'run-finished';
      status: RunStatus;
      ms: number;
      state: JsonObject;
      error?: string;
      /** Node the run failed at. */
      node?: string;
    });

export type RunEventType = RunEvent['type'];

export interface RunOptions {
  /** Initial state; merged over the workflow's `initial_state` (input wins, like TEA's CLIs). */
  input?: JsonObject;
  /** Default Lua timeout per node/branch in ms, overriding `settings.timeout_ms` (default 30 000). */
  timeoutMs?: number;
  /** Overrides `settings.parallel.fail_fast`. */
  failFast?: boolean;
  /** Lua heap cap per VM in bytes (default 64 MiB). */
  memoryBytes?: number;
  /** Graph step limit (default `settings.max_iterations` or 1000). */
  maxSteps?: number;
  /** Folder actions like file.read are confined to (default: the workflow file's folder). */
  baseDir?: string;
  signal?: AbortSignal;
}

export interface RunResult {
  runId: string;
  status: RunStatus;
  state: JsonObject;
  error?: string;
  node?: string;
  ms: number;
}
