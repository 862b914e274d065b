// What users of n8n, Rivet, ComfyUI and Node-RED expect, in Chromium against `fanout serve`: sticky
// notes (add from the palette, write, move, resize, colour, save, reopen; `fanout validate` clean on the
// saved file), pasted nodes offset from their originals and from each other, the inspector following the
// clicked node of a multi-selection (and "N selected" with bulk actions), and a node's output preview
// after a run with "Open in results". Screenshots at 1440×900 and 1280×800, light and dark.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { artifact, CHROMIUM, publishScreenshot } from './helpers.ts';

const DIR = 'extras';
const FILE = 'notes-demo.yaml';
const WORKFLOW = `name: notes_demo
nodes:
  - name: fetch
    language: lua
    run: |
      return { items = { "a", "b", "c" }, count = 3 }
    metadata: {fanout: {x: 0, y: 0}}
  - name: summarise
    language: lua
    run: |
      return { summary = "3 items: " .. table.concat(state.items, ", "), done = true }
    metadata: {fanout: {x: 320, y: 0}}
edges:
  - {from: __start__, to: fetch}
  - {from: fetch, to: summarise}
  - {from: summarise, to: __end__}
`;
const repo = fileURLToPath(new URL('..', import.meta.url));

/**
 * A point of empty canvas, relative to the pane, inside what is visible of it (the pane may reach under
 * the bottom panels): its bottom middle (clear of the zoom buttons and the minimap) or top middle.
 */
async function emptySpot(page: Page, where: 'bottom' | 'top'): Promise<{ x: number; y: number }> {
  const canvas = page.getByTestId('designer-canvas');
  const pane = (await canvas.locator('.react-flow__pane').boundingBox())!;
  const shown = (await canvas.boundingBox())!;
  const y = where === 'bottom' ? shown.y + shown.height - 30 : shown.y + 40;
  return { x: shown.x + shown.width / 2 - pane.x, y: y - pane.y };
}

