#!/usr/bin/env node
// `npm start`: the desktop app when the Electron binary is installed, else the same UI in the browser
// (`fanout serve` over the examples), so a fresh machine without the binary still gets a working app.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const electronVite = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');

/** The Electron executable, or null with the reason it is missing. */
function electronBinary() {
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { path: null, reason: 'the electron package is not installed' };
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { path: null, reason: 'node_modules/electron/path.txt is missing (binary never downloaded)' };
  }
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary, reason: null } : { path: null, reason: `${binary} is missing` };
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function main() {
  const electron = electronBinary();
  if (electron.path) {
    // Builds all three bundles, then launches Electron on out/.
    run(process.execPath, [electronVite, 'preview', ...process.argv.slice(2)]);
    return;
  }
  console.log(
    'Electron binary not available (ELECTRON_SKIP_BINARY_DOWNLOAD / no network): starting the browser host instead',
  );
  if (!existsSync(join(root, 'out', 'renderer', 'index.html'))) {
    console.error('Building the renderer (out/renderer)…');
    run(process.execPath, [electronVite, 'build']);
  }
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin', 'fanout.js'),
      'serve',
      '--root',
      join(root, 'resources', 'examples'),
      '--static',
      join(root, 'out', 'renderer'),
      ...process.argv.slice(2),
    ],
    { cwd: root, stdio: 'inherit' },
  );
  // Ctrl+C reaches the child through the terminal; mirror its exit status.
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main();
