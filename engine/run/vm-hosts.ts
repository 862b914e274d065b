// The two places Lua runs during a run: the run's main VM (one per run, resident on one worker across
// sequential nodes) and a branch VM (fresh per branch, created when the branch first needs Lua, on an
// exclusively leased worker, closed at the end).
import { jsonBoundsProblem } from '../limits.ts';
import type { ExecOutcome, VmLimits, VmMemory } from '../lua/types.ts';
import type { LuaHost } from './node-exec.ts';
import type { WorkerLease, WorkerPool } from './pool.ts';
import type { JsonObject } from './types.ts';

type ExecWithMemory = ExecOutcome & { memory?: VmMemory };

type OpenResult =
  | { ok: true; worker: number; ms: number }
  | { ok: false; failure: { message: string; errorType: string; timeout: boolean } };

function failedOutcome(error: unknown): ExecOutcome {
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, error: { kind: 'error', message }, logs: [], elapsedMs: 0 };
}

function cancelledOutcome(): ExecOutcome {
  return { ok: false, error: { kind: 'error', message: 'cancelled' }, logs: [], elapsedMs: 0 };
}

/**
 * A state is bounded before it leaves the host for a worker: the worker's deserializer recurses per
 * level (a few thousand levels overflow it), and a clear node error beats a crashed worker.
 */
function unsendableState(node: string, state: JsonObject): ExecOutcome | null {
  const problem = jsonBoundsProblem(state, `the state passed to node '${node}'`);
  return problem ? { ok: false, error: { kind: 'limit', message: problem }, logs: [], elapsedMs: 0 } : null;
}

/**
 * The run's main VM. It keeps its lease while sequential nodes run, gives the worker back during a
 * fan-out (the VM stays open there) and asks for the same worker afterwards. If that worker was
 * replaced meanwhile (a sibling branch crashed it), the VM is recreated and the loss is reported.
 */
export class MainVm implements LuaHost {
  private lease: WorkerLease | null = null;
  private home: { worker: number; generation: number } | null = null;

  constructor(
    private readonly pool: WorkerPool,
    private readonly vmId: string,
    private readonly limits: VmLimits,
    private readonly signal: AbortSignal,
    private readonly warn: (message: string) => void,
  ) {
    signal.addEventListener('abort', () => this.lease?.kill('run cancelled'), { once: true });
  }

  /**
   * The lease, and the VM's opening when it has to be created there. The open is sent but not awaited:
   * the worker handles requests in order, so the first exec goes right behind it (one round trip).
   */
  private async ensure(): Promise<{ lease: WorkerLease; opened: Promise<unknown> | null }> {
    const lease =
      this.lease ??
      (await this.pool.acquire({
        ...(this.home ? { preferWorker: this.home.worker } : {}),
        signal: this.signal,
      }));
    this.lease = lease;
    const sameHome =
      this.home && this.home.worker === lease.worker && this.home.generation === lease.generation;
    if (sameHome) return { lease, opened: null };
    if (this.home) {
      this.warn(
        `the main Lua VM was lost (worker ${this.home.worker} was restarted); globals set by earlier nodes are gone`,
      );
    }
    this.home = { worker: lease.worker, generation: lease.generation };
    return { lease, opened: lease.openVm(this.vmId, this.limits) };
  }

  async exec(node: string, code: string, state: JsonObject, timeoutMs: number): Promise<ExecOutcome> {
    if (this.signal.aborted) return cancelledOutcome();
    const unsendable = unsendableState(node, state);
    if (unsendable) return unsendable;
    let target: { lease: WorkerLease; opened: Promise<unknown> | null };
    try {
      target = await this.ensure();
    } catch (error) {
      return failedOutcome(error);
    }
    const outcome = target.lease.exec(this.vmId, { code, state, chunkName: node, timeoutMs });
    if (target.opened) {
      const openError = await target.opened.then(
        () => null,
        (error: unknown) => error,
      );
      if (openError !== null) {
        // The exec behind it fails too ("no open VM"); report why, and open again next time.
        await outcome;
        this.home = null;
        return failedOutcome(openError);
      }
    }
    return outcome;
  }

  /**
   * Lets other branches and runs use this worker while the main line waits at a fan-out or a
   * breakpoint. The VM stays open there (globals survive); the next exec waits for that worker.
   */
  suspend(): void {
    this.lease?.release();
    this.lease = null;
  }

  async close(): Promise<void> {
    if (!this.home) return;
    try {
      // Without a lease (suspended at a fan-out or a breakpoint) the VM is still resident on its
      // worker, even when the run was cancelled: take the worker back once it is free and close it.
      this.lease ??= await this.pool.acquire({ preferWorker: this.home.worker });
      if (this.lease.worker === this.home.worker && this.lease.generation === this.home.generation) {
        await this.lease.closeVm(this.vmId);
      }
    } catch {
      // The pool is closing or the worker is gone: the VM went with it.
    } finally {
      this.lease?.release();
      this.lease = null;
      this.home = null;
    }
  }
}

/**
 * A branch's fresh VM, created lazily: the branch leases a worker and opens the VM only when it first
 * needs Lua (a Lua node, or an action calling runLua), and then keeps both until the branch ends.
 * Branches that only call actions never hold a worker.
 */
