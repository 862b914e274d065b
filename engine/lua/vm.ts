// Sandboxed Lua 5.4 VMs on wasmoon's WASM build, driven through the raw C API.
// One LuaFactory = one WASM module per process; every VM is its own lua_State in that module with its
// own heap account (custom allocator), so VMs share nothing Lua-visible. exec() is synchronous.
import {
  DEFAULT_MEMORY_LIMIT_MB,
  DEFAULT_TIMEOUT_MS as DEFAULT_EXEC_TIMEOUT_MS,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_EXEC_LOG_LINES,
  MAX_MEMORY_LIMIT_MB,
  MAX_TIMEOUT_MS,
  MAX_LOG_LINE_BYTES as LOG_LINE_BYTES,
  MAX_STATE_BYTES,
  MAX_VALUE_DEPTH,
  formatBytes as formatSize,
  WATCHDOG_START_AFTER_HOOKS,
  WATCHDOG_START_AFTER_MS,
} from '../limits.ts';
import { KNOWN_HOOK_LAYOUT, checkHookLayout, type HookLayout } from './hook-layout.ts';
import { HookWatchdog } from './hook-watchdog.ts';
import { sleepUntil } from './sleep.ts';
import { SANDBOX_SETUP } from './sandbox.ts';
import type { ExecOptions, ExecOutcome, LuaFailure, SyntaxCheck, VmLimits, VmMemory } from './types.ts';
import {
  LUA_ERRMEM,
  LUA_ERRSYNTAX,
  LUA_MASKCOUNT,
  LUA_OK,
  LUA_REGISTRYINDEX,
  LUA_TFUNCTION,
  LUA_TSTRING,
  Marshal,
  loadRawLua,
  type LuaState,
  type RawLua,
  type WasmMemory,
} from './wasm.ts';

export const DEFAULT_MEMORY_BYTES = DEFAULT_MEMORY_LIMIT_MB * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = DEFAULT_EXEC_TIMEOUT_MS;
/** The VM enforces the absolute maxima itself too, whatever a caller passes. */
const MAX_MEMORY_BYTES = MAX_MEMORY_LIMIT_MB * 1024 * 1024;

/** The instruction hook runs every this many VM instructions (as TEA's Rust engine does). */
export const HOOK_INSTRUCTIONS = 1000;
/** onTick is called at most this often from the hook. */
export const TICK_INTERVAL_MS = 50;
export const MAX_LOG_LINES = MAX_EXEC_LOG_LINES;
export const MAX_LOG_LINE_BYTES = LOG_LINE_BYTES;

/** Put on the node's first line so user line n stays line n in error messages. */
const PRELUDE = 'local state = ...; ';
const TIMEOUT_TEXT = 'execution timeout';
const LUA_OOM_TEXT = 'not enough memory';

export interface FactoryStats {
  openVms: number;
  /** Sum of the Lua heaps of all open VMs (plus the syntax-check state). */
  luaHeapBytes: number;
  /** Size of the shared WASM linear memory (only grows). */
  wasmMemoryBytes: number;
  /**
   * How execs are timed: 'watchdog' (hook-free, armed from a second thread), 'count' (the
   * instruction-count hook: before the watchdog is up, or when it cannot be used, then `off` says why).
   */
  hook: { path: 'watchdog' | 'count'; arms: number; off?: string; threadStarted: boolean };
}

/** Wraps one wasmoon WASM module; load once per process. */
export interface LuaFactory {
  stats(): FactoryStats;
  /** Stops the factory's watchdog thread (the VMs stay usable, on the count hook). */
  close(): void;
}

export interface LuaFactoryOptions {
  /**
   * 'auto' (default, unless FANOUT_LUA_HOOK=count): the count hook until an exec has run
   * WATCHDOG_START_AFTER_MS and _HOOKS, which starts the watchdog thread; execs are handed over once
   * it is up. 'eager': start it now and wait for it. 'count': never start it (the pre-watchdog path,
   * for A/B measurements and tests).
   */
  hook?: 'auto' | 'eager' | 'count';
  /** onTick interval (tests use 0-1 ms to stress the arm/disarm protocol). */
  tickIntervalMs?: number;
  /** Test seam: offsets to verify instead of the known ones (a wrong one must fall back). */
  hookLayout?: Partial<HookLayout>;
}

