// Messages between the host (pool) and a worker process, and the port interface both adapters
// (child_process.fork in Node, utilityProcess.fork in Electron) implement. Types only.
import type { ExecOutcome, SyntaxCheck, VmLimits, VmMemory } from '../lua/types.ts';
import type { ChannelTraffic } from './channel-outbox.ts';

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
      /** Close the VM right after (the branch ends with this node): no vm-close follows. */
      close?: boolean;
    }
  | { type: 'vm-close'; reqId: number; vmId: string }
  | { type: 'syntax'; reqId: number; code: string; chunkName: string }
  /** The host reads packets of several replies (channel-outbox.ts); sent once, before any request. */
  | { type: 'batching' };

export type FromWorker =
  /**
   * Sent once the worker has loaded wasmoon and run a warm-up chunk. `batches`: it reads a packet of
   * several requests (channel-outbox.ts); without it the host sends one request per channel message.
   * Replies come batched only after the host said `batching` (a raw reader sees one per message).
   */
  | { type: 'ready'; pid: number; warmupMs: number; batches?: boolean }
  | { type: 'vm-opened'; reqId: number; vmId: string; ms: number; memory: VmMemory }
  | { type: 'exec-done'; reqId: number; vmId: string; outcome: ExecOutcome; memory: VmMemory }
  | { type: 'vm-closed'; reqId: number; vmId: string; memory: VmMemory }
  | { type: 'syntax-done'; reqId: number; result: SyntaxCheck }
  /** A request failed outside Lua (unknown vmId, VM creation failure). */
  | { type: 'request-failed'; reqId: number; message: string }
  /** Periodic sample, at least every 100 ms while Lua runs. `vmId` is the VM running, if any. */
  | { type: 'sample'; vmId: string | null; luaHeapBytes?: number; rssBytes: number; wasmHeapBytes: number };

/**
 * The tiny transport the pool needs from a worker process. Both directions may carry several messages
 * in one channel message (an array, engine/run/channel-outbox.ts); a port hides that: it takes and
 * delivers single messages, in order.
 */
export interface WorkerPort {
  readonly pid: number | undefined;
  /**
   * Sends `message` (possibly later in this event-loop turn, batched with others). A message that
   * cannot be serialized throws here or, when batched, is reported to `onUnsent` instead.
   */
  postMessage(message: ToWorker, onUnsent?: (error: unknown) => void): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** Called once when the process exits for any reason. */
  onExit(listener: (info: { code: number | null; signal: string | null }) => void): void;
  kill(): void;
  /** Channel messages and protocol messages each way, where the port counts them. */
  readonly traffic?: ChannelTraffic;
}

export type SpawnWorker = () => WorkerPort;
