// Typed access to the raw Emscripten exports of wasmoon's Lua 5.4 build. We bypass wasmoon's LuaEngine
// (its JS interop globals, proxies and per-engine type extensions) and drive the C API directly: that
// keeps the sandbox small, the per-VM heap tiny and every call synchronous.
import { LuaFactory as WasmoonFactory } from 'wasmoon';

/** A `lua_State*` (a pointer into WASM memory). */
export type LuaState = number;

/** The subset of the Emscripten module we call. Pointers and sizes are plain numbers (wasm32). */
export interface RawLua {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  _realloc(pointer: number, size: number): number;
  addFunction(fn: (...args: number[]) => number | void, signature: string): number;
  removeFunction(pointer: number): void;

  _lua_newstate(allocator: number, ud: number): LuaState;
  _lua_close(L: LuaState): void;
  _lua_gettop(L: LuaState): number;
  _lua_settop(L: LuaState, index: number): void;
  _lua_type(L: LuaState, index: number): number;
  _lua_tolstring(L: LuaState, index: number, lengthOut: number): number;
  _lua_tonumberx(L: LuaState, index: number, isNumOut: number): number;
  _lua_toboolean(L: LuaState, index: number): number;
  _lua_pushlstring(L: LuaState, bytes: number, length: number): number;
  _lua_pushboolean(L: LuaState, value: number): void;
  _lua_pushcclosure(L: LuaState, fn: number, upvalues: number): void;
  _lua_setglobal(L: LuaState, name: number): void;
  _lua_getfield(L: LuaState, index: number, key: number): number;
  _lua_setfield(L: LuaState, index: number, key: number): void;
  _lua_rawgeti(L: LuaState, index: number, n: bigint): number;
  _luaL_ref(L: LuaState, index: number): number;
  _lua_pcallk(L: LuaState, nargs: number, nresults: number, msgh: number, ctx: number, k: number): number;
  _lua_error(L: LuaState): number;
  _lua_sethook(L: LuaState, hook: number, mask: number, count: number): void;
  _lua_newthread(L: LuaState): LuaState;
  _lua_pushvalue(L: LuaState, index: number): void;
  _lua_xmove(from: LuaState, to: LuaState, n: number): void;
  _luaL_checktype(L: LuaState, arg: number, type: number): void;
  _luaL_loadbufferx(L: LuaState, buffer: number, size: number, name: number, mode: number): number;
  _luaopen_base(L: LuaState): number;
  _luaopen_coroutine(L: LuaState): number;
  _luaopen_table(L: LuaState): number;
  _luaopen_string(L: LuaState): number;
  _luaopen_utf8(L: LuaState): number;
  _luaopen_math(L: LuaState): number;
  _luaopen_os(L: LuaState): number;
}

export const LUA_OK = 0;
export const LUA_ERRSYNTAX = 3;
export const LUA_ERRMEM = 4;
export const LUA_TNIL = 0;
export const LUA_TNUMBER = 3;
export const LUA_TSTRING = 4;
export const LUA_TFUNCTION = 6;
export const LUA_MASKCALL = 1;
export const LUA_MASKCOUNT = 8;
/** LUAI_MAXSTACK = 1e6 in this build (wasmoon exports the same constant). */
export const LUA_REGISTRYINDEX = -1_000_000 - 1000;

/** A WebAssembly.Memory (Node has the API; this project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

type Instantiate = (
  source: unknown,
  imports?: unknown,
) => Promise<{ instance: { exports: Record<string, unknown> } }>;
interface WasmApi {
  instantiate: Instantiate;
  Memory: abstract new (...args: never[]) => WasmMemory;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The module and, when it could be made shared, its memory (a second thread can then arm the hook). */
export interface LoadedLua {
  raw: RawLua;
  memory: WasmMemory | null;
  /** Why `memory` is null. */
  notShared?: string;
}

/** Loads run one at a time: each swaps WebAssembly.instantiate for its duration. */
let loading: Promise<unknown> = Promise.resolve();

/**
 * Loads (compiles and instantiates) the WASM module once; every VM of a factory lives in it. With
 * `shareMemory`, glue.wasm's memory is declared shared on the way in (the bytes wasmoon's glue reads
 * with fs are patched as they reach WebAssembly.instantiate; no patched file ships) and the Memory
 * object is captured, so a watchdog thread can switch the instruction hook on (hook-watchdog.ts).
 * Anything unexpected loads the module exactly as before, with `memory: null`.
 */
