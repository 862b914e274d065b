/**
 * The ActionRegistry: named async handlers for `uses:` nodes. One registry is shared by the whole
 * host process and may be called by any number of branches at once, so it keeps no per-call
 * state; everything a call needs arrives in `params` and `ctx`.
 */

import type { LlmSession } from '../llm/session.ts';
import type { LlmEvent } from '../llm/types.ts';
import { catalogueInfo } from './catalogue.ts';

export interface ActionContext {
  /** Folder file actions are confined to. */
  baseDir: string;
  /** Lift the baseDir confinement (explicit user opt-in). */
  allowOutside?: boolean;
  signal?: AbortSignal;
  /** Node that invoked the action, for error messages. */
  node: string;
  runId: string;
  /** Per-run store used by memory.* actions. */
  memory: Map<string, unknown>;
  /**
   * The state the node runs on (TEA hands it to every action). Optional: hosts that do not pass it
   * get an ActionError from the actions that need it (lua.eval, retry.loop).
   */
  state?: Readonly<Record<string, unknown>>;
  /**
   * Runs a Lua chunk against `state` in the run's sandboxed worker VM (never in the host), under the
   * node's timeout and memory cap; resolves to the worker's outcome. Needed by lua.eval.
   */
  runLua?: (code: string, state: Record<string, unknown>) => Promise<LuaRunOutcome>;
  /**
   * Runs another node of the workflow on `state` and resolves to the state after it (retry.loop's
   * correction node); rejects with the node's failure message.
   */
  runNode?: (name: string, state: Record<string, unknown>) => Promise<Record<string, unknown>>;
  /** Emits a RunEvent at this node's place in the run (main line or branch): model calls report so. */
  emit?: (event: LlmEvent) => void;
  /** The run's model-call session (settings.llm, keys, cassette); LLM actions make one when absent. */
  llm?: LlmSession;
}

/** What a worker VM answers for a Lua chunk: engine/lua's ExecOutcome, reduced to what actions read. */
export type LuaRunOutcome =
  | { ok: true; value: unknown; logs: string[] }
  | { ok: false; error: { kind: string; message: string; line?: number }; logs: string[] };

export type ActionHandler = (
  params: Record<string, unknown>,
  ctx: ActionContext,
) => Promise<unknown> | unknown;

export interface ActionInfo {
  name: string;
  description: string;
  /** Parameter name -> short description (prefix "optional:" for optional ones). */
  params: Record<string, string>;
}

export interface RegisterOptions extends Partial<ActionInfo> {
  /** Allow replacing an existing registration of the same name. */
  replace?: boolean;
}

export class ActionError extends Error {
  constructor(
    message: string,
    readonly action: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ActionError';
  }
}

interface Entry {
  handler: ActionHandler;
  info: ActionInfo;
}

export class ActionRegistry {
  private readonly entries = new Map<string, Entry>();

  register(name: string, handler: ActionHandler, info: RegisterOptions = {}): void {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new ActionError('Action name must be a non-empty string', String(name));
    }
    if (typeof handler !== 'function')
      throw new ActionError(`Handler for action '${name}' is not a function`, name);
    if (this.entries.has(name) && info.replace !== true) {
      throw new ActionError(
        `Action '${name}' is already registered (pass { replace: true } to override)`,
        name,
      );
    }
    // A built-in registered without info is described by the catalogue (the one place it is).
    const described =
      info.description === undefined && info.params === undefined ? catalogueInfo(name) : info;
    this.entries.set(name, {
      handler,
      info: { name, description: described?.description ?? '', params: { ...described?.params } },
    });
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  info(name: string): ActionInfo | undefined {
    const entry = this.entries.get(name);
    return entry && { ...entry.info, params: { ...entry.info.params } };
  }

  /**
   * Runs an action. Unknown names and handler failures surface as ActionError naming the action
   * and the node; errors that already are ActionErrors pass through unchanged.
   */
  async call(name: string, params: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new ActionError(unavailableMessage(name, ctx.node, this.names()), name);
    if (ctx.signal?.aborted)
      throw new ActionError(`Action '${name}' in node '${ctx.node}' was aborted`, name);
    try {
      return await entry.handler(params ?? {}, ctx);
    } catch (e) {
      if (e instanceof ActionError) throw e;
      const message = e instanceof Error ? e.message : String(e);
      throw new ActionError(`Action '${name}' failed in node '${ctx.node}': ${message}`, name, { cause: e });
    }
  }
}

/**
 * The one-line error for an action this registry lacks: TEA has ~150 actions and Fanout a few dozen,
 * so listing every available one buried the point. Close names (a typo) are offered instead.
 */
export function unavailableMessage(name: string, node: string, available: readonly string[]): string {
  const close = closeNames(name, available);
  const hint = close.length ? `; did you mean ${close.map((n) => `'${n}'`).join(' or ')}?` : '';
  return `node '${node}': action '${name}' is not available in Fanout (see docs/compat.md)${hint}`;
}

/** At most three names within a small edit distance of `name`, nearest first. */
export function closeNames(name: string, available: readonly string[]): string[] {
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 4)));
  return available
    .map((candidate) => ({ candidate, d: editDistance(name.toLowerCase(), candidate.toLowerCase(), limit) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.candidate.localeCompare(b.candidate))
    .slice(0, 3)
    .map((x) => x.candidate);
}

/** Levenshtein distance, giving up (returning limit + 1) once every cell of a row exceeds limit. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      row.push(v);
      best = Math.min(best, v);
    }
    if (best > limit) return limit + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/** Reads a required string parameter or throws an ActionError naming it. */
export function requireString(params: Record<string, unknown>, key: string, action: string): string {
  const v = params[key];
  if (typeof v !== 'string' || v === '') {
    throw new ActionError(`${action}: missing required parameter '${key}' (a non-empty string)`, action);
  }
  return v;
}
