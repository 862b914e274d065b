#!/usr/bin/env node
// `npm start`: the desktop app when the Electron binary is installed, else the same UI in the browser
// (`fanout serve` over the examples), so a fresh machine without the binary still gets a working app.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary, installElectronBinary } from './electron-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronVite = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

async function main() {
  let electron = electronBinary(root);
  if (!electron.path) {
    console.log(`Electron binary missing (${electron.reason}): running Electron's installer…`);
    const install = await installElectronBinary(root);
    electron = install.ok ? electronBinary(root) : { path: null, reason: install.reason };
  }
  if (electron.path) {
    // Builds all three bundles, then launches Electron on out/.
    run(process.execPath, [electronVite, 'preview', ...process.argv.slice(2)]);
    return;
  }
  console.log(`Electron not available (${electron.reason}): starting the browser host instead`);
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

await main();
