// The main flow, driven as a person would in Chromium against `fanout serve`: from a New blank
// document build start -> Lua node -> "Parallel branches" (3 branches + fan-in) by drag and drop, connect
// by dragging a handle, type Lua in the inspector, auto-layout from the command palette, save as
// flow-e2e.yaml; the saved file passes `fanout validate` and `fanout run` gives the expected state;
// every step undoes and redoes; copy/paste of a branch; TEA's fixtures lay out without overlaps;
// the command palette and the cheat sheet; crash recovery after a reload.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
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

const repo = fileURLToPath(new URL('..', import.meta.url));
const fixturesDir = join(repo, 'test/fixtures/tea-compat/fixtures');
const run = promisify(execFile);

/** Drags a connection from `source`'s output handle to `target`'s input handle with the mouse. */
async function connectNodes(page: Page, source: string, target: string) {
  const canvas = page.getByTestId('designer-canvas');
  const from = await canvas
    .locator(`.react-flow__node[data-id="${source}"] .react-flow__handle.source`)
    .boundingBox();
  const to = await canvas
    .locator(`.react-flow__node[data-id="${target}"] .react-flow__handle.target`)
    .boundingBox();
  expect(from && to, `handles of ${source} -> ${target}`).toBeTruthy();
  await page.mouse.move(from!.x + from!.width / 2, from!.y + from!.height / 2);
  await page.mouse.down();
  await page.mouse.move(to!.x + to!.width / 2, to!.y + to!.height / 2, { steps: 12 });
  await page.mouse.up();
}

async function yamlText(page: Page): Promise<string> {
  return editorText(page.getByTestId('yaml-panel'));
}

async function openYamlPanel(page: Page) {
  if ((await page.getByTestId('yaml-panel').count()) === 0) await page.getByTestId('toggle-yaml').click();
  await expect(page.getByTestId('yaml-panel')).toBeVisible();
}

/** Runs a command-palette entry: Ctrl+K, type, Enter on the best match (which must be `expected`). */
async function paletteRun(page: Page, query: string, expected: string) {
  await page.keyboard.press('Control+k');
  const input = page.getByTestId('command-palette-input');
  await expect(input).toBeFocused();
  await input.fill(query);
  await expect(page.getByTestId('command-palette-item').first()).toContainText(expected);
  await input.press('Enter');
  await expect(page.getByTestId('command-palette')).toHaveCount(0);
}

async function start(page: Page) {
  const url = process.env.FANOUT_E2E_URL;
  expect(url, 'global-setup did not start the server').toBeTruthy();
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(url!);
  await expect(page.getByTestId('file-list')).toContainText('map-reduce.yaml');
}

