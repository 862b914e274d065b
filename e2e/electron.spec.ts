// The desktop app end to end: launch Electron on the built app, open an example from the file list,
// run it and watch the streamed events. Skips (with the reason) where the Electron binary is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function electronBinary(): { path: string | null; reason: string } {
  try {
    const dir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) {
      return {
        path: null,
        reason: 'node_modules/electron/path.txt is missing (ELECTRON_SKIP_BINARY_DOWNLOAD / no network)',
      };
    }
    const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? { path: binary, reason: '' } : { path: null, reason: `${binary} is missing` };
  } catch {
    return { path: null, reason: 'the electron package is not installed' };
  }
}

test('opens an example, runs it and shows streamed events', async () => {
  const binary = electronBinary();
  if (!binary.path) console.warn(`Electron binary not available: ${binary.reason}`);
  test.skip(!binary.path, `Electron binary not available: ${binary.reason}`);
  test.setTimeout(120_000);
  if (!existsSync(join(root, 'out', 'main', 'index.js'))) {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
  }

  const app = await electron.launch({ executablePath: binary.path!, args: [root], cwd: root });
  try {
    const page = await app.firstWindow();
    await expect(page.getByTestId('host-kind')).toHaveText('electron');
    // The sandboxed page sees only the preload API, never Node.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');

    await page.getByTestId('file-list').getByRole('button', { name: 'parallel-isolation.yaml' }).click();
    await expect(page.getByTestId('doc-text')).toContainText('parallel');

    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
    const events = Number(await page.getByTestId('run-events').textContent());
    expect(events).toBeGreaterThan(5);
  } finally {
    await app.close();
  }
});
