// Finding the Electron executable, and fetching it once with Electron's own installer when it is missing.
// `npm ci` skips electron's postinstall download (package.json `allowScripts`), so a machine that cannot
// reach GitHub still installs; `npm start` then tries the download itself and falls back to the browser.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';

/** Long enough for the ~100 MB zip on a slow line; a dead network fails in well under a second. */
export const ELECTRON_INSTALL_TIMEOUT_MS = 5 * 60_000;

/** The electron package's folder under `root`, or null when the package is not installed. */
export function electronPackageDir(root) {
  try {
    return dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** The Electron executable, or null with the reason it is missing. */
export function electronBinary(root) {
  const dir = electronPackageDir(root);
  if (!dir) return { path: null, reason: 'the electron package is not installed' };
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return { path: null, reason: 'the Electron binary was never downloaded' };
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary, reason: null } : { path: null, reason: `${binary} is missing` };
}

/** The first meaningful line of an installer's output (its error), cut to one short line. */
function firstLine(text) {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  if (!line) return 'no output';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * Runs node_modules/electron/install.js (download + unzip into node_modules/electron/dist) once, killed
 * after `timeoutMs`. Resolves { ok: true } or { ok: false, reason } with a one-line reason; never throws.
 */
export function installElectronBinary(
  root,
  { timeoutMs = ELECTRON_INSTALL_TIMEOUT_MS, env = process.env } = {},
) {
  const dir = electronPackageDir(root);
  if (!dir) return Promise.resolve({ ok: false, reason: 'the electron package is not installed' });
  // install.js exits 0 without downloading when this is set: say why instead of pretending to try.
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return Promise.resolve({ ok: false, reason: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set' });
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dir, 'install.js')], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk) => {
      if (output.length < 64 * 1024) output += chunk;
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) resolve({ ok: false, reason: `the download took longer than ${timeoutMs / 1000} s` });
      else if (code !== 0) resolve({ ok: false, reason: firstLine(output) });
      else if (!electronBinary(root).path)
        resolve({ ok: false, reason: 'the installer finished without a binary' });
      else resolve({ ok: true, reason: null });
    });
  });
}