export async function loadRawLua(options: { shareMemory?: boolean } = {}): Promise<LoadedLua> {
  const previous = loading;
  let done!: () => void;
  loading = new Promise<void>((resolve) => (done = resolve));
  await previous;
  try {
    if (!options.shareMemory) return { raw: await loadModule(), memory: null, notShared: 'not asked for' };
    return await loadShared();
  } finally {
    done();
  }
}

async function loadModule(): Promise<RawLua> {
  const luaWasm = await new WasmoonFactory().getLuaModule();
  return luaWasm.module as unknown as RawLua;
}

async function loadShared(): Promise<LoadedLua> {
  const refused = sharedViewsRefused();
  if (refused) return { raw: await loadModule(), memory: null, notShared: refused };
  const original = wasmApi.instantiate;
  let captured: WasmMemory | null = null;
  let notShared = 'WebAssembly.instantiate was not called with the module bytes';
  // One call only: the first one is the glue's (it reads glue.wasm with fs, then instantiates).
  const patched: Instantiate = async (source, imports) => {
    wasmApi.instantiate = original;
    if (!ArrayBuffer.isView(source) && !(source instanceof ArrayBuffer)) {
      notShared = 'WebAssembly.instantiate was called with a compiled module';
      return original(source, imports);
    }
    const shared = withSharedMemory(
      source instanceof ArrayBuffer
        ? new Uint8Array(source)
        : new Uint8Array(source.buffer, source.byteOffset, source.byteLength),
    );
    if (typeof shared === 'string') {
      notShared = shared;
      return original(source, imports);
    }
    const result = await original(shared, imports);
    const memory = result.instance.exports.memory;
    if (memory instanceof wasmApi.Memory) captured = memory;
    else notShared = 'the module exports no memory';
    return result;
  };
  wasmApi.instantiate = patched;
  try {
    const raw = await loadModule();
    // The captured memory must be the one this module's views are made from.
    if (captured && (captured as WasmMemory).buffer !== raw.HEAPU8.buffer) {
      return { raw, memory: null, notShared: 'the captured memory is not the module’s' };
    }
    return captured ? { raw, memory: captured } : { raw, memory: null, notShared };
  } finally {
    if (wasmApi.instantiate === patched) wasmApi.instantiate = original;
  }
}

/** Strings are decoded straight from WASM memory: the decoder must accept shared views (Node's does). */
function sharedViewsRefused(): string | null {
  try {
    new TextDecoder().decode(new Uint8Array(new SharedArrayBuffer(1)));
    return null;
  } catch (error) {
    return `TextDecoder refuses shared memory (${String(error)})`;
  }
}

/**
 * A copy of `bytes` whose one defined memory is declared shared (limits flag 0x01 -> 0x03; a shared
 * memory needs a maximum, which 0x01 has), found by walking the section headers; or why not.
 */
export function withSharedMemory(bytes: Uint8Array): Uint8Array | string {
  const MAGIC = [0x00, 0x61, 0x73, 0x6d];
  if (bytes.length < 8 || MAGIC.some((byte, i) => bytes[i] !== byte)) return 'not a WebAssembly binary';
  let at = 8;
  const leb = (): number => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = bytes[at++];
      if (byte === undefined) throw new RangeError('truncated LEB128');
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
    }
    throw new RangeError('LEB128 too long');
  };
  try {
    while (at < bytes.length) {
      const id = bytes[at++]!;
      const size = leb();
      const end = at + size;
      if (end > bytes.length) return 'a section runs past the end';
      if (id === 5) {
        if (leb() !== 1) return 'the module does not define exactly one memory';
        const flagsAt = at;
        if (bytes[flagsAt] !== 0x01)
          return `memory limits flag is 0x${bytes[flagsAt]!.toString(16)}, not 0x01`;
        const copy = bytes.slice();
        copy[flagsAt] = 0x03;
        return copy;
      }
      at = end;
    }
    return 'no memory section';
  } catch (error) {
    return `cannot read the module (${String(error)})`;
  }
}

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/**
 * String marshalling on one module. C strings for fixed names are allocated once and kept; a single
 * scratch buffer (grown as needed) carries the variable strings, so exec does no per-call malloc churn.
 */
