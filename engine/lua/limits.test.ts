// Timeouts (instruction hook, unswallowable), sleep, and the per-VM memory cap, on real wasmoon.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ExecOutcome } from './types.ts';
import { createLuaFactory, openVm, type LuaFactory, type LuaVm } from './vm.ts';

const TIMEOUT_MS = 300;
/** Generous margin for 2 noisy cores: the hook checks every 1000 instructions. */
const MARGIN_MS = 700;

let factory: LuaFactory;
let vm: LuaVm;

beforeAll(async () => {
  factory = await createLuaFactory();
});
beforeEach(async () => {
  vm = await openVm(factory, { memoryBytes: 32 * 1024 * 1024 });
});
afterEach(() => {
  vm.close();
});

function timed(
  code: string,
  timeoutMs = TIMEOUT_MS,
  onTick?: () => void,
): { outcome: ExecOutcome; wallMs: number } {
  const started = performance.now();
  const outcome = vm.exec(code, {}, { chunkName: 'slow', timeoutMs, ...(onTick ? { onTick } : {}) });
  return { outcome, wallMs: performance.now() - started };
}

function expectTimeout({ outcome, wallMs }: { outcome: ExecOutcome; wallMs: number }): void {
  expect(outcome.ok).toBe(false);
  if (outcome.ok) return;
  expect(outcome.error.kind).toBe('timeout');
  expect(outcome.error.message).toContain('execution timeout');
  expect(wallMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
  expect(wallMs).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
}

describe('timeout', () => {
  it('stops a plain infinite loop', () => {
    expectTimeout(timed('while true do end'));
  });

  it('cannot be swallowed by pcall, even in a retry loop', () => {
    expectTimeout(timed('while true do pcall(function() while true do end end) end'));
    expectTimeout(timed('while true do local ok, e = pcall(error, "x") end'));
  });

  it('cannot be swallowed by xpcall with a handler that loops too', () => {
    expectTimeout(
      timed('while true do xpcall(function() while true do end end, function() while true do end end) end'),
    );
  });

  it('stops loops inside coroutines (wrap and resume)', () => {
    expectTimeout(timed('coroutine.wrap(function() while true do end end)()'));
    expectTimeout(
      timed('while true do coroutine.resume(coroutine.create(function() while true do end end)) end'),
    );
  });

  it('cannot be swallowed by load with a looping reader', () => {
    expectTimeout(timed('while true do load(function() while true do end end) end'));
  });

  it('cannot be dodged by __gc finalizers (they run with hooks off, so they are refused)', () => {
    const { outcome } = timed('setmetatable({}, { __gc = function() while true do end end })');
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'error' } });
    if (!outcome.ok)
      expect(outcome.error.message).toBe('slow:1: __gc metamethods are not allowed in the sandbox');
  });

  it('an xpcall handler cannot keep a timed-out exec alive', () => {
    expectTimeout(timed('xpcall(function() while true do end end, function(e) while true do end end)'));
    // a handler for an ordinary error that loops is itself interruptible
    expectTimeout(timed('xpcall(error, function(e) while true do end end)'));
  });

  it('a looping <close> handler in a timed-out coroutine never runs (wrap, close, later exec)', () => {
    const closer = 'setmetatable({}, { __close = function() while true do end end })';
    expectTimeout(timed(`coroutine.wrap(function() local x <close> = ${closer} while true do end end)()`));
    expectTimeout(
      timed(`
        stuck = coroutine.create(function() local x <close> = ${closer} while true do end end)
        coroutine.resume(stuck)
      `),
    );
    const later = vm.exec(
      'return {coroutine.close(stuck)}',
      {},
      { chunkName: 'later', timeoutMs: TIMEOUT_MS },
    );
    expect(later).toMatchObject({ ok: true, value: [false, 'execution timeout'] });
  });

  it('coroutine.wrap still behaves like Lua for ordinary errors and yields', () => {
    const gen = vm.exec(
      'local g = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end) return {g(), g(), g()}',
      {},
      { chunkName: 'gen', timeoutMs: 1000 },
    );
    expect(gen).toMatchObject({ ok: true, value: [1, 2, 3] });
    const failing = vm.exec(
      'coroutine.wrap(function() error("inner") end)()',
      {},
      { chunkName: 'w', timeoutMs: 1000 },
    );
    expect(failing).toMatchObject({
      ok: false,
      error: { kind: 'error', message: 'w:1: w:1: inner', line: 1 },
    });
  });

  it('stops a string.rep-based CPU burn', () => {
    expectTimeout(timed('local n = 0 while true do local s = string.rep("ab", 100000) n = n + #s end'));
  });

  it('reports the deadline when the code returns normally after it', () => {
    // A single long C call cannot be interrupted by the hook; the result is still refused.
    const { outcome } = timed('local s = 0 for i = 1, 2e6 do s = s + i end return s', 1);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'timeout' } });
  });

  it('the VM stays usable after a timeout', () => {
    expectTimeout(timed('while true do end'));
    expect(vm.exec('return 1 + 1', {}, { chunkName: 'after', timeoutMs: 1000 })).toMatchObject({
      ok: true,
      value: 2,
    });
    // and a later, longer loop is not cut short by a stale hook setting
    const loop = vm.exec(
      'local s = 0 for i = 1, 1e6 do s = s + i end return s',
      {},
      { chunkName: 'x', timeoutMs: 5000 },
    );
    expect(loop).toMatchObject({ ok: true, value: 500000500000 });
  });

  it('calls onTick about every 50 ms while Lua is CPU-bound', () => {
    let ticks = 0;
    const { outcome } = timed('while true do end', TIMEOUT_MS, () => ticks++);
    expect(outcome.ok).toBe(false);
    // ~6 expected in 300 ms; allow heavy scheduling noise
    expect(ticks).toBeGreaterThanOrEqual(2);
    expect(ticks).toBeLessThanOrEqual(12);
  });
});

