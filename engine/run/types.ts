// Run protocol: the one RunEvent union that IPC, WebSocket, CLI --events and tests consume.
// No runtime imports: the renderer imports this file too.

import type { LlmEvent, LlmRunOptions, LlmRunTotals } from '../llm/types.ts';

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

/**
 * One entry of `parallel_results` after a `dynamic_parallel` node: TEA Python's ParallelFlowResult
 * (to_dict) shape. `branch` is `<node>[<index>]`; a failed branch keeps its item and index in `state`.
 */
export interface DynamicParallelResult extends Omit<ParallelResult, 'state'> {
  state: JsonObject;
  traceback: null;
  retry_count: number;
  circuit_state: null;
  attempt_errors: unknown[];
  exit_code: null;
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
  | (EventBase & {
      type: 'run-started';
      workflow: string;
      input: JsonObject;
      workers: number;
      /** 'full' (default when absent), 'from' (RunOptions.startAt) or 'node' (RunOptions.only). */
      mode?: RunMode;
      /** The node a 'from' or 'node' run starts at. */
      startAt?: string;
    })
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
      /**
       * The worker holding the branch's fresh VM. A branch whose first node is Lua starts once its VM
       * exists; any other branch starts at once with no VM and no worker (absent here, vmCreateMs 0),
       * runs its actions in the host, and creates a VM only if it later needs Lua
       * ('branch-vm-created').
       */
      worker?: number;
      /** Time to create the branch's fresh VM inside its worker (0: no VM yet). */
      vmCreateMs: number;
      /** Queue mode: the `fanout worker` (its --id, else host:pid) running the branch on its machine. */
      remoteWorker?: string;
    })
  /** A branch that started without a VM created one when it first needed Lua. */
  | (EventBase & {
      type: 'branch-vm-created';
      fanOut: string;
      branch: string;
      worker: number;
      vmCreateMs: number;
      remoteWorker?: string;
    })
  | (EventBase & {
      type: 'branch-finished';
      fanOut: string;
      branch: string;
      status: BranchStatus;
      result: ParallelResult;
      peakHeapBytes?: number;
      remoteWorker?: string;
    })
  | (EventBase & { type: 'fan-in'; fanOut: string; fanIn: string; results: ParallelResult[] })
  | (EventBase &
      Where & {
        type: 'log';
        level: 'info' | 'warn' | 'error';
        node?: string;
        message: string;
        /** Set on the one notice that the run's log budget ran out; later log lines are dropped. */
        truncated?: true;
      })
  | (EventBase &
      Where & {
        type: 'memory-sample';
        worker: number;
        /** Lua heap bytes of the VM running on that worker (absent when idle). */
        luaHeapBytes?: number;
        rssBytes: number;
      })
  /**
   * The run stopped at a breakpoint on the main line (RunOptions.interruptBefore/After, TEA's
   * interrupt_before/after) and waits for RunService.resume (or cancel). `state` is the whole state
   * at that point: before the node ran ('before') or after its update was merged ('after').
   */
  | (EventBase & { type: 'paused'; node: string; when: 'before' | 'after'; state: JsonObject })
  /** The run continues after a pause; when resume() replaced the state, `edited` and the new `state`. */
  | (EventBase & {
      type: 'resumed';
      node: string;
      when: 'before' | 'after';
      edited: boolean;
      state?: JsonObject;
    })
  | (EventBase & {
      type: 'run-finished';
      status: RunStatus;
      ms: number;
      state: JsonObject;
      error?: string;
      /** Node the run failed at. */
      node?: string;
      /** Log lines dropped once the run's log budget ran out (absent when none were). */
      logsDropped?: number;
      /** Model-call totals for the run, per node and per branch (absent when no model was called). */
      llm?: LlmRunTotals;
    })
  /** Model calls (llm.* actions): started, streamed tokens (coalesced), finished with tokens and cost. */
  | (EventBase & Where & LlmEvent);

export type RunEventType = RunEvent['type'];

export type RunMode = 'full' | 'from' | 'node';

export interface RunOptions {
  /** Initial state; merged over the workflow's `initial_state` (input wins, like TEA's CLIs). */
  input?: JsonObject;
  /**
   * Most Lua time per node execution in ms (default 30 000, at most 24 h). A ceiling: the file's
   * `settings.timeout_ms` and a node's `timeout_ms` can only lower it.
   */
  timeoutMs?: number;
  /** Overrides `settings.parallel.fail_fast`. */
  failFast?: boolean;
  /** Most Lua heap per VM in bytes (default 64 MiB, at most 2 GiB); `settings.memory_limit_mb` can only lower it. */
  memoryBytes?: number;
  /** Most node executions (default 1000, at most 1e6); `settings.max_iterations` can only lower it. */
  maxSteps?: number;
  /** Folder actions like file.read are confined to (default: the workflow file's folder). */
  baseDir?: string;
  signal?: AbortSignal;
  /**
   * Main-line nodes to pause before (TEA's interrupt_before): the run emits 'paused' and waits for
   * RunService.resume(). Names inside parallel branches are ignored — branches are not interruptible
   * (TEA-RUST-030, as in TEA).
   */
  interruptBefore?: string[];
  /** Main-line nodes to pause after, once their update is merged (TEA's interrupt_after). */
  interruptAfter?: string[];
  /**
   * "Run from here": start at this main-line node instead of the entry, with `input` as the whole
   * state (not merged over `initial_state`: it is usually the state recorded before the node).
   * A node inside a parallel branch is refused with a clear error.
   */
  startAt?: string;
  /**
   * "Run this node alone": run only this node (any node, branch nodes included, on the main VM) with
   * `input` as the whole state, then finish; routing and fan-outs are not followed.
   */
  only?: string;
  /** Model calls: a cassette to record to or replay from (`fanout run --record/--replay`), the environment. */
  llm?: LlmRunOptions;
  /**
   * Refuse the run before it starts when the workflow uses actions this engine does not have (an
   * UnavailableActionsError listing them, with every node and position), instead of failing at the
   * first such node. Hosts offer it as a choice in the Run dialog.
   */
  refuseUnavailableActions?: boolean;
}

export interface RunResult {
  runId: string;
  status: RunStatus;
  state: JsonObject;
  error?: string;
  node?: string;
  ms: number;
  /** Log lines dropped once the run's log budget ran out. */
  logsDropped?: number;
}