export interface LuaVm {
  /** Runs a node's code synchronously: the code is a function body with `state` bound to the argument. */
  exec(code: string, state: unknown, options: ExecOptions): ExecOutcome;
  memory(): VmMemory;
  /** Frees the VM; returns its figures as they were just before freeing. */
  close(): VmMemory;
}

interface HeapAccount {
  used: number;
  peak: number;
  limit: number;
  /** An allocation was refused because of `limit` since the last reset. */
  refused: boolean;
}

export async function createLuaFactory(options: LuaFactoryOptions = {}): Promise<LuaFactory> {
  const loaded = await loadRawLua({ shareMemory: true });
  const factory = new Factory(loaded.raw);
  const hook = options.hook ?? hookFromEnv();
  factory.tickIntervalMs = options.tickIntervalMs ?? TICK_INTERVAL_MS;
  if (hook === 'count') {
    factory.watchdogOff = 'count hook asked for';
  } else if (!loaded.memory) {
    factory.watchdogOff = `memory not shared: ${loaded.notShared ?? 'unknown'}`;
  } else {
    const layout = { ...KNOWN_HOOK_LAYOUT, ...options.hookLayout };
    const problem = checkHookLayout(loaded.raw, layout);
    if (problem) factory.watchdogOff = `hook layout self-test failed: ${problem}`;
    else factory.allowWatchdog(loaded.memory, layout);
  }
  if (factory.watchdogOff && hook !== 'count')
    warnOnce(`Lua hook watchdog off (${factory.watchdogOff}); using the count hook`);
  if (hook === 'eager') await factory.startWatchdog()?.started;
  return factory;
}

/** FANOUT_LUA_HOOK=count keeps every exec on the count hook (an escape hatch, and A/B measurements). */
function hookFromEnv(): 'auto' | 'count' {
  return process.env['FANOUT_LUA_HOOK'] === 'count' ? 'count' : 'auto';
}

let warned = false;
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`[fanout ${process.pid}] ${message}\n`);
}

export async function openVm(factory: LuaFactory, limits: VmLimits): Promise<LuaVm> {
  return asFactory(factory).openVm(limits);
}

export function checkLuaSyntax(factory: LuaFactory, code: string, chunkName: string): SyntaxCheck {
  return asFactory(factory).checkSyntax(code, chunkName);
}

function asFactory(factory: LuaFactory): Factory {
  if (!(factory instanceof Factory)) throw new TypeError('not a LuaFactory from createLuaFactory()');
  return factory;
}

/** `name:3: boom` -> 3, when the prefix is (a Lua-truncated form of) the chunk name. */
export function errorLine(message: string, chunkName: string): number | undefined {
  const match = /^(.+?):(\d+):/.exec(message);
  if (!match || !chunkName.startsWith(match[1]!)) return undefined;
  return Number(match[2]);
}

class Factory implements LuaFactory {
  readonly marshal: Marshal;
  private readonly heaps = new Map<number, HeapAccount>();
  private nextHeapId = 1;
  private lastHeapId = 0;
  private lastHeap: HeapAccount | undefined;
  private openCount = 0;
  /** The VM whose Lua code is running (exec, or finalizers during close); callbacks act on it. */
  active: Vm | null = null;
  private syntaxState: LuaState = 0;
  private strippedSetup: Uint8Array | null = null;
  // C function pointers shared by all VMs (allocated once: the WASM function table never grows).
  readonly allocatorPointer: number;
  readonly hookPointer: number;
  private readonly callbackPointers: number[];
  tickIntervalMs = TICK_INTERVAL_MS;
  /** Why execs stay on the count hook; null while the watchdog may be used. */
  watchdogOff: string | null = null;
  private watchdogSetup: { memory: WasmMemory; layout: HookLayout } | null = null;
  watchdog: HookWatchdog | null = null;
  /** sizeof(CallInfo) once the watchdog may run (frees of that size check its hazard pointer). */
  private ciSize = -1;

