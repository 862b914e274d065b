// Warm pool of worker processes, each holding sandboxed Lua VMs. Callers lease one worker at a time,
// talk to it through the lease, and get failures (never hangs) when a worker dies or stops answering.
// Workers start lazily: an acquire that no ready or starting worker will serve starts one more (up
// to `size`), and each lease goes to the first worker that is ready, so a fan-out never waits for
// every worker to start. Hosts that want them all warm before the first run call start().
import os from 'node:os';
import { MAX_POOL_WORKERS } from '../limits.ts';
import type { ExecOutcome, LuaFailure, SyntaxCheck, VmLimits, VmMemory } from '../lua/types.ts';
import { forkWorker } from './node-port.ts';
import type { FromWorker, SpawnWorker, ToWorker, WorkerPort } from './protocol.ts';

/** Host-side slack on top of an exec's own timeout before the watchdog kills the worker. */
export const EXEC_GRACE_MS = 1_000;
/** A worker whose WASM memory grew past this is replaced once it holds no resident VM. */
export const DEFAULT_RECYCLE_WASM_HEAP_BYTES = 512 * 1024 * 1024;
export const DEFAULT_START_TIMEOUT_MS = 30_000;
const MAX_TIMER_MS = 2_147_483_647;
/** Consecutive failed re-spawns of one slot before the slot is given up. */
const MAX_RESPAWN_FAILURES = 3;
/**
 * A request younger than this counts its worker as busy with short work (see PoolOptions.burstWorkers):
 * a trivial branch's whole vm-open + exec + vm-close takes ~0.5 ms; sleeping or CPU-bound Lua is
 * past this after one tick of waiting, and then more workers are handed out.
 */
export const BURST_WAKE_DELAY_MS = 5;

/**
 * Default worker count. Parallel branches that mostly `sleep()` (or wait on I/O) use no CPU, so on a
 * 2-core machine 4 workers still let the seed's 4 × 100 ms sleep branches all run at once; CPU-bound
 * branches are capped by the cores regardless, and an idle warm worker only costs memory.
 */
export function defaultPoolSize(): number {
  return clampPoolSize(Math.max(4, os.availableParallelism()));
}

/** 1..MAX_POOL_WORKERS, whoever asks (`--workers 100000` must not fork 100000 processes). */
export function clampPoolSize(requested: number): number {
  const n = Number.isFinite(requested) ? Math.floor(requested) : MAX_POOL_WORKERS;
  return Math.min(MAX_POOL_WORKERS, Math.max(1, n));
}

export interface PoolOptions {
  size?: number;
  spawn?: SpawnWorker;
  startTimeoutMs?: number;
  recycleWasmHeapBytes?: number;
  /**
   * Lazy growth starts a worker only while fewer than this many are starting (default: no limit);
   * the next one starts when one is ready, if acquires still wait. A start is CPU-bound: more starts
   * than cores share them and each worker is ready later, so `fanout run` passes the core count.
   * prestart() and start() are explicit and not limited.
   */
  maxStarting?: number;
  /**
   * Workers busy with young requests (under BURST_WAKE_DELAY_MS) at once before an idle one is handed
   * to another lease (default: the core count). A burst of short branches then runs on that many
   * processes instead of waking every worker on the cores the host (and a UI) need; once a request
   * has run that long, the other workers are handed out as before (4 x sleep(100) stays ~100 ms).
   */
  burstWorkers?: number;
}

export interface AcquireOptions {
  /** Wait for this slot specifically (the run's main VM lives there). */
  preferWorker?: number;
  /** Prefer workers holding no VM that outlives leases. */
  avoidResident?: boolean;
  signal?: AbortSignal;
}

export interface PoolSample {
  worker: number;
  vmId: string | null;
  luaHeapBytes?: number;
  rssBytes: number;
}

export interface PoolStats {
  workers: { slot: number; pid: number | undefined; busy: boolean; residentVms: number; restarts: number }[];
  queued: number;
}

