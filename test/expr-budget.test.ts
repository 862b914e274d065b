// Issue #11 finding 2 through the real engine (real workers, real Lua): a runaway `with:` template,
// goto `if`, edge `when` or while_loop condition fails its node quickly with a clear message, the run
// ends with a status, and the host's event loop is never blocked for long. Normal templates still work.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { RunEvent, RunResult } from '../engine/index.ts';
import { engineForFile } from './helpers.ts';

const engine = engineForFile({ size: 2 });

/** The issue's repro: three loops over 3,000 characters, 2.7e10 passes (minutes of CPU before). */
const RUNAWAY =
  "{% for a in 'x' * 3000 %}{% for b in 'x' * 3000 %}{% for c in 'x' * 3000 %}{% endfor %}{% endfor %}{% endfor %}";
const STEPS = /exceeded 1,000,000 evaluation steps/;
/** Generous for a loaded 2-core machine; the budget runs out in ~0.2 s when idle. */
const QUICK_MS = 5_000;

const prepare = `
  - name: prepare
    language: lua
    run: return { n = 1 }`;

const workflows = {
  with: `name: runaway-with
nodes:${prepare}
  - name: render
    uses: json.stringify
    with:
      data: "${RUNAWAY}"
    output: text
edges:
  - {from: __start__, to: prepare}
  - {from: prepare, to: render}
  - {from: render, to: __end__}
`,
  goto: `name: runaway-goto
nodes:${prepare}
    goto:
      - if: "${RUNAWAY}"
        to: never
      - to: __end__
  - name: never
    language: lua
    run: return { reached = true }
edges:
  - {from: __start__, to: prepare}
`,
  when: `name: runaway-when
nodes:${prepare}
  - name: never
    language: lua
    run: return { reached = true }
edges:
  - {from: __start__, to: prepare}
  - {from: prepare, to: never, when: "${RUNAWAY}"}
  - {from: prepare, to: __end__}
`,
  while: `name: runaway-while
nodes:${prepare}
  - name: loop
    type: while_loop
    condition: "${RUNAWAY}"
    max_iterations: 10
    body:
      - name: body
        language: lua
        run: return { i = (state.i or 0) + 1 }
edges:
  - {from: __start__, to: prepare}
  - {from: prepare, to: loop}
  - {from: loop, to: __end__}
`,
};

async function run(
  yaml: string,
): Promise<{ result: RunResult; events: RunEvent[]; ms: number; maxBlockMs: number }> {
  const events: RunEvent[] = [];
  // How long the host's event loop was blocked at most while the run went on.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const result = await engine().run(yaml, { onEvent: (e) => events.push(e) }).result;
  const ms = performance.now() - started;
  delay.disable();
  return { result, events, ms, maxBlockMs: delay.max / 1e6 };
}

