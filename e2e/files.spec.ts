// Files in the browser host (`fanout serve` + the in-app file dialog), asserted on the bytes on disk:
// Save as onto an existing file asks and Cancel keeps the old file, Replace replaces; a new folder and
// a save into it; Export to a second file that `fanout validate` finds clean; a file changed on disk
// offers Compare / Reload / Overwrite and each does what it says. Screenshots of the dialog, light and
// dark, at 1440×900 and 1280×800 (FANOUT_DOCS_IMAGES=1 publishes docs/images/file-dialog-*.png).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { artifact, CHROMIUM, editorText, publishScreenshot } from './helpers.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

const root = () => {
  const dir = process.env.FANOUT_E2E_ROOT;
  if (!dir) throw new Error('global-setup did not start the server');
  return dir;
};
const onDisk = (name: string) => readFile(join(root(), name), 'utf8');

async function openApp(page: Page, errors: string[]): Promise<void> {
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(process.env.FANOUT_E2E_URL!);
  await expect(page.getByTestId('host-kind')).toHaveText(/browser/);
}

async function openFromList(page: Page, name: string): Promise<void> {
  await page.getByTestId('file-list').getByText(name, { exact: true }).click();
  await expect(page.getByTestId('doc-title')).toContainText(name);
}

async function yamlPanel(page: Page): Promise<Locator> {
  const panel = page.getByTestId('yaml-panel');
  if ((await panel.count()) === 0) await page.getByTestId('toggle-yaml').click();
  await expect(panel).toBeVisible();
  return panel;
}

/** Types a comment at the end of the document through the YAML panel (a real edit: the doc is dirty). */
async function appendComment(page: Page, comment: string): Promise<void> {
  const panel = await yamlPanel(page);
  await panel.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(`\n# ${comment}`);
  await expect.poll(() => editorText(panel)).toContain(`# ${comment}`);
  await expect(page.getByTestId('dirty-marker')).toBeVisible();
}

const dialog = (page: Page) => page.getByTestId('file-dialog');

/** Valid, but not portable: Lua without `language: lua`, a fan-out only TEA Python runs in parallel. */
const NOT_PORTABLE = `name: export_me
nodes:
  - name: prepare
    run: |
      return { items = 3 }
  - name: left
    run: |
      return { l = 1 }
  - name: right
    run: |
      return { r = 2 }
  - name: join
    run: |
      return { joined = #state.parallel_results }
edges:
  - {from: __start__, to: prepare}
  - {from: prepare, to: left, type: parallel, fan_in: join}
  - {from: prepare, to: right, type: parallel, fan_in: join}
  - {from: left, to: join}
  - {from: right, to: join}
  - {from: join, to: __end__}
`;

const WORKFLOW = (name: string) => `name: ${name}
nodes:
  - name: only
    language: lua
    run: |
      return { done = true }
edges:
  - {from: __start__, to: only}
  - {from: only, to: __end__}
`;