  constructor(readonly raw: RawLua) {
    this.marshal = new Marshal(raw);
    this.allocatorPointer = raw.addFunction(this.allocate, 'iiiii');
    this.hookPointer = raw.addFunction((L: number) => this.requireActive().onHook(L), 'vii');
    this.callbackPointers = [
      raw.addFunction((L: number) => this.requireActive().emit(L), 'ii'),
      raw.addFunction((L: number) => this.requireActive().sleep(L), 'ii'),
      raw.addFunction((L: number) => this.requireActive().timedOut(L), 'ii'),
      raw.addFunction((L: number) => this.requireActive().fetchState(L), 'ii'),
      raw.addFunction((L: number) => this.requireActive().createThread(L), 'ii'),
    ];
  }

  stats(): FactoryStats {
    let luaHeapBytes = 0;
    for (const heap of this.heaps.values()) luaHeapBytes += heap.used;
    const watchdog = this.watchdog;
    const off = this.watchdogOff ?? watchdog?.failed ?? undefined;
    const hook: FactoryStats['hook'] = {
      path: this.readyWatchdog() ? 'watchdog' : 'count',
      arms: watchdog?.arms ?? 0,
      threadStarted: watchdog !== null,
      ...(off ? { off } : {}),
    };
    return { openVms: this.openCount, luaHeapBytes, wasmMemoryBytes: this.raw.HEAPU8.length, hook };
  }

  allowWatchdog(memory: WasmMemory, layout: HookLayout): void {
    this.watchdogSetup = { memory, layout };
  }

  /** Starts the watchdog thread once (it boots in parallel, also while this thread runs Lua). */
  startWatchdog(): HookWatchdog | null {
    if (this.watchdog || !this.watchdogSetup || this.watchdogOff) return this.watchdog;
    const { memory, layout } = this.watchdogSetup;
    try {
      // Called from inside a Lua hook too: nothing may throw through Lua frames from here.
      this.watchdog = new HookWatchdog({ memory, layout, hookPointer: this.hookPointer });
    } catch (error) {
      this.watchdogOff = `watchdog thread could not start: ${String(error)}`;
      return null;
    }
    this.ciSize = layout.ciSize;
    return this.watchdog;
  }

  /** The watchdog, when it is up and has not failed (then execs run hook-free). */
  readyWatchdog(): HookWatchdog | null {
    const watchdog = this.watchdog;
    return watchdog?.ready ? watchdog : null;
  }

  close(): void {
    this.watchdog?.close();
    this.watchdog = null;
    this.watchdogOff ??= 'factory closed';
  }

  /** lua_Alloc with a per-state heap account (ud = account id) and a hard cap. */
  private readonly allocate = (ud: number, pointer: number, oldSize: number, newSize: number): number => {
    // Consecutive allocations almost always come from the same state: skip the Map lookup then.
    let heap = this.lastHeap;
    if (ud !== this.lastHeapId || !heap) {
      heap = this.heaps.get(ud)!;
      this.lastHeapId = ud;
      this.lastHeap = heap;
    }
    // When pointer is NULL, oldSize encodes the object type, not a size.
    const previous = pointer ? oldSize : 0;
    if (newSize === 0) {
      if (pointer) {
        heap.used -= previous;
        // The watchdog thread may be writing a trap into this CallInfo right now (hook-watchdog.ts).
        if (oldSize === this.ciSize) this.watchdog?.beforeFree(pointer);
        this.raw._free(pointer);
      }
      return 0;
    }
    const next = heap.used - previous + newSize;
    if (newSize > previous && next > heap.limit) {
      heap.refused = true;
      return 0;
    }
    const result = this.raw._realloc(pointer, newSize);
    if (result) {
      heap.used = next;
      if (next > heap.peak) heap.peak = next;
    }
    return result;
  };

