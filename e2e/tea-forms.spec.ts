// TEA's forms on the canvas, in Chromium against `fanout serve`: corpus files copied into the served
// root show a _route goto map and a to: route list as labelled conditional edges, dynamic_parallel as
// a fan-out over a list, unknown actions with a "not available in Fanout" badge, and a file that is
// not a workflow as a one-line state (marked in the file list). Screenshots light and dark go to
// e2e/artifacts/ (and docs/images/ with FANOUT_DOCS_IMAGES=1).
import { existsSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { artifact, boxes, CHROMIUM, overlaps, publishScreenshot, viewportSettled } from './helpers.ts';

const CORPUS = fileURLToPath(new URL('../test/fixtures/tea-corpus/', import.meta.url));
const DIR = 'tea-forms';
const FILES = {
  routeMap: 'examples/mem0/mem0-user-personalization.yaml',
  routeList: 'examples/web/test-scrapegraph-production.yaml',
  dynamic: 'examples/yaml/dynamic_parallel_action_mode.yaml',
  schema: 'examples/llamaextract/schemas/invoice-schema.yaml',
};
const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

test.describe('TEA forms on the canvas', () => {
  test.skip(
    !existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
  );

  const root = () => {
    const r = process.env.FANOUT_E2E_ROOT;
    if (!r) throw new Error('global-setup did not start the server');
    return r;
  };
  test.beforeAll(async () => {
    for (const path of Object.values(FILES)) await cp(join(CORPUS, path), join(root(), DIR, base(path)));
  });
  test.afterAll(async () => {
    await rm(join(root(), DIR), { recursive: true, force: true });
  });

  async function open(page: Page, path: string) {
    // The list may mark a file "not a workflow" beside its name: match the name at the start.
    const name = new RegExp(`^${base(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
    await page.getByTestId('file-list').getByRole('button', { name }).click();
  }

  /** Zooms the canvas in around the centre of `node` (wheel zoom), so the screenshot is readable. */
  async function zoomAt(page: Page, node: string, wheel: number) {
    const box = (await page.locator(`.react-flow__node[data-id="${node}"]`).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -wheel);
    await viewportSettled(page);
  }

  async function shoot(page: Page, name: string) {
    for (const theme of ['light', 'dark'] as const) {
      if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
        await page.getByRole('button', { name: theme === 'dark' ? 'Dark' : 'Light' }).click();
      }
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      const file = `tea-${name}-${theme}.png`;
      await page.getByTestId('designer-canvas').screenshot({ path: artifact(file) });
      await publishScreenshot(file, file);
    }
    await page.getByRole('button', { name: 'Light' }).click();
  }

  test('route maps, route lists, dynamic_parallel, unknown actions and a non-workflow', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(process.env.FANOUT_E2E_URL!);
    await page.getByTestId('file-list').getByText(`${DIR}/`, { exact: true }).click();
    await expect(page.getByTestId('file-list')).toContainText(base(FILES.routeMap));
    const canvas = page.getByTestId('designer-canvas');
    const nodes = canvas.locator('.react-flow__node');
    const labels = canvas.locator('.react-flow__edge-text');

    // _route goto map: the keys label the conditional edges; recommend + _default share one path.
    await open(page, FILES.routeMap);
    await expect(nodes).toHaveCount(8);
    await expect(labels.filter({ hasText: /^_route: store$/ })).toHaveCount(1);
    await expect(labels.filter({ hasText: /^_route: recommend · _default$/ })).toHaveCount(1);
    await expect(canvas.locator('.fs-edge-conditional')).toHaveCount(3);
    // Unknown actions: the host's validate names them; each such node gets the badge (llm.call is
    // Fanout's own now, so generate_recommendations has none).
    for (const [node, action] of [
      ['store_preference', 'memory.mem0.add'],
      ['get_preferences', 'memory.mem0.search'],
    ]) {
      await expect(page.getByTestId(`node-unavailable-${node}`)).toHaveText(
        `⊘ not available in Fanout: ${action}`,
      );
    }
    await expect(canvas.locator('.fs-node-unavailable')).toHaveCount(2);
    await expect(page.getByTestId('node-unavailable-generate_recommendations')).toHaveCount(0);
    await viewportSettled(page); // fit view settles
    expect(overlaps(await boxes(nodes))).toEqual([]);
    await zoomAt(page, 'get_preferences', 250);
    await shoot(page, 'route-map');

    // to: route list: conditional edges numbered in the order they are tried.
    await open(page, FILES.routeList);
    await expect(canvas.locator('.react-flow__node', { hasText: 'route_test' })).toHaveCount(1);
    await expect(canvas.locator('.fs-edge-conditional')).toHaveCount(4);
    await expect(labels.filter({ hasText: /^2\. state\.get\("test_mode"\) == "complex_s…$/ })).toHaveCount(1);
    await expect(labels.filter({ hasText: /^3\. / })).toHaveCount(1);
    await expect(labels.filter({ hasText: / · 4\. True$/ })).toHaveCount(1);
    await viewportSettled(page);
    expect(overlaps(await boxes(nodes))).toEqual([]);

    // dynamic_parallel: a fan-out node showing its list and variables, a coloured edge to its join.
    await open(page, FILES.dynamic);
    const dyn = canvas.locator('.react-flow__node-dynamic_parallel');
    await expect(dyn).toHaveCount(1);
    await expect(dyn).toContainText('fetch_all');
    await expect(dyn).toContainText('items: {{ state.urls }}');
    await expect(dyn.getByTestId('dynamic-vars')).toHaveText('each url · index i · max 3');
    await expect(dyn).toContainText('⇉ dynamic fan-out');
    await expect(dyn).toContainText('action: http.get');
    // Every chip is inside the fixed-size box (the tag row clips what does not fit).
    const box = (await dyn.boundingBox())!;
    for (const chip of await dyn.locator('.fs-chip').all()) {
      const b = (await chip.boundingBox())!;
      expect(b.x + b.width, await chip.innerText()).toBeLessThanOrEqual(box.x + box.width);
    }
    await expect(canvas.locator('.fs-edge-dynamic')).toHaveCount(1);
    await expect(labels.filter({ hasText: '⇉ for each url' })).toHaveCount(1);
    await expect(canvas.locator('.react-flow__node', { hasText: 'aggregate' })).toContainText('⇶ join');
    // The join and the fan-out share their colour.
    const colours = await Promise.all(
      ['fetch_all', 'aggregate'].map((id) =>
        canvas
          .locator(`.react-flow__node[data-id="${id}"] .fs-node`)
          .evaluate(
            (el, prop) => getComputedStyle(el).getPropertyValue(prop),
            id === 'fetch_all' ? '--fanout-color' : '--join-color',
          ),
      ),
    );
    expect(colours[0]).toBe(colours[1]);
    await viewportSettled(page);
    expect(overlaps(await boxes(nodes))).toEqual([]);
    await zoomAt(page, 'fetch_all', 250);
    await shoot(page, 'dynamic-parallel');

    // Not a workflow: one line instead of a canvas (and not the previous file's graph).
    await open(page, FILES.schema);
    const state = page.getByTestId('canvas-state');
    await expect(state).toHaveAttribute('data-state', 'not-a-workflow');
    await expect(state).toContainText(/^∅ Not a workflow: .*JSON Schema/);
    await expect(page.locator('.react-flow__node')).toHaveCount(0);
    await expect(page.getByTestId('file-list').getByTestId('file-not-workflow')).toHaveCount(1);
    await expect(
      page.getByTestId('file-list').locator('button', { hasText: base(FILES.schema) }),
    ).toContainText('not a workflow');
    await page.screenshot({ path: artifact('tea-not-a-workflow-light.png') });

    // And back to a workflow: the canvas returns with that file's graph.
    await open(page, FILES.dynamic);
    await expect(canvas.locator('.react-flow__node-dynamic_parallel')).toHaveCount(1);
    await expect(page.getByTestId('canvas-state')).toHaveCount(0);
    expect(errors).toEqual([]);
  });
});
