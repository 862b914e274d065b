// Screenshots of the main views in light and dark. Written to e2e/artifacts/; with
// FANOUT_DOCS_IMAGES=1 also to docs/images/ (the README shows those).
import { copyFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifact = (name: string) => fileURLToPath(new URL(`./artifacts/${name}`, import.meta.url));
const docsImage = (name: string) => fileURLToPath(new URL(`../docs/images/${name}`, import.meta.url));

test.skip(
  !existsSync(CHROMIUM),
  `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
);

test('main views, light and dark', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(process.env.FANOUT_E2E_URL!);
  await page.getByTestId('file-list').getByText('parallel-isolation.yaml', { exact: true }).click();
  await expect(page.locator('.react-flow__node')).toHaveCount(8);
  await page.locator('.react-flow__node', { hasText: 'branch_b' }).first().click();
  await expect(page.getByTestId('inspector-name')).toHaveValue('branch_b');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText(/succeeded/, { timeout: 30_000 });
  const shots: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
      await page.getByRole('button', { name: theme === 'dark' ? 'Dark' : 'Light' }).click();
    }
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
    const name = `designer-${theme}.png`;
    await page.screenshot({ path: artifact(name) });
    shots.push(name);
  }
  await page.getByTestId('toggle-yaml').click();
  await expect(page.getByTestId('yaml-panel')).toBeVisible();
  await page.screenshot({ path: artifact('designer-yaml-dark.png') });
  shots.push('designer-yaml-dark.png');
  if (process.env.FANOUT_DOCS_IMAGES === '1') {
    await mkdir(docsImage(''), { recursive: true });
    for (const name of shots) await copyFile(artifact(name), docsImage(name));
  }
});
