// A misbehaving branch fails alone: escapes, infinite loops, memory bombs, Lua errors and a worker killed
// mid-branch each fail only their branch; siblings finish and the fan-in runs. Also cancel and fail_fast.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../engine/index.ts';
import { byBranch, chainYaml, eventsOf, fanOutYaml, results, engineForFile } from './helpers.ts';

const engine = engineForFile();

const SIBLING = 'sleep(30) return { fine = true }';
const FAN_IN = `local ok = 0
for _, r in ipairs(state.parallel_results) do if r.success then ok = ok + 1 end end
return { fan_in_ran = true, ok = ok }`;

async function runBad(bad: string, timeoutMs = 2000) {
  const events: RunEvent[] = [];
  const handle = engine().run(
    fanOutYaml({ branches: { bad: { code: bad, timeoutMs }, sib1: SIBLING, sib2: SIBLING }, fanIn: FAN_IN }),
    { onEvent: (e) => events.push(e) },
  );
  const result = await handle.result;
  expect(result.status).toBe('succeeded');
  expect(result.state).toMatchObject({ fan_in_ran: true, ok: 2 });
  expect(byBranch(result.state, 'sib1').success).toBe(true);
  expect(byBranch(result.state, 'sib2').success).toBe(true);
  const bad_ = byBranch(result.state, 'bad');
  expect(bad_.success).toBe(false);
  return { bad: bad_, events, state: result.state };
}

describe('escape attempts fail only their branch', () => {
  const escapes: Record<string, string> = {
    io: 'return { x = io.open("/etc/passwd"):read("a") }',
    os_execute: 'os.execute("touch /tmp/pwned") return {}',
    os_exit: 'os.exit(1) return {}',
    require: 'local m = require("os") return {}',
    package: 'return { p = package.loaded }',
    debug: 'debug.sethook() return {}',
    dofile: 'dofile("/etc/passwd") return {}',
    loadfile: 'loadfile("/etc/passwd") return {}',
    string_dump: 'return { d = string.dump(function() end) }',
    binary_chunk: 'local f = assert(load("\\27LuaT\\0", "x", "b")) return {}',
  };
  for (const [name, code] of Object.entries(escapes)) {
    it(`escape via ${name} fails only its branch`, async () => {
      const { bad } = await runBad(code);
      expect(bad.error_type).toBe('LuaError');
      expect(bad.error).toBeTruthy();
    });
  }
});

describe('runaway branches fail only their branch', () => {
  it('an infinite loop times out', async () => {
    const { bad } = await runBad('while true do end', 150);
    expect(bad).toMatchObject({ timeout: true, error_type: 'TimeoutError' });
  });

  it('a memory bomb hits the VM memory cap', async () => {
    const { bad } = await runBad(
      'local t = {} for i = 1, 1e9 do t[i] = string.rep("x", 1000) .. i end return {}',
      20_000,
    );
    expect(bad.error_type).toBe('MemoryError');
    expect(bad.error).toMatch(/memory limit exceeded/);
  });

  it('a Lua runtime error names the node and the line', async () => {
    const { bad } = await runBad('local a = 1\nlocal b = nil\nreturn { c = a + b }');
    expect(bad.error).toMatch(/bad:3:.*arithmetic/);
  });

  it('a worker killed mid-branch fails that branch; the pool replaces the worker', async () => {
    const events: RunEvent[] = [];
    const handle = engine().run(
      fanOutYaml({
        branches: { victim: 'sleep(3000) return {}', sib1: SIBLING, sib2: SIBLING },
        fanIn: FAN_IN,
      }),
      {
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'branch-started' && e.branch === 'victim') {
            const pid = engine()
              .service.pool.stats()
              .workers.find((w) => w.slot === e.worker)?.pid;
            setTimeout(() => pid && process.kill(pid, 'SIGKILL'), 100);
          }
        },
      },
    );
    const result = await handle.result;
    expect(result.state).toMatchObject({ fan_in_ran: true, ok: 2 });
    const victim = byBranch(result.state, 'victim');
    expect(victim).toMatchObject({ success: false, error_type: 'WorkerCrashed' });
    expect(victim.timing_ms).toBeLessThan(2500);
    // The pool is back to full size and runs work again.
    const again = await engine().run(
      fanOutYaml({ branches: { a: SIBLING, b: SIBLING, c: SIBLING, d: SIBLING } }),
    ).result;
    expect(results(again.state).every((r) => r.success)).toBe(true);
  });
});

describe('run control', () => {
  it('cancel stops a long run promptly and kills its running branches', async () => {
    const handle = engine().run(
      fanOutYaml({ branches: { l1: 'while true do end', l2: 'sleep(20000) return {}' } }),
      { timeoutMs: 60_000 },
    );
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    handle.cancel();
    const result = await handle.result;
    expect(result.status).toBe('cancelled');
    expect(performance.now() - t0).toBeLessThan(1500);
    // The pool recovers for the next run.
    const next = await engine().run(chainYaml(['return { ok = true }'])).result;
    expect(next.state.ok).toBe(true);
  });

  it('fail_fast stops the run at the first failed branch', async () => {
    const events: RunEvent[] = [];
    const result = await engine().run(
      fanOutYaml({
        settings: 'parallel:\n  fail_fast: true',
        branches: { boom: 'error("fail fast please")', slow: 'sleep(5000) return {}' },
        fanIn: 'return { fan_in_ran = true }',
      }),
      { onEvent: (e) => events.push(e) },
    ).result;
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/fail fast please/);
    expect(result.state.fan_in_ran).toBeUndefined();
    const finished = eventsOf(events, 'branch-finished');
    const boom = finished.find((e) => e.branch === 'boom')!;
    const slow = finished.find((e) => e.branch === 'slow');
    expect(slow?.status).toBe('cancelled');
    // The sleeping sibling was stopped right after the failure, not after its 5 s sleep.
    expect(eventsOf(events, 'run-finished')[0]!.t - boom.t).toBeLessThan(1500);
    expect((result.state.parallel_results as unknown[]).length).toBe(2);
  });

  it('a sequential node error fails the run with the node and line', async () => {
    const result = await engine().run(chainYaml(['return { a = 1 }', 'local x = nil\nreturn x.y'])).result;
    expect(result.status).toBe('failed');
    expect(result.node).toBe('n2');
    expect(result.error).toMatch(/n2:2:/);
    expect(result.state).toMatchObject({ a: 1 });
  });

  it('the graph step limit stops an endless goto cycle', async () => {
    const yaml = `name: cycle
settings:
  max_iterations: 50
nodes:
  - name: a
    language: lua
    run: |
      return { n = (state.n or 0) + 1 }
    goto: b
  - name: b
    language: lua
    run: |
      return {}
    goto: a
`;
    const result = await engine().run(yaml).result;
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/step limit/);
    expect(result.state.n).toBe(25);
  });
});
