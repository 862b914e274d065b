// Re-run with recorded responses (#13), against `fanout serve` and the repo's local OpenAI-wire server
// (test/llm/openai-server.ts, started here): a 3-branch fan-out of llm.call runs against the server;
// the server is then CLOSED and "Re-run with recorded responses" (Results' button, then a History row's
// context menu, then the toolbar's Recorded toggle) gives the same answers, every call's source is
// replay, and the run header and History say which run was replayed. History shows each run's calls,
// tokens and cost, and compares two runs. Screenshots of Results' Model calls table and History's
// totals (light + dark, 1440 and 1280) go to e2e/artifacts/ (FANOUT_DOCS_IMAGES=1: docs/images/ too).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import {
  completion,
  lastUser,
  sendJson,
  sleep,
  startOpenAiServer,
  type OpenAiServer,
} from '../test/llm/openai-server.ts';
import {
  artifact,
  CHROMIUM,
  llmFanOutFlow,
  openAppForEachTest,
  painted,
  publishScreenshot,
} from './helpers.ts';

test.skip(
  !existsSync(CHROMIUM),
  `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
);

const TOPICS = ['solar', 'wind', 'hydro'];
const FILE = 'recorded-research.yaml';

/** The 3-topic fan-out of llm.call; with `summaryPrompt`, a main-line call after the fan-in too. */
const flow = (base: string, more: { name?: string; summaryPrompt?: string } = {}) =>
  llmFanOutFlow({
    name: 'recorded-research',
    apiBase: base,
    model: 'gpt-4o',
    topics: TOPICS,
    action: 'llm.call',
    ask: (t) => `Summarise ${t} power in two sentences.`,
    ...more,
  });

/** The same fan-out, then a main-line llm.call `summary` after the fan-in (a breakpoint's place). */
const flowWithSummary = (base: string) =>
  flow(base, { name: 'recorded-breakpoint', summaryPrompt: 'Which is best?' });

let server: OpenAiServer;
let serverOpen = false;

test.beforeAll(async () => {
  server = await startOpenAiServer();
  serverOpen = true;
  // Each answer carries its arrival number: answers from the network could never repeat it.
  let served = 0;
  server.script('gpt-4o', async ({ res, body }) => {
    const n = ++served;
    const topic = TOPICS.find((t) => lastUser(body).includes(t)) ?? '?';
    await sleep(80 * (TOPICS.indexOf(topic) + 1));
    const words = Array.from({ length: 12 * (TOPICS.indexOf(topic) + 1) }, () => topic).join(' ');
    sendJson(res, 200, completion(body, `Answer ${n} about ${topic}: ${words}.`));
  });
  await writeFile(join(process.env.FANOUT_E2E_ROOT!, FILE), flow(server.base));
});

test.afterAll(async () => {
  if (serverOpen) await server?.close();
});

async function setTheme(page: Page, theme: 'light' | 'dark') {
  if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
    await page.getByRole('button', { name: theme === 'dark' ? 'Dark' : 'Light' }).click();
  }
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
}

/** Moves the bottom panels' splitter up (its keyboard steps), so the tables show more rows. */
async function tallerRunPanel(page: Page) {
  const separator = page.getByRole('separator', { name: 'Resize the bottom panels' });
  await separator.focus();
  for (let i = 0; i < 4; i++) await separator.press('ArrowDown');
  await separator.blur();
}

/** Each call's node and answer text, from Results' Model calls table (rows expanded). */
async function callTexts(page: Page, count = 3): Promise<Record<string, string>> {
  const table = page.getByTestId('llm-calls-table');
  const rows = table.getByTestId('llm-call-row');
  await expect(rows).toHaveCount(count);
  const texts: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const row = rows.nth(i);
    const expand = row.getByTestId('llm-call-expand');
    if ((await expand.getAttribute('aria-expanded')) !== 'true') await expand.click();
    const node = (await row.getAttribute('data-node'))!;
    // The detail row follows its call's row.
    texts[node] =
      (await row.locator('xpath=following-sibling::tr[1]').getByTestId('llm-call-text').textContent()) ?? '';
  }
  return texts;
}

const sources = (page: Page) =>
  page.getByTestId('llm-call-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-source')));

test.describe('recorded responses', () => {
  openAppForEachTest();

  test('re-run with recorded responses while the model server is down: same answers, source replay', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await page.getByTestId('file-list').getByText(FILE, { exact: true }).click();
    await expect(page.getByTestId('doc-title')).toContainText('recorded-research');
    const problems = page.getByTestId('toggle-problems');
    if ((await problems.getAttribute('data-open')) === 'true') await problems.click();
    await tallerRunPanel(page);

    // 1. A real run against the server.
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 30_000 });
    await page.getByTestId('run-tab-results').click();
    const calls = page.getByTestId('results-llm-calls');
    await expect(calls).toBeVisible();
    await expect.poll(() => sources(page)).toEqual(['network', 'network', 'network']); // rows may follow the table
    const recorded = await callTexts(page);
    expect(Object.keys(recorded).sort()).toEqual(TOPICS.map((t) => `ask_${t}`).sort());
    for (const t of TOPICS)
      expect(recorded[`ask_${t}`]).toMatch(new RegExp(`^${t}: Answer \\d about ${t}: `));
    await expect(page.getByTestId('llm-calls-totals')).toContainText('3 calls');
    const cost = (await page.getByTestId('llm-calls-total-cost').textContent()) ?? '';
    expect(cost).toMatch(/^\$/);

    // Sorting: by tokens out (largest first), hydro's long answer leads; again, it is last.
    await page.getByTestId('llm-calls-sort-tokensOut').click();
    await expect(page.getByTestId('llm-call-row').first()).toHaveAttribute('data-node', 'ask_hydro');
    await page.getByTestId('llm-calls-sort-tokensOut').click();
    await expect(page.getByTestId('llm-call-row').last()).toHaveAttribute('data-node', 'ask_hydro');
    await expect(page.locator('th[aria-sort="ascending"]')).toContainText('tok out');
    // Clicking a row selects its node in the designer.
    await page.getByTestId('llm-call-row').filter({ hasText: 'ask_wind' }).click();
    await expect(page.getByTestId('inspector-name')).toHaveValue('ask_wind');

    // Screenshots of the calls table with one call's text open.
    await calls.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    for (const size of [
      { width: 1440, height: 900 },
      { width: 1280, height: 800 },
    ]) {
      await page.setViewportSize(size);
      for (const theme of ['light', 'dark'] as const) {
        await setTheme(page, theme);
        await painted(page);
        const name = `recordings-calls-${theme}-${size.width}.png`;
        await page.screenshot({ path: artifact(name) });
        if (size.width === 1440) await publishScreenshot(name, `recordings-calls-${theme}.png`);
      }
    }
    await setTheme(page, 'light');
    await page.setViewportSize({ width: 1440, height: 900 });

    // 2. The server goes away; the re-run asks nobody.
    const before = server.requests.length;
    await server.close();
    serverOpen = false;
    await page.getByTestId('rerun-recorded-button').click();
    await expect(page.getByTestId('run-replayed-from')).toHaveText('replayed from run #1');
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 30_000 });
    await expect.poll(() => sources(page)).toEqual(['replay', 'replay', 'replay']);
    expect(await callTexts(page)).toEqual(recorded);
    await expect(page.getByTestId('llm-calls-totals')).toContainText('3 replayed');
    // The same tokens; no money: a replayed answer was paid for once, by the recorded run.
    await expect(page.getByTestId('llm-calls-total-cost')).toHaveText('$0');
    expect(server.requests.length).toBe(before);

    // 3. From History: the first run's context menu, then the Recorded toggle with a plain Run.
    await page.getByTestId('run-tab-history').click();
    const history = page.getByTestId('run-history');
    const rowOf = (n: number) =>
      history
        .locator('tbody tr')
        .filter({ has: page.locator(`[data-testid="history-number"]:text-is("${n}")`) });
    await expect(rowOf(2).getByTestId('history-replayed-from')).toHaveText('replayed from run #1');
    await rowOf(1).click({ button: 'right' });
    const menu = page.getByTestId('context-menu');
    await expect(menu).toBeVisible();
    await menu.getByRole('menuitem', { name: /Re-run with recorded responses/ }).click();
    await expect(rowOf(3).getByTestId('history-replayed-from')).toHaveText('replayed from run #1');
    await expect(rowOf(3).getByTestId('history-status')).toHaveText('succeeded', { timeout: 30_000 });
    await page.getByTestId('use-recorded-toggle').click();
    await expect(page.getByTestId('use-recorded-toggle')).toHaveAttribute('aria-pressed', 'true');
    await page.getByTestId('run-button').click();
    await expect(rowOf(4).getByTestId('history-replayed-from')).toHaveText('replayed from run #3');
    await expect(rowOf(4).getByTestId('history-status')).toHaveText('succeeded', { timeout: 30_000 });
    await page.getByTestId('use-recorded-toggle').click();

    // Every row has its totals; two ticked runs compare.
    const tokens = (await rowOf(1).getByTestId('history-tokens').textContent()) ?? '';
    expect(tokens).toMatch(/^\d+ \/ \d+$/);
    await expect(rowOf(1).getByTestId('history-cost')).toHaveText(cost);
    for (const n of [1, 2, 3, 4]) {
      await expect(rowOf(n).getByTestId('history-calls')).toHaveText('3');
      await expect(rowOf(n).getByTestId('history-tokens')).toHaveText(tokens);
      if (n > 1) await expect(rowOf(n).getByTestId('history-cost')).toHaveText('$0');
    }
    await rowOf(1).getByTestId('history-compare').check();
    await rowOf(4).getByTestId('history-compare').check();
    const compare = page.getByTestId('history-compare-panel');
    await expect(compare).toBeVisible();
    await expect(compare.getByRole('row', { name: /run #1/ })).toContainText(cost);
    await expect(compare.getByRole('row', { name: /run #4/ })).toContainText('$0');
    await expect(compare.getByTestId('compare-model-calls')).toHaveText('=');
    await expect(compare.getByTestId('compare-tokens-out')).toHaveText('=');
    await expect(compare.getByTestId('compare-cost')).toHaveText(`−${cost}`);
    // The row menu from the keyboard: Shift+F10 on a row opens it, Escape closes it.
    await rowOf(2).getByRole('button', { name: 'recorded-research' }).focus();
    await page.keyboard.press('Shift+F10');
    await expect(menu).toBeVisible();
    await expect(menu.getByRole('menuitem', { name: /Re-run with recorded responses/ })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(menu).toHaveCount(0);
    await compare.evaluate((el) => el.scrollIntoView({ block: 'end' }));

    for (const size of [
      { width: 1440, height: 900 },
      { width: 1280, height: 800 },
    ]) {
      await page.setViewportSize(size);
      for (const theme of ['light', 'dark'] as const) {
        await setTheme(page, theme);
        await painted(page);
        const name = `recordings-history-${theme}-${size.width}.png`;
        await page.screenshot({ path: artifact(name) });
        if (size.width === 1440) await publishScreenshot(name, `recordings-history-${theme}.png`);
      }
    }
    await setTheme(page, 'light');
  });

  test('Continue at a breakpoint with Recorded on: the rest answers from the latest recorded run', async ({
    page,
  }) => {
    test.setTimeout(90_000);
    const live = await startOpenAiServer();
    let served = 0;
    live.script('gpt-4o', ({ res, body }) =>
      sendJson(res, 200, completion(body, `live ${++served}: ${lastUser(body)}`)),
    );
    const file = 'recorded-breakpoint.yaml';
    await writeFile(join(process.env.FANOUT_E2E_ROOT!, file), flowWithSummary(live.base));
    // No reload: the file list follows the disk (the host's folder watch pushes the change).
    try {
      await page.getByTestId('file-list').getByText(file, { exact: true }).click();
      await expect(page.getByTestId('doc-title')).toContainText('recorded-breakpoint');
      // Run #1 asks the server for all four calls.
      await page.getByTestId('run-button').click();
      await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 30_000 });
      // Run #2 pauses before summary; the server goes away meanwhile.
      await page.getByTestId('designer-canvas').locator('.react-flow__node[data-id="summary"]').click();
      await page.keyboard.press('F9');
      await expect(page.getByTestId('breakpoint-count')).toContainText('1');
      await page.getByTestId('run-button').click();
      await expect(page.getByTestId('run-status')).toHaveText('paused', { timeout: 30_000 });
      await live.close();
      const paused = page.getByTestId('paused-panel');
      await expect(paused.getByTestId('paused-replay-note')).toHaveCount(0);
      await page.getByTestId('use-recorded-toggle').click();
      await expect(paused.getByTestId('paused-replay-note')).toBeVisible();
      await paused.getByTestId('paused-continue').click();
      await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 30_000 });
      await expect(page.getByTestId('run-replayed-from')).toHaveText('replayed from run #1 after summary');
      await page.getByTestId('run-tab-results').click();
      await expect
        .poll(() =>
          page
            .getByTestId('llm-call-row')
            .evaluateAll((rows) =>
              rows.map((r) => `${r.getAttribute('data-node')}:${r.getAttribute('data-source')}`),
            ),
        )
        .toEqual(['ask_solar:network', 'ask_wind:network', 'ask_hydro:network', 'summary:replay']);
      const texts = await callTexts(page, 4);
      // summary's answer is run #1's (live 4 at the latest; run #2's branches were live 5 to 7).
      expect(texts['summary']).toMatch(/^summary: live [1-4]: Which is best\?$/);
    } finally {
      await page.getByTestId('use-recorded-toggle').click();
      await page.getByTestId('clear-breakpoints').click();
      await live.close().catch(() => {});
    }
  });
});
