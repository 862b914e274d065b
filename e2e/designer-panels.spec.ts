// The designer's side panels in the real app against `fanout serve`: rename a node in the inspector
// and see every reference change in the YAML panel, type Lua and see the YAML follow, undo with Ctrl+Z.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { artifact, CHROMIUM, editorText } from './helpers.ts';

const renderer = fileURLToPath(new URL('../out/renderer/index.html', import.meta.url));

/** Occurrences of `name` as a whole node name (not part of a longer identifier). */
function countName(text: string, name: string): number {
  return text.match(new RegExp(`(?<![\\w-])${name}(?![\\w-])`, 'g'))?.length ?? 0;
}

async function yamlText(panel: Locator): Promise<string> {
  return editorText(panel);
}

async function openYamlPanel(page: Page): Promise<Locator> {
  const panel = page.getByTestId('yaml-panel');
  if ((await panel.count()) === 0) await page.getByTestId('toggle-yaml').click();
  await expect(panel).toBeVisible();
  return panel;
}

test.describe('designer panels', () => {
  test.skip(
    !existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
  );

  test('rename follows references, Lua typing reaches the YAML, Ctrl+Z restores it', async ({ page }) => {
    expect(existsSync(renderer), 'out/renderer is not built: run `npm run build` first').toBe(true);
    const url = process.env.FANOUT_E2E_URL;
    expect(url, 'global-setup did not start the server').toBeTruthy();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(url!);
    await page.getByTestId('file-list').getByText('map-reduce.yaml', { exact: true }).click();
    await expect(page.getByTestId('doc-title')).toContainText('map-reduce.yaml');

    const yaml = await openYamlPanel(page);
    await expect(page.getByTestId('problems-panel')).toBeVisible();
    await expect.poll(async () => countName(await yamlText(yaml), 'split')).toBe(5);

    // Select `split` on the canvas; the inspector shows it.
    await page.locator('.react-flow__node', { hasText: 'split' }).first().click();
    const inspector = page.getByTestId('inspector');
    const name = inspector.getByTestId('inspector-name');
    await expect(name).toHaveValue('split');

    // A duplicate name is refused inline and changes nothing.
    await name.fill('reduce');
    await name.press('Enter');
    await expect(inspector.getByTestId('inspector-name-error')).toContainText('already exists');
    expect(countName(await yamlText(yaml), 'split')).toBe(5);
    await name.press('Escape');

    // Rename: the name and all four edge references follow.
    await name.fill('shard_lines');
    await name.press('Enter');
    await expect.poll(async () => countName(await yamlText(yaml), 'shard_lines')).toBe(5);
    expect(countName(await yamlText(yaml), 'split')).toBe(0);
    await expect(inspector.getByTestId('inspector-name')).toHaveValue('shard_lines');

    // Type Lua in the inspector's editor: the YAML panel shows it inside the node's block.
    const code = inspector.getByTestId('code-editor').locator('.cm-content');
    await code.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('-- checked by e2e');
    await expect.poll(async () => yamlText(yaml)).toContain('-- checked by e2e');
    await page.screenshot({ path: artifact('designer-panels.png'), fullPage: true });

    // One Ctrl+Z undoes the typing (one coalesced step) and keeps the rename.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => yamlText(yaml)).not.toContain('-- checked by e2e');
    await expect(code).not.toContainText('-- checked by e2e');
    expect(countName(await yamlText(yaml), 'shard_lines')).toBe(5);

    // Problems panel rows carry `line:col CODE message`; a click focuses without errors.
    const rows = page.getByTestId('problem-row');
    if ((await rows.count()) > 0) await rows.first().click();

    expect(pageErrors).toEqual([]);
  });
});
