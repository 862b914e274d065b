// Designer canvas in Chromium against `fanout serve`: open parallel-isolation.yaml, see it laid out
// without overlaps, drag a Lua node from the palette onto the canvas, undo it.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import {
  artifact,
  boxes,
  CHROMIUM,
  dragPaletteItem,
  editorText,
  expectCanvasShows,
  overlaps,
  viewportSettled,
} from './helpers.ts';

/** parallel-isolation.yaml: prepare, 4 branches, join + the Start and End pills. */
const ISOLATION_NODES = 8;

test.describe('designer canvas', () => {
  test.skip(
    !existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
  );

  test('lays out parallel-isolation.yaml, adds a palette node by drag and drop, undoes it', async ({
    page,
  }) => {
    const url = process.env.FANOUT_E2E_URL;
    expect(url, 'global-setup did not start the server').toBeTruthy();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(url!);
    await expect(page.getByTestId('file-list')).toContainText('parallel-isolation.yaml');

    await page.getByTestId('file-list').getByText('parallel-isolation.yaml', { exact: true }).click();
    const canvas = page.getByTestId('designer-canvas');
    const nodes = canvas.locator('.react-flow__node');
    await expect(nodes).toHaveCount(ISOLATION_NODES);
    await expect(canvas.locator('.react-flow__node-lua').filter({ hasText: 'prepare' })).toContainText(
      'fan-out 4',
    );
    await expect(canvas.locator('.react-flow__node').filter({ hasText: 'join' }).first()).toContainText(
      'join',
    );
    // Parallel edges: 4 into the branches, 4 converging into the join.
    await expect(canvas.locator('.fs-edge-parallel')).toHaveCount(4);
    await expect(canvas.locator('.fs-edge-fan-in')).toHaveCount(4);
    // Let fit-view settle before measuring.
    await viewportSettled(page);
    expect(overlaps(await boxes(nodes))).toEqual([]);
    await page.screenshot({ path: artifact('designer-canvas-light.png') });

    const pane = await canvas.locator('.react-flow__pane').boundingBox();
    expect(pane).not.toBeNull();
    await dragPaletteItem(page, page.getByTestId('palette-item-lua'), {
      x: pane!.x + pane!.width * 0.5,
      y: pane!.y + pane!.height - 90,
    });
    await expect(nodes).toHaveCount(ISOLATION_NODES + 1);
    await expect(canvas.locator('.react-flow__node').filter({ hasText: 'lua_1' })).toHaveCount(1);
    await page.screenshot({ path: artifact('designer-canvas-dropped.png') });

    await page.keyboard.press('Control+z');
    await expect(nodes).toHaveCount(ISOLATION_NODES);
    await page.keyboard.press('Control+Shift+z');
    await expect(nodes).toHaveCount(ISOLATION_NODES + 1);
    expect(errors).toEqual([]);
  });

  test('every example lays out without overlaps', async ({ page }) => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(process.env.FANOUT_E2E_URL!);
    await expect(page.getByTestId('file-list')).toContainText('parallel-isolation.yaml');
    const names = (await page.getByTestId('file-list').locator('button').allTextContents()).filter((n) =>
      n.endsWith('.yaml'),
    );
    expect(names.length).toBeGreaterThanOrEqual(4);
    for (const name of names) {
      await page.getByTestId('file-list').getByText(name, { exact: true }).click();
      const nodes = page.getByTestId('designer-canvas').locator('.react-flow__node');
      await expect(page.getByTestId('doc-title')).toContainText(name);
      // This file's graph, laid out (the previous file's nodes stay until ELK answers).
      await expectCanvasShows(page, await readFile(join(process.env.FANOUT_E2E_ROOT!, name), 'utf8'));
      await viewportSettled(page);
      expect(overlaps(await boxes(nodes)), name).toEqual([]);
      await page.screenshot({ path: artifact(`designer-canvas-${name.replace('.yaml', '')}.png`) });
    }
  });

  test('renames by double-click, duplicates with Ctrl+D and deletes with Delete', async ({ page }) => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(process.env.FANOUT_E2E_URL!);
    await expect(page.getByTestId('file-list')).toContainText('parallel-isolation.yaml');
    await page.getByTestId('file-list').getByText('parallel-isolation.yaml', { exact: true }).click();
    const canvas = page.getByTestId('designer-canvas');
    const nodes = canvas.locator('.react-flow__node');
    await expect(nodes).toHaveCount(ISOLATION_NODES);

    await canvas.locator('.fs-node-title', { hasText: 'branch_b' }).dblclick();
    const input = canvas.getByRole('textbox', { name: 'Rename branch_b' });
    await input.fill('second');
    await input.press('Enter');
    await expect(canvas.locator('.fs-node-title', { hasText: 'second' })).toHaveCount(1);
    // References followed: still 4 parallel and 4 fan-in edges.
    await expect(canvas.locator('.fs-edge-parallel')).toHaveCount(4);
    await expect(canvas.locator('.fs-edge-fan-in')).toHaveCount(4);

    await canvas.locator('.react-flow__node', { hasText: 'branch_d' }).click();
    await page.keyboard.press('Control+d');
    await expect(nodes).toHaveCount(ISOLATION_NODES + 1);
    await page.keyboard.press('Delete');
    await expect(nodes).toHaveCount(ISOLATION_NODES);
    await canvas.locator('.react-flow__node', { hasText: 'branch_d' }).click();
    await page.keyboard.press('Delete');
    await expect(nodes).toHaveCount(ISOLATION_NODES - 1);
    await expect(canvas.locator('.fs-edge-parallel')).toHaveCount(3);
    await page.keyboard.press('Control+z');
    await expect(canvas.locator('.fs-edge-parallel')).toHaveCount(4);
  });

  test('adds parallel branches after a node in one step and auto-lays out', async ({ page }) => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(process.env.FANOUT_E2E_URL!);
    await expect(page.getByTestId('file-list')).toContainText('while-loop.yaml');
    await page.getByTestId('file-list').getByText('while-loop.yaml', { exact: true }).click();
    const canvas = page.getByTestId('designer-canvas');
    const nodes = canvas.locator('.react-flow__node');
    await expect(canvas.locator('.react-flow__node-while_loop')).toHaveCount(1);
    const before = await nodes.count();
    await canvas.locator('.react-flow__node-while_loop').first().click();
    await page.getByTestId('canvas-add-parallel').click();
    // No question asked: three branch heads and a join, in one undo step.
    await expect(nodes).toHaveCount(before + 4);
    await expect(canvas.locator('.fs-edge-parallel')).toHaveCount(3);
    await expect(canvas.locator('.fs-fanout-badge')).toContainText('fan-out 3');
    // The same action on a fan-out adds one more branch (as its "+ branch" button does).
    await canvas.locator('.react-flow__node-while_loop').first().click();
    await page.getByTestId('canvas-add-parallel').click();
    await expect(canvas.locator('.fs-fanout-badge')).toContainText('fan-out 4');
    await expect(nodes).toHaveCount(before + 5);
    // Auto-layout answers asynchronously (ELK): its edit lands when the text changes.
    await page.getByTestId('toggle-yaml').click();
    const yaml = page.getByTestId('yaml-panel');
    await expect(yaml).toBeVisible();
    const unlaid = await editorText(yaml);
    await page.getByTestId('canvas-auto-layout').click();
    await expect.poll(() => editorText(yaml)).not.toBe(unlaid);
    await viewportSettled(page);
    expect(overlaps(await boxes(nodes))).toEqual([]);
    await page.screenshot({ path: artifact('designer-canvas-add-parallel.png') });
    await canvas.focus();
    await page.keyboard.press('Control+z'); // auto-layout
    await page.keyboard.press('Control+z'); // the fourth branch
    await page.keyboard.press('Control+z'); // add parallel branches
    await expect(nodes).toHaveCount(before);
  });
});