  private requireActive(): Vm {
    // Callbacks only run while Factory code has set `active`; anything else is a bug in this file.
    if (!this.active) throw new Error('Lua callback outside of a VM call');
    return this.active;
  }

  /** A fresh lua_State with its own heap account; `limit` applies from the start. */
  newState(limit: number): { L: LuaState; heapId: number; heap: HeapAccount } {
    const heapId = this.nextHeapId++;
    const heap: HeapAccount = { used: 0, peak: 0, limit, refused: false };
    this.heaps.set(heapId, heap);
    const L = this.raw._lua_newstate(this.allocatorPointer, heapId);
    if (!L) {
      this.heaps.delete(heapId);
      throw new Error('could not create a Lua state (out of memory)');
    }
    return { L, heapId, heap };
  }

  closeState(L: LuaState, heapId: number): void {
    this.raw._lua_close(L);
    this.heaps.delete(heapId);
    if (this.lastHeapId === heapId) this.lastHeap = undefined;
  }

  openVm(limits: VmLimits): Vm {
    const memoryBytes =
      limits.memoryBytes > 0 ? Math.min(limits.memoryBytes, MAX_MEMORY_BYTES) : DEFAULT_MEMORY_BYTES;
    // The libraries are opened with unprotected calls: no cap yet, so they cannot fail short of WASM OOM.
    const { L, heapId, heap } = this.newState(Infinity);
    const { raw, marshal } = this;
    const libraries: [(L: LuaState) => number, string][] = [
      [raw._luaopen_base, '_G'],
      [raw._luaopen_coroutine, 'coroutine'],
      [raw._luaopen_table, 'table'],
      [raw._luaopen_string, 'string'],
      [raw._luaopen_utf8, 'utf8'],
      [raw._luaopen_math, 'math'],
      [raw._luaopen_os, 'os'],
    ];
    for (const [open, name] of libraries) {
      open(L);
      raw._lua_setglobal(L, marshal.cstr(name));
    }
    const vm = new Vm(this, L, heapId, heap, memoryBytes);
    if (marshal.loadBinary(L, this.setupChunk(), '=sandbox') !== LUA_OK) {
      const message = marshal.readString(L, -1).text;
      this.closeState(L, heapId);
      throw new Error(`sandbox setup failed to compile: ${message}`);
    }
    for (const pointer of this.callbackPointers) raw._lua_pushcclosure(L, pointer, 0);
    this.active = vm;
    let status = raw._lua_pcallk(L, this.callbackPointers.length, 2, 0, 0, 0);
    if (status === LUA_OK) status = raw._lua_pcallk(L, 0, 0, 0, 0, 0); // the one-shot full GC
    this.active = null;
    if (status !== LUA_OK) {
      const message = marshal.readString(L, -1).text;
      this.closeState(L, heapId);
      throw new Error(`sandbox setup failed: ${message}`);
    }
    vm.runnerRef = raw._luaL_ref(L, LUA_REGISTRYINDEX);
    heap.limit = memoryBytes;
    this.openCount++;
    return vm;
  }

  /**
   * The sandbox setup, compiled once per module and dumped without debug info. Every VM loads these
   * bytes instead of the source: no parser run and no parser garbage per VM, and protos without line
   * and local-name tables (the setup's errors carry no position of their own: they use level 0 or 2).
   */
  private setupChunk(): Uint8Array {
    if (this.strippedSetup) return this.strippedSetup;
    const { raw, marshal } = this;
    const { L, heapId } = this.newState(Infinity);
    try {
      raw._luaopen_string(L);
      raw._lua_getfield(L, -1, marshal.cstr('dump'));
      let status = marshal.load(L, SANDBOX_SETUP, '=sandbox');
      if (status === LUA_OK) {
        raw._lua_pushboolean(L, 1); // strip
        status = raw._lua_pcallk(L, 2, 1, 0, 0, 0);
      }
      if (status !== LUA_OK)
        throw new Error(`sandbox setup failed to compile: ${marshal.readString(L, -1).text}`);
      this.strippedSetup = marshal.readBytes(L, -1);
      return this.strippedSetup;
    } finally {
      this.closeState(L, heapId);
    }
  }

