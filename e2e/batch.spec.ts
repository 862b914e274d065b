// The Batch tab against `fanout serve` (real workers): pick a 50-row JSONL dataset with the tab's
// picker, run the open workflow over it with an expect, watch the table fill while it runs, filter the
// failed rows, open a row's run in the run view (its real events), and export the results as CSV.
// Screenshots (1440×900 and 1280×800, light and dark) go to e2e/artifacts/batch-*.png.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { artifact, CHROMIUM, openApp } from './helpers.ts';

test.skip(
  !existsSync(CHROMIUM),
  `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
);

const FILE = 'batch-demo.yaml';
const ROWS = 50;

const WORKFLOW = `name: batch-demo
nodes:
  - name: score
    run: |
      sleep(60)
      if state.x == 13 then error("row 13 is unlucky") end
      return { y = state.x * 2, label = state.x % 2 == 0 and "even" or "odd" }
edges:
  - from: __start__
    to: score
  - from: score
    to: __end__
`;

test.beforeAll(async () => {
  const root = process.env.FANOUT_E2E_ROOT!;
  await writeFile(join(root, FILE), WORKFLOW);
  await mkdir(join(root, 'data'), { recursive: true });
  await writeFile(
    join(root, 'data', 'batch50.jsonl'),
    Array.from({ length: ROWS }, (_, i) => JSON.stringify({ x: i + 1, note: `case ${i + 1}` })).join('\n') +
      '\n',
  );
});

async function setTheme(page: Page, theme: 'light' | 'dark') {
  if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
    await page.getByRole('button', { name: theme === 'dark' ? 'Dark' : 'Light' }).click();
  }
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
}

async function shoot(page: Page, name: string) {
  for (const [width, height] of [
    [1440, 900],
    [1280, 800],
  ] as const) {
    await page.setViewportSize({ width, height });
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      await page.screenshot({ path: artifact(`batch-${name}-${width}-${theme}.png`) });
    }
  }
  await setTheme(page, 'light');
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('a 50-row batch: live table, failed filter, open a row, export CSV', async ({ page }) => {
  test.setTimeout(150_000);
  // The first export must not find one left by an earlier run (it would ask Replace first).
  await rm(join(process.env.FANOUT_E2E_ROOT!, 'data', 'batch-results.csv'), { force: true });
  const errors = await openApp(page);
  await page.getByTestId('file-list').getByText(FILE, { exact: true }).click();
  await expect(page.getByTestId('doc-title')).toContainText('batch-demo');
  const problems = page.getByTestId('toggle-problems');
  if ((await problems.getAttribute('data-open')) === 'true') await problems.click();
  const separator = page.getByRole('separator', { name: 'Resize the bottom panels' });
  await separator.focus();
  for (let i = 0; i < 6; i++) await separator.press('ArrowDown');

  await page.getByTestId('toggle-batch').click();
  const panel = page.getByRole('region', { name: 'Batch' });
  await expect(panel).toBeVisible();
  await shoot(page, 'empty');

  // The picker lists folders and dataset files; Escape closes it, a file is chosen by click.
  await panel.getByTestId('batch-browse').click();
  await expect(page.getByRole('dialog', { name: 'Choose a dataset' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Choose a dataset' })).toHaveCount(0);
  await panel.getByTestId('batch-browse').click();
  await page.getByTestId('batch-pick-data').click();
  await page.getByTestId('batch-pick-batch50.jsonl').click();
  await expect(panel.getByTestId('batch-dataset')).toHaveValue('data/batch50.jsonl');
  await panel.getByLabel('Concurrency').fill('3');
  await panel.getByTestId('batch-expect').fill('state.y < 80');
  await panel.getByTestId('batch-run').click();

  // Live: the table fills while the batch runs (some rows done, not all, Cancel offered), read in one
  // go: the batch may finish between two separate reads.
  const summary = panel.getByTestId('batch-summary');
  await expect
    .poll(
      () =>
        summary.evaluate((el, rows) => {
          const done = Number(el.querySelector('.bt-count strong')?.textContent);
          const cancel = document.querySelector<HTMLElement>('[data-testid="batch-cancel"]');
          return done > 0 && done < rows && cancel !== null && cancel.checkVisibility();
        }, ROWS),
      { timeout: 60_000, intervals: [100] },
    )
    .toBe(true);
  await shoot(page, 'running');
  await expect(summary.locator('.bt-phase')).toHaveText('finished', { timeout: 90_000 });
  await expect(summary.locator('.bt-count')).toHaveText(`${ROWS} / ${ROWS} rows`);
  // Row 13 fails its run; rows 40..50 (y >= 80) fail their expect.
  await expect(summary).toContainText('12 failed');
  await expect(summary).toContainText('expect 38 ✓ 11 ✗');
  await expect(panel.getByTestId('batch-row-3')).toContainText('"y":6');
  await shoot(page, 'finished');

  await panel.getByTestId('batch-failed-only').check();
  const failedRows = panel.locator('[data-testid^="batch-row-"]');
  await expect(failedRows).toHaveCount(12);
  await expect(failedRows.first()).toHaveAttribute('data-testid', 'batch-row-13');
  await expect(panel.getByTestId('batch-row-13')).toContainText('row 13 is unlucky');
  await shoot(page, 'failed-only');
  await panel.getByTestId('batch-failed-only').uncheck();

  // Open a row's run: the run view shows that run, with its final state.
  await panel.getByTestId('batch-row-3').click();
  const runPanel = page.getByTestId('run-panel');
  await expect(runPanel).not.toHaveAttribute('data-run-id', '');
  await page.getByTestId('run-tab-results').click();
  await expect(runPanel).toContainText('odd');
  await shoot(page, 'row-run');

  // Back to the Batch tab (the run view took the bottom area where both do not fit side by side).
  await page.getByTestId('toggle-batch').click();
  await expect(panel).toBeVisible();
  // Export CSV: a name, Save; the same name again asks Replace / Cancel.
  await panel.getByTestId('batch-export').click();
  await panel.getByTestId('batch-export-path').fill('data/batch-results.csv');
  await panel.getByTestId('batch-export-save').click();
  await expect(panel).toContainText('Exported 50 rows to data/batch-results.csv');
  const csv = await readFile(join(process.env.FANOUT_E2E_ROOT!, 'data', 'batch-results.csv'), 'utf8');
  const lines = csv.trim().split('\r\n');
  expect(lines).toHaveLength(ROWS + 1);
  expect(lines[0]).toBe(
    'row,id,status,ms,expect,expect_error,error,node,prompt_tokens,completion_tokens,cost_usd,input,state',
  );
  expect(lines[13]).toMatch(/^13,13,failed,/);
  await panel.getByTestId('batch-export').click();
  await panel.getByTestId('batch-export-path').fill('data/batch-results.csv');
  await panel.getByTestId('batch-export-save').click();
  await expect(panel.getByRole('alert')).toContainText('data/batch-results.csv exists.');
  await panel.getByTestId('batch-export-replace').click();
  await expect(panel).toContainText('Exported 50 rows');
  expect(errors).toEqual([]);
});
