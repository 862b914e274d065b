// Shared enabled-checks and the selection helpers actions use. Each check returns true or the reason
// shown beside a disabled item.
import { isActive } from '../run/run-controller.ts';
import type { ActionContext, CanvasOps, Enablement } from './types.ts';

/** The Start and End pills are drawn as nodes but are not YAML nodes: no edit applies to them. */
const isTerminal = (name: string) => name === '__start__' || name === '__end__';

export const NO_DOCUMENT = 'Open or create a workflow first';
export const NO_CANVAS = 'Nothing is drawn on the canvas';

export function needsDocument(ctx: ActionContext): Enablement {
  return ctx.opened || NO_DOCUMENT;
}

export function needsCanvas(ctx: ActionContext): Enablement {
  if (!ctx.opened) return NO_DOCUMENT;
  return ctx.canvas ? true : NO_CANVAS;
}

/** The canvas, for actions whose `enabled` already required it. */
export function canvasOf(ctx: ActionContext): CanvasOps {
  if (!ctx.canvas) throw new Error('the canvas is not shown');
  return ctx.canvas;
}

/** Selected workflow nodes (not the Start/End pills). */
export function selectedNodes(ctx: ActionContext): string[] {
  return ctx.ui.getState().selection.nodes.filter((n) => !isTerminal(n));
}

export function needsNodes(ctx: ActionContext, verb: string): Enablement {
  const doc = needsDocument(ctx);
  if (doc !== true) return doc;
  return selectedNodes(ctx).length > 0 || `Select a node to ${verb}`;
}

/** The one selected node, or null. */
export function singleNode(ctx: ActionContext): string | null {
  const { nodes } = ctx.ui.getState().selection;
  return nodes.length === 1 && nodes[0] && !isTerminal(nodes[0]) ? nodes[0] : null;
}

export function needsOneNode(ctx: ActionContext, verb: string): Enablement {
  const doc = needsDocument(ctx);
  if (doc !== true) return doc;
  return singleNode(ctx) !== null || `Select one node to ${verb}`;
}

export function notRunning(ctx: ActionContext): Enablement {
  return !isActive(ctx.run.status) || 'A run is in progress';
}

/** All checks in order; the first reason wins. */
export function all(...checks: Enablement[]): Enablement {
  return checks.find((c) => c !== true) ?? true;
}

/** Where a node added by this action goes: the context menu's click, else the view's centre. */
export function addPosition(ctx: ActionContext) {
  return ctx.target?.at ?? ctx.canvas?.centre() ?? { x: 0, y: 0 };
}

/** Runs a text edit as one undo step; an edit error goes to the canvas notice (or the app's bar). */
export function runEdit(ctx: ActionContext, fn: (text: string) => string, label: string): boolean {
  try {
    ctx.doc.getState().edit(fn, { label });
    ctx.canvas?.notice(null);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (ctx.canvas) ctx.canvas.notice(message);
    else ctx.app.fail(message);
    return false;
  }
}

/** Edits and selects the nodes the edit added (paste, duplicate, add node). */
export function editAndSelectAdded(
  ctx: ActionContext,
  fn: (text: string) => string,
  label: string,
  added: (before: string, after: string) => string[],
): boolean {
  const before = ctx.doc.getState().text;
  if (!runEdit(ctx, fn, label)) return false;
  ctx.ui.getState().select({ nodes: added(before, ctx.doc.getState().text), edges: [] });
  return true;
}
