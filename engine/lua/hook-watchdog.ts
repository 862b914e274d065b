// The instruction hook, switched on from a second thread. While any count hook is set, Lua 5.4 traps
// on every instruction (2x slower for CPU-bound code, whatever the count), so watched execs run with
// no hook at all and this thread arms one only when it is needed: at the exec's deadline and every
// tick interval (the worker's memory samples and parent check). That is what Lua's own lua.c does
// from a signal handler: write the hook fields, then the running frame's `trap`, which OP_FORLOOP,
// OP_JMP and every call re-read. The VM's memory is shared (wasm.ts), so this thread writes straight
// into the lua_State at offsets verified at start-up (hook-layout.ts).
//
// Protocol (one control SharedArrayBuffer; Int32 slots below, then two Float64 times):
// - exec start (watch): the main thread writes L, deadline and next tick (absolute times,
//   performance.timeOrigin + performance.now(): the threads' clocks differ otherwise), sets RUNNING,
//   bumps EPOCH and wakes the thread only if it sleeps past the new due time (WAKE_AT).
// - the thread waits until min(deadline, tick); to arm it takes LOCK, checks that EPOCH and STATE are
//   unchanged, writes hook, basehookcount = hookcount = 1, hookmask = count | call, then trap = 1 in
//   the current L->ci if it is a Lua frame, and sets ARMED. While ARMED it re-writes trap with a
//   growing backoff (a frame that was in a C call, or cleared trap just as it was written, sees it).
// - the hook (main thread, vm.ts) times out or ticks; after a tick it unsets the hook under LOCK and
//   sets RUNNING again with the next tick. Exec end and VM close take LOCK and set IDLE before anything
//   is freed, then clear the hook, so an armed hook never reaches the next exec.
// - L->ci can return and its CallInfo be freed (luaE_shrinkCI) between the thread's read and its
//   write. The thread publishes the CallInfo as a hazard pointer and re-reads L->ci; the allocator
//   (vm.ts) waits while a CallInfo-sized block it is about to free is the hazard. So the write only
//   ever lands in a live CallInfo (at worst a C frame's unused `old_errfunc` on the main thread, or a
//   stale trap that costs one extra check).
import { Worker } from 'node:worker_threads';
import { WATCHDOG_MAX_REARM_MS, WATCHDOG_THREAD_LIMITS } from '../limits.ts';
import type { HookLayout } from './hook-layout.ts';
import { LUA_MASKCALL, LUA_MASKCOUNT, type WasmMemory } from './wasm.ts';

const STATE = 0;
const LOCK = 1;
const EPOCH = 2;
const L_SLOT = 3;
const HOOK = 4;
const READY = 5;
const HAZARD = 6;
const ARMS = 7;
const WAKE_AT = 8;
const SHUTDOWN = 9;
const INT_SLOTS = 16;

const IDLE = 0;
const RUNNING = 1;
const ARMED = 2;
const TIMED_OUT = 3;

/**
 * The count hook fires at the next instruction of a Lua frame that sees its trap; the call hook at
 * the next call of any function, which catches a frame that was in a C call when the trap was
 * written (`while true do string.rep(...) end` spends nearly all its time in C).
 */
const ARM_MASK = LUA_MASKCOUNT | LUA_MASKCALL;

/** WAKE_AT when the thread waits with no time limit (ms after `base`, saturating). */
const NEVER = 0x7fffffff;

