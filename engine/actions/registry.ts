/**
 * The ActionRegistry: named async handlers for `uses:` nodes. One registry is shared by the whole
 * host process and may be called by any number of branches at once, so it keeps no per-call
 * state; everything a call needs arrives in `params` and `ctx`.
 */

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
}

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
    this.entries.set(name, {
      handler,
      info: { name, description: info.description ?? '', params: { ...info.params } },
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
    if (entry === undefined) {
      throw new ActionError(
        `Unknown action '${name}' in node '${ctx.node}'. Available actions: ${this.names().join(', ')}`,
        name,
      );
    }
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

/** Reads a required string parameter or throws an ActionError naming it. */
export function requireString(params: Record<string, unknown>, key: string, action: string): string {
  const v = params[key];
  if (typeof v !== 'string' || v === '') {
    throw new ActionError(`${action}: missing required parameter '${key}' (a non-empty string)`, action);
  }
  return v;
}