export class Marshal {
  private readonly names = new Map<string, number>();
  private scratch = 0;
  private scratchSize = 0;
  private readonly lengthOut: number;

  constructor(readonly raw: RawLua) {
    this.lengthOut = raw._malloc(8);
  }

  /** A NUL-terminated constant string, allocated once per module. */
  cstr(text: string): number {
    let pointer = this.names.get(text);
    if (pointer === undefined) {
      const bytes = utf8Encoder.encode(text);
      pointer = this.raw._malloc(bytes.length + 1);
      this.raw.HEAPU8.set(bytes, pointer);
      this.raw.HEAPU8[pointer + bytes.length] = 0;
      this.names.set(text, pointer);
    }
    return pointer;
  }

  /** Copies `text` into the scratch buffer; valid until the next call. Returns [pointer, byteLength]. */
  stage(text: string): [number, number] {
    const bytes = utf8Encoder.encode(text);
    const pointer = this.stageBytes(bytes);
    this.raw.HEAPU8[pointer + bytes.length] = 0;
    return [pointer, bytes.length];
  }

  /** Copies `bytes` into the scratch buffer; valid until the next call. Returns its pointer. */
  stageBytes(bytes: Uint8Array): number {
    if (bytes.length + 1 > this.scratchSize) {
      if (this.scratch) this.raw._free(this.scratch);
      this.scratchSize = Math.max(bytes.length + 1, 2 * this.scratchSize, 4096);
      this.scratch = this.raw._malloc(this.scratchSize);
      if (!this.scratch) {
        this.scratchSize = 0;
        throw new Error('out of WASM memory staging a string for Lua');
      }
    }
    this.raw.HEAPU8.set(bytes, this.scratch);
    return this.scratch;
  }

  /** A copy of the raw bytes of the string at `index` (binary-safe, unlike readString). */
  readBytes(L: LuaState, index: number): Uint8Array {
    const pointer = this.raw._lua_tolstring(L, index, this.lengthOut);
    if (!pointer) return new Uint8Array(0);
    const byteLength = this.raw.HEAPU32[this.lengthOut >> 2]!;
    return this.raw.HEAPU8.slice(pointer, pointer + byteLength);
  }

  /**
   * Loads a precompiled chunk made by `string.dump` in this same module (mode 'b': the host's own
   * chunks only; user code always goes through load() above, text only).
   */
  loadBinary(L: LuaState, chunk: Uint8Array, chunkName: string): number {
    const pointer = this.stageBytes(chunk);
    return this.raw._luaL_loadbufferx(L, pointer, chunk.length, this.cstr(chunkName), this.cstr('b'));
  }

  /** Releases the scratch buffer after a large transfer so one big state does not pin memory. */
  shrink(): void {
    if (this.scratchSize > 1 << 20) {
      this.raw._free(this.scratch);
      this.scratch = 0;
      this.scratchSize = 0;
    }
  }

  pushString(L: LuaState, text: string): void {
    const [pointer, length] = this.stage(text);
    this.raw._lua_pushlstring(L, pointer, length);
  }

  /** Reads the string at `index` (numbers are converted by Lua); at most `maxBytes` bytes are decoded. */
  readString(L: LuaState, index: number, maxBytes = Infinity): { text: string; byteLength: number } {
    const pointer = this.raw._lua_tolstring(L, index, this.lengthOut);
    if (!pointer) return { text: '', byteLength: 0 };
    const byteLength = this.raw.HEAPU32[this.lengthOut >> 2]!;
    const end = pointer + Math.min(byteLength, maxBytes);
    return { text: utf8Decoder.decode(this.raw.HEAPU8.subarray(pointer, end)), byteLength };
  }

  /** Compiles `source` as a text chunk; on success the function is on the stack. Returns the status. */
  load(L: LuaState, source: string, chunkName: string): number {
    const nameBytes = utf8Encoder.encode(chunkName);
    const name = this.raw._malloc(nameBytes.length + 1);
    try {
      this.raw.HEAPU8.set(nameBytes, name);
      this.raw.HEAPU8[name + nameBytes.length] = 0;
      const [pointer, length] = this.stage(source);
      return this.raw._luaL_loadbufferx(L, pointer, length, name, this.cstr('t'));
    } finally {
      this.raw._free(name);
    }
  }
}
