// Debugging support for the scheduler: where each node runs (main line, parallel branch, while-loop
// body) and the gate a paused run waits at. (A resumed state is checked in run-request.ts.)
import type { NodeSpec } from '../workflow/types.ts';
import type { RunPlan } from './plan.ts';
import type { JsonObject } from './types.ts';

/** Where a node runs: on the main line, inside a fan-out's branches, or in a while-loop's body. */
export type Placement =
  { at: 'main' } | { at: 'branch'; fanOut: string } | { at: 'loop-body'; loop: string } | { at: 'unknown' };

/** Tells where every node of the plan runs; branch membership wins over anything else. */
export function placementOf(plan: RunPlan, name: string): Placement {
  for (const fanOut of plan.fanOuts.values()) {
    if (fanOut.paths.some((path) => path.includes(name))) return { at: 'branch', fanOut: fanOut.source };
  }
  if (plan.nodes.has(name)) return { at: 'main' };
  const loop = findInLoopBodies(plan, name);
  return loop ? { at: 'loop-body', loop: loop.loop } : { at: 'unknown' };
}

/** A node of a while-loop body (body nodes are not top-level nodes of the plan). */
export function findInLoopBodies(plan: RunPlan, name: string): { loop: string; node: NodeSpec } | null {
  const search = (loop: NodeSpec): { loop: string; node: NodeSpec } | null => {
    for (const child of loop.body ?? []) {
      if (child.name === name) return { loop: loop.name, node: child };
      const nested = search(child);
      if (nested) return nested;
    }
    return null;
  };
  for (const node of plan.nodes.values()) {
    const found = search(node);
    if (found) return found;
  }
  return null;
}

/** Why a node cannot be where a "run from here" starts, or null when it can. */
export function startRefusal(plan: RunPlan, name: string): string | null {
  const placed = placementOf(plan, name);
  switch (placed.at) {
    case 'main':
      return null;
    case 'branch':
      return `'${name}' runs inside the parallel branches of '${placed.fanOut}'; run from here works on main-line nodes`;
    case 'loop-body':
      return `'${name}' runs inside the while_loop '${placed.loop}'; run from here works on main-line nodes`;
    case 'unknown':
      return `cannot start at '${name}': the workflow has no node named '${name}'`;
  }
}

/**
 * Keeps the breakpoints that apply (main-line nodes) and words one warning per kind of ignored name
 * (each naming every such node of both lists), so a run reports them once at its start.
 */
export function checkBreakpoints(
  plan: RunPlan,
  before: readonly string[],
  after: readonly string[],
): { before: Set<string>; after: Set<string>; warnings: string[] } {
  const ignored = { branch: [] as string[], 'loop-body': [] as string[], unknown: [] as string[] };
  const main = new Set<string>();
  for (const name of new Set([...before, ...after])) {
    const placed = placementOf(plan, name).at;
    if (placed === 'main') main.add(name);
    else ignored[placed].push(name);
  }
  const list = (xs: string[]) => xs.map((x) => `'${x}'`).join(', ');
  const warnings: string[] = [];
  if (ignored.branch.length > 0) {
    warnings.push(
      `breakpoints on ${list(ignored.branch)} ignored: parallel branches are not interruptible (as in TEA)`,
    );
  }
  if (ignored['loop-body'].length > 0) {
    warnings.push(
      `breakpoints on ${list(ignored['loop-body'])} ignored: they run inside a while_loop; put the breakpoint on the loop`,
    );
  }
  if (ignored.unknown.length > 0)
    warnings.push(`breakpoints on ${list(ignored.unknown)} ignored: no such node`);
  return {
    before: new Set(before.filter((n) => main.has(n))),
    after: new Set(after.filter((n) => main.has(n))),
    warnings,
  };
}

export type ResumeWith = { edited: false } | { edited: true; state: JsonObject };

/**
 * Where a paused run waits. One pause at a time (the main line is sequential); resume() wakes it,
 * the run's abort signal ends the wait with null.
 */
export class PauseGate {
  private waiter: ((value: ResumeWith | null) => void) | null = null;

  get paused(): boolean {
    return this.waiter !== null;
  }

  wait(signal: AbortSignal): Promise<ResumeWith | null> {
    if (signal.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const onAbort = () => settle(null);
      const settle = (value: ResumeWith | null) => {
        signal.removeEventListener('abort', onAbort);
        this.waiter = null;
        resolve(value);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = settle;
    });
  }

  /** Wakes the paused run (with a replacement state when given); false when it is not paused. */
  resume(state?: JsonObject): boolean {
    const waiter = this.waiter;
    if (!waiter) return false;
    waiter(state === undefined ? { edited: false } : { edited: true, state: structuredClone(state) });
    return true;
  }
}
