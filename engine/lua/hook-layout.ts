// Where Lua 5.4 keeps its hook fields in wasmoon's wasm32 build, and a self-test that checks them on
// the running module before a second thread is allowed to write them (hook-watchdog.ts). The offsets
// are not part of Lua's API, so they are verified, never trusted: a wrong layout means the watchdog is
// not used and every exec keeps the instruction-count hook (slower, always safe).
import { LUA_MASKCOUNT, LUA_OK, type LuaState, type RawLua } from './wasm.ts';

/** Byte offsets inside `lua_State` and `CallInfo`, plus what a CallInfo's size and C flag are. */
export interface HookLayout {
  /** lua_State.hook (lua_Hook). */
  hook: number;
  /** lua_State.basehookcount, hookcount (int) and hookmask (sig_atomic_t, an int here). */
  baseHookCount: number;
  hookCount: number;
  hookMask: number;
  /** lua_State.ci: the running CallInfo. */
  ci: number;
  /** lua_State.base_ci, embedded in the state (L->ci points at it between calls). */
  baseCi: number;
  /** CallInfo.u.l.trap (a Lua frame re-reads it at every loop jump: "allows a signal to break the loop"). */
  trap: number;
  /** CallInfo.callstatus (unsigned short) and its CIST_C bit (the frame is a C function). */
  callStatus: number;
  cistC: number;
  /** sizeof(CallInfo): frees of this size are checked against the watchdog's hazard pointer. */
  ciSize: number;
}

/** Measured on wasmoon 1.16's glue.wasm with a lua_sethook diff (see checkHookLayout). */
export const KNOWN_HOOK_LAYOUT: HookLayout = {
  hook: 88,
  baseHookCount: 104,
  hookCount: 108,
  hookMask: 112,
  ci: 20,
  baseCi: 52,
  trap: 20,
  callStatus: 34,
  cistC: 2,
  ciSize: 36,
};

/** A chunk that nests Lua frames (each beyond the first gets a freshly allocated CallInfo) and loops. */
const PROBE_CHUNK =
  'local function f(n) if n > 0 then return 1 + f(n - 1) end local x = 0 for i = 1, 20 do x = x + i end return x end return f(8)';

/**
 * Verifies `layout` on a scratch state of this module: a lua_sethook diff must change exactly the
 * hook fields at their offsets (and L->ci must be &L->base_ci at rest, a C frame), and inside a count
 * hook while Lua runs, L->ci must be a Lua frame the allocator handed out with `ciSize` bytes whose
 * trap is 1. Returns null when all holds, else what did not.
 */
export function checkHookLayout(raw: RawLua, layout: HookLayout): string | null {
  const allocations = new Map<number, number>();
  const allocate = (_ud: number, pointer: number, oldSize: number, newSize: number): number => {
    if (newSize === 0) {
      if (pointer) {
        allocations.delete(pointer);
        raw._free(pointer);
      }
      return 0;
    }
    const result = raw._realloc(pointer, newSize);
    if (result) {
      if (pointer) allocations.delete(pointer);
      allocations.set(result, newSize);
    }
    return result;
  };
  let L: LuaState = 0;
  const problems: string[] = [];
  const word = (address: number) => raw.HEAPU32[address >> 2]!;
  const half = (address: number) => raw.HEAPU8[address]! | (raw.HEAPU8[address + 1]! << 8);
  const probe = (state: number) => {
    if (state !== L || problems.length) return;
    const ci = word(L + layout.ci);
    if (ci === L + layout.baseCi) return; // between frames: nothing to check
    if (allocations.get(ci) !== layout.ciSize) problems.push(`L->ci is not a ${layout.ciSize}-byte block`);
    else if (half(ci + layout.callStatus) & layout.cistC) problems.push('L->ci is a C frame inside Lua');
    else if (word(ci + layout.trap) !== 1) problems.push('the running frame has no trap set');
  };
  const allocatorPointer = raw.addFunction(allocate, 'iiiii');
  const hookPointer = raw.addFunction(probe, 'vii');
  try {
    L = raw._lua_newstate(allocatorPointer, 0);
    if (!L) return 'could not create a scratch Lua state';
    const span = Math.max(layout.hook, layout.baseHookCount, layout.hookCount, layout.hookMask) + 4;
    const before = raw.HEAPU32.slice(L >> 2, (L + span) >> 2);
    raw._lua_sethook(L, hookPointer, LUA_MASKCOUNT, 12345);
    const after = raw.HEAPU32.slice(L >> 2, (L + span) >> 2);
    const expected = new Map([
      [layout.hook, hookPointer],
      [layout.baseHookCount, 12345],
      [layout.hookCount, 12345],
      [layout.hookMask, LUA_MASKCOUNT],
    ]);
    for (let offset = 0; offset < span; offset += 4) {
      const want = expected.get(offset);
      const got = after[offset >> 2];
      if (want !== undefined ? got !== want : got !== before[offset >> 2])
        return `lua_sethook did not write the fields where expected (offset ${offset})`;
    }
    if (word(L + layout.ci) !== L + layout.baseCi) return 'L->ci is not &L->base_ci at rest';
    if (!(half(L + layout.baseCi + layout.callStatus) & layout.cistC)) return 'base_ci is not a C frame';
    raw._lua_sethook(L, 0, 0, 0);
    if (word(L + layout.hookMask) !== 0 || word(L + layout.hook) !== 0) return 'lua_sethook(0) left a hook';

    raw._lua_sethook(L, hookPointer, LUA_MASKCOUNT, 1);
    const source = new TextEncoder().encode(PROBE_CHUNK);
    const buffer = raw._malloc(source.length + 1);
    raw.HEAPU8.set(source, buffer);
    raw.HEAPU8[buffer + source.length] = 0;
    let status = raw._luaL_loadbufferx(L, buffer, source.length, 0, 0);
    raw._free(buffer);
    if (status === LUA_OK) status = raw._lua_pcallk(L, 0, 1, 0, 0, 0);
    if (status !== LUA_OK) return 'the probe chunk failed';
    if (raw._lua_tonumberx(L, -1, 0) !== 218) return 'the probe chunk returned a wrong value';
    return problems[0] ?? null;
  } catch (error) {
    return `self-test threw: ${String(error)}`;
  } finally {
    if (L) raw._lua_close(L);
    raw.removeFunction(hookPointer);
    raw.removeFunction(allocatorPointer);
  }
}