export interface WorkerLease {
  /** Slot index 0..size-1, stable across restarts of that slot. */
  readonly worker: number;
  /** Increments each time the slot's process is replaced; a changed value means its VMs are gone. */
  readonly generation: number;
  openVm(vmId: string, limits: VmLimits): Promise<{ ms: number; memory: VmMemory }>;
  /** With `close`, the worker closes the VM after the exec (the VM is forgotten as it is sent). */
  exec(
    vmId: string,
    req: { code: string; state: unknown; chunkName: string; timeoutMs: number; close?: boolean },
  ): Promise<ExecOutcome & { memory?: VmMemory }>;
  closeVm(vmId: string): Promise<VmMemory | null>;
  /** Back to the pool (idempotent). */
  release(): void;
  /** Cancel: kill the process now; pending calls resolve as failures with `reason`. */
  kill(reason: string): void;
}

type Failure = { kind: 'error' | 'timeout'; message: string };
type Reply = { ok: true; message: FromWorker } | ({ ok: false } & Failure);
type Request = ToWorker extends infer T ? (T extends ToWorker ? Omit<T, 'reqId'> : never) : never;

interface Slot {
  readonly index: number;
  port: WorkerPort | null;
  generation: number;
  /** `unstarted`: never spawned (lazy growth starts it); `dead`: between a process and its replacement. */
  status: 'unstarted' | 'starting' | 'ready' | 'dead' | 'failed';
  lease: Lease | null;
  /** VMs opened and not closed: they outlive leases (e.g. a run's main VM). */
  readonly resident: Set<string>;
  restarts: number;
  respawnFailures: number;
  wasmHeapBytes: number;
  readonly pending: Map<number, (reply: Reply) => void>;
  /** When each pending request was sent, and when the lease was handed out (performance.now()). */
  readonly sentAt: Map<number, number>;
  leasedAt: number;
  /** When the worker last answered a request. */
  answeredAt: number;
  /** Fails the start-up in progress, if any (used when the slot is detached while starting). */
  abortStart: ((err: Error) => void) | null;
  /** The start-up in progress or done of the current process (start() waits on it). */
  started: Promise<void> | null;
}

interface Waiter {
  options: AcquireOptions;
  resolve(lease: WorkerLease): void;
  reject(err: Error): void;
  cleanup(): void;
}

export class WorkerPool {
  readonly size: number;
  private readonly spawnWorker: SpawnWorker;
  private readonly startTimeoutMs: number;
  private readonly recycleWasmHeapBytes: number;
  private readonly maxStarting: number;
  private readonly burstWorkers: number;
  /** pump() again once the youngest busy request is old enough to let another worker be leased. */
  private burstTimer: NodeJS.Timeout | null = null;
  /** A check for partly answered batches is queued (onWorkerMessage). */
  private partialCheck = false;
  private readonly slots: Slot[];
  private readonly queue: Waiter[] = [];
  private readonly sampleListeners = new Set<(s: PoolSample) => void>();
  /** Exit promises of every process not yet known to be dead, so close() can wait for them. */
  private readonly liveExits = new Set<Promise<void>>();
  private starting: Promise<void> | null = null;
  /** prestartAfterFirst(): the count to prestart() once a worker is ready (0: none waiting). */
  private prestartOnReady = 0;
  /** Some worker became ready once: later start-up failures are re-spawned, not reported to callers. */
  private everReady = false;
  private closed = false;
  private nextReqId = 1;

  constructor(options: PoolOptions = {}) {
    this.size = clampPoolSize(options.size ?? defaultPoolSize());
    this.spawnWorker = options.spawn ?? forkWorker;
    this.startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    this.recycleWasmHeapBytes = options.recycleWasmHeapBytes ?? DEFAULT_RECYCLE_WASM_HEAP_BYTES;
    this.maxStarting = Math.max(1, options.maxStarting ?? Infinity);
    this.burstWorkers = Math.max(1, options.burstWorkers ?? os.availableParallelism());
    this.slots = Array.from({ length: this.size }, (_, index) => ({
      index,
      port: null,
      generation: -1,
      status: 'unstarted' as const,
      lease: null,
      resident: new Set<string>(),
      restarts: 0,
      respawnFailures: 0,
      wasmHeapBytes: 0,
      pending: new Map(),
      sentAt: new Map(),
      leasedAt: 0,
      answeredAt: 0,
      abortStart: null,
      started: null,
    }));
  }