  vmClosed(): void {
    this.openCount--;
  }

  checkSyntax(code: string, chunkName: string): SyntaxCheck {
    if (!this.syntaxState) this.syntaxState = this.newState(DEFAULT_MEMORY_BYTES).L;
    const L = this.syntaxState;
    const status = this.marshal.load(L, PRELUDE + code, `=${chunkName}`);
    const message =
      status === LUA_OK ? '' : boundedMessage(this.marshal.readString(L, -1, MAX_ERROR_MESSAGE_CHARS));
    this.raw._lua_settop(L, 0);
    this.marshal.shrink();
    if (status === LUA_OK) return { ok: true };
    if (status === LUA_ERRMEM)
      return { ok: false, message: `${chunkName}: memory limit exceeded while compiling` };
    const line = errorLine(message, chunkName);
    return line === undefined ? { ok: false, message } : { ok: false, message, line };
  }
}

class Vm implements LuaVm {
  runnerRef = 0;
  private closed = false;
  /** Set when a JS exception unwound through Lua: the state is inconsistent and is never touched again. */
  private broken = false;
  // Per-exec state, read by the callbacks.
  private deadline = Infinity;
  private timeoutMs = 0;
  private didTimeOut = false;
  private lastTick = 0;
  /** This exec's first tick is early and has not come yet (ExecOptions.firstTickMs). */
  private earlyTick = false;
  private execStarted = 0;
  /** Count-hook calls on the main thread this exec (each is HOOK_INSTRUCTIONS instructions). */
  private countHooks = 0;
  /** This exec runs hook-free under the factory's watchdog (else under the count hook). */
  private watched = false;
  private onTick: (() => void) | undefined;
  private logs: string[] = [];
  private droppedLogs = 0;
  private stateJson = 'null';

  constructor(
    private readonly factory: Factory,
    private readonly L: LuaState,
    private readonly heapId: number,
    private readonly heap: HeapAccount,
    private readonly memoryBytes: number,
  ) {}

  memory(): VmMemory {
    return { heapBytes: this.heap.used, peakHeapBytes: this.heap.peak };
  }

  close(): VmMemory {
    const figures = this.memory();
    if (this.closed) return figures;
    this.closed = true;
    this.factory.vmClosed();
    if (this.broken) return figures;
    // lua_close runs pending __gc finalizers (user code): give them no time at all. No hook is left
    // on the state between execs, so set the every-instruction one here.
    this.beginCall(-Infinity, 0, undefined);
    try {
      this.factory.raw._lua_sethook(this.L, this.factory.hookPointer, LUA_MASKCOUNT, 1);
      this.factory.closeState(this.L, this.heapId);
    } finally {
      this.factory.active = null;
    }
    return figures;
  }