test.describe('designer flow', () => {
  test.skip(
    !existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
  );

  const root = () => {
    const dir = process.env.FANOUT_E2E_ROOT;
    if (!dir) throw new Error('global-setup did not set FANOUT_E2E_ROOT');
    return dir;
  };
  const created = ['flow-e2e.yaml', 'recovery-e2e.yaml', 'tea-fixtures'];
  test.afterAll(async () => {
    // Leave the shared root as the other specs expect it.
    for (const name of created) await rm(join(root(), name), { recursive: true, force: true });
  });

  test('builds start -> Lua -> 3 parallel branches -> fan-in, saves, validates and runs it', async ({
    page,
    context,
  }) => {
    test.setTimeout(120_000);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await start(page);

    // New › Blank workflow.
    await page.getByTestId('new-menu-button').click();
    await expect(page.getByTestId('new-template-retry-with-timeout')).toBeVisible();
    await page.getByTestId('new-template-blank').click();
    await expect(page.getByTestId('doc-title')).toHaveText('untitled');
    const canvas = page.getByTestId('designer-canvas');
    const nodes = canvas.locator('.react-flow__node');
    const edges = canvas.locator('.react-flow__edge');
    await expect(nodes).toHaveCount(2); // Start and End
    await openYamlPanel(page);

    // Each step: [nodes, edges, text] after it, to check undo/redo against.
    const steps: { nodes: number; edges: number; text: string }[] = [];
    const record = async () => {
      // The step's text, once the canvas draws it (nodes laid out, every edge drawn).
      const text = await yamlText(page);
      await expectCanvasShows(page, text);
      steps.push({ nodes: await nodes.count(), edges: await edges.count(), text });
    };
    await record();

    const pane = (await canvas.locator('.react-flow__pane').boundingBox())!;
    // A Lua source node: the first node, so Start leads to it.
    await dragPaletteItem(page, page.getByTestId('palette-item-lua'), {
      x: pane.x + pane.width * 0.12,
      y: pane.y + pane.height * 0.35,
    });
    await expect(nodes).toHaveCount(3);
    await expect(canvas.locator('.react-flow__node[data-id="lua_1"]')).toHaveCount(1);
    await record();

    // The "Parallel branches" block: a fan-out source, 3 branches and a fan-in join.
    await dragPaletteItem(page, page.getByTestId('palette-item-parallel'), {
      x: pane.x + pane.width * 0.3,
      y: pane.y + pane.height * 0.55,
    });
    await expect(nodes).toHaveCount(8);
    await expect(canvas.locator('.fs-edge-parallel')).toHaveCount(3);
    await expect(canvas.locator('.fs-edge-fan-in')).toHaveCount(3);
    await expect(canvas.locator('.fs-fanout-badge')).toContainText('fan-out 3');
    await record();
    // Fit the view (Ctrl+0, not an edit) so every node is in sight of the mouse.
    await canvas.focus();
    await page.keyboard.press('Control+0');
    await viewportSettled(page);

    // Connect lua_1 -> fan_out_1 by dragging from its handle.
    await connectNodes(page, 'lua_1', 'fan_out_1');
    // (`goto: fan_out_1_join` must not count: the whole line is matched.)
    await expect.poll(async () => yamlText(page)).toMatch(/goto: fan_out_1$/m);
    await record();

    await page.screenshot({ path: artifact('designer-flow-connected.png') });
    // Type Lua into the second branch through the inspector. (The dropped block is still selected, and
    // a click on a member of a selection keeps it: clear it first with a click on the empty pane.)
    await canvas.locator('.react-flow__pane').click({ position: { x: pane.width * 0.45, y: 12 } });
    await canvas.locator('.react-flow__node[data-id="fan_out_1_branch_2"]').click();
    await expect(page.getByTestId('inspector-name')).toHaveValue('fan_out_1_branch_2');
    const code = page.getByTestId('inspector').getByTestId('code-editor').locator('.cm-content');
    await code.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('return { answer = 6 * 7, typed = "by e2e" }');
    await expect.poll(async () => yamlText(page)).toContain('return { answer = 6 * 7, typed = "by e2e" }');
    await record();

    // Auto-layout from the command palette; nothing overlaps afterwards.
    await canvas.locator('.react-flow__pane').click({ position: { x: pane.width * 0.45, y: 12 } });
    await paletteRun(page, 'auto-lay', 'Auto-layout');
    await expect.poll(async () => yamlText(page)).not.toBe(steps.at(-1)!.text);
    await record();
    await canvas.focus();
    await page.keyboard.press('Control+0');
    await viewportSettled(page);
    expect(overlaps(await boxes(nodes))).toEqual([]);
    await page.screenshot({ path: artifact('designer-flow-built.png') });

    // Undo every step, then redo every step: nodes, edges and text match what each step left.
    await canvas.focus();
    for (let i = steps.length - 2; i >= 0; i--) {
      await page.keyboard.press('Control+z');
      await expect.poll(async () => yamlText(page), `undo to step ${i}`).toBe(steps[i]!.text);
      await expect(nodes, `undo to step ${i}`).toHaveCount(steps[i]!.nodes);
      await expect(edges, `undo to step ${i}`).toHaveCount(steps[i]!.edges);
    }
    for (let i = 1; i < steps.length; i++) {
      await page.keyboard.press('Control+Shift+z');
      await expect.poll(async () => yamlText(page), `redo to step ${i}`).toBe(steps[i]!.text);
      await expect(nodes, `redo to step ${i}`).toHaveCount(steps[i]!.nodes);
      await expect(edges, `redo to step ${i}`).toHaveCount(steps[i]!.edges);
    }

    // Save: untitled -> the in-app file dialog asks for a name inside the served root.
    await page.keyboard.press('Control+s');
    const fileDialog = page.getByTestId('file-dialog');
    await expect(fileDialog).toHaveAttribute('data-mode', 'save');
    await fileDialog.getByTestId('file-dialog-name').fill('flow-e2e.yaml');
    await fileDialog.getByTestId('file-dialog-confirm').click();
    // A file left by an earlier run of this spec: replace it (the dialog asks first).
    const replace = fileDialog.getByTestId('file-dialog-replace');
    await expect.poll(async () => (await replace.isVisible()) || !(await fileDialog.isVisible())).toBe(true);
    if (await replace.isVisible()) await replace.click();
    await expect(page.getByTestId('doc-title')).toHaveText('flow-e2e.yaml');
    await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
    const saved = join(root(), 'flow-e2e.yaml');
    expect(await readFile(saved, 'utf8')).toBe(steps.at(-1)!.text);

    // The saved file passes `fanout validate` (exit 0) and runs to the expected state.
    const cli = join(repo, 'bin/fanout.js');
    const validated = await run(process.execPath, [cli, 'validate', saved]);
    expect(validated.stdout).toMatch(/\b0 errors\b/);
    const ran = await run(process.execPath, [cli, 'run', saved], { timeout: 60_000 });
    const state = JSON.parse(ran.stdout) as {
      parallel_results: { branch: string; success: boolean; state: Record<string, unknown> }[];
      branch_results: Record<string, unknown>[];
    };
    expect(state.parallel_results.map((r) => [r.branch, r.success])).toEqual([
      ['fan_out_1_branch_1', true],
      ['fan_out_1_branch_2', true],
      ['fan_out_1_branch_3', true],
    ]);
    expect(state.parallel_results[1]!.state).toMatchObject({ answer: 42, typed: 'by e2e' });
    expect(state.branch_results).toHaveLength(3);
    expect(state.branch_results[1]).toMatchObject({ answer: 42, typed: 'by e2e' });
    expect(state.parallel_results[0]!.state.answer).toBeUndefined();

    // Copy/paste a branch on the canvas: one more node, selected, with a fresh name.
    await canvas.locator('.react-flow__node[data-id="fan_out_1_branch_3"]').click();
    await page.keyboard.press('Control+c');
    await canvas.locator('.react-flow__pane').hover({ position: { x: pane.width * 0.5, y: 40 } });
    await page.keyboard.press('Control+v');
    await expect(nodes).toHaveCount(steps.at(-1)!.nodes + 1);
    await expect(page.getByTestId('dirty-marker')).toHaveCount(1);
    await page.screenshot({ path: artifact('designer-flow-pasted.png') });
    await page.keyboard.press('Control+z');
    await expect(nodes).toHaveCount(steps.at(-1)!.nodes);
    await expect(page.getByTestId('dirty-marker')).toHaveCount(0);

    expect(pageErrors).toEqual([]);
  });

  test("opens each of TEA's fixtures laid out without overlapping nodes", async ({ page }) => {
    const target = join(root(), 'tea-fixtures');
    await mkdir(target, { recursive: true });
    const names = (await readdir(fixturesDir)).filter((n) => n.endsWith('.yaml')).sort();
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) await cp(join(fixturesDir, name), join(target, name));
    await start(page);

    const list = page.getByTestId('file-list');
    await list.getByText('tea-fixtures/', { exact: true }).click();
    await expect(list).toContainText(names[0]!);
    const canvas = page.getByTestId('designer-canvas');
    const nodes = canvas.locator('.react-flow__node');
    for (const name of names) {
      await list.getByText(name, { exact: true }).click();
      await expect(page.getByTestId('doc-title')).toHaveText(name);
      await expectCanvasShows(page, await readFile(join(target, name), 'utf8'));
      await viewportSettled(page);
      const laidOut = await boxes(nodes);
      expect(laidOut.length, name).toBeGreaterThanOrEqual(2);
      expect(overlaps(laidOut), name).toEqual([]);
      await page.screenshot({ path: artifact(`designer-flow-fixture-${name.replace('.yaml', '')}.png`) });
    }
    // Back up to the root.
    await list.getByText('../', { exact: true }).click();
    await expect(list).toContainText('map-reduce.yaml');
  });

  test('command palette: templates, files, nodes, panels; the shortcut cheat sheet', async ({ page }) => {
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await start(page);

    // New from a template through the palette.
    await paletteRun(page, 'new retry', 'New from template: retry-with-timeout');
    await expect(page.getByTestId('doc-title')).toHaveText('untitled');
    await expect(
      page.getByTestId('designer-canvas').locator('.react-flow__node[data-id="replica_b"]'),
    ).toHaveCount(1);

    // Jump to a node: it becomes the selection the inspector shows.
    await paletteRun(page, 'first_succ', 'first_success');
    await expect(page.getByTestId('inspector-name')).toHaveValue('first_success');

    // Panels toggle; arrow keys move the highlight; Escape closes.
    await paletteRun(page, 'toggle yaml', 'Toggle YAML panel');
    await expect(page.getByTestId('yaml-panel')).toBeVisible();
    await page.keyboard.press('Control+k');
    await page.getByTestId('command-palette-input').fill('toggle');
    const items = page.getByTestId('command-palette-item');
    await expect(items.first()).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('ArrowDown');
    await expect(items.nth(1)).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await expect(items.last()).toHaveAttribute('aria-selected', 'true');
    await page.screenshot({ path: artifact('designer-flow-palette.png') });
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('command-palette')).toHaveCount(0);

    // Open a file through the palette (Ctrl+O in the browser host opens the in-app file dialog).
    await page.keyboard.press('Control+k');
    await page.getByTestId('command-palette-input').pressSequentially('open map-red');
    await expect(items.first()).toContainText('Open map-reduce.yaml');
    await page.keyboard.press('Enter');
    // Unsaved edits would be asked about in the app (never window.confirm); discard them if asked.
    const discard = page.getByTestId('question-confirm');
    const title = page.getByTestId('doc-title');
    await expect
      .poll(async () => (await discard.isVisible()) || (await title.textContent()) === 'map-reduce.yaml')
      .toBe(true);
    if (await discard.isVisible()) await discard.click();
    await expect(page.getByTestId('doc-title')).toHaveText('map-reduce.yaml');

    // The cheat sheet: "?" outside text fields, listing the app's and the canvas's shortcuts.
    await page.getByTestId('designer-canvas').focus();
    await page.keyboard.press('?');
    const sheet = page.getByTestId('shortcuts-dialog');
    await expect(sheet).toBeVisible();
    for (const keys of [
      'Ctrl+K',
      'Ctrl+S',
      'Ctrl+Shift+S',
      'Ctrl+Enter',
      'Ctrl+O',
      'Ctrl+Z',
      'Ctrl+Shift+L',
      'F2',
    ]) {
      await expect(
        sheet.locator('kbd', { hasText: new RegExp(`^${keys.replace(/\+/g, '\\+')}$`) }),
      ).toHaveCount(1);
    }
    await page.screenshot({ path: artifact('designer-flow-shortcuts.png') });
    await page.keyboard.press('Escape');
    await expect(sheet).toHaveCount(0);
    // ... and from the palette, in the dark theme.
    await paletteRun(page, 'theme', 'Toggle theme');
    await paletteRun(page, 'keyboard', 'Show keyboard shortcuts');
    await expect(sheet).toBeVisible();
    await page.screenshot({ path: artifact('designer-flow-shortcuts-dark.png') });
    await sheet.getByRole('button', { name: 'Close' }).click();
    expect(pageErrors).toEqual([]);
  });

  test('restores unsaved changes after a reload; saving or discarding clears the copy', async ({ page }) => {
    /** The texts of the crash-recovery copies in localStorage (written after the autosave debounce). */
    const copies = () =>
      page.evaluate(() =>
        Object.keys(localStorage)
          .filter((k) => k.includes('recovery'))
          .map((k) => localStorage.getItem(k) ?? ''),
      );
    await cp(join(repo, 'resources/examples/map-reduce.yaml'), join(root(), 'recovery-e2e.yaml'));
    await start(page);
    const list = page.getByTestId('file-list');
    await list.getByText('recovery-e2e.yaml', { exact: true }).click();
    const nodes = page.getByTestId('designer-canvas').locator('.react-flow__node');
    await expect(nodes).toHaveCount(7);
    await page.getByTestId('palette-item-lua').click(); // adds lua_1 at the view centre
    await expect(nodes).toHaveCount(8);
    await expect(page.getByTestId('dirty-marker')).toHaveCount(1);
    await expect.poll(async () => (await copies()).join()).toContain('lua_1'); // after the autosave debounce

    // "Crash": reload without saving. The copy is offered back.
    await page.reload();
    const dialog = page.getByTestId('recovery-dialog');
    await expect(dialog).toContainText(/Restore unsaved changes from \d/);
    await expect(dialog).toContainText('recovery-e2e.yaml');
    await expect(page.getByTestId('doc-title')).toHaveText('recovery-e2e.yaml');
    await expect(nodes).toHaveCount(7); // the file on disk, until Restore
    await page.screenshot({ path: artifact('designer-flow-recovery.png') });
    await page.getByTestId('recovery-restore').click();
    await expect(dialog).toHaveCount(0);
    await expect(nodes).toHaveCount(8);
    await expect(page.getByTestId('dirty-marker')).toHaveCount(1);

    // Discard: the next start offers nothing.
    await expect.poll(async () => (await copies()).join()).toContain('lua_1');
    await page.reload();
    await expect(dialog).toBeVisible();
    await page.getByTestId('recovery-discard').click();
    await expect(nodes).toHaveCount(7);
    await page.reload();
    await expect(list).toContainText('recovery-e2e.yaml');
    expect(await copies()).toEqual([]); // nothing left to offer
    await expect(dialog).toHaveCount(0);

    // Save clears it too.
    await list.getByText('recovery-e2e.yaml', { exact: true }).click();
    await page.getByTestId('palette-item-lua').click();
    await expect(nodes).toHaveCount(8);
    await expect.poll(async () => (await copies()).join()).toContain('lua_1');
    await page.keyboard.press('Control+s');
    await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
    await page.reload();
    await expect(list).toContainText('recovery-e2e.yaml');
    expect(await copies()).toEqual([]); // nothing left to offer
    await expect(dialog).toHaveCount(0);
    const storage = await page.evaluate(() =>
      Object.keys(localStorage).filter((k) => k.includes('recovery')),
    );
    expect(storage).toEqual([]);
  });
});
