// Smoke test of the browser host: the built renderer, loaded from `fanout serve` with the token URL,
// lists the root's files, opens one and runs it to success through the real engine.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const renderer = fileURLToPath(new URL('../out/renderer/index.html', import.meta.url));
const screenshot = fileURLToPath(new URL('./artifacts/serve-smoke.png', import.meta.url));

if (!existsSync(CHROMIUM)) {
  // Printed, not silent: the skip reason also shows in the report.
  console.warn(`e2e skipped: ${CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium)`);
}

test.describe('fanout serve in Chromium', () => {
  test.skip(
    !existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
  );

  test('lists files, opens map-reduce.yaml and runs it to success', async ({ page }) => {
    expect(existsSync(renderer), 'out/renderer is not built: run `npm run build` first').toBe(true);
    const url = process.env.FANOUT_E2E_URL;
    expect(url, 'global-setup did not start the server').toBeTruthy();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      // Any console error (CSP violation, failed request, React error) is a real problem.
      if (message.type() === 'error') {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('response', (response) => {
      if (response.status() >= 400)
        problems.push(`HTTP ${response.status()} ${new URL(response.url()).pathname}`);
    });

    await page.goto(url!);
    await expect(page.getByTestId('host-kind')).toHaveText(/browser/);
    // The token left the address bar (it stays in this tab's sessionStorage).
    expect(page.url()).not.toContain('token=');

    const files = page.getByTestId('file-list');
    await expect(files).toContainText('map-reduce.yaml');
    await files.getByText('map-reduce.yaml', { exact: true }).click();
    // Opened (an HTTP round trip) before Run, so Run runs map-reduce and not what was shown before.
    await expect(page.getByTestId('doc-title')).toContainText('map-reduce.yaml');
    await expect(page.getByTestId('run-button')).toBeEnabled();
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText(/succeeded/, { timeout: 30_000 });

    // A reload keeps working without the token in the URL.
    await page.reload();
    await expect(page.getByTestId('host-kind')).toHaveText(/browser/);
    await expect(page.getByTestId('file-list')).toContainText('map-reduce.yaml');
    await files.getByText('map-reduce.yaml', { exact: true }).click();
    await expect(page.getByTestId('doc-title')).toContainText('map-reduce.yaml');
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText(/succeeded/, { timeout: 30_000 });

    await page.screenshot({ path: screenshot, fullPage: true });
    // CSP violations and failed loads show up as console errors.
    expect(problems).toEqual([]);
  });
});
