// The llm.* node form (#13) in the real app against `fanout serve`: in the research-judge example,
// select the `judge` llm.call node, change provider (and reset it to inherited), model, temperature,
// a message's content, the response format through the form; the YAML panel shows exactly those
// changes (the file's comments stay); typing `{{ state.` in a message lists the state keys known at the
// node; an invalid JSON schema is reported and never written; the run on the mock provider succeeds.
// Screenshots (light + dark, 1440×900 and 1280×800) of the form and of settings.llm go to e2e/artifacts/.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { parse } from 'yaml';
import {
  artifact,
  CHROMIUM,
  editorText,
  openApp,
  openAppForEachTest,
  painted,
  publishScreenshot,
} from './helpers.ts';

test.skip(
  !existsSync(CHROMIUM),
  `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
);

const FILE = 'agent-research-judge.yaml';

async function openYamlPanel(page: Page): Promise<Locator> {
  const panel = page.getByTestId('yaml-panel');
  if ((await panel.count()) === 0) await page.getByTestId('toggle-yaml').click();
  await expect(panel).toBeVisible();
  return panel;
}

/** Lines added and removed between two texts (a plain LCS diff: the files are small). */
function lineDiff(a: string, b: string): { added: string[]; removed: string[] } {
  const x = a.split('\n');
  const y = b.split('\n');
  const dp = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      dp[i]![j] = x[i] === y[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const added: string[] = [];
  const removed: string[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      i++;
      j++;
    } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) removed.push(x[i++]!);
    else added.push(y[j++]!);
  }
  removed.push(...x.slice(i));
  added.push(...y.slice(j));
  return { added, removed };
}

async function setTheme(page: Page, theme: 'light' | 'dark') {
  if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) {
    await page.getByRole('button', { name: theme === 'dark' ? 'Dark' : 'Light' }).click();
  }
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
}

async function screenshots(page: Page, name: string) {
  for (const size of [
    { width: 1440, height: 900 },
    { width: 1280, height: 800 },
  ]) {
    await page.setViewportSize(size);
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      await painted(page);
      await page.screenshot({ path: artifact(`${name}-${theme}-${size.width}.png`) });
    }
  }
  await setTheme(page, 'light');
  await page.setViewportSize({ width: 1440, height: 900 });
}

test.describe('llm inspector', () => {
  openAppForEachTest();

  test('form edits reach the YAML one line each, completion lists state keys, the mock run works', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await page.getByTestId('file-list').getByText(FILE, { exact: true }).click();
    await expect(page.getByTestId('doc-title')).toContainText('agent-research-judge');
    const yaml = await openYamlPanel(page);
    await expect.poll(async () => (await editorText(yaml)).length).toBeGreaterThan(100);
    const original = await editorText(yaml);
    // The run panel may take the YAML panel's place: re-open it when needed.
    const yamlNow = async () => editorText(await openYamlPanel(page));

    await page.locator('.react-flow__node', { hasText: 'judge' }).first().click();
    const inspector = page.getByTestId('inspector');
    await expect(inspector.getByTestId('inspector-name')).toHaveValue('judge');
    const form = inspector.getByTestId('llm-form');
    await expect(form).toHaveAttribute('data-action', 'llm.call');

    // No key field anywhere in the form; the Providers page is one click away (registry action).
    await expect(form.locator('input[type="password"]')).toHaveCount(0);
    await expect(form.getByText(/api_key/)).toHaveCount(0);
    await form.getByTestId('llm-open-providers').click();
    await expect(page.getByTestId('providers-dialog')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('providers-dialog')).toHaveCount(0);

    // Inherited values show as placeholders.
    const model = form.getByTestId('llm-model').locator('input');
    await expect(model).toHaveAttribute('placeholder', 'inherits gpt-4o-mini from settings.llm');
    await expect(form.getByTestId('llm-temperature').locator('input[type="text"]')).toHaveAttribute(
      'title',
      'inherits 0.3 from settings.llm',
    );

    // Provider: one line added under the judge's with:, with what the provider needs; reset = original.
    const provider = form.getByTestId('llm-provider');
    await provider.locator('select').selectOption('ollama');
    await expect
      .poll(async () => lineDiff(original, await yamlNow()))
      .toEqual({
        added: ['      provider: ollama'],
        removed: [],
      });
    await expect(provider.getByTestId('llm-provider-hint')).toContainText('OLLAMA_API_BASE');
    await provider.getByRole('button', { name: /Reset to inherited/ }).click();
    await expect.poll(yamlNow).toBe(original);

    // Model (combobox with suggestions) and temperature (number beside the slider).
    await expect(form.locator('datalist option[value="gpt-4o"]')).toHaveCount(1);
    await model.fill('gpt-4o');
    await model.press('Enter');
    const temperature = form.getByTestId('llm-temperature').locator('input[type="text"]');
    await temperature.fill('0.2');
    await temperature.press('Enter');
    await expect
      .poll(async () => lineDiff(original, await yamlNow()))
      .toEqual({
        added: ['      model: gpt-4o', '      temperature: 0.2'],
        removed: [],
      });
    await temperature.fill('5');
    await temperature.press('Enter');
    await expect(form.getByTestId('llm-temperature').getByRole('alert')).toContainText('between 0 and 2');
    await temperature.press('Escape');

    // A message's content: only that message's line changes.
    const before = await yamlNow();
    const first = form.getByTestId('llm-message-content-0').locator('.cm-content');
    await first.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' Be fair.');
    await expect
      .poll(async () => lineDiff(before, await yamlNow()).added)
      .toEqual([
        '        - {role: system, content: "Pick the best answer. Reply as JSON {best, reason}. Be fair."}',
      ]);
    expect(lineDiff(before, await yamlNow()).removed).toHaveLength(1);

    // Completion of `{{ state.` in the user message: the keys known at the judge.
    const second = form.getByTestId('llm-message-content-1').locator('.cm-content');
    await second.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('Topic: {{ state.');
    const list = page.locator('.cm-tooltip-autocomplete');
    await expect(list).toBeVisible();
    for (const key of ['question', 'angles', 'parallel_results', 'economics'])
      await expect(list.getByText(key, { exact: true })).toBeVisible();
    await page.screenshot({ path: artifact('llm-inspector-completion.png') });
    await page.keyboard.type('ques');
    await page.keyboard.press('Enter');
    await expect.poll(yamlNow).toContain('Topic: {{ state.question');

    // Response format: JSON schema with the default schema; a broken schema is shown, never written.
    const format = form.getByTestId('llm-response-format');
    await format.getByText('JSON schema', { exact: true }).click();
    await expect.poll(yamlNow).toContain('type: json_schema');
    const written = await yamlNow();
    const schema = format.getByTestId('llm-schema-editor').locator('.cm-content');
    await schema.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(',');
    await expect(format.getByTestId('llm-schema-error')).toContainText('line');
    expect(await yamlNow()).toBe(written);
    await format.scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifact('llm-inspector-schema-error.png') });
    await page.keyboard.press('Backspace');
    await expect(format.getByTestId('llm-schema-ok')).toBeVisible();
    // Back to JSON object (the template's judge answers JSON for the report node).
    await format.getByText('JSON object', { exact: true }).click();
    await expect.poll(yamlNow).toMatch(/response_format:\n\s+type: json_object\n/);
    expect(await yamlNow()).not.toContain('json_schema');

    // The whole change set: exactly the touched keys; the file's comments are all still there.
    const final = await yamlNow();
    const diff = lineDiff(original, final);
    // model and temperature added; message 0's line; message 1 gained a line (its block now ends
    // without a newline: |-); response_format re-written as a block after the JSON schema round trip.
    const expected =
      /^\s*(model: gpt-4o|temperature: 0\.2|- \{role: system.*Be fair\."\}|Topic: \{\{ state\.question\}\}|content: \|-|response_format:|type: json_object)$/;
    expect(diff.added.filter((l) => !expected.test(l))).toEqual([]);
    expect(diff.removed.map((l) => l.trim()).sort()).toEqual(
      [
        'response_format: {type: json_object}',
        '- {role: system, content: "Pick the best answer. Reply as JSON {best, reason}."}',
        'content: |',
      ].sort(),
    );
    for (const comment of original.split('\n').filter((l) => l.trimStart().startsWith('#')))
      expect(final).toContain(comment);

    await screenshots(page, 'llm-inspector');
    await publishScreenshot('llm-inspector-light-1440.png', 'llm-inspector-light.png');
    await publishScreenshot('llm-inspector-dark-1440.png', 'llm-inspector-dark.png');

    // The run on the mock provider still works with the form's edits.
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 30_000 });

    // After the run, the completion knows the state the run had at the judge ("last run").
    await page.locator('.react-flow__node', { hasText: 'judge' }).first().click();
    const content = page.getByTestId('inspector').getByTestId('llm-message-content-1').locator('.cm-content');
    await content.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' {{ state.');
    const afterRun = page.locator('.cm-tooltip-autocomplete');
    await expect(afterRun.locator('li', { hasText: 'parallel_results' })).toContainText('last run');
    await page.keyboard.press('Escape');
    await expect(afterRun).toHaveCount(0);
    await page.keyboard.press('Control+z');

    // Workflow settings (nothing selected): settings.llm defaults and the rate limiters.
    await page.keyboard.press('Escape');
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    const settings = page.getByTestId('settings-llm');
    await expect(settings).toBeVisible();
    await expect(settings.getByTestId('settings-llm-provider').locator('select')).toHaveValue('mock');
    // A settings.llm field changes its own line (the node inherits it from there).
    const beforeModel = await yamlNow();
    const settingsModel = settings.getByTestId('settings-llm-model').locator('input');
    await settingsModel.fill('gpt-4.1');
    await settingsModel.press('Enter');
    await expect
      .poll(async () => lineDiff(beforeModel, await yamlNow()))
      .toEqual({
        added: ['    model: gpt-4.1'],
        removed: ['    model: gpt-4o-mini'],
      });
    const beforeLimiter = await yamlNow();
    await settings.getByTestId('settings-limiter-new').fill('openai');
    await settings.getByTestId('settings-limiter-new').press('Enter');
    await expect
      .poll(async () => lineDiff(beforeLimiter, await yamlNow()).added)
      .toEqual(['  rate_limiters:', '    openai:', '      rpm: 60']);
    await settings.getByRole('textbox', { name: 'openai rps (requests per second)' }).fill('2');
    await settings.getByRole('textbox', { name: 'openai rps (requests per second)' }).press('Enter');
    await expect.poll(yamlNow).toContain('      rps: 2');
    await settings.scrollIntoViewIfNeeded();
    await screenshots(page, 'llm-settings');
  });
});

test.describe('llm inspector: messages by keyboard', () => {
  test('Alt+Down on a handle reorders, Ctrl+Z restores the file, + Message and × add and remove', async ({
    page,
  }) => {
    const errors = await openApp(page);
    await page.getByTestId('file-list').getByText(FILE, { exact: true }).click();
    await expect(page.getByTestId('doc-title')).toContainText('agent-research-judge');
    const yamlNow = async () => editorText(await openYamlPanel(page));
    await expect.poll(async () => (await yamlNow()).length).toBeGreaterThan(100);
    const original = await yamlNow();
    const judge = () => parse(original).nodes.find((n: { name: string }) => n.name === 'judge');
    const messagesNow = async () =>
      (parse(await yamlNow()).nodes.find((n: { name: string }) => n.name === 'judge').with.messages ??
        []) as {
        role: string;
      }[];

    await page.locator('.react-flow__node', { hasText: 'judge' }).first().click();
    const form = page.getByTestId('inspector').getByTestId('llm-form');
    const handle = form.getByTestId('llm-message-handle-0');
    await handle.focus();
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(async () => (await messagesNow()).map((m) => m.role)).toEqual(['user', 'system']);
    // Focus follows the moved message; the contents moved with their roles.
    await expect(form.getByTestId('llm-message-handle-1')).toBeFocused();
    await expect(form.getByTestId('llm-message-1')).toHaveAttribute('data-role', 'system');
    expect((await messagesNow())[1]).toEqual(judge().with.messages[0]);
    // Moved as text: the system message keeps its flow line, the user message its block scalar.
    expect(await yamlNow()).toContain(
      '\n        - {role: system, content: "Pick the best answer. Reply as JSON {best, reason}."}\n',
    );
    expect(await yamlNow()).toContain('        - role: user\n          content: |\n');

    // One undo step restores the file byte for byte (comments and flow style included).
    await page.keyboard.press('Control+z');
    await expect.poll(yamlNow).toBe(original);

    // Drag and drop (a real DataTransfer): message 2's handle dropped on message 1.
    const dataTransfer = await page.evaluateHandle(() => new DataTransfer());
    await form.getByTestId('llm-message-handle-1').dispatchEvent('dragstart', { dataTransfer });
    await form.getByTestId('llm-message-0').dispatchEvent('dragover', { dataTransfer });
    await form.getByTestId('llm-message-0').dispatchEvent('drop', { dataTransfer });
    await expect.poll(async () => (await messagesNow()).map((m) => m.role)).toEqual(['user', 'system']);
    await page.keyboard.press('Control+z');
    await expect.poll(yamlNow).toBe(original);

    await form.getByTestId('llm-message-add').click();
    await expect.poll(async () => (await messagesNow()).length).toBe(3);
    expect((await messagesNow())[2]).toEqual({ role: 'user', content: '' });
    expect(await yamlNow()).toContain('\n        - {role: user, content: ""}\n');
    await form.getByTestId('llm-message-remove-2').click();
    await expect.poll(async () => (await messagesNow()).length).toBe(2);

    // The stream toggle switches the action (llm.call <-> llm.stream): one line, the form follows.
    const beforeStream = await yamlNow();
    await form.getByTestId('llm-stream').locator('input').check();
    await expect(form).toHaveAttribute('data-action', 'llm.stream');
    expect(lineDiff(beforeStream, await yamlNow())).toEqual({
      added: ['    uses: llm.stream'],
      removed: ['    uses: llm.call'],
    });
    await form.getByTestId('llm-stream').locator('input').uncheck();
    await expect.poll(yamlNow).toBe(beforeStream);

    // Removing every message deletes the key; validation's problem shows under the messages editor.
    await form.getByTestId('llm-message-remove-1').click();
    await expect.poll(async () => (await messagesNow()).length).toBe(1);
    await form.getByTestId('llm-message-remove-0').click();
    await expect(form.getByTestId('llm-messages').getByTestId('llm-problem')).toContainText(
      "needs 'messages'",
    );
    expect(await yamlNow()).not.toMatch(/name: judge[\s\S]*messages:[\s\S]*name: report/);
    expect(errors).toEqual([]);
  });
});

test.describe('llm inspector: tools', () => {
  test('llm.tools: a tool picked from the registered actions is appended with its parameters', async ({
    page,
  }) => {
    const errors = await openApp(page);
    await page.getByTestId('file-list').getByText('agent-tools.yaml', { exact: true }).click();
    await expect(page.getByTestId('doc-title')).toContainText('agent-tools');
    const yamlNow = async () => editorText(await openYamlPanel(page));
    await expect.poll(async () => (await yamlNow()).length).toBeGreaterThan(100);
    const original = await yamlNow();

    await page.locator('.react-flow__node', { hasText: 'agent' }).first().click();
    const form = page.getByTestId('inspector').getByTestId('llm-form');
    await expect(form).toHaveAttribute('data-action', 'llm.tools');
    await expect(form.getByTestId('llm-tools')).toContainText('parse_order');
    await expect(form.getByTestId('llm-max_tool_rounds').locator('input')).toHaveValue('4');
    await form.getByTestId('llm-tools-add').selectOption('http.get');
    await expect
      .poll(async () => parse(await yamlNow()).nodes[0].with.tools.map((t: { action: string }) => t.action))
      .toEqual(['json.parse', 'http.get']);
    const added = parse(await yamlNow()).nodes[0].with.tools[1];
    expect(added.name).toBe('http_get');
    expect(added.parameters.url.required).toBe(true);
    // The first tool, the mock turns and the file's comments are as they were.
    expect(parse(await yamlNow()).nodes[0].with.tools[0]).toEqual(parse(original).nodes[0].with.tools[0]);
    expect(parse(await yamlNow()).nodes[0].with.mock_responses).toEqual(
      parse(original).nodes[0].with.mock_responses,
    );
    for (const comment of original.split('\n').filter((l) => l.startsWith('#')))
      expect(await yamlNow()).toContain(comment);
    await form.getByTestId('llm-tools').scrollIntoViewIfNeeded();
    await screenshots(page, 'llm-tools');
    expect(errors).toEqual([]);
  });
});

const PROMPT_FLOW = `# prompt shorthand and an embedding
name: prompt-embed
state_schema:
  topic: str
settings:
  llm: {provider: mock, model: gpt-4o-mini}
nodes:
  - name: ask
    uses: llm.call
    with:
      system: Be brief. # the persona
      prompt: "Tell me about {{ state.topic }}"
    output: answer
  - name: vectors
    uses: llm.embed
    with:
      text: "{{ state.answer.content }}"
    output: vec
edges:
  - {from: __start__, to: ask}
  - {from: ask, to: vectors}
  - {from: vectors, to: __end__}
`;

test.describe('llm inspector: prompt shorthand and llm.embed', () => {
  test.beforeAll(async () => {
    await writeFile(join(process.env.FANOUT_E2E_ROOT!, 'prompt-embed.yaml'), PROMPT_FLOW);
  });

  test('prompt + system edit in place and convert to messages; llm.embed shows its input', async ({
    page,
  }) => {
    const errors = await openApp(page);
    await page.getByTestId('file-list').getByText('prompt-embed.yaml', { exact: true }).click();
    await expect(page.getByTestId('doc-title')).toContainText('prompt-embed');
    const yamlNow = async () => editorText(await openYamlPanel(page));
    await expect.poll(async () => (await yamlNow()).length).toBeGreaterThan(100);

    await page.locator('.react-flow__node', { hasText: 'ask' }).first().click();
    const form = page.getByTestId('inspector').getByTestId('llm-form');
    const prompt = form.getByTestId('llm-prompt');
    await expect(prompt).toBeVisible();
    await expect(form.getByTestId('llm-messages')).toHaveCount(0);
    await prompt.getByTestId('llm-prompt-content').locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' in one line');
    await expect.poll(yamlNow).toContain('prompt: "Tell me about {{ state.topic }} in one line"');
    expect(await yamlNow()).toContain('system: Be brief. # the persona');

    await prompt.getByTestId('llm-prompt-convert').click();
    await expect(form.getByTestId('llm-messages')).toBeVisible();
    const ask = parse(await yamlNow()).nodes[0].with;
    expect(ask).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Tell me about {{ state.topic }} in one line' },
      ],
    });
    expect(await yamlNow()).toContain('# prompt shorthand and an embedding');

    await page.locator('.react-flow__node', { hasText: 'vectors' }).first().click();
    const embed = page.getByTestId('inspector').getByTestId('llm-form');
    await expect(embed).toHaveAttribute('data-action', 'llm.embed');
    await expect(embed.getByTestId('llm-embed-text')).toContainText('{{ state.answer.content }}');
    await expect(embed.getByTestId('llm-temperature')).toHaveCount(0);
    await expect(embed.getByTestId('llm-model').locator('input')).toHaveAttribute(
      'placeholder',
      'default text-embedding-ada-002',
    );
    await expect(embed.locator('datalist option[value="text-embedding-3-small"]')).toHaveCount(1);
    expect(errors).toEqual([]);
  });
});
