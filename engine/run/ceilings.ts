// The limits a run works under. The caller's (RunOptions: `--timeout`, a request's timeoutMs) are
// ceilings the workflow file (`settings.timeout_ms`, `settings.memory_limit_mb`,
// `settings.max_iterations`, a node's `timeout_ms`, a while_loop's `max_iterations`) can only lower; a file
// that asks for more gets the ceiling and a warning. Where the caller sets no limit, the absolute maxima
// of engine/limits.ts are the ceilings (a file may ask for a slow node's 2 minutes), and a file that sets
// nothing gets the defaults.
import {
  DEFAULT_MAX_STEPS,
  DEFAULT_MEMORY_LIMIT_MB,
  DEFAULT_TIMEOUT_MS,
  MAX_ITERATIONS,
  MAX_MEMORY_LIMIT_MB,
  MAX_TIMEOUT_MS,
  MAX_WHILE_ITERATIONS,
} from '../limits.ts';
import type { NodeSpec, WorkflowModel } from '../workflow/types.ts';
import type { RunOptions } from './types.ts';

const MiB = 1024 * 1024;

export interface RunCeilings {
  /** Lua time per node execution, ms. */
  timeoutMs: number;
  /** Lua heap per VM, bytes. */
  memoryBytes: number;
  /** Node executions per run (and per branch). */
  maxSteps: number;
  /** What applies where the file sets nothing: the caller's limits, else the defaults. */
  base: { timeoutMs: number; memoryBytes: number; maxSteps: number };
}

/** Why a caller's limit is unusable (not a positive finite number), or null. RunRequestError text. */
export function callerLimitProblem(options: RunOptions): string | null {
  const check = (name: string, value: unknown): string | null =>
    value === undefined || (typeof value === 'number' && Number.isFinite(value) && value > 0)
      ? null
      : `${name} must be a positive number, got ${String(value)}`;
  return (
    check('timeoutMs', options.timeoutMs) ??
    check('memoryBytes', options.memoryBytes) ??
    check('maxSteps', options.maxSteps)
  );
}

/** The caller's limits (else the absolute maxima) as ceilings, and what applies where the file is silent. */
export function callerCeilings(options: RunOptions): RunCeilings {
  const timeoutMs = Math.min(options.timeoutMs ?? MAX_TIMEOUT_MS, MAX_TIMEOUT_MS);
  const memoryBytes = Math.min(options.memoryBytes ?? MAX_MEMORY_LIMIT_MB * MiB, MAX_MEMORY_LIMIT_MB * MiB);
  const maxSteps = Math.floor(Math.min(options.maxSteps ?? MAX_ITERATIONS, MAX_ITERATIONS));
  return {
    timeoutMs,
    memoryBytes,
    maxSteps,
    base: {
      timeoutMs: Math.min(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, timeoutMs),
      memoryBytes: Math.min(options.memoryBytes ?? DEFAULT_MEMORY_LIMIT_MB * MiB, memoryBytes),
      maxSteps: Math.floor(Math.min(options.maxSteps ?? DEFAULT_MAX_STEPS, maxSteps)),
    },
  };
}

/** `asked` when it is a usable value (cut to the ceiling), else `otherwise`. */
function lower(asked: number | undefined, ceiling: number, otherwise: number = ceiling): number {
  return asked !== undefined && Number.isFinite(asked) && asked > 0 ? Math.min(asked, ceiling) : otherwise;
}

/** The limits one run uses, and a warning for every value of the file the ceilings cut. */
export class RunLimits {
  readonly memoryBytes: number;
  readonly maxSteps: number;
  /** Default node timeout: `settings.timeout_ms` under the ceiling. */
  private readonly timeoutMs: number;
  readonly warnings: string[] = [];

  constructor(
    model: WorkflowModel,
    private readonly ceilings: RunCeilings,
  ) {
    const { settings } = model;
    const memory = settings.memoryLimitMb === undefined ? undefined : settings.memoryLimitMb * MiB;
    this.memoryBytes = lower(memory, ceilings.memoryBytes, ceilings.base.memoryBytes);
    this.maxSteps = Math.floor(lower(settings.maxIterations, ceilings.maxSteps, ceilings.base.maxSteps));
    this.timeoutMs = lower(settings.timeoutMs, ceilings.timeoutMs, ceilings.base.timeoutMs);
    this.noteCut('settings.memory_limit_mb', memory, ceilings.memoryBytes, (b) => `${b / MiB} MiB`);
    this.noteCut('settings.max_iterations', settings.maxIterations, ceilings.maxSteps, String);
    this.noteCut('settings.timeout_ms', settings.timeoutMs, ceilings.timeoutMs, (ms) => `${ms} ms`);
    const cut = allNodes(model.nodes).filter(
      (n) => n.timeoutMs !== undefined && n.timeoutMs > ceilings.timeoutMs,
    );
    if (cut.length > 0) {
      const names = cut.map((n) => `'${n.name}'`).join(', ');
      this.warnings.push(
        `timeout_ms of ${names} is above this run's ceiling of ${ceilings.timeoutMs} ms; ` +
          `${cut.length === 1 ? 'it gets' : 'they get'} ${ceilings.timeoutMs} ms (the caller's timeout is the most a file can ask for)`,
      );
    }
  }

  /** Lua time for one execution of `node`: its own timeout_ms, else the file's, under the ceiling. */
  timeoutFor(node: NodeSpec): number {
    return node.timeoutMs === undefined ? this.timeoutMs : lower(node.timeoutMs, this.ceilings.timeoutMs);
  }

  /** Iterations of a while_loop: its max_iterations under TEA's bound and the run's step limit. */
  whileIterations(node: NodeSpec): number {
    return Math.floor(Math.max(0, Math.min(node.maxIterations ?? 0, MAX_WHILE_ITERATIONS, this.maxSteps)));
  }

  private noteCut(
    what: string,
    asked: number | undefined,
    ceiling: number,
    show: (n: number) => string,
  ): void {
    if (asked === undefined || !(asked > ceiling)) return;
    this.warnings.push(
      `${what} asks for ${show(asked)}, above this run's ceiling of ${show(ceiling)}; using ${show(ceiling)} ` +
        `(the caller's limit is the most a file can ask for)`,
    );
  }
}

function allNodes(nodes: NodeSpec[]): NodeSpec[] {
  return nodes.flatMap((n) => [n, ...allNodes(n.body ?? [])]);
}
