// TEA Python (../shared/tea-py, the reference engine with LuaJIT) measured in the same bench run as
// Fanout, on the same YAML files. Only bench code reads ../shared; tests never do. Where the reference
// is not set up, the column says why instead of a figure (setup needs the TEA mirror: see its README).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TEA_PY_DIR = fileURLToPath(new URL('../../shared/tea-py/', import.meta.url));
/** The reference's own cases: the same files Fanout runs in the side-by-side rows. */
export const teaPyCase = (name: string): string => `${TEA_PY_DIR}cases/${name}.yaml`;

const TEA_SRC = '/tmp/tea-py-src/python/src/the_edge_agent';

/** Null when TEA Python can run here, else the reason (printed, and shown in the column). */
export function teaPyMissing(): string | null {
  if (!existsSync(`${TEA_PY_DIR}run.sh`)) return `no ${TEA_PY_DIR}run.sh`;
  // run.sh would start setup.sh (apt, the mirror) by itself: a bench must not install anything.
  if (!existsSync(TEA_SRC))
    return `TEA Python not set up (${TEA_SRC} missing; run ../shared/tea-py/setup.sh)`;
  return null;
}

export interface TeaPyRun {
  ok: boolean;
  /** The in-process run only (stream loop), no Python start: tea_run.py's wall_ms. */
  wallMs: number;
  error: string | null;
}

export function runTeaPy(file: string, input: object = {}): TeaPyRun {
  const done = spawnSync(`${TEA_PY_DIR}run.sh`, [file, JSON.stringify(input)], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = done.stdout?.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as { ok: boolean; wall_ms: number; error: string | null };
    return { ok: parsed.ok, wallMs: parsed.wall_ms, error: parsed.error };
  } catch {
    return { ok: false, wallMs: NaN, error: `no JSON line from run.sh (${done.stderr?.slice(-200) ?? ''})` };
  }
}

/** Median wall_ms of `runs` runs (each its own Python process, as `tea run` would be). */
export function teaPyMedian(file: string, runs: number, input: object = {}): { ms: number; error?: string } {
  const walls: number[] = [];
  let error: string | undefined;
  for (let i = 0; i < runs; i++) {
    const run = runTeaPy(file, input);
    if (Number.isFinite(run.wallMs)) walls.push(run.wallMs);
    if (run.error && !run.error.startsWith('run completed; parallel_error')) error ??= run.error;
  }
  walls.sort((a, b) => a - b);
  const ms = walls.length ? walls[Math.floor(walls.length / 2)]! : NaN;
  return error === undefined ? { ms } : { ms, error };
}
