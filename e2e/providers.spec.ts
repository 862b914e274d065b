// Settings › Providers (#13, secrets) against its own `fanout serve` whose config folder is a temp
// XDG_CONFIG_HOME, and the repo's local OpenAI-wire server (test/llm/openai-server.ts), which ECHOES the
// Authorization header back in its answers and errors. A key planted through the page must be used by
// a run's llm.call (the server sees it) and appear nowhere else: not in any RunEvent frame of the
// WebSocket, the run log, results, history, the saved or exported YAML, an error message, the page's
// HTML or its storage. The key file is 0600. "Test" answers ok for the good key and a clear 401 for a
// refused one; Clear asks in the app first. Screenshots of the page after save (1440×900, 1280×800,
// light and dark) go to e2e/artifacts/providers-*.png.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { startServer, type ServeHandle } from '../engine/serve/server.ts';
import { completion, sendJson, startOpenAiServer, type OpenAiServer } from '../test/llm/openai-server.ts';
import { artifact, CHROMIUM } from './helpers.ts';

test.skip(
  !existsSync(CHROMIUM),
  `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
);

const PLANTED = 'sk-e2e-planted-9c41f0d2b7';
const WRONG = 'sk-e2e-wrong-key-31d8aa';
/** Set in this process's environment (the server's) by one test only. */
const ENV_KEY = 'sk-e2e-from-environment-77aa10';
const repo = fileURLToPath(new URL('..', import.meta.url));

function flow(name: string, base: string, model: string): string {
  return `name: ${name}
nodes:
  - name: ask
    uses: llm.call
    with:
      provider: openai
      api_base: ${base}
      model: ${model}
      prompt: which key did I send?
    output: answer
edges:
  - {from: __start__, to: ask}
  - {from: ask, to: __end__}
`;
}

let llm: OpenAiServer;
let serve: ServeHandle;
let root: string;
let config: string;
/** The key variables of this process (the server's), unset while the spec runs: no developer key leaks in. */
const savedEnv = new Map<string, string | undefined>();
const KEY_VARS = ['OPENAI_API_KEY', 'AZURE_OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'LITELLM_API_KEY'];

test.beforeAll(async () => {
  for (const name of KEY_VARS) {
    savedEnv.set(name, process.env[name]);
    delete process.env[name];
  }
  llm = await startOpenAiServer();
  // GET {base}/models (no body: the '' model): the planted key lists models, any other is refused with
  // the header quoted back, as some gateways do.
  llm.script('', ({ req, res }) => {
    const auth = String(req.headers.authorization ?? '(none)');
    if (auth === `Bearer ${PLANTED}`) sendJson(res, 200, { object: 'list', data: [{ id: 'gpt-4o' }] });
    else if (auth === `Bearer ${ENV_KEY}`)
      sendJson(res, 200, { object: 'list', data: [{ id: 'a' }, { id: 'b' }] });
    else sendJson(res, 401, { error: { message: `Incorrect API key provided: ${auth}` } });
  });
  llm.script('echo-auth', ({ req, res, body }) => {
    sendJson(res, 200, completion(body, `you sent ${String(req.headers.authorization)}`));
  });
  llm.script('refuse-echo', ({ req, res }) => {
    sendJson(res, 401, { error: { message: `bad key ${String(req.headers.authorization)}` } });
  });
  root = await mkdtemp(join(tmpdir(), 'fanout-e2e-providers-'));
  config = await mkdtemp(join(tmpdir(), 'fanout-e2e-config-'));
  await writeFile(join(root, 'keyed.yaml'), flow('keyed', llm.base, 'echo-auth'));
  await writeFile(join(root, 'refused.yaml'), flow('refused', llm.base, 'refuse-echo'));
  // The server reads XDG_CONFIG_HOME when it starts: a temp folder, never the user's own.
  const saved = process.env.XDG_CONFIG_HOME;
  process.env.XDG_CONFIG_HOME = config;
  try {
    serve = await startServer({
      root,
      staticDir: join(process.env.FANOUT_E2E_OUT ?? join(repo, 'out'), 'renderer'),
      workers: 2,
    });
  } finally {
    if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = saved;
  }
});

test.afterAll(async () => {
  await serve?.close();
  await llm?.close();
  await rm(root, { recursive: true, force: true });
  await rm(config, { recursive: true, force: true });
  for (const [name, value] of savedEnv) if (value !== undefined) process.env[name] = value;
});

const keyFile = () => join(config, 'fanout', 'provider-keys.json');

async function setTheme(page: Page, theme: 'light' | 'dark') {
  if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
    await page.getByRole('button', { name: theme === 'dark' ? 'Dark' : 'Light', exact: true }).click();
  }
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
}

async function openFile(page: Page, file: string) {
  await page.getByTestId('file-list').getByText(file, { exact: true }).click();
  await expect(page.getByTestId('doc-title')).toContainText(file.replace(/\.yaml$/, ''));
}

async function openProviders(page: Page) {
  // The command palette reaches it like every registry action.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('providers');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('providers-dialog')).toBeVisible();
}

/** Everything the page could show or keep: its HTML, its storage. */
async function pageText(page: Page): Promise<string> {
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  return `${await page.content()}\n${storage}`;
}

test.describe('providers', () => {
  const errors: string[] = [];
  const frames: string[] = [];
  test.beforeEach(async ({ page }) => {
    errors.length = 0;
    frames.length = 0;
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(serve.url);
    await expect(page.getByTestId('start-page')).toBeVisible();
  });
  test.afterEach(() => {
    expect(errors).toEqual([]);
  });

  test('a key set on the page is used by a run and appears nowhere else', async ({ page }) => {
    // From the start page.
    await page.getByTestId('start-providers').click();
    const dialog = page.getByTestId('providers-dialog');
    await expect(dialog).toBeVisible();
    await expect(page.getByTestId('providers-storage')).toContainText(keyFile());
    await expect(page.getByTestId('providers-storage')).toContainText('0600');
    await expect(page.getByTestId('provider-openai-status')).toHaveText('Not set');
    await expect(page.getByTestId('provider-ollama-status')).toHaveText('No key needed');
    await expect(page.getByTestId('provider-ollama-key')).toHaveCount(0);

    const field = page.getByTestId('provider-openai-key');
    await field.fill(PLANTED);
    await page.getByTestId('provider-openai-save').click();
    await expect(page.getByTestId('provider-openai-status')).toHaveText('Set');
    await expect(page.getByTestId('provider-openai-note')).toHaveText(
      'Saved. The key will not be shown again.',
    );
    await expect(field).toHaveValue('');
    expect((await stat(keyFile())).mode & 0o777).toBe(0o600);
    expect((await stat(join(config, 'fanout'))).mode & 0o777).toBe(0o700);

    // Test: the good key lists the server's models.
    await page.getByTestId('provider-openai-base').fill(llm.base);
    await page.getByTestId('provider-openai-test').click();
    const result = page.getByTestId('provider-openai-result');
    await expect(result).toHaveAttribute('data-ok', 'true');
    await expect(result).toContainText('OK · HTTP 200 · 1 model');
    await expect(result).toContainText('with the key saved here');

    // The page after save, in both sizes and themes: the key's text is nowhere in the DOM.
    for (const theme of ['light', 'dark'] as const) {
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
      await setTheme(page, theme);
      await openProviders(page);
      for (const size of [
        { width: 1440, height: 900 },
        { width: 1280, height: 800 },
      ]) {
        await page.setViewportSize(size);
        await page.screenshot({ path: artifact(`providers-${theme}-${size.width}.png`) });
        expect(await pageText(page)).not.toContain(PLANTED);
      }
    }
    await page.keyboard.press('Escape');
    await setTheme(page, 'light');
    await page.setViewportSize({ width: 1440, height: 900 });

    // A run with the kept key: the server receives it and echoes it back in the answer.
    await openFile(page, 'keyed.yaml');
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 30_000 });
    const runAuth = llm.requests
      .filter((r) => r.body['model'] === 'echo-auth')
      .map((r) => r.headers.authorization);
    expect(runAuth).toEqual([`Bearer ${PLANTED}`]);

    // A run whose server refuses and quotes the key in its error.
    await openFile(page, 'refused.yaml');
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('failed', { timeout: 30_000 });

    // Everything a user can look at: results, log, history, the saved and the exported YAML.
    const panelTexts: string[] = [];
    for (const tab of ['results', 'log', 'history', 'timeline']) {
      await page.getByTestId(`run-tab-${tab}`).click();
      panelTexts.push(await page.getByTestId('run-panel').innerText());
    }
    await openFile(page, 'keyed.yaml');
    await page.getByTestId('export-button').click();
    const fileDialog = page.getByTestId('file-dialog');
    await expect(fileDialog.getByTestId('file-dialog-name')).toHaveValue('keyed.portable.yaml');
    await fileDialog.getByTestId('file-dialog-confirm').click();
    await expect(fileDialog).toBeHidden();
    const exported = join(root, 'keyed.portable.yaml');
    await expect.poll(() => existsSync(exported)).toBe(true);
    const yaml = [await readFile(exported, 'utf8'), await readFile(join(root, 'keyed.yaml'), 'utf8')];

    const events = frames.join('\n');
    // The echoes did reach the page, scrubbed: the scan looks where the key would have been.
    expect(events).toContain('you sent Bearer [redacted]');
    expect(events).toContain('bad key Bearer [redacted]');
    expect(events).not.toContain(PLANTED);
    for (const text of panelTexts) expect(text).not.toContain(PLANTED);
    expect(panelTexts.join('\n')).toContain('[redacted]');
    for (const text of yaml) expect(text).not.toContain(PLANTED);
    expect(await pageText(page)).not.toContain(PLANTED);
    await page.screenshot({ path: artifact('providers-after-runs.png') });
  });

  test('Test reports a refused key clearly; Clear asks in the app first and Escape keeps the key', async ({
    page,
  }) => {
    // Ctrl+, (the settings shortcut of most desktop apps) opens it too.
    await page.keyboard.press('Control+,');
    await expect(page.getByTestId('providers-dialog')).toBeVisible();
    // Modal: focus starts in the first key field and Tab cycles inside the dialog.
    await expect(page.getByTestId('provider-openai-key')).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(page.getByRole('button', { name: 'Close' })).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(page.getByTestId('provider-ollama-test')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Close' })).toBeFocused();
    await page.getByTestId('provider-openai-key').fill(WRONG);
    await page.getByTestId('provider-openai-key').press('Enter');
    await expect(page.getByTestId('provider-openai-status')).toHaveText('Set');
    await page.getByTestId('provider-openai-base').fill(llm.base);
    await page.getByTestId('provider-openai-test').click();
    const result = page.getByTestId('provider-openai-result');
    await expect(result).toHaveAttribute('data-ok', 'false');
    await expect(result).toContainText(
      'HTTP 401 — the key was refused: Incorrect API key provided: Bearer [redacted]',
    );
    expect(await pageText(page)).not.toContain(WRONG);
    await page.screenshot({ path: artifact('providers-refused.png') });

    // Clear: an in-app question; Escape answers Cancel (the dialog stays, the key stays).
    await page.getByTestId('provider-openai-clear').click();
    const confirm = page.getByTestId('provider-openai-confirm');
    await expect(confirm).toContainText('Clear the OpenAI key?');
    await expect(confirm.getByRole('button', { name: 'Clear key' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(confirm).toBeHidden();
    await expect(page.getByTestId('providers-dialog')).toBeVisible();
    await expect(page.getByTestId('provider-openai-status')).toHaveText('Set');
    await page.getByTestId('provider-openai-clear').click();
    await page.getByTestId('provider-openai-confirm-clear').click();
    await expect(page.getByTestId('provider-openai-status')).toHaveText('Not set');
    await expect(page.getByTestId('provider-openai-note')).toHaveText('Key cleared.');
    expect(await readFile(keyFile(), 'utf8')).not.toContain(WRONG);

    // Without a key, Anthropic's Test says what to set instead of calling out.
    await page.getByTestId('provider-anthropic-base').fill(llm.base);
    await page.getByTestId('provider-anthropic-test').click();
    await expect(page.getByTestId('provider-anthropic-result')).toContainText(
      '✕ no key: set one here or ANTHROPIC_API_KEY in the environment',
    );
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('providers-dialog')).toBeHidden();
  });

  test("a key in the host's environment shows as such (a boolean), wins over a kept one, and Test uses it", async ({
    page,
  }) => {
    // The server reads its own process environment (this process) whenever the page asks.
    process.env.LITELLM_API_KEY = ENV_KEY;
    try {
      await openProviders(page);
      await expect(page.getByTestId('provider-litellm-status')).toHaveText('From environment');
      await page.getByTestId('provider-litellm-key').fill(PLANTED);
      await page.getByTestId('provider-litellm-save').click();
      await expect(page.getByTestId('provider-litellm-status')).toHaveText('Environment wins');
      await page.getByTestId('provider-litellm-base').fill(llm.base);
      await page.getByTestId('provider-litellm-test').click();
      const result = page.getByTestId('provider-litellm-result');
      await expect(result).toHaveAttribute('data-ok', 'true');
      await expect(result).toContainText('OK · HTTP 200 · 2 models');
      await expect(result).toContainText('with the environment’s key');
      await page.getByTestId('provider-litellm-status').scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifact('providers-environment.png') });
      const text = await pageText(page);
      expect(text).not.toContain(ENV_KEY);
      expect(text).not.toContain(PLANTED);
      await page.getByTestId('provider-litellm-clear').click();
      await page.getByTestId('provider-litellm-confirm-clear').click();
      await expect(page.getByTestId('provider-litellm-status')).toHaveText('From environment');
    } finally {
      delete process.env.LITELLM_API_KEY;
    }
  });

  test('from the start page and back: focus returns to the button that opened it', async ({ page }) => {
    const button = page.getByTestId('start-providers');
    await button.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('provider-openai-key')).toBeFocused();
    await page.getByRole('button', { name: 'Close' }).click();
    await expect(page.getByTestId('providers-dialog')).toBeHidden();
    await expect(button).toBeFocused();
  });
});
