// The seam queue mode plugs into: a runner for one parallel branch of a static fan-out somewhere else
// (engine/queue/ sends it as a BullMQ job to a `fanout worker`). The scheduler keeps everything else
// as local: the fan-out, branch slots, timeouts (inside the branch's own run), cancel (the signal),
// `parallel_results` and the branch-finished event, so a remote run reads exactly like a local one.
// Type-only module.
import type { EventInput } from './events.ts';
import type { BranchStatus, JsonObject, ParallelResult } from './types.ts';

/** Everything a worker on another machine needs to run one branch: no secrets, all plain JSON. */
export interface RemoteBranchSpec {
  runId: string;
  /** The workflow as its top-level keys (WorkflowModel.raw): the worker loads and validates it itself. */
  workflow: JsonObject;
  /** Fan-out source node (`__start__` for a fan-out from the start). */
  fanOut: string;
  branch: string;
  /** The branch's place in the fan-out (declaration order). */
  index: number;
  /** The source state the branch starts from. */
  state: JsonObject;
  /** The caller's ceilings; the file can only lower them, and the worker's own ceilings apply too. */
  limits: { timeoutMs?: number; memoryBytes?: number; maxSteps?: number };
  /** The branch head is marked `idempotent: true`: a worker dying mid-branch re-runs it elsewhere. */
  idempotent: boolean;
}

export interface RemoteBranchOutcome {
  status: BranchStatus;
  result: Omit<ParallelResult, 'timing_ms'> & { timing_ms?: number };
  /** The queue worker that ran it (`--id`, else host:pid). */
  remoteWorker?: string;
  peakHeapBytes?: number;
}

export interface RemoteBranchRunner {
  /** Whether this workflow's branches go remote (a host may send only `strategy: remote` files). */
  wants(workflow: JsonObject): boolean;
  /**
   * Runs the branch remotely. `emit` gets the branch's own events (node-*, log, llm-*, branch-started,
   * branch-vm-created) as they stream back, already confined to this branch. Resolves for every
   * outcome (failed, cancelled, the worker lost); the signal aborts the remote VM.
   */
  runBranch(
    spec: RemoteBranchSpec,
    signal: AbortSignal,
    emit: (event: EventInput) => void,
  ): Promise<RemoteBranchOutcome>;
}
