// Issue #11, engine side: no workflow file, Lua value or run request can take the host down. Values
// crossing worker <-> host are bounded where they are produced; the caller's limits are ceilings a file
// can only lower; workers die with their host, also mid-Lua; the pool, the run's log and error
// messages are bounded. Real Lua in real wasmoon VMs in real worker processes throughout.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunRequestError, WorkflowInvalidError, loadWorkflow } from '../engine/index.ts';
import type { JsonObject, RunEvent } from '../engine/index.ts';
import {
  jsonBoundsProblem,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_POOL_WORKERS,
  MAX_RUN_LOG_LINES,
  MAX_VALUE_DEPTH,
} from '../engine/limits.ts';
import { createLuaFactory, openVm } from '../engine/lua/vm.ts';
import { EventBatcher } from '../engine/run/event-batcher.ts';
import { RunLogBudget } from '../engine/run/log-budget.ts';
import { WorkerPool } from '../engine/run/pool.ts';
import { validateWorkflow } from '../engine/workflow/validate.ts';
import { TIMING_SLACK, propertyBudget } from './budgets.ts';
import { luaValue } from './lua-values.ts';
import { byBranch, chainYaml, engineForFile, eventsOf, fanOutYaml, repoRoot } from './helpers.ts';

const engine = engineForFile();

/** The reproduction: a linked list 2,500 tables deep (the host's deserializer overflowed). */
const DEEP_LIST = 'local l = nil for i = 1, 2500 do l = {value = i, next = l} end return {list = l}';

function nested(depth: number): JsonObject {
  let value: JsonObject = { leaf: true };
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
}

async function runCollecting(yaml: string, options: Parameters<ReturnType<typeof engine>['run']>[1] = {}) {
  const events: RunEvent[] = [];
  const result = await engine().run(yaml, { ...options, onEvent: (e) => events.push(e) }).result;
  return { result, events };
}

