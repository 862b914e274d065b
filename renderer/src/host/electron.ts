// HostApi over the Electron preload API (`window.fanout`): a thin reshaping of arguments into the
// channel payloads. Results come back as HostResult from main unchanged.
import type { HostApi } from '../../../engine/host/types.ts';
import type { MenuCommandMessage, PreloadApi } from '../../../electron/shared/channels.ts';

declare global {
  interface Window {
    /** Set by electron/preload when running inside the desktop app. */
    fanout?: PreloadApi;
  }
}

export function createElectronHost(api: PreloadApi): HostApi {
  return {
    kind: 'electron',
    info: () => api.info(),
    listFiles: (dir) => api.listFiles(dir === undefined ? {} : { dir }),
    openFile: (path) => api.openFile(path === undefined ? {} : { path }),
    saveFile: (path, text, options) =>
      api.saveFile({
        text,
        ...(path === undefined ? {} : { path }),
        ...(options?.expectedMtimeMs === undefined ? {} : { expectedMtimeMs: options.expectedMtimeMs }),
        ...(options?.expectedHash === undefined ? {} : { expectedHash: options.expectedHash }),
        ...(options?.overwrite === undefined ? {} : { overwrite: options.overwrite }),
      }),
    statFile: (path) => api.statFile({ path }),
    createFolder: (path) => api.createFolder({ path }),
    renameEntry: (path, name) => api.renameEntry({ path, name }),
    deleteEntry: (path) => api.deleteEntry({ path }),
    validate: (text, path) => api.validate(path === undefined ? { text } : { text, path }),
    exportPortable: (text) => api.exportPortable({ text }),
    run: ({
      text,
      path,
      input,
      timeoutMs,
      failFast,
      interruptBefore,
      interruptAfter,
      startAt,
      only,
      replay,
    }) =>
      api.run({
        text,
        ...(path === undefined ? {} : { path }),
        ...(input === undefined ? {} : { input }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(failFast === undefined ? {} : { failFast }),
        ...(interruptBefore === undefined ? {} : { interruptBefore }),
        ...(interruptAfter === undefined ? {} : { interruptAfter }),
        ...(startAt === undefined ? {} : { startAt }),
        ...(only === undefined ? {} : { only }),
        ...(replay === undefined ? {} : { replay }),
      }),
    cancel: (runId) => api.cancel({ runId }),
    resume: (runId, state, options) =>
      api.resume({
        runId,
        ...(state === undefined ? {} : { state }),
        ...(options?.replay ? { replay: options.replay } : {}),
      }),
    onRunEvents: (listener) => api.onRunEvents(listener),
    onFilesChanged: (listener) => api.onFilesChanged(listener),
    recentFiles: () => api.recentFiles(),
    providerKeys: () => api.providerKeys(),
    setProviderKey: (provider, key) => api.setProviderKey({ provider, key }),
    testProvider: (provider, apiBase) =>
      api.testProvider(apiBase === undefined ? { provider } : { provider, apiBase }),
    batch: {
      list: (dir) => api.batchList(dir === undefined ? {} : { dir }),
      start: (request) => api.batchStart(request),
      status: (batchId, since) => api.batchStatus({ batchId, since }),
      row: (batchId, rowId) => api.batchRow({ batchId, rowId }),
      cancel: (batchId) => api.batchCancel({ batchId }),
      export: (batchId, path, format, overwrite) =>
        api.batchExport({ batchId, path, format, ...(overwrite !== undefined ? { overwrite } : {}) }),
    },
  };
}

/** Native menu commands (Electron only; the browser has no native menu). */
export function onMenuCommand(listener: (message: MenuCommandMessage) => void): () => void {
  return window.fanout ? window.fanout.onMenuCommand(listener) : () => {};
}

/** Tells main whether the document has unsaved changes (for the close prompt). */
export function reportDirty(dirty: boolean): void {
  void window.fanout?.setDirty({ dirty });
}
