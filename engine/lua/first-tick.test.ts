// ExecOptions.firstTickMs (the worker's replies queued when an exec starts leave at its first tick):
// a short exec never ticks, a long one ticks after about firstTickMs, on the watchdog path as on the
// count hook, and a sleep() ticks before it waits. Real wasmoon, both hook paths.
import { afterAll, describe, expect, it } from 'vitest';
import { createLuaFactory, openVm, type LuaFactory } from './vm.ts';

const LIMITS = { memoryBytes: 64 * 1024 * 1024 };

async function ticksOf(factory: LuaFactory, code: string, firstTickMs?: number) {
  const vm = await openVm(factory, LIMITS);
  const ticks: number[] = [];
  const started = performance.now();
  try {
    const outcome = vm.exec(
      code,
      {},
      {
        chunkName: 'n',
        timeoutMs: 10_000,
        onTick: () => ticks.push(performance.now() - started),
        ...(firstTickMs === undefined ? {} : { firstTickMs }),
      },
    );
    expect(outcome.ok).toBe(true);
    return { ticks, ms: performance.now() - started };
  } finally {
    vm.close();
  }
}

const busy = (ms: number) =>
  `local t = os.clock() local x = 0 while os.clock() - t < ${ms / 1000} do x = x + 1 end return x`;

describe.each(['eager', 'count'] as const)('firstTickMs on the %s path', (hook) => {
  let factory: LuaFactory;
  afterAll(() => factory.close());

  it('a short exec never ticks; a 60 ms one ticks first after about firstTickMs, not a whole interval', async () => {
    factory = await createLuaFactory({ hook });
    // 'eager' starts the watchdog thread with the factory: execs run hook-free under it.
    if (hook === 'eager') expect(factory.stats().hook.path).toBe('watchdog');
    expect((await ticksOf(factory, 'return 1', 2)).ticks).toEqual([]);
    // Best of 3: a loaded machine can deschedule this process past any one tick.
    const first = async (firstTickMs?: number) => {
      let best = Infinity;
      for (let i = 0; i < 3; i++)
        best = Math.min(best, (await ticksOf(factory, busy(60), firstTickMs)).ticks[0] ?? Infinity);
      return best;
    };
    const early = await first(2);
    const plain = await first();
    console.info(
      `[first-tick] ${hook}: first tick at ${early.toFixed(1)} ms, without firstTickMs ${plain.toFixed(1)} ms`,
    );
    expect(early).toBeLessThan(15);
    // The default first tick comes after a whole interval (50 ms) of the exec.
    expect(plain).toBeGreaterThan(40);
  });

  it('a sleep ticks before it waits', async () => {
    factory ??= await createLuaFactory({ hook });
    const { ticks } = await ticksOf(factory, 'sleep(200) return 1', 2);
    // Before the first 50 ms chunk of the sleep, not after it.
    expect(ticks[0]!).toBeLessThan(40);
  });
});
