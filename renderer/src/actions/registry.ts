// The one registry of user actions. The command palette, window and canvas keys, toolbar tooltips,
// context menus and Electron's menu all read it; an action exists once, in its own file.
import type { ActionId } from '../../../electron/shared/actions.ts';
import { clearBreakpoints } from './run/clear-breakpoints.ts';
import { cancel } from './run/cancel.ts';
import { continueRun } from './run/continue.ts';
import { editInput } from './run/edit-input.ts';
import { runFromHere } from './run/from-here.ts';
import { runNodeAlone } from './run/node-alone.ts';
import { rerun } from './run/rerun.ts';
import { rerunRecorded } from './run/rerun-recorded.ts';
import { toggleRecorded } from './run/toggle-recorded.ts';
import { run } from './run/run.ts';
import { toggleBreakpoint } from './run/toggle-breakpoint.ts';
import { copy } from './edit/copy.ts';
import { cut } from './edit/cut.ts';
import { deleteSelected } from './edit/delete.ts';
import { duplicate } from './edit/duplicate.ts';
import { paste } from './edit/paste.ts';
import { redo } from './edit/redo.ts';
import { rename } from './edit/rename.ts';
import { selectAll } from './edit/select-all.ts';
import { undo } from './edit/undo.ts';
import { close } from './file/close.ts';
import { copyPortable } from './file/copy-portable.ts';
import { exportPortable } from './file/export.ts';
import { newDocument } from './file/new.ts';
import { open } from './file/open.ts';
import { saveAs } from './file/save-as.ts';
import { save } from './file/save.ts';
import { addActionNode } from './graph/add-action.ts';
import { addFanout } from './graph/add-fanout.ts';
import { addLua } from './graph/add-lua.ts';
import { addNote } from './graph/add-note.ts';
import { addParallel } from './graph/add-parallel.ts';
import { addWhile } from './graph/add-while.ts';
import { autoLayout } from './graph/auto-layout.ts';
import { goToSource } from './graph/go-to-source.ts';
import { goToTarget } from './graph/go-to-target.ts';
import { about } from './help/about.ts';
import { providers } from './settings/providers.ts';
import { docs } from './help/docs.ts';
import { shortcuts } from './help/shortcuts.ts';
import { fit } from './view/fit.ts';
import { palette } from './view/palette.ts';
import { toggleInspector } from './view/toggle-inspector.ts';
import { toggleProblems } from './view/toggle-problems.ts';
import { toggleBatch } from './view/toggle-batch.ts';
import { toggleTheme } from './view/toggle-theme.ts';
import { toggleYaml } from './view/toggle-yaml.ts';
import { zoomIn } from './view/zoom-in.ts';
import { zoomOut } from './view/zoom-out.ts';
import { zoomReset } from './view/zoom-reset.ts';
import { matchesCombo, type KeyInput } from './keys.ts';
import type { Action, ActionContext, Enablement } from './types.ts';

/** Every action, in the order the palette lists them. */
export const ACTIONS: readonly Action[] = [
  save,
  saveAs,
  open,
  newDocument,
  exportPortable,
  copyPortable,
  close,
  run,
  rerun,
  rerunRecorded,
  toggleRecorded,
  cancel,
  continueRun,
  runFromHere,
  runNodeAlone,
  toggleBreakpoint,
  clearBreakpoints,
  editInput,
  undo,
  redo,
  cut,
  copy,
  paste,
  deleteSelected,
  duplicate,
  rename,
  selectAll,
  addParallel,
  addLua,
  addActionNode,
  addWhile,
  addFanout,
  addNote,
  autoLayout,
  goToSource,
  goToTarget,
  zoomIn,
  zoomOut,
  zoomReset,
  fit,
  toggleInspector,
  toggleProblems,
  toggleBatch,
  toggleYaml,
  toggleTheme,
  palette,
  shortcuts,
  docs,
  about,
  providers,
];

const BY_ID = new Map<string, Action>(ACTIONS.map((a) => [a.id, a]));

export function getAction(id: ActionId): Action {
  const action = BY_ID.get(id);
  if (!action) throw new Error(`no action registered for ${id}`);
  return action;
}

export function hasAction(id: string): boolean {
  return BY_ID.has(id);
}

export interface ActionState {
  id: ActionId;
  title: string;
  /** true, or why it cannot run now. */
  enabled: Enablement;
}

export function actionState(id: ActionId, ctx: ActionContext): ActionState {
  const action = getAction(id);
  return { id, title: action.title, enabled: action.enabled(ctx) };
}

/**
 * Performs the action if it is enabled; returns its enablement. An error thrown by `perform` (sync or
 * async) goes to the app's message bar instead of becoming an unhandled rejection.
 */
export function performAction(id: ActionId, ctx: ActionContext): Enablement {
  const action = getAction(id);
  const enabled = action.enabled(ctx);
  if (enabled !== true) return enabled;
  const report = (error: unknown) =>
    ctx.app.fail(`${action.title}: ${error instanceof Error ? error.message : String(error)}`);
  try {
    void Promise.resolve(action.perform(ctx)).catch(report);
  } catch (error) {
    report(error);
  }
  return true;
}

/** Where a key press happened, as the key dispatcher sees it. */
export interface KeyPlace {
  /** Focus is in a text field or editor. */
  typing: boolean;
  /** Focus is on the canvas. */
  inCanvas: boolean;
  /** Focus is inside a dialog or menu (which handle their own keys). */
  inOverlay: boolean;
}

/** The action a key press triggers in this place, or null. Native-key actions are never returned. */
export function actionForKey(event: KeyInput, place: KeyPlace): Action | null {
  for (const action of ACTIONS) {
    if (!action.keys || action.nativeKeys) continue;
    const scope = action.scope ?? 'app';
    if (scope !== 'global' && (place.typing || place.inOverlay)) continue;
    if (scope === 'canvas' && !place.inCanvas) continue;
    if (action.keys.some((combo) => matchesCombo(event, combo))) return action;
  }
  return null;
}
