// Test helper: an ActionContext over real document and UI stores, with recording app/canvas/run
// operations (the registry is what is under test; App, React Flow and the host are not).
import type { ActionId } from '../../../electron/shared/actions.ts';
import { createDocumentStore } from '../designer/document-store.ts';
import { createUiStore } from '../designer/ui-store.ts';
import type { RunController, ShownStatus } from '../run/run-controller.ts';
import type { ActionContext, CanvasOps, MenuTarget } from './types.ts';

export const WORKFLOW = `name: t
nodes:
  - name: a
    language: lua
    run: return {}
  - name: b
    language: lua
    run: return {}
edges:
  - from: __start__
    to: a
  - from: a
    to: b
  - from: b
    to: __end__
`;

export interface TestContext extends ActionContext {
  calls: string[];
}

export function testContext(
  options: {
    text?: string;
    opened?: boolean;
    canvas?: boolean;
    status?: ShownStatus;
    selection?: string[];
    target?: MenuTarget;
  } = {},
): TestContext {
  const calls: string[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push(args.length > 0 ? `${name}(${args.map((a) => JSON.stringify(a)).join(',')})` : name);
    };
  const doc = createDocumentStore(options.text ?? WORKFLOW);
  const ui = createUiStore();
  if (options.selection) ui.getState().select({ nodes: options.selection, edges: [] });
  const canvas: CanvasOps = {
    zoomIn: record('zoomIn'),
    zoomOut: record('zoomOut'),
    zoomTo: record('zoomTo'),
    fit: record('fit'),
    centre: () => ({ x: 400, y: 300 }),
    pointer: () => ({ x: 10, y: 20 }),
    startRename: record('startRename'),
    notice: (message) => message !== null && calls.push(`notice(${message})`),
    focus: () => {},
    fitAfterLayout: record('fitAfterLayout'),
  };
  const controller = {
    run: async () => calls.push('run'),
    rerun: async () => calls.push('rerun'),
    cancel: async () => calls.push('cancel'),
    resume: async (id: string) => calls.push(`resume(${id})`),
    runFrom: async (node: string) => calls.push(`runFrom(${node})`),
    runNode: async (node: string) => calls.push(`runNode(${node})`),
    toggleBreakpoint: (node: string) => calls.push(`toggleBreakpoint(${node})`),
    clearBreakpoints: () => calls.push('clearBreakpoints'),
    setInputOpen: (open: boolean) => calls.push(`setInputOpen(${open})`),
    recordedRun: () => ({ ok: false, reason: 'Run the workflow first' }),
    rerunRecorded: async (id?: string) => calls.push(`rerunRecorded(${id ?? ''})`),
    setUseRecorded: (on: boolean) => calls.push(`setUseRecorded(${on})`),
    store: { getState: () => ({ useRecorded: false }) },
  } as unknown as RunController;
  const ctx: TestContext = {
    calls,
    doc,
    ui,
    host: { kind: 'browser', info: null },
    opened: options.opened ?? true,
    mac: false,
    run: {
      controller,
      status: options.status ?? 'idle',
      pausedRunId: options.status === 'paused' ? 'r1' : null,
      hasBreakpoints: false,
    },
    app: {
      newDocument: record('newDocument'),
      open: record('open'),
      save: async () => void calls.push('save'),
      saveAs: record('saveAs'),
      exportPortable: record('exportPortable'),
      copyPortable: record('copyPortable'),
      close: record('close'),
      openPalette: record('openPalette'),
      showShortcuts: record('showShortcuts'),
      showAbout: record('showAbout'),
      showProviders: record('showProviders'),
      fail: record('fail'),
      openExternal: record('openExternal'),
    },
    canvas: options.canvas === false ? null : canvas,
    target: options.target ?? null,
  };
  return ctx;
}

/** Lets the microtasks of an async perform settle. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

export type { ActionId };
