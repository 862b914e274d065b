// Builders of small TEA workflows for engine tests, and event helpers.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { createEngine } from '../engine/index.ts';
import type { Engine, EngineOptions, RunEvent } from '../engine/index.ts';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const compatDir = fileURLToPath(new URL('./fixtures/tea-compat/fixtures/', import.meta.url));

/** One engine for the whole test file: started before its tests, closed after them. */
export function engineForFile(options: EngineOptions = { size: 4 }): () => Engine {
  let engine: Engine | undefined;
  beforeAll(async () => {
    engine = createEngine(options);
    await engine.start();
  });
  afterAll(async () => {
    await engine?.close();
  });
  return () => {
    if (!engine) throw new Error('the engine starts in beforeAll: use it inside a test');
    return engine;
  };
}

function indent(code: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return code
    .trim()
    .split('\n')
    .map((l) => (l.length ? pad + l : l))
    .join('\n');
}

export interface BranchDef {
  code?: string;
  uses?: string;
  with?: Record<string, unknown>;
  output?: string;
  timeoutMs?: number;
}

export interface FanOutDef {
  name?: string;
  before?: string; // code of the source node
  branches: Record<string, string | BranchDef>;
  fanIn?: string; // code of the fan-in
  after?: string; // optional sequential node after the fan-in
  settings?: string; // raw YAML lines under settings:
  form?: 'hybrid' | 'python' | 'rust';
}

/** A workflow: source -> N single-node branches -> fan-in [-> after] in the chosen parallel form. */
export function fanOutYaml(def: FanOutDef): string {
  const names = Object.keys(def.branches);
  const lines: string[] = [`name: ${def.name ?? 'test-fan-out'}`];
  if (def.settings) lines.push('settings:', indent(def.settings, 2));
  lines.push('nodes:');
  const luaNode = (name: string, code: string, extra: string[] = []) => {
    lines.push(`  - name: ${name}`, ...extra, '    language: lua', '    run: |', indent(code, 6));
  };
  luaNode('source', def.before ?? 'return {}');
  for (const name of names) {
    const b = def.branches[name]!;
    const spec: BranchDef = typeof b === 'string' ? { code: b } : b;
    if (spec.uses) {
      lines.push(`  - name: ${name}`, `    uses: ${spec.uses}`);
      if (spec.with) lines.push(`    with: ${JSON.stringify(spec.with)}`);
      if (spec.output) lines.push(`    output: ${spec.output}`);
    } else {
      luaNode(name, spec.code ?? 'return {}', spec.timeoutMs ? [`    timeout_ms: ${spec.timeoutMs}`] : []);
    }
  }
  luaNode('join', def.fanIn ?? 'return {}');
  if (def.after) luaNode('after', def.after);
  const form = def.form ?? 'hybrid';
  lines.push('edges:', '  - {from: __start__, to: source}');
  if (form === 'rust') {
    lines.push(`  - {from: source, parallel: [${names.join(', ')}]}`);
  } else {
    names.forEach((n, i) => {
      const list = form === 'hybrid' && i === 0 ? `, parallel: [${names.join(', ')}]` : '';
      lines.push(`  - {from: source, to: ${n}, type: parallel, fan_in: join${list}}`);
    });
  }
  for (const n of names) lines.push(`  - {from: ${n}, to: join}`);
  if (def.after) lines.push('  - {from: join, to: after}', '  - {from: after, to: __end__}');
  else lines.push('  - {from: join, to: __end__}');
  return lines.join('\n') + '\n';
}

/** A purely sequential chain of Lua nodes n1 -> n2 -> ... */
export function chainYaml(codes: string[], name = 'test-chain'): string {
  const lines = [`name: ${name}`, 'nodes:'];
  codes.forEach((code, i) => {
    lines.push(`  - name: n${i + 1}`, '    language: lua', '    run: |', indent(code, 6));
    lines.push(`    goto: ${i + 1 < codes.length ? `n${i + 2}` : '__end__'}`);
  });
  return lines.join('\n') + '\n';
}

export type ParallelResultT = {
  branch: string;
  success: boolean;
  state: Record<string, unknown> | null;
  error: string | null;
  error_type: string | null;
  timeout: boolean;
  timing_ms: number;
};

export function results(state: Record<string, unknown>): ParallelResultT[] {
  return state.parallel_results as ParallelResultT[];
}

export function byBranch(state: Record<string, unknown>, branch: string): ParallelResultT {
  const r = results(state).find((x) => x.branch === branch);
  if (!r) throw new Error(`no result for branch ${branch}`);
  return r;
}

export function eventsOf<T extends RunEvent['type']>(
  events: RunEvent[],
  type: T,
): Extract<RunEvent, { type: T }>[] {
  return events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
}

/** Wall time of the fan-out: from fan-out-started to fan-in. */
export function fanOutSpan(events: RunEvent[]): number {
  const start = eventsOf(events, 'fan-out-started')[0];
  const end = eventsOf(events, 'fan-in')[0];
  if (!start || !end) throw new Error('no fan-out in events');
  return end.t - start.t;
}

/**
 * Pids of the Lua worker processes `parentPid` forked (Linux /proc): worker.ts through tsx, or
 * dist/worker.cjs when the engine runs compiled. tsx's own esbuild helper is not a worker.
 */
export function workerPids(parentPid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === parentPid && /worker\.(ts|cjs)/.test(cmdline)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}