describe('a runaway expression fails its node, quickly, and the host stays responsive', () => {
  it('a `with:` template: the action node fails with the template and the reason', async () => {
    const { result, events, ms, maxBlockMs } = await run(workflows.with);
    expect(result.status).toBe('failed');
    expect(result.node).toBe('render');
    expect(result.error).toMatch(
      /^node 'render' failed: action 'json.stringify' failed: template "\{% for a in/,
    );
    expect(result.error).toMatch(STEPS);
    const failed = events.find((e) => e.type === 'node-failed');
    expect(failed).toMatchObject({ node: 'render', error: expect.stringMatching(STEPS) });
    expect(result.state).toEqual({ n: 1 });
    expect(ms).toBeLessThan(QUICK_MS);
    expect(maxBlockMs).toBeLessThan(QUICK_MS / 2);
  });

  it('a goto `if`: the run fails at the routing node instead of taking a branch', async () => {
    const { result, ms, maxBlockMs } = await run(workflows.goto);
    expect(result).toMatchObject({ status: 'failed', node: 'prepare', state: { n: 1 } });
    expect(result.error).toMatch(/^node 'prepare': goto condition "\{% for a in/);
    expect(result.error).toMatch(STEPS);
    expect(ms).toBeLessThan(QUICK_MS);
    expect(maxBlockMs).toBeLessThan(QUICK_MS / 2);
  });

  it('an edge `when`: it fails the run rather than counting as false', async () => {
    const { result, ms } = await run(workflows.when);
    expect(result).toMatchObject({ status: 'failed', node: 'prepare', state: { n: 1 } });
    expect(result.error).toMatch(/^node 'prepare': edge condition "\{% for a in/);
    expect(result.error).toMatch(STEPS);
    expect(ms).toBeLessThan(QUICK_MS);
  });

  it('a while_loop condition: the loop node fails (an ordinary error would count as true)', async () => {
    const { result, events, ms } = await run(workflows.while);
    expect(result).toMatchObject({ status: 'failed', node: 'loop', state: { n: 1 } });
    expect(result.error).toMatch(/^node 'loop' failed: while_loop condition "\{% for a in/);
    const failed = events.find((e) => e.type === 'node-failed');
    expect(failed).toMatchObject({ node: 'loop', errorType: 'LimitError' });
    expect(events.some((e) => e.type === 'node-started' && e.node === 'body')).toBe(false);
    expect(ms).toBeLessThan(QUICK_MS);
  });

  it('the memory repro, [0] * 300000000, fails before allocating', async () => {
    const heap = process.memoryUsage().heapUsed;
    const { result } = await run(workflows.with.replace(RUNAWAY, '{{ [0] * 300000000 }}'));
    expect(result.error).toMatch(/'\*' would build a list of 300,000,000 items \(limit 1,000,000\)/);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(256 * 1024 * 1024);
  });
});

describe('in a parallel branch', () => {
  it('a runaway goto `if` fails only that branch; the fan-in still runs', async () => {
    const yaml = `name: runaway-branch
nodes:
  - name: source
    language: lua
    run: return {}
  - name: a
    language: lua
    run: return { a = 1 }
    goto:
      - if: "${RUNAWAY}"
        to: join
      - to: join
  - name: b
    language: lua
    run: return { b = 1 }
  - name: join
    language: lua
    run: "return { results = #state.parallel_results }"
edges:
  - {from: __start__, to: source}
  - {from: source, to: a, type: parallel, fan_in: join}
  - {from: source, to: b, type: parallel, fan_in: join}
  - {from: b, to: join}
  - {from: join, to: __end__}
`;
    const { result, ms } = await run(yaml);
    expect(result.status).toBe('succeeded');
    const [a, b] = result.state['parallel_results'] as Array<Record<string, unknown>>;
    expect(a).toMatchObject({ branch: 'a', success: false, error_type: 'ExecutionError' });
    expect(a!['error']).toMatch(/^node 'a': goto condition "\{% for a in/);
    expect(a!['error']).toMatch(STEPS);
    expect(b).toMatchObject({ branch: 'b', success: true });
    expect(result.state['results']).toBe(2);
    expect(ms).toBeLessThan(QUICK_MS);
  });
});

describe('normal expressions are unaffected', () => {
  it('templates, goto rules, edge conditions and a while loop all run as before', async () => {
    const yaml = `name: normal
nodes:
  - name: prepare
    language: lua
    run: return { items = {"a", "b", "c"}, score = 85 }
    goto:
      - if: "state.score >= 90"
        to: never
      - to: render
  - name: render
    uses: json.stringify
    with:
      data: "{% for i in state.items %}{{ loop.index }}={{ i | upper }};{% endfor %}{{ state.items | join(',') }}"
    output: text
  - name: loop
    type: while_loop
    condition: "state.i is not defined or state.i < 3"
    max_iterations: 10
    body:
      - name: body
        language: lua
        run: return { i = (state.i or 0) + 1 }
  - name: never
    language: lua
    run: return { reached = true }
edges:
  - {from: __start__, to: prepare}
  - {from: render, to: never, when: "state.score > 100"}
  - {from: render, to: loop}
  - {from: loop, to: __end__}
`;
    const { result } = await run(yaml);
    expect(result.status).toBe('succeeded');
    expect(result.state).toMatchObject({ text: { text: '"1=A;2=B;3=C;a,b,c"' }, i: 3 });
    expect(result.state).not.toHaveProperty('reached');
  });
});
