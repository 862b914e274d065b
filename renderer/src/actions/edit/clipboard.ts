// Nodes travel through the system clipboard as YAML text (so they paste into other windows, apps and
// files). Where reading the clipboard is refused (Electron denies the permission; a browser may ask),
// paste falls back to the last YAML copied in this window.
import { copyNodesAsYaml } from '../../../../engine/workflow/graph-edit.ts';
import { addedNodes, pasteYaml } from '../../designer/canvas/canvas-edits.ts';
import { editAndSelectAdded, selectedNodes } from '../conditions.ts';
import type { ActionContext } from '../types.ts';
import type { Position } from '../../../../engine/workflow/types.ts';

let lastCopied: string | null = null;

/** The selected nodes as YAML, or null (with a notice) when they cannot be copied. */
export function selectionYaml(ctx: ActionContext): string | null {
  const nodes = selectedNodes(ctx);
  if (nodes.length === 0) return null;
  try {
    const yaml = copyNodesAsYaml(ctx.doc.getState().text, nodes);
    lastCopied = yaml;
    return yaml;
  } catch (error) {
    ctx.canvas?.notice(error instanceof Error ? error.message : String(error));
    return null;
  }
}

export async function writeClipboard(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Refused: the in-window copy (lastCopied) still serves Paste.
  }
}

export async function readClipboard(): Promise<string | null> {
  try {
    const text = await navigator.clipboard.readText();
    if (text) return text;
  } catch {
    // Refused or unavailable: fall back to what this window copied.
  }
  return lastCopied;
}

export function pasteAt(ctx: ActionContext, yaml: string, at: Position): void {
  editAndSelectAdded(ctx, (t) => pasteYaml(t, yaml, at), 'Paste', addedNodes);
}