/** The thread's code: plain JavaScript run with `eval: true`, so there is no extra file to bundle. */
const THREAD_SOURCE = String.raw`
'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const { memory, control, layout, base, maxRearmMs } = workerData;
const [STATE, LOCK, EPOCH, L_SLOT, HOOK, READY, HAZARD, ARMS, WAKE_AT, SHUTDOWN] = ${JSON.stringify([
  STATE,
  LOCK,
  EPOCH,
  L_SLOT,
  HOOK,
  READY,
  HAZARD,
  ARMS,
  WAKE_AT,
  SHUTDOWN,
])};
const [RUNNING, ARMED, NEVER, MASK] = ${JSON.stringify([RUNNING, ARMED, NEVER, ARM_MASK])};
const ctl = new Int32Array(control, 0, ${INT_SLOTS});
const times = new Float64Array(control, ${INT_SLOTS * 4}, 2);
const now = () => performance.timeOrigin + performance.now();
let words = new Int32Array(memory.buffer);
let halves = new Uint16Array(memory.buffer);
// memory.buffer is a new object after the module grows its memory.
function inMemory(end) {
  if (end <= words.byteLength) return true;
  words = new Int32Array(memory.buffer);
  halves = new Uint16Array(memory.buffer);
  return end <= words.byteLength;
}
function lock() {
  while (Atomics.compareExchange(ctl, LOCK, 0, 1) !== 0) Atomics.wait(ctl, LOCK, 1, 0.05);
}
function arm(epoch) {
  lock();
  try {
    if (Atomics.load(ctl, EPOCH) !== epoch) return;
    const state = Atomics.load(ctl, STATE);
    if (state !== RUNNING && state !== ARMED) return;
    const L = ctl[L_SLOT];
    if (!inMemory(L + layout.hookMask + 4)) return;
    if (state === RUNNING) {
      words[(L + layout.hook) >> 2] = ctl[HOOK];
      words[(L + layout.baseHookCount) >> 2] = 1;
      words[(L + layout.hookCount) >> 2] = 1;
      Atomics.store(words, (L + layout.hookMask) >> 2, MASK);
      Atomics.store(ctl, STATE, ARMED);
      Atomics.add(ctl, ARMS, 1);
    }
    let ci;
    do {
      ci = Atomics.load(words, (L + layout.ci) >> 2);
      Atomics.store(ctl, HAZARD, ci);
    } while (Atomics.load(words, (L + layout.ci) >> 2) !== ci);
    if (ci && inMemory(ci + layout.ciSize) && !(halves[(ci + layout.callStatus) >> 1] & layout.cistC))
      Atomics.store(words, (ci + layout.trap) >> 2, 1);
  } finally {
    Atomics.store(ctl, HAZARD, 0);
    Atomics.store(ctl, LOCK, 0);
  }
}
try {
  Atomics.store(ctl, READY, 1);
  parentPort.postMessage('ready');
  let rearmMs = 1;
  while (!Atomics.load(ctl, SHUTDOWN)) {
    const epoch = Atomics.load(ctl, EPOCH);
    const state = Atomics.load(ctl, STATE);
    let waitMs = Infinity;
    if (state === RUNNING) {
      rearmMs = 1;
      const waitFor = Math.min(times[0], times[1]) - now();
      if (waitFor <= 0) {
        arm(epoch);
        continue;
      }
      waitMs = waitFor;
    } else if (state === ARMED) {
      waitMs = rearmMs;
      rearmMs = Math.min(rearmMs * 2, maxRearmMs);
    }
    const wakeAt = waitMs === Infinity ? NEVER : Math.min(NEVER, Math.max(0, Math.floor(now() + waitMs - base)));
    Atomics.store(ctl, WAKE_AT, wakeAt);
    if (Atomics.wait(ctl, EPOCH, epoch, waitMs) === 'timed-out' && state === ARMED) arm(epoch);
  }
} catch (error) {
  Atomics.store(ctl, READY, -1);
  throw error;
}
`;

export interface WatchdogOptions {
  memory: WasmMemory;
  layout: HookLayout;
  /** The lua_Hook the thread installs (the factory's). */
  hookPointer: number;
}

/** The main thread's side of one watchdog thread (one per Lua factory: execs never overlap). */
export class HookWatchdog {
  private readonly ctl: Int32Array;
  private readonly times: Float64Array;
  private readonly base = absoluteNow();
  private readonly worker: Worker;
  private failure: string | null = null;
  /** Resolves when the thread is ready (or has failed). */
  readonly started: Promise<void>;