  exec(code: string, state: unknown, options: ExecOptions): ExecOutcome {
    if (this.closed || this.broken) throw new Error('exec on a closed Lua VM');
    if (this.factory.active) throw new Error('exec is not re-entrant: another VM call is running');
    const started = performance.now();
    const { raw, marshal } = this.factory;
    const L = this.L;
    const timeoutMs =
      options.timeoutMs > 0 ? Math.min(options.timeoutMs, MAX_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS;
    this.beginCall(started + timeoutMs, timeoutMs, options.onTick, options.firstTickMs);
    this.logs = [];
    this.droppedLogs = 0;
    const done = (result: { ok: true; value: unknown } | { ok: false; error: LuaFailure }): ExecOutcome => ({
      ...result,
      logs: this.finishLogs(),
      elapsedMs: performance.now() - started,
    });
    try {
      this.stateJson = JSON.stringify(state === undefined ? null : state) ?? 'null';
    } catch (error) {
      this.factory.active = null;
      return done({
        ok: false,
        error: { kind: 'conversion', message: `state is not JSON: ${String(error)}` },
      });
    }
    const top = raw._lua_gettop(L);
    try {
      this.startHook(started);
      raw._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(this.runnerRef));
      const loadStatus = marshal.load(L, PRELUDE + code, `=${options.chunkName}`);
      if (loadStatus !== LUA_OK)
        return done({ ok: false, error: this.loadFailure(loadStatus, options.chunkName) });
      const status = raw._lua_pcallk(L, 1, 2, 0, 0, 0);
      return done(this.outcome(status, options.chunkName, performance.now() - started));
    } catch (error) {
      // Only a bug in a JS callback gets here (Lua errors are longjmps caught inside lua_pcallk).
      this.broken = true;
      return done({
        ok: false,
        error: { kind: 'error', message: `internal error in the Lua host: ${String(error)}` },
      });
    } finally {
      this.endHook();
      if (!this.broken) raw._lua_settop(L, top);
      this.stateJson = 'null';
      this.factory.active = null;
      marshal.shrink();
    }
  }

  private beginCall(
    deadline: number,
    timeoutMs: number,
    onTick: (() => void) | undefined,
    firstTickMs?: number,
  ): void {
    this.deadline = deadline;
    this.timeoutMs = timeoutMs;
    this.didTimeOut = false;
    this.heap.refused = false;
    this.lastTick = performance.now();
    this.execStarted = this.lastTick;
    // An early first tick: due once `firstTickMs` have passed (ticks come when tickIntervalMs have).
    this.earlyTick = onTick !== undefined && firstTickMs !== undefined;
    if (this.earlyTick) this.lastTick -= this.factory.tickIntervalMs - Math.max(0, firstTickMs!);
    this.countHooks = 0;
    this.onTick = onTick;
    this.factory.active = this;
  }

