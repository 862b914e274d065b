// Run controls and debugging against `fanout serve`: a branch that times out while its siblings succeed,
// Cancel, a breakpoint with an edited state, the remembered run input and "run from here".
// Workflows come from e2e/fixtures/ (copied into the served root); screenshots go to e2e/artifacts/.
import { existsSync } from 'node:fs';
import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { artifact, CHROMIUM, openAppForEachTest, painted, publishScreenshot } from './helpers.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

async function open(page: Page, file: string) {
  await page.getByTestId('file-list').getByText(file, { exact: true }).click();
  await expect(page.getByTestId('doc-title')).toContainText(file.replace(/\.yaml$/, ''));
  await expect(page.getByTestId('run-button')).toBeEnabled();
}

const panel = (page: Page) => page.getByTestId('run-panel');
const bar = (page: Page, node: string) =>
  panel(page).locator(`[data-testid="timeline-bar"][data-node="${node}"]`);
const stateLeaf = (page: Page, text: string) =>
  panel(page)
    .locator('.rp-json-leaf')
    .filter({ hasText: new RegExp(`^${text}$`) });

test.describe('run controls and debugging', () => {
  test.skip(
    !existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
  );

  test.beforeAll(async () => {
    const root = process.env.FANOUT_E2E_ROOT;
    expect(root, 'global-setup did not start the server').toBeTruthy();
    for (const name of await readdir(fixtures)) {
      if (name.endsWith('.yaml')) await copyFile(join(fixtures, name), join(root!, name));
    }
  });
  openAppForEachTest({ viewport: null });

  test('a spinning branch times out while its siblings succeed and the fan-in runs', async ({ page }) => {
    await open(page, 'debug-timeout.yaml');
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('finished · 1 of 3 branches timed out', {
      timeout: 30_000,
    });
    await expect(bar(page, 'spin')).toHaveAttribute('data-status', 'timed-out');
    await expect(bar(page, 'quick_a')).toHaveAttribute('data-status', 'succeeded');
    await expect(bar(page, 'quick_b')).toHaveAttribute('data-status', 'succeeded');
    await expect(bar(page, 'gather')).toHaveAttribute('data-status', 'succeeded');
    await page.screenshot({ path: artifact('run-debug-timeout-timeline.png') });
    await publishScreenshot('run-debug-timeout-timeline.png', 'run-timeout-light.png');

    await page.getByTestId('run-tab-results').click();
    const table = panel(page).getByTestId('results-parallel-table');
    await expect(table.locator('tbody tr', { hasText: 'spin' })).toContainText(/Timeout/);
    await expect(table.locator('tbody tr', { hasText: 'quick_a' })).toContainText('✓');
    await expect(stateLeaf(page, 'ok: 2')).toHaveCount(1);
    await expect(stateLeaf(page, 'failed: 1')).toHaveCount(1);
    await page.screenshot({ path: artifact('run-debug-timeout-results.png') });
  });

  test('Cancel stops a long run within seconds', async ({ page }) => {
    await open(page, 'debug-long.yaml');
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('running', { timeout: 15_000 });
    await expect(page.getByTestId('cancel-button')).toBeEnabled();
    // Cancelled in the middle of the spinning Lua (a busy VM), not before it started.
    await expect(page.getByTestId('node-run-spin_long')).toHaveAttribute('data-status', 'running');
    const asked = Date.now();
    await page.getByTestId('cancel-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('cancelled', { timeout: 5_000 });
    const took = Date.now() - asked;
    test.info().annotations.push({ type: 'cancel-ms', description: String(took) });
    // The run's own duration (engine clock) against the wait seen here: the rest is delivery.
    const duration = await page.getByTestId('run-elapsed').textContent();
    console.log(`cancel: cancelled shown ${took} ms after the click; run duration ${duration}`);
    await expect(page.getByTestId('run-button')).toBeEnabled();
    await page.screenshot({ path: artifact('run-debug-cancelled.png') });
  });

  test('a breakpoint pauses; an edited state continues to the end', async ({ page }) => {
    await open(page, 'debug-steps.yaml');
    // Set the breakpoint as a person would: select the node on the canvas, press F9.
    await page.getByTestId('designer-canvas').locator('.react-flow__node[data-id="double"]').click();
    await page.keyboard.press('F9');
    await expect(page.getByTestId('breakpoint-count')).toContainText('1');

    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('paused', { timeout: 15_000 });
    const paused = page.getByTestId('paused-panel');
    await expect(paused.getByTestId('paused-title')).toHaveText(/Paused before\s*double/);
    await expect(page.getByTestId('paused-bar')).toContainText('double');
    const editor = paused.getByTestId('paused-state');
    const state = JSON.parse(await editor.inputValue()) as { count: number };
    expect(state.count).toBe(2); // initial_state count 1, then prepare added one
    await page.screenshot({ path: artifact('run-debug-paused.png') });
    await page.getByRole('button', { name: 'Dark', exact: true }).click();
    await expect(page.getByTestId('designer-canvas')).toHaveAttribute('data-theme', 'dark');
    await painted(page); // the canvas repainted in the new theme before the picture
    await page.screenshot({ path: artifact('run-debug-paused-dark.png') });
    await publishScreenshot('run-debug-paused-dark.png', 'run-paused-dark.png');
    await page.getByRole('button', { name: 'Light', exact: true }).click();

    // An invalid edit is refused where it is typed.
    await editor.fill('{"count": ');
    await expect(paused.getByTestId('paused-state-message')).toContainText('not valid JSON');
    await expect(paused.getByTestId('paused-continue-edited')).toBeDisabled();
    await editor.fill(JSON.stringify({ ...state, count: 10 }, null, 2));
    await paused.getByTestId('paused-continue-edited').click();
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 15_000 });
    await expect(page.getByTestId('paused-panel')).toHaveCount(0);
    await page.getByTestId('run-tab-results').click();
    await expect(stateLeaf(page, 'result: 20')).toHaveCount(1);
    await expect(stateLeaf(page, 'summary: "result=20"')).toHaveCount(1);
    await page.screenshot({ path: artifact('run-debug-continued.png') });

    // Clear the breakpoint for the next tests (it is remembered per file).
    await page.getByTestId('clear-breakpoints').click();
    await expect(page.getByTestId('breakpoint-count')).toHaveCount(0);
  });

  test('the run input is used, validated and remembered across a reload', async ({ page }) => {
    await open(page, 'debug-steps.yaml');
    await page.getByTestId('run-input-button').click();
    const text = page.getByTestId('run-input-text');
    await expect(text).toHaveValue(/"count": 1/); // initial_state by default
    await text.fill('[1, 2]');
    await expect(page.getByTestId('run-input-message')).toContainText('must be a JSON object');
    await text.fill('{"count": 5}');
    await expect(page.getByTestId('run-input-message')).toContainText('Valid');
    await page.screenshot({ path: artifact('run-debug-input.png') });
    // Ctrl+Enter runs from inside the editor.
    await text.press('Control+Enter');
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 15_000 });
    await page.getByTestId('run-tab-results').click();
    await expect(stateLeaf(page, 'result: 12')).toHaveCount(1);

    await page.reload();
    await open(page, 'debug-steps.yaml');
    await page.getByTestId('run-input-button').click();
    await expect(page.getByTestId('run-input-text')).toHaveValue('{"count": 5}');
    // An invalid input blocks Run and says why in the editor.
    await page.getByTestId('run-input-text').fill('{"count": 5,');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('run-input-editor')).toHaveCount(0);
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-input-editor')).toBeVisible();
    await expect(page.getByTestId('run-input-message')).toContainText('not valid JSON');
    await expect(page.getByTestId('run-status')).toHaveText('idle');
    await page.getByTestId('run-input-reset').click();
    await expect(page.getByTestId('run-input-text')).toHaveValue(/"count": 1/);
  });

  test('run from here after a full run skips the earlier nodes', async ({ page }) => {
    await open(page, 'debug-steps.yaml');
    const runFromSelected = async () => {
      await page.getByTestId('designer-canvas').locator('.react-flow__node[data-id="double"]').click();
      await page.getByTestId('palette-button').click();
      await page.keyboard.type('run from selected');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 15_000 });
    };
    // Before any run nothing was recorded: it runs with the run input, and says so.
    await runFromSelected();
    await expect(page.getByTestId('run-notice')).toContainText('No state was recorded before double');
    await page.getByTestId('run-tab-results').click();
    await expect(stateLeaf(page, 'result: 2')).toHaveCount(1); // initial_state count 1, prepare skipped

    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 15_000 });
    await expect(page.getByTestId('run-notice')).toHaveCount(0);
    await page.getByTestId('run-tab-timeline').click();
    await expect(bar(page, 'prepare')).toHaveCount(1);

    await runFromSelected();
    await page.getByTestId('run-tab-timeline').click();
    await expect(bar(page, 'double')).toHaveCount(1);
    await expect(bar(page, 'finish')).toHaveCount(1);
    await expect(bar(page, 'prepare')).toHaveCount(0);
    // It started from the state recorded before `double` (count 2): result 4, like the full run.
    await page.getByTestId('run-tab-results').click();
    await expect(stateLeaf(page, 'result: 4')).toHaveCount(1);
    await page.getByTestId('run-tab-timeline').click();
    await page.screenshot({ path: artifact('run-debug-from-here.png') });

    // Re-run repeats the same mode and node.
    await page.getByTestId('rerun-button').click();
    await page.getByTestId('run-tab-history').click();
    await expect(panel(page).getByTestId('run-history').locator('tbody tr')).toHaveCount(4);
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 15_000 });
    await page.getByTestId('run-tab-timeline').click();
    await expect(bar(page, 'prepare')).toHaveCount(0);
    await expect(bar(page, 'double')).toHaveCount(1);
  });
});
