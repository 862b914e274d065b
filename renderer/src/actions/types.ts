// What an action is and what it may touch. The manifest (electron/shared/actions.ts) gives each id its
// title and keys; an action file adds when it is enabled (or why not) and what it does.
import type { HostInfo } from '../../../engine/host/types.ts';
import type { Position } from '../../../engine/workflow/types.ts';
import type { ActionId, ActionSpec } from '../../../electron/shared/actions.ts';
import type { DocumentStore } from '../designer/document-store.ts';
import type { UiStore } from '../designer/ui-store.ts';
import type { RunController, ShownStatus } from '../run/run-controller.ts';

/** `true`, or the reason the action cannot run now ("Select one node"), shown next to it. */
export type Enablement = true | string;

/** What a context menu was opened on; `at` is the flow position of the click. */
export type MenuTarget =
  | { kind: 'node'; node: string; at: Position }
  | { kind: 'edge'; edge: string; at: Position }
  | { kind: 'selection'; at: Position }
  | { kind: 'canvas'; at: Position }
  /** A run in the History (its row's context menu). */
  | { kind: 'run'; runId: string; at: Position };

/** The application's own operations (file flows, dialogs), implemented by App. */
export interface AppOps {
  newDocument(): void;
  open(path?: string): void;
  save(): Promise<void>;
  saveAs(): void;
  exportPortable(): void;
  /** Copies the document's portable form to the clipboard. */
  copyPortable(): void;
  close(): void;
  openPalette(query?: string): void;
  showShortcuts(): void;
  showAbout(): void;
  /** Settings › Providers: API keys kept by the host. */
  showProviders(): void;
  /** Shows an error in the app's message bar. */
  fail(message: string): void;
  openExternal(url: string): void;
}

/** What the mounted canvas offers (null while no graph is drawn). */
export interface CanvasOps {
  zoomIn(): void;
  zoomOut(): void;
  zoomTo(level: number): void;
  fit(): void;
  /** Flow position of the view's centre (where keyboard-added nodes go). */
  centre(): Position;
  /** Flow position of the last pointer position over the canvas (where Ctrl+V pastes). */
  pointer(): Position;
  startRename(node: string): void;
  /** Shows a message in the canvas's notice bar. */
  notice(message: string | null): void;
  /** Moves keyboard focus back to the canvas (after a menu closes, after a delete). */
  focus(): void;
  /** Re-fits the view after the next layout (auto-layout). */
  fitAfterLayout(): void;
}

export interface RunFacts {
  controller: RunController;
  status: ShownStatus;
  /** The run shown on the canvas, when it waits at a breakpoint. */
  pausedRunId: string | null;
  hasBreakpoints: boolean;
}

export interface ActionContext {
  doc: DocumentStore;
  ui: UiStore;
  host: { kind: 'electron' | 'browser'; info: HostInfo | null };
  /** A document is open in the designer. */
  opened: boolean;
  mac: boolean;
  run: RunFacts;
  app: AppOps;
  canvas: CanvasOps | null;
  /** Set when the action is performed from a context menu. */
  target: MenuTarget | null;
}

/** The renderer half of an action: the manifest's spec plus behaviour. */
export interface ActionImpl {
  enabled(ctx: ActionContext): Enablement;
  perform(ctx: ActionContext): void | Promise<void>;
}

export type Action = ActionSpec & ActionImpl & { readonly id: ActionId };