describe('finding 1: a Lua value nested thousands deep fails its node, never the host', () => {
  it('on the main line: the node fails naming itself, the run ends with a status', async () => {
    const { result, events } = await runCollecting(chainYaml([DEEP_LIST]).replace(/\bn1\b/g, 'build'));
    expect(result.status).toBe('failed');
    expect(result.node).toBe('build');
    expect(result.error).toContain(`result of node 'build' is nested deeper than ${MAX_VALUE_DEPTH} levels`);
    expect(eventsOf(events, 'node-failed')[0]).toMatchObject({ node: 'build', errorType: 'LimitError' });
    expect(eventsOf(events, 'run-finished')).toHaveLength(1);
    // The host and the pool are fine: the next run works.
    expect((await engine().run(chainYaml(['return { ok = true }'])).result).state).toEqual({ ok: true });
  });

  it('in a parallel branch: that branch fails, its sibling and the fan-in run', async () => {
    const { result } = await runCollecting(
      fanOutYaml({
        branches: { deep: DEEP_LIST, fine: 'return { fine = true }' },
        fanIn: 'return { joined = #state.parallel_results }',
      }),
    );
    expect(result.status).toBe('succeeded');
    expect(result.state.joined).toBe(2);
    expect(byBranch(result.state, 'deep')).toMatchObject({
      success: false,
      error_type: 'LimitError',
      error: `result of node 'deep' is nested deeper than ${MAX_VALUE_DEPTH} levels`,
    });
    expect(byBranch(result.state, 'fine').success).toBe(true);
  });

  it('through a real `fanout run` process: a clean failure, exit code 1, no stack overflow', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-deep-'));
    const file = join(dir, 'deep.yaml');
    await writeFile(file, chainYaml([DEEP_LIST]).replace(/\bn1\b/g, 'build'));
    const { code, stdout, stderr } = await runCli(['run', file, '--workers', '1']);
    expect(stderr).not.toMatch(/RangeError|Maximum call stack/);
    expect(stderr).toContain(`result of node 'build' is nested deeper than ${MAX_VALUE_DEPTH} levels`);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({});
  }, 30_000);

  it('an action result nested too deep fails its node (the host bounds what it produces too)', async () => {
    engine().service.registry.register('test.deep_result', () => nested(5000), { replace: true });
    const yaml = [
      'name: deep-action',
      'nodes:',
      '  - name: act',
      '    uses: test.deep_result',
      'edges:',
      '  - {from: __start__, to: act}',
      '  - {from: act, to: __end__}',
      '',
    ].join('\n');
    const { result } = await runCollecting(yaml);
    expect(result.status).toBe('failed');
    expect(result.error).toContain(`result of node 'act' is nested deeper than ${MAX_VALUE_DEPTH} levels`);
  });

  it('a fan-in whose parallel_results would make the state too deep fails at the fan-out', async () => {
    // 197 levels pass in the branch; parallel_results[i].state adds three more.
    const almost = 'local l = {} for i = 1, 197 do l = {n = l} end return {list = l}';
    const { result, events } = await runCollecting(
      fanOutYaml({ branches: { a: almost, b: 'return {}' }, fanIn: 'return { fan_in_ran = true }' }),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/state after the fan-out of 'source'.*nested deeper than 200 levels/);
    expect(result.state.fan_in_ran).toBeUndefined();
    expect(eventsOf(events, 'fan-in')).toHaveLength(0);
  });

  it('the Lua JSON codec refuses deep values both ways with a clear error (no stack overflow)', async () => {
    const factory = await createLuaFactory();
    const vm = await openVm(factory, { memoryBytes: 64 * 1024 * 1024 });
    try {
      const out = vm.exec(
        'local t = {} for i = 1, 100000 do t = {t} end return t',
        {},
        {
          chunkName: 'deep_out',
          timeoutMs: 10_000,
        },
      );
      expect(out).toMatchObject({
        ok: false,
        error: { kind: 'limit', message: "result of node 'deep_out' is nested deeper than 200 levels" },
      });
      // Exactly at the bound is fine.
      const edge = vm.exec(
        'local t = {} for i = 1, 199 do t = {t} end return t',
        {},
        {
          chunkName: 'edge',
          timeoutMs: 10_000,
        },
      );
      expect(edge.ok).toBe(true);
      // A state deeper than the bound (the host never sends one) is refused by the decoder.
      const into = vm.exec('return {}', nested(5000), { chunkName: 'deep_in', timeoutMs: 10_000 });
      expect(into).toMatchObject({ ok: false, error: { message: /nested deeper than 200 levels/ } });
      // A deep error object cannot take the error path down either.
      const err = vm.exec(
        'local t = {} for i = 1, 5000 do t = {t} end error(t)',
        {},
        {
          chunkName: 'deep_err',
          timeoutMs: 10_000,
        },
      );
      expect(err).toMatchObject({
        ok: false,
        error: { kind: 'error', message: 'error object is a table value' },
      });
      expect(vm.exec('return { ok = true }', {}, { chunkName: 'after', timeoutMs: 1000 })).toMatchObject({
        ok: true,
        value: { ok: true },
      });
    } finally {
      vm.close();
    }
  });

  it('an event that cannot be serialized becomes an error log event; the timer never throws', async () => {
    const delivered: RunEvent[] = [];
    const batcher = new EventBatcher<RunEvent>((batch) => {
      const frame = JSON.stringify(batch); // throws on a BigInt, as a host's serializer would
      delivered.push(...(JSON.parse(frame) as RunEvent[]));
    });
    const base = { runId: 'r', t: 0 };
    batcher.push({ ...base, seq: 0, type: 'log', level: 'info', message: 'before' });
    batcher.push({
      ...base,
      seq: 1,
      type: 'node-finished',
      node: 'n',
      ms: 1,
      update: { bad: 10n } as unknown as JsonObject,
    });
    batcher.push({ ...base, seq: 2, type: 'log', level: 'info', message: 'after' });
    await new Promise((r) => setTimeout(r, 60)); // the flush runs in a timer: it must not throw
    expect(delivered.map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(delivered[1]).toMatchObject({ type: 'log', level: 'error' });
    expect((delivered[1] as { message: string }).message).toMatch(
      /'node-finished' event could not be delivered/,
    );
  });
});

