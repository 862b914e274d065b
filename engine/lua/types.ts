// Contract of the Lua VM layer (engine/lua). Used by the worker process; no runtime imports here.

/** Per-VM limits. */
export interface VmLimits {
  /** Lua heap cap in bytes; an allocation past it fails with "memory limit exceeded". */
  memoryBytes: number;
}

/** How a node's code is executed. */
export interface ExecOptions {
  /** Chunk name used in error messages: the node name, so errors read `node_name:3: boom`. */
  chunkName: string;
  /** Wall-clock budget for this execution. Past it the VM gets no further time. */
  timeoutMs: number;
  /**
   * Called from the instruction hook and from inside `sleep()` at least every ~50 ms while Lua runs,
   * so the worker can emit memory samples while CPU-bound or sleeping Lua blocks its event loop.
   */
  onTick?: () => void;
  /**
   * The first onTick comes after this many ms instead of a full interval (the worker has replies
   * waiting to leave once Lua blocks it for longer): until then the exec runs on the count hook, so
   * an exec of fewer than ~1,000 instructions never ticks at all, and a `sleep()` ticks before it waits.
   */
  firstTickMs?: number;
}

/** 'limit': a bound of engine/limits.ts was passed (a result too deep or too large to cross to the host). */
export type LuaFailureKind = 'error' | 'syntax' | 'timeout' | 'memory' | 'conversion' | 'limit';

export interface LuaFailure {
  kind: LuaFailureKind;
  /** Human text, e.g. `branch_a:3: attempt to index a nil value (global 'x')`, `execution timeout`. */
  message: string;
  /** 1-based line in the node's own code, when Lua reported one. */
  line?: number;
}

export type ExecOutcome =
  | {
      ok: true;
      /** The node's return value as JSON-compatible data (tables -> objects/arrays, nil -> null). */
      value: unknown;
      /** Lines the node printed with `print` (bounded; truncation noted in the last line). */
      logs: string[];
      elapsedMs: number;
    }
  | { ok: false; error: LuaFailure; logs: string[]; elapsedMs: number };

/** Lua heap figures of one VM, in bytes. */
export interface VmMemory {
  heapBytes: number;
  peakHeapBytes: number;
}

export type SyntaxCheck = { ok: true } | { ok: false; message: string; line?: number };
