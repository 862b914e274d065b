// Messages between the host (pool) and a worker process, and the port interface both adapters
// (child_process.fork in Node, utilityProcess.fork in Electron) implement. Types only.
import type { ExecOutcome, SyntaxCheck, VmLimits, VmMemory } from '../lua/types.ts';

export type ToWorker =
  /** Create a fresh sandboxed VM with id `vmId` (one worker may hold several). */
  | { type: 'vm-open'; reqId: number; vmId: string; limits: VmLimits }
  /** Run a node's code in VM `vmId` with `state` (JSON-compatible) as its argument. */
  | {
      type: 'exec';
      reqId: number;
      vmId: string;
      code: string;
      state: unknown;
      chunkName: string;
      timeoutMs: number;
    }
  | { type: 'vm-close'; reqId: number; vmId: string }
  | { type: 'syntax'; reqId: number; code: string; chunkName: string };

export type FromWorker =
  /** Sent once the worker has loaded wasmoon and run a warm-up chunk. */
  | { type: 'ready'; pid: number; warmupMs: number }
  | { type: 'vm-opened'; reqId: number; vmId: string; ms: number; memory: VmMemory }
  | { type: 'exec-done'; reqId: number; vmId: string; outcome: ExecOutcome; memory: VmMemory }
  | { type: 'vm-closed'; reqId: number; vmId: string; memory: VmMemory }
  | { type: 'syntax-done'; reqId: number; result: SyntaxCheck }
  /** A request failed outside Lua (unknown vmId, VM creation failure). */
  | { type: 'request-failed'; reqId: number; message: string }
  /** Periodic sample, at least every 100 ms while Lua runs. `vmId` is the VM running, if any. */
  | { type: 'sample'; vmId: string | null; luaHeapBytes?: number; rssBytes: number; wasmHeapBytes: number };

/** The tiny transport the pool needs from a worker process. */
export interface WorkerPort {
  readonly pid: number | undefined;
  postMessage(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** Called once when the process exits for any reason. */
  onExit(listener: (info: { code: number | null; signal: string | null }) => void): void;
  kill(): void;
}

export type SpawnWorker = () => WorkerPort;
