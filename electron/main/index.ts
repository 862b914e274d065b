// Electron main: wires the pure modules of this folder to Electron. Kept thin on purpose — logic lives
// in ipc-handlers, menu, security, recent-files, window-state and utility-port, which tests import.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  safeStorage,
  screen,
  session,
  shell,
  utilityProcess,
  webContents,
} from 'electron';
import { createEngine } from '../../engine/index.ts';
import type { RunEvent } from '../../engine/run/types.ts';
import { eventChannels, type MenuCommandMessage } from '../shared/channels.ts';
import { FileAccess } from './access.ts';
import { EventBatcher } from '../../engine/run/event-batcher.ts';
import { sweepStaleTempFiles } from '../../engine/fs/temp-files.ts';
import { createHandlers, registerHandlers, SAVE_DIALOG_PROPERTIES, type SenderLike } from './ipc-handlers.ts';
import { buildMenuTemplate } from './menu.ts';
import {
  examplesDir,
  fileArgument,
  preloadPath,
  rendererIndexPath,
  workerScriptPath,
  type AppLayout,
} from './paths.ts';
import { RecentFiles } from './recent-files.ts';
import { CLOSE_PROMPT_BUTTONS, closeAction, decideNavigation, withCsp } from './security.ts';
import { isExternalHttpUrl, isTrustedUrl, type TrustedPages } from './sender.ts';
import { fitToDisplays, loadWindowState, saveWindowState } from './window-state.ts';
import { forkUtilityWorker } from './utility-port.ts';
import { safeStorageCipher } from './safe-storage-cipher.ts';
import { FileKeyStore, PROVIDER_KEYS_FILE } from '../../engine/host/provider-keys.ts';

const layout: AppLayout = {
  mainDir: dirname(fileURLToPath(import.meta.url)),
  packaged: app.isPackaged,
  resourcesPath: process.resourcesPath,
  appPath: app.getAppPath(),
};
const pages: TrustedPages = {
  rendererIndex: rendererIndexPath(layout),
  devServerUrl: app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'],
};
const workflowFilters = [{ name: 'TEA workflow', extensions: ['yaml', 'yml'] }];

const engine = createEngine({ spawn: () => forkUtilityWorker(workerScriptPath(layout), utilityProcess) });
const batchers = new Map<number, EventBatcher<RunEvent>>();
const dirty = new Map<number, boolean>();
let mainWindow: BrowserWindow | null = null;
/** A file to open once the window has loaded (command line, second instance, macOS open-file). */
let pendingFile: string | null = fileArgument(process.argv, process.cwd());
let recent: RecentFiles;
let access: FileAccess;

function windowOf(sender: SenderLike): BrowserWindow | null {
  return BrowserWindow.getAllWindows().find((w) => w.webContents.id === sender.id) ?? null;
}

function sendCommand(
  message: MenuCommandMessage,
  target = BrowserWindow.getFocusedWindow() ?? mainWindow,
): void {
  if (target && !target.isDestroyed()) target.webContents.send(eventChannels.menuCommand, message);
}

function openPath(path: string | null): void {
  if (!path) return;
  access?.grantFile(path);
  if (mainWindow && !mainWindow.webContents.isLoading()) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
    sendCommand({ command: 'file:open-path', path }, mainWindow);
  } else {
    pendingFile = path;
  }
}

