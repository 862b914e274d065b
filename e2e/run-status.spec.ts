// Honest run status and one document, one view (#12 items 4, 5, part of 6), against `fanout serve`:
// a fan-out whose fan-in runs over one failed branch reads "finished · 1 of 3 branches failed" in amber
// in the toolbar pill, the run panel, the canvas (the fan-in) and History; another document shows its
// own, empty run panel and coming back shows the run again; New → Blank shows no run either. Also: the
// run badge never covers a node's fan-out / join pills, and the timeline tooltip stays on screen.
// Screenshots (light + dark) go to e2e/artifacts/ and, with FANOUT_DOCS_IMAGES=1, to
// docs/images/run-partial-{light,dark}.png.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { artifact, CHROMIUM, painted, publishScreenshot, type Box } from './helpers.ts';

test.skip(
  !existsSync(CHROMIUM),
  `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
);

// Three branches; `fetch_b` fails. The fan-in counts what arrived and the run goes on to the end, so
// the engine reports the run 'succeeded' — the UI must not.
const PARTIAL = `name: partial-demo
nodes:
  - name: split
    language: lua
    run: |
      return { asked = 3 }
  - name: fetch_a
    language: lua
    run: |
      sleep(150)
      return { a = 1 }
  - name: fetch_b
    language: lua
    run: |
      sleep(80)
      error("upstream returned 503")
  - name: fetch_c
    language: lua
    run: |
      sleep(200)
      return { c = 3 }
  - name: merge
    language: lua
    run: |
      local ok = 0
      for _, r in ipairs(state.parallel_results) do
        if r.success then ok = ok + 1 end
      end
      return { ok = ok }
  - name: report
    language: lua
    run: |
      return { done = true }
edges:
  - {from: __start__, to: split}
  - {from: split, parallel: [fetch_a, fetch_b, fetch_c], fan_in: merge}
  - {from: fetch_a, to: merge}
  - {from: fetch_b, to: merge}
  - {from: fetch_c, to: merge}
  - {from: merge, to: report}
  - {from: report, to: __end__}
`;

const CALM = `name: calm-demo
nodes:
  - name: only
    language: lua
    run: |
      return { calm = true }
edges:
  - {from: __start__, to: only}
  - {from: only, to: __end__}
`;

const LABEL = 'finished · 1 of 3 branches failed';

async function openFile(page: Page, file: string) {
  await page.getByTestId('file-list').getByText(file, { exact: true }).click();
  await expect(page.getByTestId('doc-title')).toContainText(file.replace(/\.yaml$/, ''));
}

async function setTheme(page: Page, theme: 'light' | 'dark') {
  if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
    await page.getByRole('button', { name: theme === 'dark' ? 'Dark' : 'Light' }).click();
  }
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
}

const intersects = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function box(locator: Locator): Promise<Box> {
  const b = await locator.boundingBox();
  if (!b) throw new Error('no box');
  return b;
}

const panel = (page: Page) => page.getByTestId('run-panel');
const node = (page: Page, name: string) =>
  page.getByTestId('designer-canvas').locator(`.react-flow__node[data-id="${name}"]`);

test.beforeAll(async () => {
  await writeFile(join(process.env.FANOUT_E2E_ROOT!, 'partial-demo.yaml'), PARTIAL);
  await writeFile(join(process.env.FANOUT_E2E_ROOT!, 'calm-demo.yaml'), CALM);
  // Written before any page loads, so no test depends on the list catching up with the disk.
  await writeFile(
    join(process.env.FANOUT_E2E_ROOT!, 'slow-demo.yaml'),
    PARTIAL.replace('name: partial-demo', 'name: slow-demo').replace('sleep(200)', 'sleep(2500)'),
  );
});

test.describe('run status', () => {
  const errors: string[] = [];
  test.beforeEach(async ({ page }) => {
    errors.length = 0;
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(process.env.FANOUT_E2E_URL!);
  });
  test.afterEach(() => {
    expect(errors).toEqual([]);
  });

  test('a fan-in over a failed branch is amber everywhere; each document shows its own runs', async ({
    page,
  }) => {
    await openFile(page, 'partial-demo.yaml');
    await page.getByTestId('run-button').click();

    // Toolbar pill: the honest label, amber (not the green of 'succeeded', not the red of 'failed').
    const status = page.getByTestId('run-status');
    await expect(status).toHaveText(LABEL, { timeout: 30_000 });
    const pill = page.locator('.rc-pill', { has: status });
    await expect(pill).toHaveClass(/rc-status-partial/);
    const amber = await pill.evaluate((el) => getComputedStyle(el).borderColor);
    expect(amber).not.toBe(await page.evaluate(() => getComputedStyle(document.body).color));

    // Run panel summary.
    await expect(panel(page).getByTestId('run-panel-status')).toHaveText(LABEL);
    await expect(panel(page).getByTestId('run-panel-status')).toHaveClass(/rp-status-partial/);

    // Canvas: the fan-in is amber and says why; the failed branch is red; the others green.
    const merge = page.getByTestId('node-run-merge');
    await expect(merge).toHaveAttribute('data-tone', 'partial');
    await expect(merge).toHaveAttribute('data-status', 'succeeded');
    await expect(page.getByTestId('node-run-shortfall-merge')).toHaveText('1 of 3 branches failed');
    await expect(page.getByTestId('node-run-fetch_b')).toHaveAttribute('data-status', 'failed');
    await expect(page.getByTestId('node-run-fetch_a')).toHaveAttribute('data-tone', 'succeeded');
    await expect(page.getByTestId('node-run-report')).toHaveAttribute('data-tone', 'succeeded');

    // The run badge hangs off the node: it covers none of the node's pills (fan-out, join).
    for (const name of ['split', 'merge', 'fetch_a', 'fetch_b']) {
      const badge = await box(page.getByTestId(`node-run-${name}`));
      for (const chip of await node(page, name).locator('.fs-chip').all()) {
        expect(intersects(badge, await box(chip)), `${name}: badge over "${await chip.textContent()}"`).toBe(
          false,
        );
      }
    }

    // Results: the outcome on top, the fan-in's tally.
    await page.getByTestId('run-tab-results').click();
    await expect(panel(page).getByTestId('results-outcome')).toContainText(LABEL);
    await expect(panel(page).getByTestId('fan-in-tally')).toHaveText('1 of 3 failed');
    await page.screenshot({ path: artifact('run-partial-results.png') });

    // History row.
    await page.getByTestId('run-tab-history').click();
    const history = panel(page).getByTestId('run-history');
    await expect(history.locator('tbody tr')).toHaveCount(1);
    await expect(history.getByTestId('history-status')).toHaveText(LABEL);
    await expect(history.getByTestId('history-status')).toHaveClass(/rp-status-partial/);
    await page.screenshot({ path: artifact('run-partial-history.png') });
    const runId = await panel(page).getAttribute('data-run-id');
    expect(runId).toBeTruthy();

    // Screenshots of the partly failed run on the timeline, light and dark, at both sizes.
    await page.getByTestId('run-tab-timeline').click();
    for (const size of [
      { width: 1440, height: 900 },
      { width: 1280, height: 800 },
    ]) {
      await page.setViewportSize(size);
      for (const theme of ['light', 'dark'] as const) {
        await setTheme(page, theme);
        await painted(page);
        const name = `run-partial-${theme}-${size.width}.png`;
        await page.screenshot({ path: artifact(name) });
        if (size.width === 1440) await publishScreenshot(name, `run-partial-${theme}.png`);
      }
    }
    await setTheme(page, 'light');
    await page.setViewportSize({ width: 1440, height: 900 });

    // Another document: its own, empty run panel and an idle toolbar; no badges on its canvas.
    await openFile(page, 'calm-demo.yaml');
    await expect(status).toHaveText('idle');
    await expect(panel(page).getByTestId('run-panel-empty')).toBeVisible();
    await expect(panel(page).getByTestId('run-panel-status')).toHaveCount(0);
    await expect(page.getByTestId('node-run-only')).toHaveCount(0);
    await page.getByTestId('run-tab-history').click();
    await expect(panel(page).getByTestId('run-history')).toHaveCount(0);
    await expect(panel(page)).toContainText('No runs of this document');

    // Run it: its history holds its one run, green.
    await page.getByTestId('run-button').click();
    await expect(status).toHaveText('succeeded', { timeout: 30_000 });
    await expect(panel(page).getByTestId('history-status')).toHaveText(['succeeded']);

    // Back: the partly failed run is there again, in the panel, History, toolbar and canvas.
    await openFile(page, 'partial-demo.yaml');
    await expect(status).toHaveText(LABEL);
    await expect(panel(page)).toHaveAttribute('data-run-id', runId!);
    await expect(panel(page).getByTestId('history-status')).toHaveText([LABEL]);
    await expect(page.getByTestId('node-run-merge')).toHaveAttribute('data-tone', 'partial');

    // New → Blank: a new document with no runs, even though the last one had some.
    await page.getByTestId('new-menu-button').click();
    await page.getByTestId('new-template-blank').click();
    await expect(page.getByTestId('doc-title')).toHaveText('untitled');
    await expect(status).toHaveText('idle');
    await page.getByTestId('run-tab-timeline').click();
    await expect(panel(page).getByTestId('run-panel-empty')).toBeVisible();
  });

  test('a run keeps updating its own document while another one is shown', async ({ page }) => {
    // The run events' frames the page receives (its socket watched from a fresh load).
    const frames: string[] = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        if (typeof payload === 'string' && payload.includes('"run-finished"')) frames.push(payload);
      }),
    );
    await page.reload();
    await openFile(page, 'slow-demo.yaml');
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('running', { timeout: 15_000 });
    const runId = await panel(page).getAttribute('data-run-id');
    expect(runId).toBeTruthy();
    await openFile(page, 'calm-demo.yaml');
    await expect(page.getByTestId('run-status')).toHaveText('idle');
    await expect(panel(page).getByTestId('run-panel-empty')).toBeVisible();
    // The slow run ends while calm-demo is shown (its end has reached the page and been drawn);
    // nothing of it appears here.
    await expect.poll(() => frames.some((f) => f.includes(`"runId":"${runId}"`))).toBe(true);
    await painted(page);
    await expect(panel(page).getByTestId('run-panel-empty')).toBeVisible();
    await openFile(page, 'slow-demo.yaml');
    await expect(page.getByTestId('run-status')).toHaveText(LABEL);
    await expect(panel(page).getByTestId('run-panel-status')).toHaveText(LABEL);
  });

  test('the timeline tooltip stays on screen at every edge', async ({ page }) => {
    for (const size of [
      { width: 1440, height: 900 },
      { width: 1280, height: 800 },
    ]) {
      await page.setViewportSize(size);
      await page.goto(process.env.FANOUT_E2E_URL!);
      await openFile(page, 'partial-demo.yaml');
      await page.getByTestId('run-button').click();
      await expect(page.getByTestId('run-status')).toHaveText(LABEL, { timeout: 30_000 });
      const bars = panel(page).getByTestId('timeline-bar');
      await expect(bars).toHaveCount(6);
      const tooltip = panel(page).getByTestId('timeline-tooltip');
      for (const bar of await bars.all()) {
        const b = await box(bar);
        // The right end of each bar (the longest reach the right edge), and its middle.
        for (const x of [b.x + b.width - 1, b.x + b.width / 2]) {
          await page.mouse.move(x, b.y + b.height / 2);
          await expect(tooltip).toBeVisible();
          await expect(tooltip).toHaveCSS('visibility', 'visible');
          const t = await box(tooltip);
          const where = `${await bar.getAttribute('data-node')} at ${x.toFixed(0)} in ${size.width}x${size.height}`;
          expect(t.x, where).toBeGreaterThanOrEqual(0);
          expect(t.y, where).toBeGreaterThanOrEqual(0);
          expect(t.x + t.width, where).toBeLessThanOrEqual(size.width);
          expect(t.y + t.height, where).toBeLessThanOrEqual(size.height);
        }
      }
      // Near the bottom right corner of the window, over the last bar's end.
      await page.screenshot({ path: artifact(`run-tooltip-edge-${size.width}.png`) });
      await page.mouse.move(5, 5);
      await expect(tooltip).toHaveCount(0);
    }
  });
});

test.describe('run badges up close', () => {
  test.use({ deviceScaleFactor: 2 });
  test('the badges of a partly failed run, at 2x', async ({ page }) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(process.env.FANOUT_E2E_URL!);
    await openFile(page, 'partial-demo.yaml');
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText(LABEL, { timeout: 30_000 });
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      const boxes = await page
        .getByTestId('designer-canvas')
        .locator('.react-flow__node')
        .evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().toJSON() as DOMRect));
      const x = Math.min(...boxes.map((b) => b.left)) - 16;
      const y = Math.min(...boxes.map((b) => b.top)) - 16;
      const width = Math.max(...boxes.map((b) => b.right)) + 16 - x;
      const height = Math.max(...boxes.map((b) => b.bottom)) + 32 - y;
      await page.screenshot({
        path: artifact(`run-partial-nodes-${theme}.png`),
        clip: { x, y, width, height },
      });
    }
  });
});