test.describe('files: in-app dialog, Save as, Export, changed on disk', () => {
  test.skip(
    !existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
  );

  test('screenshots of the dialog, light and dark, 1440×900 and 1280×800', async ({ page }) => {
    const errors: string[] = [];
    // First in the file, so the root holds the examples and one folder, not the other tests' files.
    await mkdir(join(root(), 'drafts'), { recursive: true });
    await writeFile(join(root(), 'drafts', 'research-fanout.yaml'), WORKFLOW('research'));
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await openApp(page, errors);
      await openFromList(page, 'map-reduce.yaml');
      for (const size of [
        { width: 1440, height: 900 },
        { width: 1280, height: 800 },
      ]) {
        await page.setViewportSize(size);
        await page.getByTestId('save-as-button').click();
        await expect(dialog(page)).toBeVisible();
        await dialog(page).getByTestId('file-dialog-name').fill('parallel-isolation');
        await expect(dialog(page).getByTestId('file-dialog-name-hint')).toContainText('exists');
        const shot = `file-dialog-${scheme}-${size.width}.png`;
        await page.screenshot({ path: artifact(shot) });
        if (size.width === 1440) await publishScreenshot(shot, `file-dialog-${scheme}.png`);
        await page.keyboard.press('Escape');
        await expect(dialog(page)).toBeHidden();
      }
      page.removeAllListeners('pageerror');
    }
    expect(errors).toEqual([]);
  });
  test('Save as onto an existing file asks; Cancel keeps the old bytes, Replace replaces', async ({
    page,
  }) => {
    const errors: string[] = [];
    const old = '# the old file: must survive a cancelled Save as\nname: old\n';
    await writeFile(join(root(), 'k-target.yaml'), old);
    await openApp(page, errors);
    await openFromList(page, 'while-loop.yaml');
    const source = await onDisk('while-loop.yaml');

    await page.getByTestId('save-as-button').click();
    await expect(dialog(page)).toBeVisible();
    await expect(dialog(page)).toHaveAttribute('data-mode', 'save');
    const name = dialog(page).getByTestId('file-dialog-name');
    await expect(name).toHaveValue('while-loop.yaml');
    // The list shows the root with sizes and times; the open file is marked.
    await expect(dialog(page).locator('[data-name="k-target.yaml"]')).toBeVisible();
    await expect(dialog(page).locator('[data-name="while-loop.yaml"]')).toContainText('open');

    // Validation as you type.
    await name.fill('bad/name');
    await expect(dialog(page).getByTestId('file-dialog-name-hint')).toContainText('cannot contain /');
    await expect(dialog(page).getByTestId('file-dialog-confirm')).toBeDisabled();
    await name.fill('k-target');
    await expect(dialog(page).getByTestId('file-dialog-name-hint')).toContainText('k-target.yaml exists');

    await dialog(page).getByTestId('file-dialog-confirm').click();
    const confirm = dialog(page).getByTestId('file-dialog-replace-confirm');
    await expect(confirm).toContainText('k-target.yaml exists');
    await page.screenshot({ path: artifact('file-dialog-replace.png') });
    await confirm.getByTestId('file-dialog-replace-cancel').click();
    await expect(confirm).toBeHidden();
    expect(await onDisk('k-target.yaml')).toBe(old);

    // Enter in the name field asks again; Replace writes this document there.
    await name.press('Enter');
    await expect(confirm).toBeVisible();
    await confirm.getByTestId('file-dialog-replace').click();
    await expect(dialog(page)).toBeHidden();
    await expect.poll(() => onDisk('k-target.yaml')).toBe(source);
    await expect(page.getByTestId('doc-title')).toContainText('k-target.yaml');
    await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test('new folder in the dialog, then a save into it; Escape closes; keyboard navigation', async ({
    page,
  }) => {
    const errors: string[] = [];
    await rm(join(root(), 'k-folder'), { recursive: true, force: true });
    await openApp(page, errors);
    await openFromList(page, 'map-reduce.yaml');
    const source = await onDisk('map-reduce.yaml');

    // Escape closes the dialog and nothing is written.
    await page.getByTestId('save-as-button').click();
    await expect(dialog(page)).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog(page)).toBeHidden();

    await page.getByTestId('save-as-button').click();
    await dialog(page).getByTestId('file-dialog-new-folder').click();
    const folderName = dialog(page).getByTestId('file-dialog-new-folder-name');
    await folderName.fill('.hidden');
    await expect(dialog(page)).toContainText('cannot start with a dot');
    await folderName.fill('k-folder');
    await folderName.press('Enter');
    // Into the new folder: the breadcrumb says so, the folder is empty.
    await expect(dialog(page).locator('[aria-current="location"]')).toHaveText('k-folder');
    await expect(dialog(page)).toContainText('This folder is empty');
    expect((await stat(join(root(), 'k-folder'))).isDirectory()).toBe(true);

    await dialog(page).getByTestId('file-dialog-name').fill('inside');
    await expect(dialog(page).getByTestId('file-dialog-name-hint')).toContainText('Saves as inside.yaml');
    await dialog(page).getByTestId('file-dialog-confirm').click();
    await expect(dialog(page)).toBeHidden();
    await expect.poll(() => onDisk('k-folder/inside.yaml')).toBe(source);
    await expect(page.getByTestId('doc-title')).toContainText('inside.yaml');

    // Open… shows the dialog at the document's folder; Backspace goes up, typing filters, Enter opens.
    // Backspace is pressed while k-folder is still listing (its listing is held back until the root's
    // has been shown, as on a busy host): the late k-folder listing must not take the dialog back.
    let rootShown!: () => void;
    const rootIn = new Promise<void>((resolve) => (rootShown = resolve));
    await page.route('**/api/files/list', async (route) => {
      if (route.request().postData()?.includes('k-folder')) await rootIn;
      await route.continue();
    });
    const lateListing = page.waitForResponse(
      (r) => r.url().endsWith('/api/files/list') && !!r.request().postData()?.includes('k-folder'),
    );
    await page.keyboard.press('Control+o');
    await expect(dialog(page)).toHaveAttribute('data-mode', 'open');
    const list = dialog(page).getByTestId('file-dialog-list');
    await expect(list).toBeFocused();
    await expect(dialog(page).locator('[aria-current="location"]')).toHaveText('k-folder');
    await page.keyboard.press('Backspace');
    await expect(dialog(page).locator('[aria-current="location"]')).toHaveText('Root');
    await expect(dialog(page).locator('[data-name="timeout-fallback.yaml"]')).toBeVisible();
    rootShown();
    await lateListing;
    await page.unroute('**/api/files/list');
    await page.keyboard.type('timeout-f');
    await expect(dialog(page).getByTestId('file-dialog-entry')).toHaveCount(1);
    await page.screenshot({ path: artifact('file-dialog-open-filter.png') });
    await page.keyboard.press('Enter');
    await expect(dialog(page)).toBeHidden();
    await expect(page.getByTestId('doc-title')).toContainText('timeout-fallback.yaml');
    expect(errors).toEqual([]);
  });

  test('rename and delete in the dialog, confirmed in the dialog', async ({ page }) => {
    const errors: string[] = [];
    await writeFile(join(root(), 'k-rename-me.yaml'), WORKFLOW('rename_me'));
    await rm(join(root(), 'k-renamed.yaml'), { force: true });
    await openApp(page, errors);
    await openFromList(page, 'map-reduce.yaml');
    // Type-ahead: keys typed while the dialog is still listing its folder filter that listing (the
    // listing is held back until they are typed, as on a slow disk or a busy host).
    let typed!: () => void;
    const keysIn = new Promise<void>((resolve) => (typed = resolve));
    await page.route('**/api/files/list', async (route) => {
      await keysIn;
      await route.continue();
    });
    await page.keyboard.press('Control+o');
    const list = dialog(page).getByTestId('file-dialog-list');
    await expect(list).toBeFocused();
    await page.keyboard.type('k-rename');
    typed();
    await expect(dialog(page).getByTestId('file-dialog-entry')).toHaveCount(1);
    await page.unroute('**/api/files/list');
    await list.press('F2');
    const rename = dialog(page).getByTestId('file-dialog-rename-name');
    await rename.fill('k-renamed.txt');
    await expect(dialog(page)).toContainText('ends in .yaml or .yml');
    await rename.fill('k-renamed.yaml');
    await rename.press('Enter');
    await expect(dialog(page).locator('[data-name="k-renamed.yaml"]')).toBeVisible();
    expect(await onDisk('k-renamed.yaml')).toBe(WORKFLOW('rename_me'));

    await list.press('Delete');
    const confirm = dialog(page).getByTestId('file-dialog-delete-confirm');
    await expect(confirm).toContainText('Delete “k-renamed.yaml”?');
    await page.keyboard.press('Escape'); // cancels the question, not the dialog
    await expect(confirm).toBeHidden();
    await expect(dialog(page)).toBeVisible();
    expect(await onDisk('k-renamed.yaml')).toBe(WORKFLOW('rename_me'));
    await list.press('Delete');
    await confirm.getByTestId('file-dialog-delete').click();
    await expect(dialog(page).locator('[data-name="k-renamed.yaml"]')).toHaveCount(0);
    await expect
      .poll(() =>
        stat(join(root(), 'k-renamed.yaml')).then(
          () => 'there',
          () => 'gone',
        ),
      )
      .toBe('gone');
    expect(errors).toEqual([]);
  });

  test('the file list and the Open dialog show a file written while they were still listing its folder', async ({
    page,
  }) => {
    const errors: string[] = [];
    // The host's `files-changed` frames for k-listing as the page receives them.
    const pushes: string[] = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        if (typeof payload === 'string' && payload.includes('"dir":"k-listing"')) pushes.push(payload);
      }),
    );
    /**
     * The next listing of k-listing is read at once but answers only when released (as on a busy host):
     * `read` resolves once the folder has been read.
     */
    const holdListing = async () => {
      let read!: () => void;
      const wasRead = new Promise<void>((resolve) => (read = resolve));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/api/files/list', async (route) => {
        if (!route.request().postData()?.includes('k-listing')) return route.continue();
        const response = await route.fetch();
        read();
        await held;
        await route.fulfill({ response });
      });
      return { read: wasRead, release };
    };
    /** Writes a file into k-listing and waits until the host has told the page. */
    const writeTold = async (name: string) => {
      const told = pushes.length;
      await writeFile(join(root(), 'k-listing', name), WORKFLOW(name.replace('.yaml', '')));
      await expect.poll(() => pushes.length).toBeGreaterThan(told);
    };
    await rm(join(root(), 'k-listing'), { recursive: true, force: true });
    await mkdir(join(root(), 'k-listing'));
    await writeFile(join(root(), 'k-listing', 'first.yaml'), WORKFLOW('first'));
    await openApp(page, errors);
    const files = page.getByTestId('file-list');

    // The app's list goes into k-listing; a file written after the folder was read, told before the
    // listing answered, shows.
    const app = await holdListing();
    await files.getByText('k-listing/', { exact: true }).click();
    await app.read;
    await writeTold('second.yaml');
    app.release();
    await expect(files.getByText('second.yaml', { exact: true })).toBeVisible();
    await page.unrouteAll({ behavior: 'wait' });

    // The same for the Open dialog, at the open document's folder (the app's list back at the root,
    // so only the dialog lists k-listing).
    await openFromList(page, 'first.yaml');
    await files.getByText('../', { exact: true }).click();
    await expect(files.getByText('k-listing/', { exact: true })).toBeVisible();
    const dialogListing = await holdListing();
    await page.keyboard.press('Control+o');
    await expect(dialog(page).locator('[aria-current="location"]')).toHaveText('k-listing');
    await dialogListing.read;
    await writeTold('third.yaml');
    dialogListing.release();
    await expect(dialog(page).locator('[data-name="third.yaml"]')).toBeVisible();
    await expect(dialog(page).getByTestId('file-dialog-entry')).toHaveCount(3);
    await page.unrouteAll({ behavior: 'wait' });
    await page.keyboard.press('Escape');
    await expect(dialog(page)).toBeHidden();
    await rm(join(root(), 'k-listing'), { recursive: true, force: true });
    expect(errors).toEqual([]);
  });

  test('a file written before the page’s socket opened shows once it opens', async ({ page, context }) => {
    const errors: string[] = [];
    const file = join(root(), 'k-before-socket.yaml');
    await rm(file, { force: true });
    // This page's socket reaches the server only when let through; the list is read before that.
    let connect!: () => void;
    const letThrough = new Promise<void>((resolve) => (connect = resolve));
    await page.routeWebSocket(/\/ws$/, async (ws) => {
      await letThrough;
      ws.connectToServer();
    });
    await openApp(page, errors);
    await expect(page.getByTestId('file-list')).toContainText('map-reduce.yaml');
    // A second page, connected, hears the host tell of the write: the push has gone out (to nobody
    // on the first page, whose socket is not open yet).
    const witness = await context.newPage();
    const told = new Promise<void>((resolve) =>
      witness.on('websocket', (ws) =>
        ws.on('framereceived', ({ payload }) => {
          if (typeof payload === 'string' && payload.includes('"files-changed"')) resolve();
        }),
      ),
    );
    await witness.goto(process.env.FANOUT_E2E_URL!);
    await expect(witness.getByTestId('file-list')).toContainText('map-reduce.yaml');
    await writeFile(file, WORKFLOW('before_socket'));
    await told;
    await witness.close();
    connect();
    await expect(
      page.getByTestId('file-list').getByText('k-before-socket.yaml', { exact: true }),
    ).toBeVisible();
    await rm(file, { force: true });
    expect(errors).toEqual([]);
  });

  test('Export writes the portable form to a second file that fanout validate finds clean', async ({
    page,
  }) => {
    const errors: string[] = [];
    await writeFile(join(root(), 'k-export.yaml'), NOT_PORTABLE);
    await rm(join(root(), 'k-export.portable.yaml'), { force: true });
    await openApp(page, errors);
    await openFromList(page, 'k-export.yaml');

    await page.getByTestId('export-button').click();
    await expect(dialog(page)).toHaveAttribute('data-mode', 'export');
    await expect(dialog(page).getByTestId('file-dialog-name')).toHaveValue('k-export.portable.yaml');

    // Download gives the same portable text as a file; Copy YAML puts it on the clipboard.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog(page).getByTestId('file-dialog-download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('k-export.portable.yaml');
    const downloaded = await readFile((await download.path())!, 'utf8');
    expect(downloaded).toContain('parallel: [left, right]');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await dialog(page).getByTestId('file-dialog-copy').click();
    await expect(page.getByTestId('file-notice')).toContainText('Copied the portable YAML');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(downloaded);

    await dialog(page).getByTestId('file-dialog-confirm').click();
    await expect(dialog(page)).toBeHidden();
    await expect(page.getByTestId('file-notice')).toContainText('k-export.portable.yaml');

    const exported = join(root(), 'k-export.portable.yaml');
    await expect
      .poll(() =>
        stat(exported).then(
          () => true,
          () => false,
        ),
      )
      .toBe(true);
    // The open document and its file are untouched: still the same path, clean, same bytes.
    expect(await onDisk('k-export.yaml')).toBe(NOT_PORTABLE);
    await expect(page.getByTestId('doc-title')).toContainText('k-export.yaml');
    await expect(page.getByTestId('dirty-marker')).toHaveCount(0);

    // The source has TEA portability warnings; the export has none (and no errors).
    const validate = async (path: string) =>
      (await run(process.execPath, [join(repo, 'bin/fanout.js'), 'validate', path], { cwd: repo })).stdout;
    expect(await validate(join(root(), 'k-export.yaml'))).toMatch(/0 errors, 5 warnings/);
    expect(await validate(exported)).toMatch(/0 errors, 0 warnings/);
    expect(await onDisk('k-export.portable.yaml')).toBe(downloaded);
    expect(errors).toEqual([]);
  });

  test('the file list follows the disk: a file written, renamed, deleted outside shows without a reload', async ({
    page,
  }) => {
    const errors: string[] = [];
    await writeFile(join(root(), 'k-open.yaml'), WORKFLOW('open'));
    await openApp(page, errors);
    await openFromList(page, 'k-open.yaml');
    const list = page.getByTestId('file-list');
    const entry = (name: string) => list.getByText(name, { exact: true });
    // A page reload would drop this mark; the list must change under it.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const stayed = () => page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed === true);

    await writeFile(join(root(), 'k-outside.yaml'), WORKFLOW('outside'));
    await expect(entry('k-outside.yaml')).toBeVisible();
    await rename(join(root(), 'k-outside.yaml'), join(root(), 'k-renamed.yaml'));
    await expect(entry('k-renamed.yaml')).toBeVisible();
    await expect(entry('k-outside.yaml')).toHaveCount(0);
    await rm(join(root(), 'k-renamed.yaml'));
    await expect(entry('k-renamed.yaml')).toHaveCount(0);

    // A long list keeps its scroll position when a re-list changes it.
    const many = Array.from({ length: 40 }, (_, i) => `k-many-${String(i).padStart(2, '0')}.yaml`);
    for (const name of many) await writeFile(join(root(), name), WORKFLOW('many'));
    await expect(entry(many.at(-1)!)).toBeVisible();
    const nav = page.locator('nav.app-files');
    await nav.evaluate((el) => (el.scrollTop = el.scrollHeight));
    const scrolled = await nav.evaluate((el) => el.scrollTop);
    expect(scrolled).toBeGreaterThan(0);
    await writeFile(join(root(), 'k-many-new.yaml'), WORKFLOW('many'));
    await expect(entry('k-many-new.yaml')).toHaveCount(1);
    expect(await nav.evaluate((el) => el.scrollTop)).toBe(scrolled);
    for (const name of [...many, 'k-many-new.yaml']) await rm(join(root(), name));
    await expect(entry(many[0]!)).toHaveCount(0);
    // A folder shown in the list that is removed outside: the list goes back to the root, no error.
    await mkdir(join(root(), 'k-sub'));
    await writeFile(join(root(), 'k-sub', 'inside.yaml'), WORKFLOW('inside'));
    await entry('k-sub/').click();
    await expect(entry('inside.yaml')).toBeVisible();
    await rm(join(root(), 'k-sub'), { recursive: true });
    await expect(entry('k-open.yaml')).toBeVisible();
    await expect(entry('k-sub/')).toHaveCount(0);
    await expect(page.locator('.app-error')).toHaveCount(0);

    // The open document is still the selected entry, and the page never reloaded.
    await expect(list.locator('button.active')).toHaveText('k-open.yaml');
    expect(await stayed()).toBe(true);

    // The open file deleted outside: a notice says so at once (no dialog while the user may type),
    // and coming back to the window asks what to do.
    await rm(join(root(), 'k-open.yaml'));
    await expect(page.getByTestId('file-notice')).toContainText('k-open.yaml is no longer on disk');
    await expect(entry('k-open.yaml')).toHaveCount(0);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: artifact('file-deleted-notice.png') });
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    const conflict = page.getByTestId('conflict-dialog');
    await expect(conflict).toContainText('k-open.yaml is no longer on disk');
    await expect(conflict).toContainText('deleted, renamed or moved');
    await expect(page.getByTestId('file-notice')).toHaveCount(0); // the question supersedes the notice
    // The dialog in both themes and sizes (the theme attribute is what the app's theme toggle sets).
    for (const theme of ['light', 'dark'] as const) {
      await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
      for (const size of [
        { width: 1440, height: 900 },
        { width: 1280, height: 800 },
      ]) {
        await page.setViewportSize(size);
        await page.screenshot({ path: artifact(`file-deleted-${theme}-${size.width}.png`) });
      }
    }
    await conflict.getByTestId('conflict-overwrite').click();
    await expect.poll(() => onDisk('k-open.yaml').catch(() => 'missing')).toBe(WORKFLOW('open'));
    await expect(entry('k-open.yaml')).toBeVisible();

    // The in-app Open dialog follows the disk too, its filter and active row kept.
    await page.keyboard.press('Control+o');
    await expect(dialog(page)).toBeVisible();
    await page.keyboard.type('k-dlg');
    await expect(dialog(page).getByTestId('file-dialog-entry')).toHaveCount(0);
    await writeFile(join(root(), 'k-dlg-new.yaml'), WORKFLOW('dlg'));
    await expect(dialog(page).locator('[data-name="k-dlg-new.yaml"]')).toBeVisible();
    await expect(dialog(page).getByTestId('file-dialog-entry')).toHaveCount(1);
    await rm(join(root(), 'k-dlg-new.yaml'));
    await expect(dialog(page).getByTestId('file-dialog-entry')).toHaveCount(0);
    await page.keyboard.press('Escape'); // clears the filter
    await page.keyboard.press('Escape'); // closes
    await expect(dialog(page)).toBeHidden();
    expect(await stayed()).toBe(true);
    expect(errors).toEqual([]);
  });

  test('changed on disk: Compare, Overwrite, Reload and a conflicting Save each do what they say', async ({
    page,
  }) => {
    const errors: string[] = [];
    const file = join(root(), 'k-conflict.yaml');
    await writeFile(file, WORKFLOW('conflict'));
    await openApp(page, errors);
    await openFromList(page, 'k-conflict.yaml');
    const conflict = page.getByTestId('conflict-dialog');
    const focus = () => page.evaluate(() => window.dispatchEvent(new Event('focus')));

    // A clean document simply reloads on focus.
    await writeFile(file, `${WORKFLOW('conflict')}# outside 0\n`);
    await focus();
    await expect(page.getByTestId('file-notice')).toContainText('Reloaded k-conflict.yaml');
    await expect.poll(async () => editorText(await yamlPanel(page))).toContain('# outside 0');
    await expect(conflict).toHaveCount(0);

    // 1. Edits + an outside change: Compare shows both, Overwrite writes the right side.
    await appendComment(page, 'mine 1');
    await writeFile(file, `${WORKFLOW('conflict')}# outside 1\n`);
    await focus();
    await expect(conflict).toContainText('k-conflict.yaml changed on disk');
    await conflict.getByTestId('conflict-compare-button').click();
    const compare = conflict.getByTestId('conflict-compare');
    await expect(compare).toContainText('# outside 1');
    await expect(compare).toContainText('# mine 1');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: artifact('file-conflict-compare.png') });
    await conflict.getByTestId('conflict-overwrite').click();
    await expect(conflict).toHaveCount(0);
    await expect.poll(() => readFile(file, 'utf8')).toContain('# mine 1');
    expect(await readFile(file, 'utf8')).not.toContain('# outside 1');
    await expect(page.getByTestId('dirty-marker')).toHaveCount(0);

    // 2. Reload (lose my edits): the disk version replaces mine; the file is not written.
    await appendComment(page, 'mine 2');
    await writeFile(file, `${WORKFLOW('conflict')}# outside 2\n`);
    await focus();
    await expect(conflict.getByTestId('conflict-reload')).toContainText('lose');
    await conflict.getByTestId('conflict-reload').click();
    await expect(conflict).toHaveCount(0);
    const panel = await yamlPanel(page);
    await expect.poll(() => editorText(panel)).toContain('# outside 2');
    expect(await editorText(panel)).not.toContain('# mine 2');
    expect(await readFile(file, 'utf8')).toBe(`${WORKFLOW('conflict')}# outside 2\n`);
    await expect(page.getByTestId('dirty-marker')).toHaveCount(0);

    // 3. Save after an outside change is a conflict, not a silent replace; Overwrite with mine writes.
    await appendComment(page, 'mine 3');
    await writeFile(file, `${WORKFLOW('conflict')}# outside 3\n`);
    await page.getByTestId('save-button').click();
    await expect(conflict).toContainText('Your save was not written');
    expect(await readFile(file, 'utf8')).toBe(`${WORKFLOW('conflict')}# outside 3\n`);
    await conflict.getByTestId('conflict-overwrite').click();
    await expect.poll(() => readFile(file, 'utf8')).toContain('# mine 3');
    expect(await readFile(file, 'utf8')).not.toContain('# outside 3');
    expect(errors).toEqual([]);
  });
});