function refreshMenu(): void {
  const template = buildMenuTemplate({
    platform: process.platform,
    appName: app.getName(),
    recent: recent.list(),
    send: (message) => sendCommand(message),
    clearRecent: () => void recent.clear().then(refreshMenu),
    openExternal: (url) => void shell.openExternal(url),
    dev: !app.isPackaged,
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function runSink(sender: SenderLike): (event: RunEvent) => void {
  let batcher = batchers.get(sender.id);
  if (!batcher) {
    batcher = new EventBatcher<RunEvent>((batch) => {
      const target = webContents.fromId(sender.id);
      if (!target || target.isDestroyed()) return;
      // Runs in the batcher's timer: a batch that cannot be cloned must not take main down.
      try {
        target.send(eventChannels.runEvents, batch);
      } catch (err) {
        console.error(`[fanout] dropped ${batch.length} run events:`, (err as Error).message);
      }
    });
    batchers.set(sender.id, batcher);
  }
  const sink = batcher;
  return (event) => sink.push(event);
}

async function createWindow(): Promise<BrowserWindow> {
  const stateFile = join(app.getPath('userData'), 'window-state.json');
  const state = fitToDisplays(
    await loadWindowState(stateFile),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'Fanout Studio',
    webPreferences: {
      preload: preloadPath(layout),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const id = win.webContents.id;
  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize();
    win.show();
  });
  win.webContents.on('did-finish-load', () => {
    const file = pendingFile;
    pendingFile = null;
    if (file) sendCommand({ command: 'file:open-path', path: file }, win);
  });

  let closeConfirmed = false;
  win.on('close', (event) => {
    void saveWindowState(stateFile, {
      ...win.getNormalBounds(),
      maximized: win.isMaximized(),
    }).catch(() => undefined);
    if (closeConfirmed || !dirty.get(id)) return;
    event.preventDefault();
    void dialog
      .showMessageBox(win, {
        type: 'warning',
        message: 'Save changes to the workflow before closing?',
        detail: 'Your changes will be lost if you don’t save them.',
        buttons: [...CLOSE_PROMPT_BUTTONS],
        defaultId: 0,
        cancelId: 2,
      })
      .then(({ response }) => {
        const action = closeAction(response);
        if (action === 'save-then-close') sendCommand({ command: 'file:save', closeAfter: true }, win);
        if (action === 'close') {
          closeConfirmed = true;
          win.close();
        }
      });
  });
  win.on('closed', () => {
    batchers.get(id)?.dispose();
    batchers.delete(id);
    dirty.delete(id);
    for (const runId of engine.service.activeRuns()) engine.cancel(runId);
    if (mainWindow === win) mainWindow = null;
  });

  if (pages.devServerUrl) await win.loadURL(pages.devServerUrl);
  else await win.loadFile(pages.rendererIndex);
  return win;
}

function hardenContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.on('will-navigate', (event, url) => {
      const decision = decideNavigation(url, (u) => isTrustedUrl(u, pages));
      if (decision.allow) return;
      event.preventDefault();
      if (decision.openExternally) void shell.openExternal(url);
    });
    contents.setWindowOpenHandler(({ url }) => {
      if (isExternalHttpUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

async function start(): Promise<void> {
  const userData = app.getPath('userData');
  recent = new RecentFiles(join(userData, 'recent-files.json'));
  access = new FileAccess(examplesDir(layout));
  for (const file of await recent.load()) access.grantFolder(dirname(file));
  if (pendingFile) access.grantFile(pendingFile);
  // Debris of saves killed mid-write in an earlier session (examples and recent folders; bounded).
  void sweepStaleTempFiles(access.grantedFolders(), { maxDepth: 1 });

  // Warm the pool while the window loads; a failure here surfaces again on the first run.
  engine.start().catch((err: unknown) => console.error('[fanout] worker pool failed to start:', err));

  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  // The built pages get the strict CSP as a header too. The dev server's pages keep only their
  // (relaxed, see electron.vite.config.ts) <meta> CSP: React Refresh needs an inline script.
  if (!pages.devServerUrl) {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback(
        isTrustedUrl(details.url, pages)
          ? { responseHeaders: withCsp(details.responseHeaders) }
          : { responseHeaders: details.responseHeaders ?? {} },
      );
    });
  }

  registerHandlers(
    ipcMain,
    createHandlers({
      pages,
      engine,
      info: { appVersion: app.getVersion(), platform: process.platform, workers: engine.service.pool.size },
      access,
      recent: {
        list: () => recent.list(),
        add: async (path) => {
          await recent.add(path);
          app.addRecentDocument(path);
          refreshMenu();
        },
      },
      dialogs: {
        open: async (sender) => {
          const win = windowOf(sender);
          const options = { properties: ['openFile' as const], filters: workflowFilters };
          const result = win
            ? await dialog.showOpenDialog(win, options)
            : await dialog.showOpenDialog(options);
          return result.canceled ? null : (result.filePaths[0] ?? null);
        },
        save: async (sender, defaultPath) => {
          const win = windowOf(sender);
          const options = {
            filters: workflowFilters,
            properties: [...SAVE_DIALOG_PROPERTIES],
            ...(defaultPath ? { defaultPath } : {}),
          };
          const result = win
            ? await dialog.showSaveDialog(win, options)
            : await dialog.showSaveDialog(options);
          return result.canceled || !result.filePath ? null : result.filePath;
        },
      },
      runSink,
      setDirty: (sender, value) => {
        dirty.set(sender.id, value);
        windowOf(sender)?.setDocumentEdited(value);
      },
      scratchDir: join(userData, 'scratch'),
      // Sealed by the OS keychain; refused (never plain text) where there is none.
      keys: new FileKeyStore(join(userData, PROVIDER_KEYS_FILE), safeStorageCipher(safeStorage)),
      onInternalError: (channel, err) =>
        console.error(`[fanout] ${channel}:`, err instanceof Error ? err.message : String(err)),
      // Every window re-lists the folder it shows (the watches are throttled in engine/host).
      onFilesChanged: (change) => {
        for (const win of BrowserWindow.getAllWindows()) {
          if (!win.isDestroyed()) win.webContents.send(eventChannels.filesChanged, change);
        }
      },
    }),
  );
  refreshMenu();
  mainWindow = await createWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  hardenContents();
  app.on('second-instance', (_event, argv, workingDirectory) => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
    openPath(fileArgument(argv, workingDirectory));
  });
  app.on('open-file', (event, path) => {
    event.preventDefault();
    openPath(path);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) {
      void createWindow().then((win) => (mainWindow = win));
    }
  });
  let engineClosed = false;
  app.on('before-quit', (event) => {
    if (engineClosed) return;
    event.preventDefault();
    engineClosed = true;
    void engine.close().finally(() => app.quit());
  });
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      dialog.showErrorBox('Fanout Studio failed to start', err instanceof Error ? err.message : String(err));
      app.exit(1);
    });
}