describe('fuzz: whatever a Lua node returns, the run ends with a status and the host stays up', () => {
  const budget = propertyBudget(30, 150);

  it(
    'a result is either merged within the bounds or fails its node with a clear error',
    async () => {
      await fc.assert(
        fc.asyncProperty(luaValue, fc.boolean(), async (v, inBranch) => {
          const code = `return { v = ${v.code} }`;
          const yaml = inBranch
            ? fanOutYaml({ branches: { fuzz: code, other: 'return {}' }, fanIn: 'return { joined = true }' })
            : chainYaml([code]).replace(/\bn1\b/g, 'fuzz');
          const { result, events } = await runCollecting(yaml);
          expect(['succeeded', 'failed']).toContain(result.status);
          expect(eventsOf(events, 'run-finished')).toHaveLength(1);
          expect(jsonBoundsProblem(result.state, 'state')).toBeNull();
          // Tables nest from the returned one (level 0); the deepest of v sits at level v.depth.
          const refused = v.bad || v.depth >= MAX_VALUE_DEPTH;
          // A branch result can pass alone yet make the fan-in state too deep (parallel_results[i].state
          // adds three levels): then the run fails at the fan-out.
          const atFanOut = inBranch && !refused && v.depth + 3 >= MAX_VALUE_DEPTH;
          if (atFanOut) expect(result.error).toMatch(/state after the fan-out of 'source'.*nested deeper/);
          const branch = inBranch && !atFanOut ? byBranch(result.state, 'fuzz') : null;
          if (!inBranch) expect(result.status).toBe(refused ? 'failed' : 'succeeded');
          if (branch) expect(branch.success).toBe(!refused);
          const error = inBranch ? branch?.error : result.error;
          if (v.depth >= MAX_VALUE_DEPTH && !v.bad) {
            expect(error).toContain(`result of node 'fuzz' is nested deeper than ${MAX_VALUE_DEPTH} levels`);
          }
          if (error) expect(error.length).toBeLessThan(MAX_ERROR_MESSAGE_CHARS + 200);
          if (inBranch && !atFanOut) expect(result.state.joined).toBe(true);
        }),
        { numRuns: budget.numRuns },
      );
    },
    budget.timeout,
  );
});

describe('finding 3 (engine): run input and resume state are bounded; RunRequestError', () => {
  it('an input nested 6,000 deep is refused before anything starts', () => {
    const input = nested(6000);
    expect(() => engine().run(chainYaml(['return {}']), { input })).toThrow(RunRequestError);
    expect(() => engine().run(chainYaml(['return {}']), { input })).toThrow(
      'the run input is nested deeper than 200 levels',
    );
    expect(engine().service.activeRuns()).toEqual([]);
  });

  it('unusable limits are refused the same way', () => {
    for (const bad of [{ timeoutMs: -5 }, { timeoutMs: Number.NaN }, { memoryBytes: 0 }, { maxSteps: -1 }]) {
      expect(() => engine().run(chainYaml(['return {}']), bad)).toThrow(RunRequestError);
    }
  });

  it('a resumed state nested too deep is a RunRequestError and the run stays paused', async () => {
    const handle = engine().run(chainYaml(['return { a = 1 }', 'return { b = 2 }']), {
      interruptBefore: ['n2'],
    });
    await waitFor(() => engine().service.isPaused(handle.runId));
    expect(() => engine().resume(handle.runId, nested(6000))).toThrow(RunRequestError);
    expect(engine().service.isPaused(handle.runId)).toBe(true);
    expect(engine().resume(handle.runId)).toBe(true);
    expect((await handle.result).state).toEqual({ a: 1, b: 2 });
  });
});

