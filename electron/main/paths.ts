// Where the built pieces live, for both `electron-vite build` output and a packaged (asar) app.
import { join, resolve } from 'node:path';

export interface AppLayout {
  /** Folder of the built main script (out/main). */
  mainDir: string;
  /** app.isPackaged */
  packaged: boolean;
  /** process.resourcesPath (packaged) */
  resourcesPath: string;
  /** app.getAppPath() */
  appPath: string;
}

/** Scripts run by utilityProcess must be real files: the packager unpacks out/main from the asar. */
export function unpackedPath(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

export function workerScriptPath(layout: AppLayout): string {
  return unpackedPath(join(layout.mainDir, 'worker.js'));
}

export function preloadPath(layout: AppLayout): string {
  return join(layout.mainDir, '..', 'preload', 'index.cjs');
}

export function rendererIndexPath(layout: AppLayout): string {
  return join(layout.mainDir, '..', 'renderer', 'index.html');
}

export function examplesDir(layout: AppLayout): string {
  return layout.packaged
    ? join(layout.resourcesPath, 'examples')
    : join(layout.appPath, 'resources', 'examples');
}

/** The workflow file named on a command line (first argument ending in .yaml/.yml), resolved. */
export function fileArgument(argv: readonly string[], cwd: string): string | null {
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-')) continue;
    if (/\.ya?ml$/i.test(arg)) return resolve(cwd, arg);
  }
  return null;
}
