// Issue #12's first "Show": from New → Blank, draw start → 3 parallel Lua branches → fan-in with mouse
// drags from handles and the node picker only (no YAML typing, no prompt), edit a condition on its
// edge in the edge inspector, give one branch a failing Lua body, run (the partial-failure status),
// Save as and Export to a second file, then `fanout validate` and `fanout run` on both files.
// Screenshots (light + dark, 1440×900 and 1280×800) of the edge inspector, the node picker and the
// edge popover go to e2e/artifacts/ and, with FANOUT_DOCS_IMAGES=1, to docs/images/.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { artifact, CHROMIUM, editorText, publishScreenshot, viewportSettled } from './helpers.ts';

test.skip(
  !existsSync(CHROMIUM),
  `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
);

const repo = fileURLToPath(new URL('..', import.meta.url));
const exec = promisify(execFile);
const root = () => process.env.FANOUT_E2E_ROOT!;

const canvasOf = (page: Page) => page.getByTestId('designer-canvas');
const node = (page: Page, name: string) => canvasOf(page).locator(`.react-flow__node[data-id="${name}"]`);

async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  const b = await locator.boundingBox();
  if (!b) throw new Error('no box');
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** A real mouse drag from a node's source handle to a point (empty canvas or another node's handle). */
async function dragFromHandle(page: Page, from: string, to: { x: number; y: number }, shift = false) {
  const start = await centre(node(page, from).locator('.react-flow__handle.source'));
  if (shift) await page.keyboard.down('Shift');
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move((start.x + to.x) / 2, (start.y + to.y) / 2, { steps: 6 });
  await page.mouse.move(to.x, to.y, { steps: 6 });
  await page.mouse.up();
  if (shift) await page.keyboard.up('Shift');
}

const targetHandle = (page: Page, name: string) =>
  centre(node(page, name).locator('.react-flow__handle.target'));

async function pick(page: Page, from: string, at: { x: number; y: number }, search: string, item: string) {
  await dragFromHandle(page, from, at);
  const picker = page.getByTestId('node-picker');
  await expect(picker).toBeVisible();
  await page.getByTestId('node-picker-search').fill(search);
  await picker.getByTestId(`node-picker-item-${item}`).click();
  await expect(picker).toHaveCount(0);
}

async function setTheme(page: Page, theme: 'light' | 'dark') {
  if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
    await page.getByRole('button', { name: theme === 'dark' ? 'Dark' : 'Light' }).click();
  }
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
}

/** Screenshots at both sizes in the current theme; `open` re-opens the view after a resize. */
async function shots(page: Page, name: string, theme: 'light' | 'dark') {
  for (const size of [
    { width: 1440, height: 900 },
    { width: 1280, height: 800 },
  ]) {
    await page.setViewportSize(size);
    await viewportSettled(page); // the canvas has taken the new size (its resize observer ran)
    const file = `${name}-${theme}-${size.width}.png`;
    await page.screenshot({ path: artifact(file) });
    if (size.width === 1440) await publishScreenshot(file, `${name}-${theme}.png`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** Clicks an edge at the middle of its drawn path (a bounding box centre may miss a bent edge). */
async function clickEdge(page: Page, idPrefix: string) {
  const path = canvasOf(page).locator(`.react-flow__edge[data-id^="${idPrefix}"] path.react-flow__edge-path`);
  const point = await path.evaluate((el) => {
    const p = el as SVGPathElement;
    const mid = p.getPointAtLength(p.getTotalLength() / 2);
    const m = p.getScreenCTM()!;
    return { x: mid.x * m.a + mid.y * m.c + m.e, y: mid.x * m.b + mid.y * m.d + m.f };
  });
  await page.mouse.click(point.x, point.y);
}

test('draw a fan-out by hand, edit its edges, run, export and check with the CLI', async ({ page }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => errors.push(`native dialog: ${d.message()}`)); // no prompt/alert/confirm
  await rm(join(root(), 'drawn-fanout.yaml'), { force: true });
  await rm(join(root(), 'drawn-fanout.portable.yaml'), { force: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(process.env.FANOUT_E2E_URL!);
  await setTheme(page, 'light');

  await page.getByTestId('new-menu-button').click();
  await page.getByTestId('new-template-blank').click();
  await expect(page.getByTestId('doc-title')).toHaveText('untitled');
  const canvas = canvasOf(page);
  await expect(canvas.locator('.react-flow__node')).toHaveCount(2); // Start and End
  const pane = (await canvas.locator('.react-flow__pane').boundingBox())!;
  const at = (fx: number, fy: number) => ({ x: pane.x + pane.width * fx, y: pane.y + pane.height * fy });

  // Start → (picker) the first Lua node.
  await dragFromHandle(page, '__start__', at(0.3, 0.45));
  await expect(page.getByTestId('node-picker')).toBeVisible();
  await shots(page, 'node-picker', 'light');
  await page.getByTestId('node-picker-search').fill('lua');
  await page.keyboard.press('Enter');
  await expect(node(page, 'lua_1')).toHaveCount(1);
  // Room for the branches: zoom out (the view fitted the one node), then drop relative to lua_1.
  for (let i = 0; i < 3; i++) await canvas.locator('.react-flow__controls-zoomout').click();
  await viewportSettled(page);
  const first = (await node(page, 'lua_1').boundingBox())!;
  const column = first.x + first.width + 90;
  const row = (i: number) => first.y + first.height / 2 + (i - 1) * 95;

  // Three branches out of lua_1: the second edge makes it a fan-out, the third adds a branch.
  await pick(page, 'lua_1', { x: column, y: row(0) }, 'lua', 'lua');
  await pick(page, 'lua_1', { x: column, y: row(1) }, 'lua', 'lua');
  await expect(canvas.locator('.fs-fanout-badge')).toContainText('fan-out 2');
  await pick(page, 'lua_1', { x: column, y: row(2) }, 'lua', 'lua');
  await expect(canvas.locator('.fs-fanout-badge')).toContainText('fan-out 3');
  await expect(canvas.locator('.fs-edge-parallel')).toHaveCount(3);
  await page.screenshot({ path: artifact('draw-debug-1.png') });

  // The first branch goes on to a new node; drawing the second branch into it asks to make it the fan-in.
  await pick(page, 'lua_2', { x: column + first.width + 70, y: row(1) }, 'lua', 'lua');
  await dragFromHandle(page, 'lua_3', await targetHandle(page, 'lua_5'));
  const popover = page.getByTestId('edge-popover');
  await expect(popover).toContainText('Make lua_5 the fan-in?');
  await shots(page, 'edge-popover', 'light');
  await popover.getByTestId('edge-popover-fan-in').click();
  await expect(popover).toHaveCount(0);
  await expect(canvas.locator('.fs-edge-fan-in')).toHaveCount(3);

  // The edge lua_5 → End: selected by a click, made conditional in the edge inspector, its condition
  // checked as typed.
  await canvas.locator('.react-flow__controls-fitview').click();
  await viewportSettled(page);
  await clickEdge(page, 'lua_5->__end__');
  const inspector = page.getByTestId('edge-inspector');
  await expect(inspector).toContainText('lua_5 → End');
  await inspector.getByTestId('edge-kind-conditional').check();
  const condition = inspector.getByTestId('edge-inspector-condition');
  await expect(condition).toHaveValue('state.ok');
  await condition.fill('state.parallel_results and');
  await expect(inspector.locator('.fs-condition-msg')).toHaveClass(/fs-invalid/);
  await condition.fill('state.parallel_results');
  await condition.press('Enter');
  await expect(canvas.locator('.react-flow__edge[data-id^="lua_5->__end__"]')).toHaveCount(1);
  await expect(page.getByTestId('edge-inspector')).toHaveAttribute('data-edge-kind', 'conditional');
  await expect(page.getByTestId('edge-inspector-condition')).toHaveValue('state.parallel_results');
  await shots(page, 'edge-inspector', 'light');

  // One branch fails: lua_3's body raises an error.
  await node(page, 'lua_3').click();
  const code = page.getByTestId('inspector').getByTestId('code-editor').locator('.cm-content');
  await code.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('error("branch 3 failed")');
  await expect
    .poll(async () => editorText(page.getByTestId('inspector').getByTestId('code-editor')))
    .toContain('branch 3 failed');

  // Run: a fan-in over a failed branch is not "succeeded".
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('finished · 1 of 3 branches failed', {
    timeout: 30_000,
  });

  // Save as, then Export to a second file.
  await page.getByTestId('save-as-button').click();
  const dialog = page.getByTestId('file-dialog');
  await dialog.getByTestId('file-dialog-name').fill('drawn-fanout.yaml');
  await dialog.getByTestId('file-dialog-confirm').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('doc-title')).toContainText('drawn-fanout');
  await page.getByTestId('export-button').click();
  await expect(dialog.getByTestId('file-dialog-name')).toHaveValue('drawn-fanout.portable.yaml');
  await dialog.getByTestId('file-dialog-confirm').click();
  await expect(dialog).toBeHidden();
  const saved = join(root(), 'drawn-fanout.yaml');
  const exported = join(root(), 'drawn-fanout.portable.yaml');
  await expect.poll(() => existsSync(exported)).toBe(true);
  const text = await readFile(saved, 'utf8');
  expect(text).toContain('fan_in: lua_5');
  expect(text).toContain('parallel: [lua_2, lua_3, lua_4]');
  expect(text).toContain('state.parallel_results');

  // The CLI agrees on both files: valid, and the run ends with the failed branch recorded.
  const cli = (args: string[]) =>
    exec(process.execPath, [join(repo, 'bin/fanout.js'), ...args], { cwd: repo }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
  for (const file of [saved, exported]) {
    const validated = await cli(['validate', file]);
    expect(validated.stdout, file).toMatch(/0 errors/);
    const ran = await cli(['run', file]);
    expect(ran.code, `${file}: ${ran.stderr}`).toBe(0);
    const state = JSON.parse(ran.stdout) as {
      parallel_results: { branch: string; success: boolean; error?: string }[];
    };
    expect(state.parallel_results.map((r) => [r.branch, r.success])).toEqual([
      ['lua_2', true],
      ['lua_3', false],
      ['lua_4', true],
    ]);
    expect(state.parallel_results[1]!.error).toContain('branch 3 failed');
  }

  // Dark: the same three views.
  await setTheme(page, 'dark');
  await dragFromHandle(page, 'lua_5', at(0.85, 0.75));
  await expect(page.getByTestId('node-picker')).toBeVisible();
  await page.getByTestId('node-picker-search').fill('json');
  await shots(page, 'node-picker', 'dark');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('node-picker')).toHaveCount(0);
  await dragFromHandle(page, 'lua_2', await targetHandle(page, 'lua_4'));
  await expect(popover).toBeVisible();
  await shots(page, 'edge-popover', 'dark');
  await page.keyboard.press('Escape');
  await expect(popover).toHaveCount(0);
  await clickEdge(page, 'lua_5->__end__');
  await expect(page.getByTestId('edge-inspector')).toBeVisible();
  await shots(page, 'edge-inspector', 'dark');
  await setTheme(page, 'light');

  expect(errors).toEqual([]);
});
