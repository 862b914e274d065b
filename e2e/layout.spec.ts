// Layout that holds, at 1280×800 and 1440×900, against `fanout serve`: the header stays one line
// (after a run, with a long file name), the bottom tabs and the run panel's tabs stay one line with
// Problems + Run + YAML open and problem texts are whole, panels resize (remembered over a reload),
// collapse to a header and restore, the palette folds and searches, fit-view and error jumps keep the
// node clear of the palette and minimap, and the start page's cards open a template, an example and
// a recent file. Screenshots (light + dark) of the start page and the designer go to e2e/artifacts/
// (and docs/images/ with FANOUT_DOCS_IMAGES=1).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { artifact, CHROMIUM, publishScreenshot, viewportSettled, type Box } from './helpers.ts';

const LONG_NAME = 'a-workflow-file-whose-name-is-far-too-long-to-fit-in-any-header-at-all.yaml';

/** A valid fan-out plus a node with an error (an undefined goto target) placed at the top left. */
const BROKEN = `name: layout-broken
nodes:
  - name: prep
    language: lua
    run: |
      return { n = 1 }
    metadata:
      fanout: {x: 0, y: 0}
  - name: left
    language: lua
    run: |
      return { l = 1 }
    goto: nowhere_at_all_missing_node
    metadata:
      fanout: {x: -400, y: 200}
  - name: right
    language: lua
    run: |
      return { r = 1 }
    metadata:
      fanout: {x: 400, y: 200}
  - name: join
    language: lua
    run: |
      return { j = 1 }
    metadata:
      fanout: {x: 0, y: 400}
edges:
  - {from: __start__, to: prep}
  - {from: prep, parallel: [left, right], fan_in: join}
  - {from: left, to: join}
  - {from: right, to: join}
  - {from: join, to: __end__}
`;

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1440, height: 900 },
] as const;