  /**
   * Starts every worker not yet started and resolves once all are ready (idempotent). Runs do not need
   * it (they start workers as they need them); hosts call it to be warm early. One worker first, the
   * others in parallel once it is ready: a host's first run then gets a worker as soon as one process
   * can start, instead of when all of them, contending for the cores, are ready together.
   */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    this.starting ??= this.startFirstThenRest().then(
      () => undefined,
      async (err: unknown) => {
        // Leave no half-started pool behind.
        await this.close();
        throw err;
      },
    );
    return this.starting;
  }

  private async startFirstThenRest(): Promise<void> {
    const first = this.slots.find((slot) => slot.status !== 'unstarted') ?? this.slots[0]!;
    await (first.status === 'unstarted' ? this.launch(first) : first.started);
    await Promise.all(
      this.slots.map((slot) => (slot.status === 'unstarted' ? this.launch(slot) : slot.started)),
    );
  }

  /**
   * Starts up to `count` more workers now, without waiting for them: a host that knows its first run
   * will fan out `count` ways gets them started while the first node runs.
   */
  prestart(count: number): void {
    if (this.closed) return;
    let left = count - this.slots.filter((slot) => slot.status !== 'unstarted').length;
    for (const slot of this.slots) {
      if (left <= 0) return;
      if (slot.status !== 'unstarted') continue;
      this.launch(slot).catch(() => {}); // reported to waiters by launch()
      left -= 1;
    }
  }

  /**
   * prestart(count), but only one worker now and the others once one is ready: the first start, which
   * a run's first node waits for, gets the cores to itself instead of sharing them with the rest (a
   * start is CPU-bound), and the rest still start while the run's main line goes on.
   */
  prestartAfterFirst(count: number): void {
    this.prestart(1);
    if (this.everReady) this.prestart(count);
    else this.prestartOnReady = Math.max(this.prestartOnReady, count);
  }

  async acquire(options: AcquireOptions = {}): Promise<WorkerLease> {
    const { signal } = options;
    if (this.closed) throw new Error('worker pool is closed');
    if (signal?.aborted) throw abortError(signal);
    return new Promise<WorkerLease>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        reject(abortError(signal!));
      };
      const waiter: Waiter = {
        options,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
      this.grow();
    });
  }

  async checkSyntax(code: string, chunkName: string): Promise<SyntaxCheck> {
    const lease = (await this.acquire({ avoidResident: true })) as Lease;
    try {
      const reply = await lease.request({ type: 'syntax', code, chunkName });
      if (reply.ok && reply.message.type === 'syntax-done') return reply.message.result;
      throw new Error(`syntax check failed: ${reply.ok ? describe(reply.message) : reply.message}`);
    } finally {
      lease.release();
    }
  }

  onSample(listener: (s: PoolSample) => void): () => void {
    this.sampleListeners.add(listener);
    return () => this.sampleListeners.delete(listener);
  }

  stats(): PoolStats {
    return {
      workers: this.slots.map((slot) => ({
        slot: slot.index,
        pid: slot.port?.pid,
        busy: slot.lease !== null,
        residentVms: slot.resident.size,
        restarts: slot.restarts,
      })),
      queued: this.queue.length,
    };
  }

  /** Kills every worker, fails pending calls, rejects queued acquires, and waits for the exits. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.burstTimer) clearTimeout(this.burstTimer);
    for (const waiter of this.queue.splice(0)) {
      waiter.cleanup();
      waiter.reject(new Error('worker pool is closed'));
    }
    for (const slot of this.slots) this.detach(slot, { kind: 'error', message: 'worker pool closed' });
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)));
    await Promise.race([Promise.all([...this.liveExits]), cap]);
    clearTimeout(timer);
  }

  // ---- internals used by Lease ----

  /** Sends a request on the slot's current process; resolves with the reply or a failure. */
  send(slot: Slot, request: Request, watchdogMs?: number): Promise<Reply> {
    const port = slot.port;
    if (!port || slot.status !== 'ready') {
      return Promise.resolve({ ok: false, kind: 'error', message: 'worker is not running' });
    }
    const reqId = this.nextReqId++;
    return new Promise<Reply>((resolve) => {
      let watchdog: NodeJS.Timeout | undefined;
      // Every way a request ends (reply, watchdog, unsent, detach) goes through this settle.
      slot.sentAt.set(reqId, performance.now());
      slot.pending.set(reqId, (reply) => {
        clearTimeout(watchdog);
        slot.sentAt.delete(reqId);
        resolve(reply);
      });
      if (watchdogMs !== undefined) {
        watchdog = setTimeout(() => {
          const settle = slot.pending.get(reqId);
          if (!settle) return;
          slot.pending.delete(reqId);
          settle({
            ok: false,
            kind: 'timeout',
            message: `execution timeout (worker killed after ${watchdogMs} ms)`,
          });
          this.detach(slot, { kind: 'error', message: `worker killed by watchdog after ${watchdogMs} ms` });
        }, watchdogMs);
      }
      // e.g. a state value that cannot be structured-cloned: fail this call, keep the worker. A
      // batching port reports it when its batch is written, a plain one throws.
      const unsent = (err: unknown): void => {
        slot.pending.get(reqId)?.({
          ok: false,
          kind: 'error',
          message: `could not send the request to the worker: ${err instanceof Error ? err.message : String(err)}`,
        });
        slot.pending.delete(reqId);
      };
      try {
        port.postMessage({ ...request, reqId } as ToWorker, unsent);
      } catch (err) {
        unsent(err);
      }
    });
  }

  releaseSlot(slot: Slot, lease: Lease): void {
    if (slot.lease !== lease) return;
    slot.lease = null;
    if (!this.closed && slot.wasmHeapBytes > this.recycleWasmHeapBytes && slot.resident.size === 0) {
      this.detach(slot, { kind: 'error', message: 'worker recycled' });
      return;
    }
    this.pump();
  }

  /**
   * Takes the slot's process out of service now: kills it, fails its pending calls and its lease,
   * and (unless closing) starts a replacement in the background.
   */
  detach(slot: Slot, failure: Failure): void {
    const port = slot.port;
    slot.port = null;
    slot.abortStart?.(new Error(`worker ${slot.index} start-up aborted: ${failure.message}`));
    slot.status = slot.status === 'failed' ? 'failed' : 'dead';
    slot.resident.clear();
    slot.wasmHeapBytes = 0;
    const lease = slot.lease;
    slot.lease = null;
    lease?.die(failure);
    const pending = [...slot.pending.values()];
    slot.pending.clear();
    for (const settle of pending) settle({ ok: false, ...failure });
    if (!port) return;
    port.kill();
    if (!this.closed) this.respawn(slot);
  }

  // ---- process lifecycle ----

  /**
   * First start of a slot (lazy growth, prestart, start()). A failure before any worker was ever ready
   * (a worker that cannot start at all) fails the queued acquires with its reason and leaves the slot
   * to be tried again by a later acquire; after that, failures are re-spawned like crashes.
   */
  private launch(slot: Slot): Promise<void> {
    const started = this.spawnSlot(slot);
    started.catch((err: unknown) => {
      if (this.closed || slot.port !== null || slot.status !== 'dead') return; // detached: re-spawned
      const error = err instanceof Error ? err : new Error(String(err));
      if (this.everReady) {
        this.respawnAfter(slot, error);
        return;
      }
      slot.status = 'unstarted';
      slot.started = null;
      if (this.slots.some((other) => other.status === 'starting' || other.status === 'ready')) return;
      for (const waiter of this.queue.splice(0)) {
        waiter.cleanup();
        waiter.reject(error);
      }
    });
    return started;
  }

  /**
   * Queued acquires that no ready or starting worker will take start more workers, up to `size` and
   * while fewer than `maxStarting` are starting (called again whenever a worker becomes ready).
   */
  private grow(): void {
    if (this.closed) return;
    const starting = this.slots.filter((slot) => slot.status === 'starting').length;
    let wanted = -starting;
    let room = this.maxStarting - starting;
    for (const waiter of this.queue) {
      const preferred = waiter.options.preferWorker;
      if (preferred === undefined) wanted += 1;
      else if (this.slots[preferred]?.status === 'unstarted')
        this.launch(this.slots[preferred]).catch(() => {});
    }
    for (const slot of this.slots) {
      if (wanted <= 0 || room <= 0) return;
      if (slot.status !== 'unstarted') continue;
      this.launch(slot).catch(() => {}); // reported to waiters by launch()
      wanted -= 1;
      room -= 1;
    }
  }

  /** Spawns a process into the slot; resolves when it reports `ready`. */
  private spawnSlot(slot: Slot): Promise<void> {
    slot.started = this.spawnProcess(slot);
    return slot.started;
  }

  private spawnProcess(slot: Slot): Promise<void> {
    const port = this.spawnWorker();
    slot.port = port;
    slot.generation += 1;
    slot.status = 'starting';
    slot.resident.clear();
    slot.wasmHeapBytes = 0;

    let markExited!: () => void;
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    this.liveExits.add(exited);

    return new Promise<void>((resolve, rejectStart) => {
      const reject = (err: Error): void => {
        clearTimeout(timer);
        slot.abortStart = null;
        rejectStart(err);
      };
      slot.abortStart = reject;
      const timer = setTimeout(() => {
        if (slot.port !== port) return;
        reject(new Error(`worker ${slot.index} did not become ready within ${this.startTimeoutMs} ms`));
        slot.port = null;
        slot.status = 'dead';
        port.kill();
      }, this.startTimeoutMs);

      port.onMessage((message) => {
        if (slot.port !== port) return;
        if (message.type === 'ready') {
          clearTimeout(timer);
          slot.abortStart = null;
          slot.status = 'ready';
          slot.respawnFailures = 0;
          this.everReady = true;
          resolve();
          this.pump();
          if (this.prestartOnReady > 0) this.prestart(this.prestartOnReady);
          this.prestartOnReady = 0;
          this.grow(); // acquires still waiting may now start a worker held back by maxStarting
          return;
        }
        this.onWorkerMessage(slot, message);
      });

      port.onExit(({ code, signal }) => {
        clearTimeout(timer);
        this.liveExits.delete(exited);
        markExited();
        if (slot.port !== port) return; // already detached on purpose
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        if (slot.status === 'starting') {
          slot.port = null;
          slot.status = 'dead';
          reject(new Error(`worker ${slot.index} exited during start-up (${how})`));
          return;
        }
        this.detach(slot, { kind: 'error', message: `worker crashed (${how})` });
      });
    });
  }

  private respawn(slot: Slot): void {
    slot.restarts += 1;
    this.spawnSlot(slot).catch((err: unknown) => this.respawnAfter(slot, err));
  }

  /** A start-up of a slot that once ran failed: retry with a growing delay, then give the slot up. */
  private respawnAfter(slot: Slot, err: unknown): void {
    if (this.closed) return;
    slot.respawnFailures += 1;
    const text = err instanceof Error ? err.message : String(err);
    if (slot.respawnFailures >= MAX_RESPAWN_FAILURES) {
      process.stderr.write(`[fanout pool] giving up on worker slot ${slot.index}: ${text}\n`);
      slot.status = 'failed';
      this.pump();
      this.grow();
      return;
    }
    process.stderr.write(`[fanout pool] re-spawn of worker slot ${slot.index} failed, retrying: ${text}\n`);
    setTimeout(() => {
      if (!this.closed && slot.port === null) this.respawn(slot);
    }, 200 * slot.respawnFailures);
  }

  private onWorkerMessage(slot: Slot, message: FromWorker): void {
    if (message.type === 'sample') {
      slot.wasmHeapBytes = message.wasmHeapBytes;
      const sample: PoolSample = { worker: slot.index, vmId: message.vmId, rssBytes: message.rssBytes };
      if (message.luaHeapBytes !== undefined) sample.luaHeapBytes = message.luaHeapBytes;
      for (const listener of this.sampleListeners) {
        try {
          listener(sample);
        } catch (err) {
          // A faulty listener must not take down the IPC handler (and with it the host process).
          process.stderr.write(
            `[fanout pool] sample listener failed: ${err instanceof Error ? err.message : String(err)}\n`,
          );
        }
      }
      return;
    }
    if (message.type === 'ready') return;
    const settle = slot.pending.get(message.reqId);
    if (!settle) return; // answer to a call already failed by the watchdog
    slot.pending.delete(message.reqId);
    slot.answeredAt = performance.now();
    settle({ ok: true, message });
    // Answered in part (a vm-opened the worker sent as its exec went on): that exec is long, which
    // lets burstWorkers hand out the other workers now instead of after BURST_WAKE_DELAY_MS. Checked
    // once the whole channel message is read: the rest of a batch arrives in the same one.
    if (this.queue.length > 0 && !this.partialCheck) {
      this.partialCheck = true;
      queueMicrotask(() => {
        this.partialCheck = false;
        if (this.slots.some((s) => s.lease !== null && s.pending.size > 0)) this.pump();
      });
    }
  }

  // ---- leasing ----

  /** Hands idle workers to queued acquires, in FIFO order. */
  private pump(): void {
    // burstFull() once per lease handed out, not once per waiter of a queue of hundreds.
    let held: boolean | null = null;
    const burstHeld = (): boolean => (held ??= this.burstFull());
    for (let i = 0; i < this.queue.length;) {
      // Nothing left to hand out: stop before walking a queue of hundreds of branches (per release).
      if (!this.hasIdleSlot() && !this.slots.every((slot) => slot.status === 'failed')) return;
      const waiter = this.queue[i]!;
      const choice = this.pickSlot(waiter.options, burstHeld);
      if (choice === null) {
        i += 1;
        continue;
      }
      this.queue.splice(i, 1);
      waiter.cleanup();
      if (choice === 'none') {
        waiter.reject(new Error('no worker available: every worker slot failed to start'));
        continue;
      }
      const lease = new Lease(this, choice);
      choice.lease = lease;
      choice.leasedAt = performance.now();
      held = null;
      waiter.resolve(lease);
    }
  }

  /**
   * True while `burstWorkers` leased workers each have a request in flight younger than
   * BURST_WAKE_DELAY_MS and none has an older one: their leases come back within about that, so
   * another worker is not woken yet (a pump is due when the youngest of them turns that old). The
   * main VM's own worker (preferWorker) is never held back.
   */
  private burstFull(): boolean {
    const now = performance.now();
    let busy = 0;
    let recheckIn = Infinity;
    for (const slot of this.slots) {
      if (slot.lease === null || slot.status !== 'ready') continue;
      let oldest = Infinity;
      for (const at of slot.sentAt.values()) oldest = Math.min(oldest, at);
      // Work that has run this long, or that the worker answered in part (it runs on past its first
      // tick, or sleeps), is not a burst of short requests: hand out every worker.
      if (now - oldest >= BURST_WAKE_DELAY_MS || slot.answeredAt > oldest) return false;
      // A lease just handed out counts until its first requests are sent; one that sends nothing
      // (its branch runs actions in the host) stops counting as it ages.
      if (oldest === Infinity) oldest = slot.leasedAt;
      const age = now - oldest;
      if (age >= BURST_WAKE_DELAY_MS) continue;
      busy += 1;
      recheckIn = Math.min(recheckIn, BURST_WAKE_DELAY_MS - age);
    }
    if (busy < this.burstWorkers) return false;
    if (!this.burstTimer && !this.closed) {
      this.burstTimer = setTimeout(() => {
        this.burstTimer = null;
        this.pump();
      }, Math.ceil(recheckIn));
    }
    return true;
  }

  private hasIdleSlot(): boolean {
    return this.slots.some((slot) => slot.status === 'ready' && slot.lease === null);
  }

  private pickSlot(options: AcquireOptions, burstHeld: () => boolean): Slot | null | 'none' {
    const idle = (slot: Slot): boolean => slot.status === 'ready' && slot.lease === null;
    const preferred = options.preferWorker === undefined ? undefined : this.slots[options.preferWorker];
    if (preferred && preferred.status !== 'failed') return idle(preferred) ? preferred : null;
    const candidates = this.slots.filter(idle);
    if (candidates.length === 0) return this.slots.every((slot) => slot.status === 'failed') ? 'none' : null;
    if (burstHeld()) return null;
    if (options.avoidResident) return candidates.find((slot) => slot.resident.size === 0) ?? candidates[0]!;
    return candidates[0]!;
  }
}