  constructor({ memory, layout, hookPointer }: WatchdogOptions) {
    const control = new SharedArrayBuffer(INT_SLOTS * 4 + 16);
    this.ctl = new Int32Array(control, 0, INT_SLOTS);
    this.times = new Float64Array(control, INT_SLOTS * 4, 2);
    this.ctl[HOOK] = hookPointer;
    this.ctl[WAKE_AT] = NEVER;
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { memory, control, layout, base: this.base, maxRearmMs: WATCHDOG_MAX_REARM_MS },
      resourceLimits: WATCHDOG_THREAD_LIMITS,
      stdout: false,
      stderr: false,
    });
    // Never keeps a process alive; a thread that dies leaves its factory on the count hook.
    this.worker.unref();
    this.started = new Promise((resolve) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', (error) => {
        this.failure = `watchdog thread failed: ${error.message}`;
        resolve();
      });
      this.worker.once('exit', (code) => {
        this.failure ??= `watchdog thread exited (${code})`;
        Atomics.store(this.ctl, READY, -1);
        resolve();
      });
    });
  }

  /** The thread is up and has not failed: execs may start hook-free. Read without the event loop. */
  get ready(): boolean {
    return Atomics.load(this.ctl, READY) === 1 && this.failure === null;
  }

  get failed(): string | null {
    return Atomics.load(this.ctl, READY) === -1 ? (this.failure ?? 'watchdog thread failed') : null;
  }

  /** How many times the thread armed a hook (tests and benchmarks). */
  get arms(): number {
    return Atomics.load(this.ctl, ARMS);
  }

  /**
   * An exec of `L` starts (or is handed over mid-exec) with no hook set: arm at `nextTick` or at
   * `deadline` (performance.now() values), whichever comes first.
   */
  watch(L: number, deadline: number, nextTick: number): void {
    this.ctl[L_SLOT] = L;
    this.setTimes(deadline, nextTick);
    Atomics.store(this.ctl, STATE, RUNNING);
    this.publish(Math.min(deadline, nextTick));
  }

  /**
   * The armed hook fired for a tick: `unsetHook` removes it (under the lock, so the thread cannot be
   * arming meanwhile) and the exec runs hook-free until `nextTick`.
   */
  rearm(nextTick: number, unsetHook: () => void): void {
    this.lock();
    try {
      unsetHook();
      this.times[1] = nextTick + performance.timeOrigin;
      Atomics.store(this.ctl, STATE, RUNNING);
    } finally {
      this.unlock();
    }
    this.publish(Math.min(this.times[0]! - performance.timeOrigin, nextTick));
  }

  /** The deadline passed: `setPermanentHook` installs the every-instruction hook; the thread stops. */
  timedOut(setPermanentHook: () => void): void {
    this.withState(TIMED_OUT, setPermanentHook);
  }

  /** The exec (or the VM) ends: no arm can land after this returns; then `clearHook` runs. */
  stop(clearHook: () => void): void {
    this.withState(IDLE, () => {});
    clearHook();
  }

  /**
   * Called by the allocator before it frees a CallInfo-sized block: waits while the thread is
   * writing into it (the hazard pointer). compareExchange is a full fence, so L->ci's last update is
   * visible to the thread before the hazard is read here.
   */
  beforeFree(pointer: number): void {
    while (Atomics.compareExchange(this.ctl, HAZARD, pointer, pointer) === pointer) {
      Atomics.wait(this.ctl, LOCK, 1, 0.05);
    }
  }

  close(): void {
    Atomics.store(this.ctl, SHUTDOWN, 1);
    Atomics.add(this.ctl, EPOCH, 1);
    Atomics.notify(this.ctl, EPOCH);
    void this.worker.terminate();
  }

  private withState(state: number, edit: () => void): void {
    this.lock();
    try {
      Atomics.store(this.ctl, STATE, state);
      Atomics.add(this.ctl, EPOCH, 1);
      edit();
    } finally {
      this.unlock();
    }
  }

  private setTimes(deadline: number, nextTick: number): void {
    this.times[0] = deadline + performance.timeOrigin;
    this.times[1] = nextTick + performance.timeOrigin;
  }

  /** Bumps the epoch and wakes the thread only when it sleeps past `due` (a performance.now() value). */
  private publish(due: number): void {
    Atomics.add(this.ctl, EPOCH, 1);
    const dueAt = Math.floor(due + performance.timeOrigin - this.base);
    if (dueAt < Atomics.load(this.ctl, WAKE_AT)) Atomics.notify(this.ctl, EPOCH);
  }

  private lock(): void {
    let spins = 0;
    while (Atomics.compareExchange(this.ctl, LOCK, 0, 1) !== 0) {
      // The thread holds it for a few stores; if it was descheduled meanwhile, do not burn the core.
      if (++spins > 200) Atomics.wait(this.ctl, LOCK, 1, 0.05);
    }
  }

  private unlock(): void {
    Atomics.store(this.ctl, LOCK, 0);
  }
}

function absoluteNow(): number {
  return performance.timeOrigin + performance.now();
}