test.describe('designer extras', () => {
  test.skip(
    !existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
  );

  const root = () => {
    const r = process.env.FANOUT_E2E_ROOT;
    if (!r) throw new Error('global-setup did not start the server');
    return r;
  };
  const path = () => join(root(), DIR, FILE);
  test.beforeEach(async () => {
    await mkdir(join(root(), DIR), { recursive: true });
    await writeFile(path(), WORKFLOW);
  });
  test.afterAll(async () => {
    await rm(join(root(), DIR), { recursive: true, force: true });
  });

  async function openDemo(page: Page, size = { width: 1440, height: 900 }) {
    await page.setViewportSize(size);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(process.env.FANOUT_E2E_URL!);
    await page.getByTestId('file-list').getByText(`${DIR}/`, { exact: true }).click();
    await page.getByTestId('file-list').getByText(FILE, { exact: true }).click();
    await expect(page.locator('.react-flow__node[data-id="summarise"]')).toBeVisible();
  }

  async function save(page: Page) {
    await page.getByTestId('designer-canvas').focus();
    await page.keyboard.press('Control+S');
    await expect.poll(async () => (await readFile(path(), 'utf8')) !== WORKFLOW).toBe(true);
  }

  async function shoot(page: Page, name: string, target = page.getByTestId('designer-canvas')) {
    for (const theme of ['light', 'dark'] as const) {
      if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
        await page.getByRole('button', { name: theme === 'dark' ? 'Dark' : 'Light', exact: true }).click();
      }
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      const size = page.viewportSize()!;
      const file = `extras-${name}-${size.width}-${theme}.png`;
      await target.screenshot({ path: artifact(file) });
      await publishScreenshot(file, file);
    }
    await page.getByRole('button', { name: 'Light', exact: true }).click();
  }

  test('sticky notes: add, write, move, resize, colour, save, reopen; fanout validate is clean', async ({
    page,
  }) => {
    // Two page loads, eight screenshots and a `fanout validate` process: generous on a loaded machine.
    test.slow();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await openDemo(page);
    const canvas = page.getByTestId('designer-canvas');

    // From the palette: a selected, empty note at the view's centre.
    await page.getByTestId('palette-item-note').click();
    const note = canvas.getByTestId('note-note_1');
    await expect(note).toBeVisible();
    await expect(note).toContainText('Double-click to write');

    // Write in it (plain text with light formatting), commit by clicking the pane.
    await note.dblclick();
    const editor = canvas.getByTestId('note-editor-note_1');
    await editor.fill('# Pipeline\n- fetch gets **three** items\n- summarise joins them: `table.concat`');
    await canvas.locator('.react-flow__pane').click({ position: await emptySpot(page, 'bottom') });
    await expect(note.locator('.fs-note-h')).toHaveText('Pipeline');
    await expect(note.locator('b')).toHaveText('three');
    await expect(note.locator('code')).toHaveText('table.concat');

    // Move by its header, resize by its corner: one edit each, snapped to the grid.
    const before = (await note.boundingBox())!;
    const head = note.locator('.fs-note-head');
    const h = (await head.boundingBox())!;
    await page.mouse.move(h.x + 30, h.y + h.height / 2);
    await page.mouse.down();
    await page.mouse.move(h.x + 30, h.y - 160, { steps: 6 });
    await page.mouse.up();
    await expect.poll(async () => (await note.boundingBox())!.y).toBeLessThan(before.y - 100);
    const grip = (await note.getByTestId('note-resize-note_1').boundingBox())!;
    await page.mouse.move(grip.x + 7, grip.y + 7);
    await page.mouse.down();
    await page.mouse.move(grip.x + 90, grip.y + 40, { steps: 6 });
    await page.mouse.up();
    await expect.poll(async () => (await note.boundingBox())!.width).toBeGreaterThan(before.width + 40);

    // Colour from the note's own picker (keyboard reachable; Escape closes it).
    await note.click();
    await note.getByTestId('note-colour-note_1').click();
    await expect(note.getByRole('radiogroup', { name: 'Note colour' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(note.getByRole('radiogroup')).toHaveCount(0);
    await note.getByTestId('note-colour-note_1').click();
    await note.getByTestId('note-colour-option-blue').click();
    await expect(note).toHaveClass(/fs-note-blue/);

    // A second note from the canvas's context menu, then deleted with the Delete key and undone.
    await canvas
      .locator('.react-flow__pane')
      .click({ button: 'right', position: await emptySpot(page, 'bottom') });
    await page.getByRole('menuitem', { name: /Add sticky note/ }).click();
    const second = canvas.getByTestId('note-note_2');
    await expect(second).toBeVisible();
    await second.focus();
    await page.keyboard.press('Delete');
    await expect(second).toHaveCount(0);
    await canvas.focus();
    await page.keyboard.press('Control+Z');
    await expect(second).toBeVisible();
    await second.focus();
    await page.keyboard.press('Delete');
    await expect(second).toHaveCount(0);

    await shoot(page, 'notes');
    await save(page);
    const saved = await readFile(path(), 'utf8');
    expect(saved.startsWith(WORKFLOW)).toBe(true); // nothing above the notes section changed
    expect(saved).toContain('metadata:\n  fanout:\n    notes:\n      - id: note_1\n');
    expect(saved).toContain('        color: blue\n');
    expect(saved).toContain('          - fetch gets **three** items\n');
    expect(saved).not.toContain('note_2');

    // `fanout validate` on the saved file: no problems at all.
    const validated = execFileSync('node', [join(repo, 'bin/fanout.js'), 'validate', path()], {
      encoding: 'utf8',
    });
    expect(validated).toContain('0 errors, 0 warnings');

    // Reopen (a fresh page load): the note is there as written.
    await openDemo(page);
    await expect(page.getByTestId('note-note_1').locator('.fs-note-h')).toHaveText('Pipeline');
    await expect(page.getByTestId('note-note_1')).toHaveClass(/fs-note-blue/);
    await page.setViewportSize({ width: 1280, height: 800 });
    await shoot(page, 'notes');
    expect(errors).toEqual([]);
  });

  test('pasted nodes land offset from their originals and from each other', async ({ page }) => {
    await openDemo(page);
    const canvas = page.getByTestId('designer-canvas');
    await canvas.locator('.react-flow__node[data-id="fetch"]').click();
    await page.getByTestId('canvas-copy').click();
    // Paste twice at the same pointer position (the toolbar button): the second one moves on.
    await page.getByTestId('canvas-paste').click();
    await expect(canvas.locator('.react-flow__node[data-id="fetch_2"]')).toBeVisible();
    await page.getByTestId('canvas-paste').click();
    await expect(canvas.locator('.react-flow__node[data-id="fetch_3"]')).toBeVisible();
    const box = async (id: string) =>
      (await canvas.locator(`.react-flow__node[data-id="${id}"]`).boundingBox())!;
    const [a, b] = [await box('fetch_2'), await box('fetch_3')];
    const zoom = Number(await canvas.getAttribute('data-zoom'));
    expect(Math.round((b.x - a.x) / zoom)).toBe(40);
    expect(Math.round((b.y - a.y) / zoom)).toBe(40);
    // Duplicate (Ctrl+D) of the original lands one step off it, never on it.
    await canvas.locator('.react-flow__node[data-id="fetch"]').click();
    await page.keyboard.press('Control+D');
    const copy = await box('fetch_copy');
    const orig = await box('fetch');
    expect(Math.round((copy.x - orig.x) / zoom)).toBe(40);
    expect(Math.round((copy.y - orig.y) / zoom)).toBe(40);
  });

  test('the inspector follows the clicked node of a multi-selection; its empty space shows N selected', async ({
    page,
  }) => {
    await openDemo(page);
    const canvas = page.getByTestId('designer-canvas');
    const inspector = page.getByTestId('inspector');
    const node = (id: string) => canvas.locator(`.react-flow__node[data-id="${id}"]`);
    await node('fetch').click();
    await node('summarise').click({ modifiers: ['Shift'] });
    // The node just added is the one shown.
    await expect(inspector.getByTestId('inspector-name')).toHaveValue('summarise');
    await expect(inspector.getByTestId('inspector-multi')).toContainText('2 of 2 selected');
    // A plain click on the other selected node: the selection stays, the inspector follows.
    await node('fetch').click();
    await expect(inspector.getByTestId('inspector-name')).toHaveValue('fetch');
    await expect(node('summarise')).toHaveClass(/selected/);
    // The selection as a whole: "2 nodes selected" with the bulk actions.
    await inspector.getByTestId('inspector-show-selection').click();
    const summary = inspector.getByTestId('inspector-selection');
    await expect(summary).toContainText('2 nodes selected');
    for (const id of ['bulk-duplicate', 'bulk-copy', 'bulk-layout', 'bulk-delete']) {
      await expect(summary.getByTestId(id)).toBeVisible();
    }
    await shoot(page, 'selection', page.locator('main, body').first());
    await summary.getByTestId('selection-item-summarise').click();
    await expect(inspector.getByTestId('inspector-name')).toHaveValue('summarise');
    await inspector.getByTestId('inspector-show-selection').click();
    await summary.getByTestId('bulk-duplicate').click();
    await expect(node('fetch_copy')).toBeVisible();
    await expect(node('summarise_copy')).toBeVisible();
    // A box selection (Shift+drag on the pane) shows the summary straight away: no node was clicked.
    await canvas.locator('.react-flow__pane').click({ position: { x: 420, y: 40 } });
    await expect(inspector.getByTestId('inspector-selection')).toHaveCount(0);
    const a = (await node('fetch').boundingBox())!;
    const b = (await node('summarise').boundingBox())!;
    await page.keyboard.down('Shift');
    await page.mouse.move(a.x - 20, a.y - 20);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width + 20, b.y + b.height + 20, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await expect(inspector.getByTestId('inspector-selection')).toContainText('nodes selected');
    // A click on the selection's own box (its empty space) keeps showing the selection as a whole.
    await canvas.locator('.react-flow__nodesselection-rect').click();
    await expect(inspector.getByTestId('inspector-selection')).toContainText('nodes selected');
    await expect(inspector.getByTestId('inspector-name')).toHaveCount(0);
  });

  test('per-node output preview after a run, with Open in results', async ({ page }) => {
    await openDemo(page);
    const canvas = page.getByTestId('designer-canvas');
    await expect(canvas.getByTestId('node-output-toggle-fetch')).toHaveCount(0);
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('node-run-summarise')).toHaveAttribute('data-status', 'succeeded');
    const toggle = canvas.getByTestId('node-output-toggle-summarise');
    await toggle.click();
    const panel = page.getByTestId('node-output-summarise');
    await expect(panel).toContainText('summary');
    await expect(panel).toContainText('"3 items: a, b, c"');
    await expect(panel).toContainText('done');
    await canvas.getByTestId('node-output-toggle-fetch').click();
    await expect(page.getByTestId('node-output-fetch')).toContainText('count');
    await shoot(page, 'output');
    // Escape folds it (focus inside the panel), the tab keeps focus.
    await panel.getByTestId('node-output-open-summarise').focus();
    await page.keyboard.press('Escape');
    await expect(panel).toHaveCount(0);
    await expect(toggle).toBeFocused();
    // The panels float over the canvas (above the minimap): the link opens the Results tab on that node.
    await toggle.click();
    await page.getByTestId('node-output-open-summarise').click();
    await expect(page.getByTestId('run-tab-results')).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('combobox', { name: 'Node' })).toHaveValue(/summarise/);
    await page.getByTestId('node-output-open-fetch').click();
    await expect(page.getByRole('combobox', { name: 'Node' })).toHaveValue(/fetch/);
    await page.setViewportSize({ width: 1280, height: 800 });
    await shoot(page, 'output');
  });
});