class Lease implements WorkerLease {
  readonly worker: number;
  readonly generation: number;
  /** Why calls fail from now on: released by the caller, or the process died/was killed. */
  private ended: Failure | null = null;

  constructor(
    private readonly pool: WorkerPool,
    private readonly slot: Slot,
  ) {
    this.worker = slot.index;
    this.generation = slot.generation;
  }

  /** Called by the pool when this lease's process is taken out of service. */
  die(failure: Failure): void {
    this.ended ??= failure;
  }

  request(request: Request, watchdogMs?: number): Promise<Reply> {
    if (this.ended) return Promise.resolve({ ok: false, ...this.ended });
    return this.pool.send(this.slot, request, watchdogMs);
  }

  /** Counted resident as it is sent, so a close sent before the reply (exec with `close`) is in order. */
  async openVm(vmId: string, limits: VmLimits): Promise<{ ms: number; memory: VmMemory }> {
    const replied = this.request({ type: 'vm-open', vmId, limits });
    if (this.ended === null) this.slot.resident.add(vmId);
    const reply = await replied;
    if (reply.ok && reply.message.type === 'vm-opened') {
      return { ms: reply.message.ms, memory: reply.message.memory };
    }
    if (this.ended === null) this.slot.resident.delete(vmId);
    throw new Error(`could not open VM '${vmId}': ${reply.ok ? describe(reply.message) : reply.message}`);
  }

