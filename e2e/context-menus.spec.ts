// Context menus and the action registry in Chromium against `fanout serve`: the node, edge, selection
// and canvas menus each open (by mouse, and by keyboard), perform one action, close on Escape and on a
// click outside, and stay on screen; View › zoom actions and Help › About (dead menu items before the
// registry) work through the palette, since the browser host has no native menu.
import { existsSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { artifact, CHROMIUM, viewportSettled } from './helpers.ts';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 800 },
] as const;

async function openFile(page: Page, file: string, size: { width: number; height: number } = SIZES[0]) {
  const url = process.env.FANOUT_E2E_URL;
  expect(url, 'global-setup did not start the server').toBeTruthy();
  await page.setViewportSize(size);
  await page.goto(url!);
  await page.getByTestId('file-list').getByText(file, { exact: true }).click();
  await expect(page.getByTestId('designer-canvas').locator('.react-flow__node').first()).toBeVisible();
  await viewportSettled(page); // fit-view settles
}

async function paletteRun(page: Page, query: string, expected: string) {
  await page.keyboard.press('Control+k');
  const input = page.getByTestId('command-palette-input');
  await expect(input).toBeFocused();
  await input.fill(query);
  await expect(page.getByTestId('command-palette-item').first()).toContainText(expected);
  await input.press('Enter');
  await expect(page.getByTestId('command-palette')).toHaveCount(0);
}

const menu = (page: Page) => page.getByTestId('context-menu');
const item = (page: Page, name: string) => menu(page).getByRole('menuitem', { name: new RegExp(`^${name}`) });
const node = (page: Page, name: string) =>
  page.getByTestId('designer-canvas').locator(`.react-flow__node[data-id="${name}"]`);

/** The menu's box lies inside the window. */
async function expectOnScreen(page: Page) {
  const box = (await menu(page).boundingBox())!;
  const view = page.viewportSize()!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(view.width);
  expect(box.y + box.height).toBeLessThanOrEqual(view.height);
}

