// Public engine API (AC11: stays stable). Hosts and tests use only what is exported here.
import { dirname, resolve } from 'node:path';
import type { ActionHandler, ActionInfo } from './actions/registry.ts';
import { ActionRegistry, createDefaultRegistry, sharedRegistry } from './actions/index.ts';
import { loadWorkflow } from './workflow/load.ts';
import { loadWorkflowFile } from './workflow/load-file.ts';
import { LoadCache } from './workflow/load-cache.ts';
import { validateWorkflow } from './workflow/validate.ts';
import { lintPortability } from './workflow/lint.ts';
import { buildGraph } from './workflow/graph.ts';
import { luaSyntaxProblems } from './workflow/lua-syntax.ts';
import { RunService } from './run/service.ts';
import type { RunHandle, RunServiceOptions } from './run/service.ts';
import { RunRequestError } from './run/run-request.ts';
import { unavailableActions } from './run/unavailable-actions.ts';
import type { LoadResult, Problem } from './workflow/types.ts';
import type { JsonObject, RunEvent, RunOptions } from './run/types.ts';

export type * from './workflow/types.ts';
export type * from './run/types.ts';
export type { RunHandle } from './run/service.ts';
export type { ActionHandler, ActionInfo, ActionContext } from './actions/registry.ts';
export { ActionRegistry, createDefaultRegistry, sharedRegistry };
export { loadWorkflow, loadWorkflowFile, buildGraph, luaSyntaxProblems };
/** Thrown by run() and resume() for a request that cannot be accepted (hosts answer 400 / BAD_REQUEST). */
export { RunRequestError };

export type EngineOptions = RunServiceOptions;

export interface ValidateOptions {
  /** Also report TEA portability warnings (default true). */
  portability?: boolean;
  /** Also compile every Lua node's code in a worker and report syntax errors (default true). */
  luaSyntax?: boolean;
}

/** Thrown by run() when the workflow has validation errors; carries every problem. */
export class WorkflowInvalidError extends Error {
  constructor(readonly problems: Problem[]) {
    const first = problems.find((p) => p.severity === 'error');
    super(
      first
        ? `${first.file ?? '<workflow>'}:${first.line}:${first.col}: ${first.code} ${first.message}`
        : 'invalid workflow',
    );
    this.name = 'WorkflowInvalidError';
  }
}

/**
 * Thrown by run() with `refuseUnavailableActions` when the workflow uses actions this engine lacks:
 * `actions` lists them (sorted, once each); `problems` holds each use as an error with its position.
 */
export class UnavailableActionsError extends WorkflowInvalidError {
  constructor(
    readonly actions: string[],
    problems: Problem[],
  ) {
    super(problems);
    this.message = `the workflow uses actions that are not available in Fanout: ${actions.join(', ')} (see docs/compat.md)`;
    this.name = 'UnavailableActionsError';
  }
}

export interface RunRequest extends RunOptions {
  onEvent?: (event: RunEvent) => void;
}

export class Engine {
  readonly service: RunService;
  /** The last few texts loaded by load() and run(text): an unchanged document is not parsed again. */
  readonly loads = new LoadCache();

  constructor(options: EngineOptions = {}) {
    this.service = new RunService(options);
  }

  /** Pre-starts every worker of the pool (optional; runs and checks start the workers they need). */
  start(): Promise<void> {
    return this.service.start();
  }

  /** Loads YAML text; the same text (and file) again answers the kept, deep-frozen load. */
  load(text: string, file?: string): LoadResult {
    return this.loads.load(text, file);
  }

  loadFile(path: string): Promise<LoadResult> {
    return loadWorkflowFile(path);
  }

  /** Validation errors, portability warnings and Lua syntax errors, sorted by line. */
  async validate(load: LoadResult, options: ValidateOptions = {}): Promise<Problem[]> {
    const problems = validateWorkflow(load, { knownActions: this.service.registry.names() });
    if (load.model && options.portability !== false) {
      problems.push(...lintPortability(load.model, buildGraph(load.model)));
    }
    if (load.model && options.luaSyntax !== false) {
      problems.push(
        ...(await luaSyntaxProblems(load, (code, chunk) => this.service.pool.checkSyntax(code, chunk))),
      );
    }
    return dedupe(problems).sort((a, b) => a.line - b.line || a.col - b.col);
  }

  /**
   * Runs a workflow given as YAML text, a loaded document, or a file path (`{ file }`). Throws a
   * WorkflowInvalidError for a workflow with errors and a RunRequestError for unusable options (input
   * not a JSON object or nested deeper than 200 levels / larger than 32 MiB, a limit that is not a
   * positive number).
   */
  run(source: string | LoadResult, request: RunRequest = {}): RunHandle {
    const load = typeof source === 'string' ? this.loads.load(source) : source;
    const problems = validateWorkflow(load, { knownActions: this.service.registry.names() });
    const errors = problems.filter((p) => p.severity === 'error');
    if (!load.model || errors.length > 0) throw new WorkflowInvalidError(errors);
    if (request.refuseUnavailableActions) {
      const uses = unavailableActions(load.model, this.service.registry);
      if (uses.length > 0) {
        const actions = [...new Set(uses.map((u) => u.action))].sort();
        const warnings = problems.filter((p) => p.code === 'UNKNOWN_ACTION');
        throw new UnavailableActionsError(
          actions,
          warnings.map((p) => ({ ...p, severity: 'error' as const })),
        );
      }
    }
    const { onEvent, ...options } = request;
    const baseDir = options.baseDir ?? (load.file ? dirname(resolve(load.file)) : process.cwd());
    return this.service.run(load.model, { ...options, baseDir }, onEvent);
  }

  cancel(runId: string): boolean {
    return this.service.cancel(runId);
  }

  /**
   * Continues a run paused at a breakpoint (RunOptions.interruptBefore/After); with `state`, the run
   * continues with that state instead. False when the run is not paused; a RunRequestError (a
   * TypeError) when `state` is not a plain JSON object within the state bounds.
   */
  resume(runId: string, state?: JsonObject): boolean {
    return this.service.resume(runId, state);
  }

  registerAction(name: string, handler: ActionHandler, info?: Partial<ActionInfo>): void {
    this.service.registry.register(name, handler, info);
  }

  close(): Promise<void> {
    return this.service.close();
  }
}

export function createEngine(options: EngineOptions = {}): Engine {
  return new Engine(options);
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.code}|${p.line}|${p.col}|${p.node ?? ''}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