describe('finding 6: the caller’s limits are ceilings the file can only lower', () => {
  it("a node's timeout_ms cannot raise the caller's timeout", async () => {
    const yaml = fanOutYaml({
      branches: { spin: { code: 'while true do end', timeoutMs: 600_000 }, ok: 'return {}' },
    });
    const started = performance.now();
    const { result, events } = await runCollecting(yaml, { timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(10_000); // not 600 s
    expect(byBranch(result.state, 'spin')).toMatchObject({ success: false, timeout: true });
    const warnings = eventsOf(events, 'log').filter((e) => e.level === 'warn');
    expect(
      warnings.some((w) => /timeout_ms of 'spin' is above this run's ceiling of 300 ms/.test(w.message)),
    ).toBe(true);
  });

  it("settings.timeout_ms above the caller's ceiling is cut to it, and a lower one applies", async () => {
    const run = (settings: string) =>
      runCollecting(`settings:\n  ${settings}\n${chainYaml(['while true do end'])}`, { timeoutMs: 400 });
    const high = await run('timeout_ms: 3600000');
    expect(high.result.error).toMatch(/execution timeout \(exceeded 400 ms\)/);
    const low = await run('timeout_ms: 150');
    expect(low.result.error).toMatch(/execution timeout \(exceeded 150 ms\)/);
  });

  it('settings.memory_limit_mb cannot raise the caller’s memory cap; with no caller limit it applies', async () => {
    // About 100 MiB of strings: fine under 512 MiB, refused under 16 MiB and under the 64 MiB default.
    const hundredMiB =
      'local t = {} for i = 1, 100 do t[i] = string.rep("x", 1024 * 1024) .. i end return {}';
    const yaml = `settings:\n  memory_limit_mb: 512\n${chainYaml([hundredMiB])}`;
    const byCaller = await runCollecting(yaml, { memoryBytes: 16 * 1024 * 1024 });
    expect(byCaller.result.error).toMatch(/memory limit exceeded \(16 MiB\)/);
    const warned = eventsOf(byCaller.events, 'log').map((e) => e.message);
    expect(warned).toContainEqual(expect.stringMatching(/settings.memory_limit_mb asks for 512 MiB.*16 MiB/));
    // No caller limit: the file's own 512 MiB applies (under the absolute maximum)…
    const byFile = await runCollecting(yaml);
    expect(byFile.result.status).toBe('succeeded');
    // …and a file that says nothing gets the 64 MiB default.
    const byDefault = await runCollecting(chainYaml([hundredMiB]));
    expect(byDefault.result.error).toMatch(/memory limit exceeded \(64 MiB\)/);
  });

  it('settings.max_iterations cannot raise the caller’s step limit; with none it applies, else 1000', async () => {
    const loop = (until: number) =>
      [
        'name: loop',
        'settings:',
        '  max_iterations: 100000',
        'nodes:',
        '  - name: tick',
        '    language: lua',
        '    run: return { n = (state.n or 0) + 1 }',
        '    goto:',
        `      - if: "state.n < ${until}"`,
        '        to: tick',
        '      - to: __end__',
        '',
      ].join('\n');
    const byCaller = await runCollecting(loop(100), { maxSteps: 10 });
    expect(byCaller.result.error).toMatch(/step limit exceeded/);
    expect(byCaller.result.state.n).toBe(10);
    const byFile = await runCollecting(loop(1500));
    expect(byFile.result.status).toBe('succeeded');
    expect(byFile.result.state.n).toBe(1500);
    const byDefault = await runCollecting(loop(1500).replace('  max_iterations: 100000\n', ''));
    expect(byDefault.result.error).toMatch(/step limit exceeded/);
    expect(byDefault.result.state.n).toBe(1000);
    // Lowering works: the file's own smaller limit applies.
    const lowered = await runCollecting(loop(100).replace('max_iterations: 100000', 'max_iterations: 5'));
    expect(lowered.result.state.n).toBe(5);
  });

  it('absurd values do not validate clean: each is an OUT_OF_RANGE problem with line and column', () => {
    const text = [
      'name: absurd',
      'settings:',
      '  memory_limit_mb: 1000000',
      '  timeout_ms: -5',
      '  max_iterations: 1e23',
      'nodes:',
      '  - name: a',
      '    timeout_ms: 0.5',
      '    language: lua',
      '    run: return {}',
      'edges:',
      '  - {from: __start__, to: a}',
      '  - {from: a, to: __end__}',
      '',
    ].join('\n');
    const problems = validateWorkflow(loadWorkflow(text, 'absurd.yaml')).filter(
      (p) => p.code === 'OUT_OF_RANGE',
    );
    expect(problems.map((p) => [p.line, p.col])).toEqual([
      [3, 20],
      [4, 15],
      [5, 19],
      [8, 17],
    ]);
    expect(problems[0]!.message).toMatch(/settings.memory_limit_mb.*1 to 2048 MiB, got 1000000/);
    expect(problems[3]).toMatchObject({ node: 'a', file: 'absurd.yaml' });
    expect(() => engine().run(text)).toThrow(WorkflowInvalidError);
  });
});

describe('finding 6: workers die with their host, also mid-Lua', () => {
  it.skipIf(process.platform !== 'linux')(
    'after kill -9 of `fanout run`, its workers (in Lua, asleep and idle) exit within ~3 s',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'fanout-orphan-'));
      const file = join(dir, 'long.yaml');
      await writeFile(
        file,
        fanOutYaml({
          branches: {
            spin: { code: 'while true do end', timeoutMs: 600_000 },
            nap: { code: 'sleep(600000) return {}', timeoutMs: 600_000 },
          },
        }),
      );
      const cli = spawn(
        'node',
        [join(repoRoot, 'bin/fanout.js'), 'run', file, '--events', '--timeout', '600000', '--workers', '3'],
        { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      try {
        let stderr = '';
        cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        await waitFor(() => (stderr.match(/"type":"branch-started"/g) ?? []).length === 2, 30_000);
        await new Promise((r) => setTimeout(r, 300)); // both are inside Lua now
        const workers = childrenOf(cli.pid!).filter((pid) => commandLine(pid).includes('worker'));
        expect(workers).toHaveLength(3);
        cli.kill('SIGKILL');
        const killedAt = performance.now();
        await waitFor(() => workers.every((pid) => !running(pid)), 10_000);
        // ~250 ms parent check + exit; FANOUT_TIMING_SLACK loosens it on a loaded machine.
        expect(performance.now() - killedAt).toBeLessThan(3_000 * TIMING_SLACK);
      } finally {
        cli.kill('SIGKILL');
      }
    },
    60_000,
  );
});

describe('finding 7: the pool clamps its size', () => {
  it(`to ${MAX_POOL_WORKERS} workers whoever asks, and to at least one`, () => {
    expect(new WorkerPool({ size: 100_000 }).size).toBe(MAX_POOL_WORKERS);
    expect(new WorkerPool({ size: Number.POSITIVE_INFINITY }).size).toBe(MAX_POOL_WORKERS);
    expect(new WorkerPool({ size: 0 }).size).toBe(1);
  });
});

describe('finding 9: logs and error messages are bounded where they are made', () => {
  it('a run that prints past its log budget gets one truncated notice; the rest is dropped and counted', async () => {
    const yaml = [
      'name: chatty',
      'initial_state: {i: 0}',
      'nodes:',
      '  - name: loop',
      '    type: while_loop',
      '    max_iterations: 100',
      '    condition: "{{ state.i < 60 }}"',
      '    body:',
      '      - name: talk',
      '        language: lua',
      '        run: |',
      '          for i = 1, 200 do print(i) end',
      '          return { i = state.i + 1 }',
      'edges:',
      '  - {from: __start__, to: loop}',
      '  - {from: loop, to: __end__}',
      '',
    ].join('\n');
    const { result, events } = await runCollecting(yaml);
    expect(result.status).toBe('succeeded');
    expect(result.state.i).toBe(60);
    const logs = eventsOf(events, 'log');
    expect(logs.filter((e) => e.truncated)).toHaveLength(1);
    expect(logs).toHaveLength(MAX_RUN_LOG_LINES + 1);
    expect(result.logsDropped).toBe(60 * 200 - MAX_RUN_LOG_LINES);
    expect(eventsOf(events, 'run-finished')[0]!.logsDropped).toBe(result.logsDropped);
  });

  it('the budget counts bytes too', () => {
    const budget = new RunLogBudget(1000, 100);
    expect(budget.admit('x'.repeat(60)).kind).toBe('keep');
    expect(budget.admit('x'.repeat(60)).kind).toBe('notice');
    expect(budget.admit('x').kind).toBe('drop');
    expect(budget.dropped).toBe(2);
  });

  it('a 10 MB error() message is cut where it is produced (branch result, events, run error)', async () => {
    const { result, events } = await runCollecting(
      fanOutYaml({
        branches: { loud: 'error(string.rep("x", 10 * 1024 * 1024))', quiet: 'return {}' },
        fanIn: 'return { fan_in_ran = true }',
      }),
    );
    expect(result.state.fan_in_ran).toBe(true);
    const loud = byBranch(result.state, 'loud');
    expect(loud.success).toBe(false);
    expect(loud.error!.length).toBeLessThan(MAX_ERROR_MESSAGE_CHARS + 200);
    expect(loud.error).toMatch(/cut\]$/);
    const failed = eventsOf(events, 'node-failed')[0]!;
    expect(failed.error.length).toBeLessThan(MAX_ERROR_MESSAGE_CHARS + 200);
    expect(JSON.stringify(events).length).toBeLessThan(200_000);
  });
});

// ---------- helpers ----------

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', [join(repoRoot, 'bin/fanout.js'), ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat && stat.ppid === pid) out.push(Number(entry));
  }
  return out;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** True while the process exists and is not a zombie (an exited process its new parent has not reaped). */
function running(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z';
}

function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}