test.describe('context menus', () => {
  test.skip(
    !existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
  );

  test('node menu: lists the node actions with keys, duplicates; Escape and a click outside close', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await openFile(page, 'parallel-isolation.yaml');
    const nodes = page.getByTestId('designer-canvas').locator('.react-flow__node');
    const before = await nodes.count();

    await node(page, 'branch_a').click({ button: 'right' });
    await expect(menu(page)).toBeVisible();
    await expect(menu(page)).toHaveAttribute('aria-label', 'Node branch_a actions');
    for (const name of ['Rename node', 'Duplicate', 'Copy', 'Cut', 'Delete', 'Toggle breakpoint']) {
      await expect(item(page, name)).toBeVisible();
    }
    await expect(item(page, 'Duplicate')).toContainText('Ctrl+D');
    await expect(item(page, 'Rename node')).toBeFocused(); // keyboard-ready at once
    await expectOnScreen(page);
    await page.screenshot({ path: artifact('context-menu-node-1440-light.png') });
    await page.keyboard.press('Escape');
    await expect(menu(page)).toHaveCount(0);
    await expect(page.getByTestId('designer-canvas')).toBeFocused();

    // A click outside closes it without doing anything.
    await node(page, 'branch_a').click({ button: 'right' });
    await expect(menu(page)).toBeVisible();
    await page.getByTestId('doc-title').click();
    await expect(menu(page)).toHaveCount(0);
    await expect(nodes).toHaveCount(before);

    // Keyboard: arrows move, Enter performs.
    await node(page, 'branch_a').click({ button: 'right' });
    await page.keyboard.press('ArrowDown'); // Duplicate
    await expect(item(page, 'Duplicate')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(menu(page)).toHaveCount(0);
    await expect(nodes).toHaveCount(before + 1);
    expect(errors).toEqual([]);
  });

  test('edge menu: Go to target selects the node at the far end', async ({ page }) => {
    await openFile(page, 'parallel-isolation.yaml');
    const edge = page.getByTestId('designer-canvas').locator('.react-flow__edge.fs-edge-fan-in').first();
    const target = await edge.getAttribute('data-id');
    expect(target).toBeTruthy();
    const path = edge.locator('path').first();
    // Right-click a point on the edge's path (the centre of its box may lie off a curve).
    const point = await path.evaluate((el) => {
      const p = el as SVGPathElement;
      const mid = p.getPointAtLength(p.getTotalLength() / 2);
      const m = p.getScreenCTM()!;
      return { x: mid.x * m.a + mid.y * m.c + m.e, y: mid.x * m.b + mid.y * m.d + m.f };
    });
    await page.mouse.click(point.x, point.y, { button: 'right' });
    await expect(menu(page)).toHaveAttribute('aria-label', 'Edge actions');
    await expect(item(page, 'Go to source node')).toBeVisible();
    await item(page, 'Go to target node').click();
    await expect(menu(page)).toHaveCount(0);
    await expect(page.getByTestId('inspector-name')).toHaveValue('join');
  });

  test('selection menu: duplicates every selected node in one step', async ({ page }) => {
    await openFile(page, 'parallel-isolation.yaml');
    const nodes = page.getByTestId('designer-canvas').locator('.react-flow__node');
    const before = await nodes.count();
    await node(page, 'branch_a').click();
    await node(page, 'branch_b').click({ modifiers: ['Control'] });
    await node(page, 'branch_b').click({ button: 'right' });
    await expect(menu(page)).toHaveAttribute('aria-label', 'Selection actions');
    await expect(item(page, 'Rename node')).toHaveCount(0); // one-node actions are not offered
    await item(page, 'Duplicate').click();
    await expect(nodes).toHaveCount(before + 2);
    // One undo step.
    await page.getByTestId('designer-canvas').focus();
    await page.keyboard.press('Control+z');
    await expect(nodes).toHaveCount(before);
  });

  test('canvas menu: adds a Lua node where it was opened; opens by keyboard and near the edges stays on screen', async ({
    page,
  }) => {
    await openFile(page, 'parallel-isolation.yaml');
    const canvas = page.getByTestId('designer-canvas');
    const pane = (await canvas.locator('.react-flow__pane').boundingBox())!;
    const at = { x: pane.x + pane.width * 0.5, y: pane.y + pane.height - 60 };
    await page.mouse.click(at.x, at.y, { button: 'right' });
    await expect(menu(page)).toHaveAttribute('aria-label', 'Canvas actions');
    await expect(item(page, 'Paste')).toBeVisible();
    await expect(item(page, 'Fit the graph in view')).toContainText('Ctrl+0');
    await page.screenshot({ path: artifact('context-menu-canvas-1440-light.png') });
    await item(page, 'Add Lua node').click();
    const added = node(page, 'lua_1');
    await expect(added).toHaveCount(1);
    const box = (await added.boundingBox())!;
    // Placed at the click (snapped to the grid, nudged off other nodes at most a little).
    expect(Math.abs(box.x - at.x)).toBeLessThan(120);
    expect(Math.abs(box.y - at.y)).toBeLessThan(120);

    // Near the bottom and right edges the menu flips to stay inside the window.
    for (const edge of [
      { x: pane.x + pane.width * 0.3, y: pane.y + pane.height - 12 },
      { x: pane.x + pane.width - 12, y: pane.y + pane.height * 0.5 },
    ]) {
      await page.mouse.click(edge.x, edge.y, { button: 'right' });
      await expect(menu(page)).toBeVisible();
      await expectOnScreen(page);
      await page.keyboard.press('Escape');
    }

    // Keyboard: Shift+F10 on the canvas opens the menu of the selection (here the new node).
    await canvas.focus();
    await page.keyboard.press('Shift+F10');
    await expect(menu(page)).toHaveAttribute('aria-label', 'Node lua_1 actions');
    await expect(item(page, 'Rename node')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(menu(page)).toHaveCount(0);
  });

  test('disabled items say why; Delete from the Edit keys acts only on the canvas', async ({ page }) => {
    await openFile(page, 'parallel-isolation.yaml');
    await page.mouse.click(5, 200, { button: 'right' }); // the file list: no canvas menu there
    await expect(menu(page)).toHaveCount(0);
    const pane = (await page.getByTestId('designer-canvas').locator('.react-flow__pane').boundingBox())!;
    await page.mouse.click(pane.x + pane.width - 40, pane.y + 40, { button: 'right' });
    // The clipboard holds no nodes yet, but Paste stays listed; Run needs no selection.
    await expect(item(page, 'Run')).toBeVisible();
    await page.keyboard.press('Escape');
    await node(page, 'branch_c').click();
    await page.getByTestId('file-list').getByRole('button').first().focus();
    await page.keyboard.press('Delete'); // outside the canvas: nothing happens
    await expect(node(page, 'branch_c')).toHaveCount(1);
    await node(page, 'branch_c').click();
    await page.keyboard.press('Delete');
    await expect(node(page, 'branch_c')).toHaveCount(0);
    // With nothing selected, node actions are listed disabled, with the reason (palette: Enter does nothing).
    await page.mouse.click(pane.x + pane.width - 40, pane.y + 40); // clears the selection
    await page.keyboard.press('Control+k');
    await page.getByTestId('command-palette-input').fill('rename node');
    const first = page.getByTestId('command-palette-item').first();
    await expect(first).toHaveAttribute('aria-disabled', 'true');
    await expect(first).toContainText('Select one node to rename');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('command-palette')).toBeVisible();
    await page.keyboard.press('Escape');
  });
});