  async exec(
    vmId: string,
    req: { code: string; state: unknown; chunkName: string; timeoutMs: number; close?: boolean },
  ): Promise<ExecOutcome & { memory?: VmMemory }> {
    const started = performance.now();
    // setTimeout fires at once past 2^31-1 ms, so clamp (an "unlimited" exec gets ~24.8 days).
    const budget = Number.isFinite(req.timeoutMs) ? Math.max(0, req.timeoutMs) : MAX_TIMER_MS;
    const watchdogMs = Math.min(budget + EXEC_GRACE_MS, MAX_TIMER_MS);
    const replied = this.request({ type: 'exec', vmId, ...req }, watchdogMs);
    if (req.close && this.ended === null) this.slot.resident.delete(vmId); // as closeVm does
    const reply = await replied;
    // The exec never reached the VM (it could not be sent, or the worker refused it): close it apart.
    if (req.close && !(reply.ok && reply.message.type === 'exec-done') && this.ended === null) {
      void this.request({ type: 'vm-close', vmId });
    }
    if (reply.ok && reply.message.type === 'exec-done') {
      return { ...reply.message.outcome, memory: reply.message.memory };
    }
    const error: LuaFailure = reply.ok
      ? { kind: 'error', message: describe(reply.message) }
      : { kind: reply.kind, message: reply.message };
    return { ok: false, error, logs: [], elapsedMs: performance.now() - started };
  }

  /**
   * The VM is forgotten as the close is sent: the worker handles requests in order, so nothing sent
   * after it can find that VM, and the lease may be released before the reply (BranchVm.close).
   */
  async closeVm(vmId: string): Promise<VmMemory | null> {
    const replied = this.request({ type: 'vm-close', vmId });
    // Only forget the VM if this lease's process still holds the slot (a replacement has no VMs).
    if (this.ended === null) this.slot.resident.delete(vmId);
    const reply = await replied;
    return reply.ok && reply.message.type === 'vm-closed' ? reply.message.memory : null;
  }

  release(): void {
    if (this.ended) return;
    this.ended = { kind: 'error', message: 'lease already released' };
    this.pool.releaseSlot(this.slot, this);
  }

  kill(reason: string): void {
    if (this.ended) return;
    this.pool.detach(this.slot, { kind: 'error', message: reason });
  }
}

function describe(message: FromWorker): string {
  return message.type === 'request-failed' ? message.message : `unexpected reply '${message.type}'`;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('acquire aborted');
}
