// The live canvas against `fanout serve`: node status rings/badges during and after a run, breakpoints
// on the canvas and in the inspector, and run errors that jump to the node and the Lua line.
// Needs the App to provide RunBridgeContext (the run controller); screenshots go to e2e/artifacts/.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { artifact, CHROMIUM, expectCanvasShows, viewportSettled } from './helpers.ts';

// Two slow branches and one that fails on Lua line 3, then a main-line node failing on line 2.
const DEMO = `name: run-canvas-demo
nodes:
  - name: prep
    language: lua
    run: |
      return { started = true }
  - name: slow_a
    language: lua
    run: |
      sleep(8000)
      return { a = 1 }
  - name: slow_b
    language: lua
    run: |
      sleep(8000)
      return { b = 1 }
  - name: bad
    language: lua
    run: |
      local x = 1
      local y = 2
      error("bad branch")
      return {}
  - name: join
    language: lua
    run: |
      return { joined = #state.parallel_results }
  - name: check
    language: lua
    run: |
      local n = state.joined
      error("check failed with " .. n)
      return {}
edges:
  - {from: __start__, to: prep}
  - {from: prep, parallel: [slow_a, slow_b, bad], fan_in: join}
  - {from: slow_a, to: join}
  - {from: slow_b, to: join}
  - {from: bad, to: join}
  - {from: join, to: check}
  - {from: check, to: __end__}
`;

async function open(page: Page, file: string) {
  await page.goto(process.env.FANOUT_E2E_URL!);
  await page.getByTestId('file-list').getByText(file, { exact: true }).click();
  await expect(page.getByTestId('doc-title')).toContainText(file.replace(/\.yaml$/, ''));
  // Its graph laid out and the view fitted (screenshots are clipped to the nodes' boxes).
  await expectCanvasShows(page, await readFile(join(process.env.FANOUT_E2E_ROOT!, file), 'utf8'));
  await viewportSettled(page);
}

/** Screenshot of the part of the canvas holding the nodes (the canvas itself may be very wide). */
async function shootNodes(page: Page, name: string) {
  const boxes = await canvas(page)
    .locator('.react-flow__node')
    .evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().toJSON() as DOMRect));
  const x = Math.max(0, Math.min(...boxes.map((b) => b.left)) - 24);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.top)) - 24);
  const right = Math.max(...boxes.map((b) => b.right)) + 24;
  const bottom = Math.max(...boxes.map((b) => b.bottom)) + 24;
  await page.screenshot({
    path: artifact(name),
    clip: { x, y, width: right - x, height: bottom - y },
    animations: 'disabled',
  });
}

const badge = (page: Page, node: string) => page.getByTestId(`node-run-${node}`);
const canvas = (page: Page) => page.getByTestId('designer-canvas');

test.describe('live canvas', () => {
  test.skip(!existsSync(CHROMIUM), `${CHROMIUM} is missing`);

  test('parallel-isolation: every node ends succeeded with a duration', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await open(page, 'parallel-isolation.yaml');
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 30_000 });
    for (const node of ['prepare', 'branch_a', 'branch_b', 'branch_c', 'branch_d', 'join']) {
      await expect(badge(page, node)).toHaveAttribute('data-status', 'succeeded');
      await expect(page.getByTestId(`node-run-time-${node}`)).toHaveText(/\d+(\.\d+)? m?s$/);
    }
    await shootNodes(page, 'run-canvas-after.png');
    expect(errors).toEqual([]);
  });

  test('running nodes tick, failures show, errors jump to the Lua line', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await writeFile(join(process.env.FANOUT_E2E_ROOT!, 'run-canvas-demo.yaml'), DEMO);
    await open(page, 'run-canvas-demo.yaml');

    // Breakpoints: a main-line node gets a clickable corner dot; branch nodes get none.
    const node = (name: string) => canvas(page).locator(`.react-flow__node[data-id="${name}"]`);
    await expect(node('slow_a').getByTestId('node-breakpoint-slow_a')).toHaveCount(0);
    await expect(node('slow_a').locator('.fs-bp-blocked')).toHaveAttribute(
      'title',
      /not interruptible|without interruption/,
    );
    const dot = page.getByTestId('node-breakpoint-check');
    await dot.click();
    await expect(dot).toHaveAttribute('aria-pressed', 'true');
    await dot.click();
    await expect(dot).toHaveAttribute('aria-pressed', 'false');

    await page.getByTestId('run-button').click();
    await expect(badge(page, 'slow_a')).toHaveAttribute('data-status', 'running', { timeout: 15_000 });
    const time = page.getByTestId('node-run-time-slow_a');
    const first = await time.textContent();
    await expect.poll(() => time.textContent(), { message: 'the running timer ticks' }).not.toBe(first);
    // Branches sleep 8 s so the shot (seconds on a loaded 2-core machine) still shows them running.
    await expect(badge(page, 'slow_a')).toHaveAttribute('data-status', 'running');
    const shotAt = Date.now();
    await shootNodes(page, 'run-canvas-during.png');
    console.log(`during-run screenshot took ${Date.now() - shotAt} ms`);

    await expect(page.getByTestId('run-status')).toHaveText('failed', { timeout: 30_000 });
    await expect(badge(page, 'bad')).toHaveAttribute('data-status', 'failed');
    await expect(badge(page, 'slow_a')).toHaveAttribute('data-status', 'succeeded');
    await expect(badge(page, 'join')).toHaveAttribute('data-status', 'succeeded');
    await expect(badge(page, 'check')).toHaveAttribute('data-status', 'failed');
    await shootNodes(page, 'run-canvas-failed.png');

    // Inspector run section: branch nodes cannot be run from; the fan-in can.
    await node('slow_a').click();
    const inspector = page.getByTestId('inspector');
    await expect(inspector.getByTestId('inspector-run-from-here')).toBeDisabled();
    await expect(inspector.getByTestId('inspector-breakpoint')).toBeDisabled();
    await node('join').click();
    await expect(inspector.getByTestId('inspector-run-from-here')).toBeEnabled();
    await expect(inspector.getByTestId('inspector-run-diff')).toContainText('joined');

    // With another node selected, a run error jumps to its node and Lua line, with a marker there.
    await node('prep').click();
    await page.getByTestId('run-tab-results').click();
    await page.getByTestId('run-error-link').filter({ hasText: 'check' }).first().click();
    await expect(inspector.getByTestId('inspector-name')).toHaveValue('check');
    const editor = inspector.locator('.cm-editor');
    await expect(editor.locator('.cm-activeLine')).toContainText('error("check failed with " .. n)');
    await expect(editor.locator('.cm-lintRange-error').first()).toBeVisible();
    await inspector.screenshot({ path: artifact('run-canvas-jump.png') });

    // The error inside a branch jumps to that branch node's line 3.
    await page.getByTestId('run-error-link').filter({ hasText: 'bad' }).first().click();
    await expect(inspector.getByTestId('inspector-name')).toHaveValue('bad');
    await expect(editor.locator('.cm-activeLine')).toContainText('error("bad branch")');
    expect(errors).toEqual([]);
  });
});