test.describe('registry actions without a native menu', () => {
  test.skip(
    !existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
  );

  test('View zoom actions change the canvas zoom; About shows version and host', async ({ page }) => {
    await openFile(page, 'map-reduce.yaml');
    const canvas = page.getByTestId('designer-canvas');
    const zoom = async () => Number(await canvas.getAttribute('data-zoom'));
    await paletteRun(page, 'actual size', 'Actual size (100%)');
    await expect.poll(zoom).toBe(1);
    await paletteRun(page, 'zoom in', 'Zoom in');
    await expect.poll(zoom).toBeGreaterThan(1);
    await paletteRun(page, 'actual size', 'Actual size (100%)');
    await expect.poll(zoom).toBe(1);
    await paletteRun(page, 'zoom out', 'Zoom out');
    await expect.poll(zoom).toBeLessThan(1);
    const out = await zoom();
    await paletteRun(page, 'fit', 'Fit the graph in view');
    await expect.poll(zoom).not.toBe(out);
    // The same actions by key (Ctrl+1 = actual size).
    await canvas.focus();
    await page.keyboard.press('Control+1');
    await expect.poll(zoom).toBe(1);

    await paletteRun(page, 'about', 'About Fanout Studio');
    const about = page.getByTestId('about-dialog');
    await expect(about).toBeVisible();
    await expect(about.getByTestId('about-version')).toHaveText(/^\d+\.\d+\.\d+/);
    await expect(about.getByTestId('about-host')).toHaveText('Browser, served by fanout serve');
    await expect(about.getByRole('link', { name: 'TEA documentation' })).toHaveAttribute('href', /^https:/);
    await expect(about.getByRole('button', { name: 'Close' })).toBeFocused();
    await page.screenshot({ path: artifact('about-1440-light.png') });
    await page.keyboard.press('Escape');
    await expect(about).toHaveCount(0);
  });

  test('the shortcut sheet lists the conditional-edge gesture', async ({ page }) => {
    await openFile(page, 'map-reduce.yaml');
    await page.getByTestId('designer-canvas').focus();
    await page.keyboard.press('?');
    const sheet = page.getByTestId('shortcuts-dialog');
    await expect(sheet).toContainText('Conditional edge: press Shift after the connecting drag has started');
    await expect(sheet).toContainText('Shift+F10');
    await page.keyboard.press('Escape');
  });

  for (const size of SIZES) {
    for (const theme of ['light', 'dark'] as const) {
      test(`screenshots ${size.width}×${size.height} ${theme}`, async ({ page }) => {
        await openFile(page, 'parallel-isolation.yaml', size);
        if (theme === 'dark') await paletteRun(page, 'theme', 'Toggle theme');
        await node(page, 'prepare').click({ button: 'right' });
        await expect(menu(page)).toBeVisible();
        await page.screenshot({ path: artifact(`context-menu-node-${size.width}-${theme}.png`) });
        await page.keyboard.press('Escape');
        const pane = (await page.getByTestId('designer-canvas').locator('.react-flow__pane').boundingBox())!;
        await page.mouse.click(pane.x + pane.width * 0.45, pane.y + pane.height - 10, { button: 'right' });
        await expectOnScreen(page);
        await page.screenshot({ path: artifact(`context-menu-canvas-${size.width}-${theme}.png`) });
        await page.keyboard.press('Escape');
        await paletteRun(page, 'about', 'About Fanout Studio');
        await page.screenshot({ path: artifact(`about-${size.width}-${theme}.png`) });
      });
    }
  }
});