export class BranchVm implements LuaHost {
  private lease: WorkerLease | null = null;
  private opening: Promise<OpenResult> | null = null;
  /** While create() runs, it owns the lease: close() leaves the clean-up to it. */
  private creating = false;
  private opened = false;
  private closed = false;
  private peakHeapBytes: number | undefined;
  /** The branch's first Lua node, to send right behind the vm-open (see sendFirstExecWithOpen). */
  private firstExec: {
    node: string;
    code: string;
    state: JsonObject;
    timeoutMs: number;
    last: boolean;
  } | null = null;
  /** The worker closes the VM with the first exec (the branch ends there): close() sends nothing. */
  private closesWithFirstExec = false;
  /** That exec, in flight: the branch's first exec() call takes its outcome instead of sending again. */
  private firstOutcome: { node: string; state: JsonObject; outcome: Promise<ExecWithMemory> } | null = null;
  /** Told when the VM is created (once, whether by open() or by a first exec). */
  onCreated: ((worker: number, ms: number) => void) | undefined;

  constructor(
    private readonly pool: WorkerPool,
    private readonly vmId: string,
    private readonly limits: VmLimits,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => this.lease?.kill('branch cancelled'), { once: true });
  }

  /** True once a worker holds this branch's VM. */
  get created(): boolean {
    return this.opened;
  }

  /**
   * Call before open(): the branch's first node is this Lua code on exactly this state object, so its
   * exec is sent behind the vm-open (the worker handles requests in order) and costs no round trip of
   * its own. open() still resolves on the vm-opened reply, so branch-started comes before the node's
   * events; the node's exec() then takes the outcome already in flight.
   */
  sendFirstExecWithOpen(
    node: string,
    code: string,
    state: JsonObject,
    timeoutMs: number,
    { last = false }: { last?: boolean } = {},
  ): void {
    if (this.opening || unsendableState(node, state)) return;
    // `last`: the branch ends after this node whatever it returns, so the worker closes the VM
    // right after the exec (one request and one reply fewer per branch).
    this.firstExec = { node, code, state, timeoutMs, last };
  }

  /** Leases a worker and creates the VM, once; later calls get the first call's result. */
  open(): Promise<OpenResult> {
    if (!this.opening) {
      this.creating = true;
      this.opening = this.create();
    }
    return this.opening;
  }

  private async create(): Promise<OpenResult> {
    let lease: WorkerLease | null = null;
    try {
      if (this.closed) throw new Error('the branch has ended');
      lease = await this.pool.acquire({ avoidResident: true, signal: this.signal });
      this.lease = lease;
      if (this.closed) throw new Error('the branch has ended');
      if (this.signal.aborted) lease.kill('branch cancelled');
      const opening = lease.openVm(this.vmId, this.limits);
      const first = this.firstExec;
      this.firstExec = null;
      if (first) {
        const { node, code, state, timeoutMs, last } = first;
        const close = last ? { close: true } : {};
        const outcome = lease.exec(this.vmId, { code, state, chunkName: node, timeoutMs, ...close });
        this.firstOutcome = { node, state, outcome };
        this.closesWithFirstExec = last;
      }
      const opened = await opening;
      if (this.closed) {
        // The branch ended while the VM was being created (close() left the lease to us).
        this.lease = null;
        const ended = lease;
        lease = null;
        void ended
          .closeVm(this.vmId)
          .catch(() => null)
          .finally(() => ended.release());
        throw new Error('the branch has ended');
      }
      this.opened = true;
      this.peakHeapBytes = opened.memory.peakHeapBytes;
      this.onCreated?.(lease.worker, opened.ms);
      return { ok: true, worker: lease.worker, ms: opened.ms };
    } catch (error) {
      if (this.closed && lease) {
        this.lease = null;
        lease.release();
      }
      const cancelled = this.signal.aborted;
      return {
        ok: false,
        failure: {
          message: cancelled ? 'cancelled' : `could not create the branch VM: ${(error as Error).message}`,
          errorType: cancelled ? 'Cancelled' : 'LuaInitError',
          timeout: false,
        },
      };
    } finally {
      this.creating = false;
    }
  }

  async exec(node: string, code: string, state: JsonObject, timeoutMs: number): Promise<ExecOutcome> {
    if (this.signal.aborted || this.closed) return cancelledOutcome();
    const unsendable = unsendableState(node, state);
    if (unsendable) return unsendable;
    const opened = await this.open();
    if (!opened.ok) {
      return { ok: false, error: { kind: 'error', message: opened.failure.message }, logs: [], elapsedMs: 0 };
    }
    if (!this.lease) return cancelledOutcome();
    const first = this.firstOutcome;
    this.firstOutcome = null;
    let outcome: ExecWithMemory;
    if (first && first.node === node && first.state === state) {
      outcome = await first.outcome;
    } else {
      if (first) await first.outcome; // not this node's (never expected): keep the VM's order anyway
      outcome = await this.lease.exec(this.vmId, { code, state, chunkName: node, timeoutMs });
    }
    if (outcome.memory) this.peakHeapBytes = outcome.memory.peakHeapBytes;
    return outcome;
  }

  /**
   * Closes the VM (if one was created) and gives the worker back. The branch does not wait for the
   * worker's reply: the peak heap is already known from the last execution, and the worker handles
   * requests in order, so the next lease's requests queue behind the close. Returns the peak Lua heap
   * of the VM, undefined when the branch never needed one.
   */
  close(): number | undefined {
    this.closed = true;
    if (this.creating) return this.peakHeapBytes;
    const lease = this.lease;
    this.lease = null;
    if (lease) {
      // Sent, then released at once: the next lease's vm-open and exec go out in the same channel
      // message as this close (channel-outbox.ts) instead of waiting a round trip for its reply.
      if (this.opened && !this.closesWithFirstExec) void lease.closeVm(this.vmId).catch(() => null);
      lease.release();
    }
    this.opened = false;
    return this.peakHeapBytes;
  }
}