test.skip(
  !existsSync(CHROMIUM),
  `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
);

test.beforeAll(async () => {
  const root = process.env.FANOUT_E2E_ROOT!;
  await writeFile(join(root, 'layout-broken.yaml'), BROKEN);
  const example = await import('node:fs/promises').then((fs) =>
    fs.readFile(join(root, 'parallel-isolation.yaml'), 'utf8'),
  );
  await writeFile(join(root, LONG_NAME), example);
});

async function start(page: Page) {
  await page.goto(process.env.FANOUT_E2E_URL!);
  await expect(page.getByTestId('start-page')).toBeVisible();
}

async function openFile(page: Page, name: string) {
  await page.getByTestId('file-list').getByText(name, { exact: true }).click();
  await expect(page.getByTestId('designer-canvas')).toBeVisible();
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
}

async function box(locator: Locator): Promise<Box> {
  const b = await locator.boundingBox();
  expect(b, 'element has no box').not.toBeNull();
  return b!;
}

const intersects = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Distinct rows the visible children of `container` occupy (1 = one line). */
async function rows(container: Locator): Promise<number> {
  return container.evaluate((el) => {
    const tops = new Set<number>();
    for (const child of el.children) {
      const r = child.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) tops.add(Math.round(r.top + r.height / 2));
    }
    // children of different heights on one line share a centre within a few pixels
    const sorted = [...tops].sort((a, b) => a - b);
    return sorted.filter((t, i) => i === 0 || t - sorted[i - 1]! > 6).length;
  });
}

async function setTheme(page: Page, theme: 'light' | 'dark') {
  if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
    await page.getByRole('button', { name: theme === 'dark' ? 'Dark' : 'Light' }).click();
  }
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
}

for (const size of SIZES) {
  test.describe(`${size.width}×${size.height}`, () => {
    test.use({ viewport: size });

    test('header one line after a run, with a long file name', async ({ page }) => {
      await start(page);
      await openFile(page, LONG_NAME);
      const header = page.locator('.app-header');
      const title = page.getByTestId('doc-title');
      await expect(title).toHaveAttribute('title', LONG_NAME);
      await page.getByTestId('run-button').click();
      await expect(page.getByTestId('run-status')).toHaveText(/succeeded|finished/, { timeout: 30_000 });
      expect(await rows(header)).toBe(1);
      expect(await rows(page.locator('.app-toolbar'))).toBe(1);
      expect((await box(header)).height).toBeLessThan(48);
      // The name is cut with an ellipsis, not wrapped; everything in the header stays inside the window.
      const clipped = await title
        .locator('.app-title-name')
        .evaluate((el) => el.scrollWidth > el.clientWidth + 1);
      expect(clipped).toBe(true);
      const toolbar = await box(page.locator('.app-toolbar'));
      expect(toolbar.x + toolbar.width).toBeLessThanOrEqual(size.width);
    });

    test('tabs one line with Problems, Run and YAML open; problem texts whole', async ({ page }) => {
      await start(page);
      await openFile(page, 'layout-broken.yaml');
      await page.getByTestId('run-button').click();
      await expect(page.getByTestId('toggle-run')).toHaveAttribute('data-open', 'true');
      await page.getByTestId('toggle-yaml').click();
      await expect(page.getByTestId('yaml-panel')).toBeVisible();
      await expect(page.getByTestId('toggle-problems')).toHaveAttribute('data-open', 'true');
      expect(await rows(page.locator('.workspace-tabs'))).toBe(1);
      // Side by side where they fit, else one at a time: a tab brings a hidden one forward.
      const show = async (id: 'run' | 'problems', panel: string) => {
        if (!(await page.getByTestId(panel).isVisible())) await page.getByTestId(`toggle-${id}`).click();
        await expect(page.getByTestId(panel)).toBeVisible();
      };
      await show('run', 'run-panel');
      const tabRow = page.locator('.rp-tabs');
      expect(await rows(tabRow)).toBe(1);
      const rowBox = await box(tabRow);
      for (const tab of await tabRow.getByRole('tab').all()) {
        const b = await box(tab);
        expect(b.x + b.width, `run tab ${await tab.innerText()} is cut`).toBeLessThanOrEqual(
          rowBox.x + rowBox.width,
        );
      }
      await show('problems', 'problems-panel');
      expect(await rows(page.locator('.workspace-tabs'))).toBe(1);
      const head = page.getByTestId('problems-panel').locator('.fp-panel-head');
      expect(await rows(head)).toBe(1);
      const headBox = await box(head);
      const warnings = await box(page.getByTestId('problems-warnings'));
      expect(warnings.x + warnings.width, 'problem counts are cut').toBeLessThanOrEqual(
        headBox.x + headBox.width,
      );
      const messages = page.getByTestId('problems-panel').locator('.fp-msg');
      expect(await messages.count()).toBeGreaterThan(0);
      for (const message of await messages.all()) {
        const cut = await message.evaluate(
          (el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1,
        );
        expect(cut, await message.innerText()).toBe(false);
        expect((await box(message)).width, 'a problem text squeezed to a word').toBeGreaterThan(150);
      }
      await page.screenshot({ path: artifact(`layout-panels-${size.width}.png`) });
    });

    test('a resized panel keeps its size over a reload; panels collapse and restore', async ({ page }) => {
      await start(page);
      await openFile(page, 'map-reduce.yaml');
      const inspector = page.locator('.workspace-inspector').first();
      const before = await box(inspector);
      // Drag the inspector's splitter 120 px to the left.
      const splitter = page.getByRole('separator', { name: 'Resize the inspector' });
      const s = await box(splitter);
      await page.mouse.move(s.x + s.width / 2, s.y + s.height / 2);
      await page.mouse.down();
      await page.mouse.move(s.x - 60, s.y + s.height / 2, { steps: 5 });
      await page.mouse.move(s.x - 120, s.y + s.height / 2, { steps: 5 });
      await page.mouse.up();
      const resized = await box(inspector);
      expect(resized.width).toBeGreaterThan(before.width + 100);

      // And the bottom area 80 px up.
      const bottom = page.locator('.workspace-bottom').first();
      const bottomBefore = await box(bottom);
      const hsplit = await box(page.getByRole('separator', { name: 'Resize the bottom panels' }));
      await page.mouse.move(hsplit.x + hsplit.width / 2, hsplit.y + hsplit.height / 2);
      await page.mouse.down();
      await page.mouse.move(hsplit.x + hsplit.width / 2, hsplit.y - 80, { steps: 8 });
      await page.mouse.up();
      const bottomResized = await box(bottom);
      expect(bottomResized.height).toBeGreaterThan(bottomBefore.height + 60);

      await page.reload();
      await openFile(page, 'map-reduce.yaml');
      expect(Math.abs((await box(inspector)).width - resized.width)).toBeLessThan(3);
      expect(Math.abs((await box(bottom)).height - bottomResized.height)).toBeLessThan(3);

      // Collapse the inspector to its strip, restore it to the same width.
      await page.getByTestId('inspector-collapse').click();
      await expect(page.getByTestId('inspector')).toHaveCount(0);
      await expect(page.getByTestId('inspector-restore')).toBeVisible();
      expect((await box(inspector)).width).toBeLessThan(40);
      await page.getByTestId('inspector-restore').click();
      await expect(page.getByTestId('inspector')).toBeVisible();
      expect(Math.abs((await box(inspector)).width - resized.width)).toBeLessThan(3);

      // Collapse the bottom area to its tab bar; a tab restores it.
      await page.getByTestId('bottom-collapse').click();
      await expect(page.getByTestId('problems-panel')).toHaveCount(0);
      expect((await box(bottom)).height).toBeLessThan(40);
      await expect(page.getByTestId('toggle-problems')).toBeVisible();
      await page.getByTestId('toggle-problems').click();
      await expect(page.getByTestId('problems-panel')).toBeVisible();
      expect(Math.abs((await box(bottom)).height - bottomResized.height)).toBeLessThan(3);

      // A collapsed inspector stays collapsed over a reload.
      await page.getByTestId('inspector-collapse').click();
      await page.reload();
      await openFile(page, 'map-reduce.yaml');
      await expect(page.getByTestId('inspector-restore')).toBeVisible();
    });

    test('palette search filters; the palette folds and / finds it', async ({ page }) => {
      await start(page);
      await page.getByTestId('start-template-blank').click();
      await expect(page.getByTestId('empty-canvas-hint')).toBeVisible();
      const search = page.getByTestId('palette-search');
      await search.fill('fan');
      await expect(page.getByTestId('palette-item-parallel')).toBeVisible();
      await expect(page.locator('[data-testid^="palette-item-"]')).toHaveCount(1);
      await search.fill('zzz');
      await expect(page.locator('[data-testid^="palette-item-"]')).toHaveCount(0);
      await expect(page.getByTestId('palette-none')).toBeVisible();
      // Enter adds the first match: the hint goes once the canvas has a node.
      const nodes = page.locator('.react-flow__node');
      const startAndEnd = await nodes.count();
      await search.fill('lua');
      await search.press('Enter');
      await expect(nodes).toHaveCount(startAndEnd + 1);
      await expect(page.getByTestId('empty-canvas-hint')).toHaveCount(0);

      await page.getByTestId('palette-collapse').click();
      await expect(page.getByTestId('palette-search')).toHaveCount(0);
      await page.locator('.react-flow__pane').click({ position: { x: 300, y: 300 } });
      await page.keyboard.press('/');
      await expect(page.getByTestId('palette-search')).toBeFocused();
    });

    test('fit-view and an error jump keep nodes clear of the palette and minimap', async ({ page }) => {
      await start(page);
      await openFile(page, 'layout-broken.yaml');
      await viewportSettled(page);
      const palette = await box(page.getByTestId('palette'));
      const minimap = await box(page.locator('.react-flow__minimap'));
      for (const node of await page.locator('.react-flow__node').all()) {
        const b = await box(node);
        expect(intersects(b, palette), 'node under the palette after opening').toBe(false);
        expect(intersects(b, minimap), 'node under the minimap after opening').toBe(false);
      }
      // Pan so the broken node sits under the palette, then jump to it from the Problems panel.
      const target = page.locator('.react-flow__node', { hasText: 'left' }).first();
      const t = await box(target);
      const pane = await box(page.locator('.react-flow__pane'));
      await page.mouse.move(pane.x + pane.width - 40, pane.y + pane.height / 2);
      await page.mouse.down();
      await page.mouse.move(
        pane.x + pane.width - 40 - (t.x - palette.x),
        pane.y + pane.height / 2 - (t.y - palette.y),
        {
          steps: 8,
        },
      );
      await page.mouse.up();
      expect(intersects(await box(target), palette)).toBe(true);
      await page
        .getByTestId('problem-row')
        .filter({ hasText: 'nowhere_at_all_missing_node' })
        .first()
        .click();
      // The jump is animated: measured once the node has moved and the view is still again.
      await expect.poll(async () => intersects(await box(target), palette)).toBe(false);
      await viewportSettled(page);
      const after = await box(target);
      expect(intersects(after, palette), 'node under the palette after the jump').toBe(false);
      expect(intersects(after, minimap), 'node under the minimap after the jump').toBe(false);
      expect(after.x).toBeGreaterThanOrEqual(pane.x);
      expect(after.x + after.width).toBeLessThanOrEqual(pane.x + pane.width);
    });

    test('start page cards open a template, an example and a recent file', async ({ page }) => {
      await start(page);
      const shot = size.width === 1440;
      for (const theme of shot ? (['light', 'dark'] as const) : []) {
        await setTheme(page, theme);
        await page.screenshot({ path: artifact(`start-page-${theme}.png`) });
        await publishScreenshot(`start-page-${theme}.png`, `start-page-${theme}.png`);
      }
      // The New menu's descriptions wrap inside it, and it stays inside the window.
      await page.getByTestId('new-menu-button').click();
      const menu = page.getByRole('menu', { name: 'New document' });
      const menuBox = await box(menu);
      expect(menuBox.x + menuBox.width).toBeLessThanOrEqual(size.width);
      for (const item of await menu.getByRole('menuitem').all()) {
        const b = await box(item);
        expect(b.x + b.width, 'a New menu entry overflows').toBeLessThanOrEqual(menuBox.x + menuBox.width);
        const overflow = await item.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
        expect(overflow, `${await item.innerText()} overflows`).toBe(false);
      }
      await page.keyboard.press('Escape');
      await expect(menu).toHaveCount(0);
      // A template, from the keyboard.
      await page.getByTestId('start-template-map-reduce').focus();
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('doc-title')).toContainText('untitled');
      await expect(page.locator('.react-flow__node').first()).toBeVisible();
      // Back to the start page (the document stays), then an example file.
      await page.getByTestId('home-button').click();
      await expect(page.getByTestId('start-resume')).toBeVisible();
      await page.getByTestId('start-file-while-loop').click();
      await expect(page.getByTestId('doc-title')).toHaveText(/while-loop\.yaml/);
      // The file just opened is now a recent file: a reload shows it, and its card opens it.
      await page.reload();
      await expect(page.getByTestId('start-recent-while-loop')).toBeVisible();
      await page.getByTestId('start-recent-while-loop').click();
      await expect(page.getByTestId('doc-title')).toHaveText(/while-loop\.yaml/);
      await expect(page.locator('.react-flow__node').first()).toBeVisible();
    });

    test('designer screenshots, light and dark', async ({ page }) => {
      await start(page);
      await openFile(page, 'parallel-isolation.yaml');
      await page.locator('.react-flow__node', { hasText: 'branch_b' }).first().click();
      await page.getByTestId('run-button').click();
      await expect(page.getByTestId('run-status')).toHaveText(/succeeded/, { timeout: 30_000 });
      for (const theme of ['light', 'dark'] as const) {
        await setTheme(page, theme);
        const name = `layout-designer-${size.width}-${theme}.png`;
        await page.screenshot({ path: artifact(name) });
        if (size.width === 1440) await publishScreenshot(name, `designer-${theme}.png`);
      }
      // The README's third view: dark, with the live YAML beside the run and problems.
      await page.getByTestId('toggle-yaml').click();
      await expect(page.getByTestId('yaml-panel')).toBeVisible();
      const yamlShot = `layout-designer-yaml-${size.width}-dark.png`;
      await page.screenshot({ path: artifact(yamlShot) });
      if (size.width === 1440) await publishScreenshot(yamlShot, 'designer-yaml-dark.png');
    });
  });
}
