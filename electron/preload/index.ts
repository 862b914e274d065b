// Preload of the sandboxed renderer: exposes the typed API as `window.fanout`. Bundled to CommonJS with
// its imports inlined, because a sandboxed preload can only `require('electron')`.
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './api.ts';

contextBridge.exposeInMainWorld('fanout', createPreloadApi(ipcRenderer));