describe('sleep', () => {
  it('sleep(100) blocks ~100 ms of wall time and burns far less CPU', () => {
    const cpuBefore = process.cpuUsage();
    const { outcome, wallMs } = timed('sleep(100) return "awake"', 2000);
    const cpu = process.cpuUsage(cpuBefore);
    expect(outcome).toMatchObject({ ok: true, value: 'awake' });
    expect(wallMs).toBeGreaterThanOrEqual(99);
    expect(wallMs).toBeLessThan(100 + MARGIN_MS);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    expect(cpuMs).toBeLessThan(wallMs / 4);
  });

  it('calls onTick between chunks of at most 50 ms', () => {
    let ticks = 0;
    const { outcome } = timed('sleep(220)', 2000, () => ticks++);
    expect(outcome.ok).toBe(true);
    expect(ticks).toBeGreaterThanOrEqual(4);
  });

  it('a sleep past the deadline ends the exec as a timeout, at the deadline', () => {
    expectTimeout(timed('sleep(5000) return 1'));
    expectTimeout(timed('while true do pcall(sleep, 10000) end'));
  });

  it('checks its argument', () => {
    const { outcome } = timed('sleep("soon")', 1000);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'error' } });
    if (!outcome.ok)
      expect(outcome.error.message).toContain("bad argument #1 to 'sleep' (number expected, got string)");
    expect(timed('sleep(0) sleep(-5) return 1', 1000).outcome).toMatchObject({ ok: true, value: 1 });
  });
});

describe('memory cap', () => {
  it('a memory bomb fails quickly with kind memory, and the VM and factory stay usable', () => {
    const started = performance.now();
    const outcome = vm.exec(
      "local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end",
      {},
      {
        chunkName: 'bomb',
        timeoutMs: 20_000,
      },
    );
    const wallMs = performance.now() - started;
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'memory' } });
    if (!outcome.ok) expect(outcome.error.message).toContain('memory limit exceeded');
    expect(wallMs).toBeLessThan(10_000);
    expect(vm.memory().peakHeapBytes).toBeLessThanOrEqual(32 * 1024 * 1024);
    expect(vm.exec('return "still alive"', {}, { chunkName: 'x', timeoutMs: 1000 })).toMatchObject({
      ok: true,
      value: 'still alive',
    });
  });

  it('a giant single allocation (string.rep) is refused', () => {
    const outcome = vm.exec(
      "local s = string.rep('x', 200 * 1024 * 1024) return #s",
      {},
      {
        chunkName: 'big',
        timeoutMs: 5000,
      },
    );
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'memory' } });
  });

  it('a memory error caught by pcall is an ordinary error path, not a crash', () => {
    const outcome = vm.exec(
      "local ok = pcall(string.rep, 'x', 200 * 1024 * 1024) return ok",
      {},
      {
        chunkName: 'caught',
        timeoutMs: 5000,
      },
    );
    expect(outcome).toMatchObject({ ok: true, value: false });
  });

  it('a state too large for the cap is a memory failure', async () => {
    const small = await openVm(factory, { memoryBytes: 256 * 1024 });
    try {
      const state = { blob: 'y'.repeat(1024 * 1024) };
      const outcome = small.exec('return 1', state, { chunkName: 'n', timeoutMs: 5000 });
      expect(outcome).toMatchObject({ ok: false, error: { kind: 'memory' } });
    } finally {
      small.close();
    }
  });

  it('a fresh VM works after another VM hit its cap', async () => {
    vm.exec(
      "local t = {} while true do t[#t + 1] = string.rep('z', 4096) end",
      {},
      { chunkName: 'b', timeoutMs: 20_000 },
    );
    const fresh = await openVm(factory, { memoryBytes: 32 * 1024 * 1024 });
    try {
      expect(fresh.exec('return {ok = true}', {}, { chunkName: 'n', timeoutMs: 1000 })).toMatchObject({
        ok: true,
        value: { ok: true },
      });
    } finally {
      fresh.close();
    }
  });
});