  /**
   * Hook-free under a ready watchdog, else the instruction-count hook (see onHook). An early first
   * tick starts on the count hook too: the watchdog would arm only at the next full interval.
   */
  private startHook(now: number): void {
    const watchdog = this.earlyTick ? null : this.factory.readyWatchdog();
    if (watchdog) {
      this.watched = true;
      watchdog.watch(this.L, this.deadline, now + this.factory.tickIntervalMs);
    } else {
      this.factory.raw._lua_sethook(this.L, this.factory.hookPointer, LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
    }
  }

  /** No hook, armed or not, outlives the exec (the watchdog is told first, so it cannot arm after). */
  private endHook(): void {
    const clear = () => {
      if (!this.broken) this.factory.raw._lua_sethook(this.L, 0, 0, 0);
    };
    const watchdog = this.factory.watchdog;
    if (this.watched && watchdog) watchdog.stop(clear);
    else clear();
    this.watched = false;
  }

  /**
   * The deadline has passed: from now on every instruction of the main thread traps, so code that
   * swallows the error (finalizers, load readers, <close> handlers) cannot keep running.
   */
  private markTimedOut(): void {
    if (this.didTimeOut) return;
    this.didTimeOut = true;
    const { raw, hookPointer } = this.factory;
    const setHook = () => raw._lua_sethook(this.L, hookPointer, LUA_MASKCOUNT, 1);
    const watchdog = this.factory.watchdog;
    if (this.watched && watchdog) watchdog.timedOut(setHook);
    else setHook();
  }

  private loadFailure(status: number, chunkName: string): LuaFailure {
    if (status === LUA_ERRMEM) return this.memoryFailure();
    const message = this.readMessage(-1);
    const line = errorLine(message, chunkName);
    const kind = status === LUA_ERRSYNTAX ? 'syntax' : 'error';
    return line === undefined ? { kind, message } : { kind, message, line };
  }

  private memoryFailure(): LuaFailure {
    return { kind: 'memory', message: `memory limit exceeded (${formatBytes(this.memoryBytes)})` };
  }

  /** Classifies the runner's result: timeout beats memory beats everything else. */
  private outcome(
    status: number,
    chunkName: string,
    elapsedMs: number,
  ): { ok: true; value: unknown } | { ok: false; error: LuaFailure } {
    if (this.didTimeOut || elapsedMs > this.timeoutMs) {
      return {
        ok: false,
        error: { kind: 'timeout', message: `${TIMEOUT_TEXT} (exceeded ${this.timeoutMs} ms)` },
      };
    }
    const { marshal, raw } = this.factory;
    const L = this.L;
    if (status !== LUA_OK) {
      if (status === LUA_ERRMEM || this.heap.refused) return { ok: false, error: this.memoryFailure() };
      const message =
        raw._lua_type(L, -1) === LUA_TSTRING ? this.readMessage(-1) : 'error in the Lua host runner';
      return { ok: false, error: { kind: 'error', message } };
    }
    const tag = marshal.readString(L, -2).text;
    if (tag === 'ok') return this.result(chunkName);
    if (tag === 'too-deep') {
      const message = `result of node '${chunkName}' is nested deeper than ${MAX_VALUE_DEPTH} levels`;
      return { ok: false, error: { kind: 'limit', message } };
    }
    const text = this.readMessage(-1);
    if (this.heap.refused && text.includes(LUA_OOM_TEXT)) return { ok: false, error: this.memoryFailure() };
    if (tag === 'conversion') return { ok: false, error: { kind: 'conversion', message: text } };
    const line = errorLine(text, chunkName);
    return {
      ok: false,
      error: line === undefined ? { kind: 'error', message: text } : { kind: 'error', message: text, line },
    };
  }

  /** The node's JSON result, refused when larger than a state may be (it crosses to the host). */
  private result(chunkName: string): { ok: true; value: unknown } | { ok: false; error: LuaFailure } {
    const { text, byteLength } = this.factory.marshal.readString(this.L, -1, MAX_STATE_BYTES + 1);
    if (byteLength > MAX_STATE_BYTES) {
      const message = `result of node '${chunkName}' is larger than ${formatSize(MAX_STATE_BYTES)}`;
      return { ok: false, error: { kind: 'limit', message } };
    }
    return { ok: true, value: JSON.parse(text) as unknown };
  }

  /**
   * An error message from the Lua stack, cut to MAX_ERROR_MESSAGE_CHARS where it is produced: it
   * travels on through parallel_results, events and stdout (`error(string.rep('x', 1e7))`).
   */
  private readMessage(index: number): string {
    return boundedMessage(this.factory.marshal.readString(this.L, index, MAX_ERROR_MESSAGE_CHARS));
  }

  private finishLogs(): string[] {
    const logs = this.logs;
    if (this.droppedLogs > 0) {
      logs.push(`… ${this.droppedLogs} more line(s) not shown (limit ${MAX_LOG_LINES} lines)`);
    }
    this.logs = [];
    return logs;
  }

  private tick(now = performance.now()): void {
    this.lastTick = now;
    this.earlyTick = false;
    try {
      this.onTick?.();
    } catch {
      // A throwing listener must not unwind through Lua frames; samples are best-effort.
    }
  }

  /** Raises a Lua error with `message` from inside a C callback (longjmps; never returns). */
  private raise(L: LuaState, message: string): never {
    this.factory.marshal.pushString(L, message);
    this.factory.raw._lua_error(L);
    throw new Error('lua_error returned');
  }

  private passedDeadline(): boolean {
    if (!this.didTimeOut && performance.now() >= this.deadline) this.markTimedOut();
    return this.didTimeOut;
  }

  /** A coroutine (never the main thread) that timed out traps on every instruction too. */
  private trapThread(L: LuaState): void {
    if (L !== this.L) this.factory.raw._lua_sethook(L, this.factory.hookPointer, LUA_MASKCOUNT, 1);
  }

  // ---- C callbacks (lua_CFunction / lua_Hook), called by Lua through the factory's pointers ----

  /**
   * The one hook. On the main thread of a watched exec it was armed by the watchdog (a tick or the
   * deadline) and is unset again after a tick; on a coroutine it is the permanent count hook
   * (createThread); on the main thread of an unwatched exec, the count hook, which hands the exec over
   * to the watchdog once that is up (and starts it when the exec runs long enough).
   */
  onHook(L: LuaState): void {
    if (this.passedDeadline()) {
      this.trapThread(L);
      this.raise(L, TIMEOUT_TEXT);
    }
    const now = performance.now();
    const main = L === this.L;
    const { raw, tickIntervalMs } = this.factory;
    if (main && this.watched) {
      this.tick(now);
      this.factory.watchdog?.rearm(now + tickIntervalMs, () => raw._lua_sethook(L, 0, 0, 0));
      return;
    }
    if (now - this.lastTick >= tickIntervalMs) this.tick(now);
    // Until an early first tick has come, stay on this hook (it is what will bring that tick).
    if (!main || this.earlyTick) return;
    const watchdog = this.factory.readyWatchdog();
    if (watchdog) {
      raw._lua_sethook(L, 0, 0, 0);
      this.watched = true;
      watchdog.watch(L, this.deadline, this.lastTick + tickIntervalMs);
    } else if (
      ++this.countHooks >= WATCHDOG_START_AFTER_HOOKS &&
      now - this.execStarted >= WATCHDOG_START_AFTER_MS
    ) {
      this.factory.startWatchdog();
    }
  }

  /**
   * coroutine.create (luaB_cocreate, plus a hook): the new thread gets the count hook for good, since
   * a hook armed on the main thread does not reach a running coroutine (lua_newthread copies the
   * creator's hook once, at creation).
   */
  createThread(L: LuaState): number {
    const { raw, hookPointer } = this.factory;
    raw._luaL_checktype(L, 1, LUA_TFUNCTION);
    const co = raw._lua_newthread(L);
    raw._lua_pushvalue(L, 1);
    raw._lua_xmove(L, co, 1);
    raw._lua_sethook(co, hookPointer, LUA_MASKCOUNT, this.didTimeOut ? 1 : HOOK_INSTRUCTIONS);
    return 1;
  }

  emit(L: LuaState): number {
    if (this.logs.length >= MAX_LOG_LINES) {
      this.droppedLogs++;
      return 0;
    }
    const { text, byteLength } = this.factory.marshal.readString(L, 1, MAX_LOG_LINE_BYTES);
    this.logs.push(
      byteLength > MAX_LOG_LINE_BYTES
        ? `${text.replace(/\uFFFD$/, '')}… [line truncated, ${byteLength} bytes]`
        : text,
    );
    return 0;
  }

  sleep(L: LuaState): number {
    const ms = this.factory.raw._lua_tonumberx(L, 1, 0);
    if (this.earlyTick) this.tick(); // the caller's waiting replies leave before the wait
    if (sleepUntil(ms, this.deadline, () => this.tick()) === 'timeout') {
      this.markTimedOut();
      this.trapThread(L);
      this.raise(L, TIMEOUT_TEXT);
    }
    return 0;
  }

  timedOut(L: LuaState): number {
    this.factory.raw._lua_pushboolean(L, this.passedDeadline() ? 1 : 0);
    return 1;
  }

  fetchState(L: LuaState): number {
    this.factory.marshal.pushString(L, this.stateJson);
    return 1;
  }
}

/** A message read with a MAX_ERROR_MESSAGE_CHARS byte limit, saying how much was cut. */
function boundedMessage({ text, byteLength }: { text: string; byteLength: number }): string {
  if (byteLength <= MAX_ERROR_MESSAGE_CHARS) return text;
  // A cut inside a multi-byte character decodes to U+FFFD: drop it.
  return `${text.replace(/\uFFFD$/, '')}… [${byteLength - MAX_ERROR_MESSAGE_CHARS} more bytes cut]`;
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}
