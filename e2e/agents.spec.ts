// Agents in the UI (#13), against `fanout serve` and the repo's local OpenAI-wire server
// (test/llm/openai-server.ts, started here): a 3-branch fan-out of streaming model calls shows its
// tokens live on each branch's node and timeline row (the text grows while the run is still running),
// then tokens and cost per branch in the timeline's column with the run total; Cancel aborts the
// requests (the server sees the connections close). Screenshots (light + dark, 1440 and 1280) go to
// e2e/artifacts/ and, with FANOUT_DOCS_IMAGES=1, to docs/images/agents-gantt-{light,dark}.png.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startOpenAiServer, streamPieces, words, type OpenAiServer } from '../test/llm/openai-server.ts';
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
/** Branch i answers with (i + 1) × 20 words, one every GAP_MS: streams of about 1, 2 and 3 s. */
const GAP_MS = 50;
const answer = (topic: string, n: number) =>
  Array.from({ length: n }, (_, k) => `${topic}${k % 7 === 6 ? '.' : ''}`).join(' ');

/** Bench: BENCH_BRANCHES branches each streaming BENCH_TOKENS tokens (issue #13: < 50 ms per frame). */
const BENCH_BRANCHES = 20;
const BENCH_TOKENS = 1000;
/** Asserted bound on the worst frame's event handling: generous (2 noisy cores shared with the server). */
const BENCH_BOUND_MS = 250;

function benchFlow(base: string): string {
  const names = Array.from({ length: BENCH_BRANCHES }, (_, i) => `b${i}`);
  return `name: stream-bench
settings:
  llm: { provider: openai, api_base: ${base}, model: gpt-4o-bench }
nodes:
  - name: start
    language: lua
    run: |
      return {}
${names.map((n) => `  - name: ${n}\n    uses: llm.stream\n    with:\n      prompt: "${n}"\n    output: ${n}`).join('\n')}
  - name: done
    language: lua
    run: |
      return { n = #state.parallel_results }
edges:
  - {from: __start__, to: start}
  - {from: start, parallel: [${names.join(', ')}], fan_in: done}
${names.map((n) => `  - {from: ${n}, to: done}`).join('\n')}
  - {from: done, to: __end__}
`;
}

/** The 3-topic fan-out of streaming model calls (each topic's answer in its own state key). */
const research = (base: string, model: string) =>
  llmFanOutFlow({ name: 'research-demo', apiBase: base, model, topics: TOPICS, action: 'llm.stream' });

let server: OpenAiServer;
/**
 * While set, hydro's stream goes on past its answer until it settles: the live checks need the run
 * still streaming, which on a loaded machine a fixed 3 s stream does not promise.
 */
let hydroLive: { seen: Promise<void>; release(): void } | undefined;
function holdHydro(): { seen: Promise<void>; release(): void } {
  let release!: () => void;
  const seen = new Promise<void>((resolve) => (release = resolve));
  return { seen, release };
}

test.beforeAll(async () => {
  server = await startOpenAiServer();
  // gpt-4o (priced in engine/llm/prices.json): each topic streams its own length.
  server.script('gpt-4o', async ({ res, body }) => {
    const topic = String((body['messages'] as { content: string }[]).at(-1)?.content ?? '');
    const n = (TOPICS.indexOf(topic) + 1) * 20;
    await streamPieces(res, body, words(answer(topic, n)), {
      gapMs: GAP_MS,
      firstMs: 100,
      ...(topic === 'hydro' && hydroLive ? { holdOpen: hydroLive.seen } : {}),
    });
  });
  // A stream that would take a minute: only Cancel ends it.
  server.script('gpt-4o-slow', async ({ res, body }) => {
    await streamPieces(res, body, words(answer('slow', 600)), { gapMs: 100 });
  });
  server.script('gpt-4o-bench', async ({ res, body }) => {
    const pieces = Array.from({ length: BENCH_TOKENS }, (_, k) => ` t${k}`);
    await streamPieces(res, body, pieces, { gapMs: 2 });
  });
  const root = process.env.FANOUT_E2E_ROOT!;
  await writeFile(join(root, 'stream-bench.yaml'), benchFlow(server.base));
  await writeFile(join(root, 'research-demo.yaml'), research(server.base, 'gpt-4o'));
  await writeFile(join(root, 'research-slow.yaml'), research(server.base, 'gpt-4o-slow'));
});

test.afterAll(async () => {
  hydroLive?.release();
  await server?.close();
});

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

const costCell = (page: Page, key: string) =>
  page.locator(`[data-testid="timeline-llm-cost"][data-key="${key}"]`);

test.describe('agents', () => {
  openAppForEachTest();

  test('three streaming branches: live text on nodes and rows, then tokens and cost per branch', async ({
    page,
  }) => {
    await openFile(page, 'research-demo.yaml');
    hydroLive = holdHydro();
    await page.getByTestId('run-button').click();

    // Live: each branch's node shows a rolling preview that grows while the run is still running.
    const preview = page.getByTestId('node-stream-ask_hydro');
    await expect(preview).toBeVisible({ timeout: 20_000 });
    // The preview is a rolling window (its last LLM_PREVIEW_CHARS): once full it changes, not grows.
    const first = (await preview.textContent()) ?? '';
    await expect.poll(async () => (await preview.textContent()) ?? '', { timeout: 10_000 }).not.toBe(first);
    for (const t of TOPICS.slice(0, 2))
      await expect(
        page.getByTestId(`node-stream-ask_${t}`).or(page.getByTestId(`node-run-llm-ask_${t}`)),
      ).toBeVisible();
    await expect(page.getByTestId('run-status')).toHaveText('running');

    // The timeline row of the longest branch streams: its chunk count grows, its hover shows the text.
    const strip = page.locator('[data-testid="timeline-stream"][data-key="plan/ask_hydro"]');
    await expect(strip).toHaveAttribute('data-streaming', 'true');
    const chunks = Number(await strip.getAttribute('data-chunks'));
    await expect.poll(async () => Number(await strip.getAttribute('data-chunks'))).toBeGreaterThan(chunks);
    await page.locator('[data-testid="timeline-bar"][data-key="plan/ask_hydro"]').hover();
    const text = page.getByTestId('timeline-tooltip-text');
    await expect(text).toContainText('hydro');
    // The row keeps its answer's tail (LIMITS.llmRowText): it grows, then rolls; either way it changes.
    const hovered = (await text.textContent()) ?? '';
    await expect.poll(async () => (await text.textContent()) ?? '').not.toBe(hovered);
    await page.mouse.move(5, 5);
    hydroLive.release(); // seen live: hydro's stream may end

    // Finished: tokens and cost per branch row, growing with each branch's answer; the run's total.
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 30_000 });
    const costs: number[] = [];
    const tokens: number[] = [];
    for (const t of TOPICS) {
      const cell = costCell(page, `plan/ask_${t}`);
      await expect(cell).toContainText(/tok · \$/);
      tokens.push(Number(await cell.getAttribute('data-tokens')));
      costs.push(Number(await cell.getAttribute('data-cost')));
    }
    expect(tokens[0]).toBeGreaterThan(20);
    expect(tokens[1]).toBeGreaterThan(tokens[0]!);
    expect(tokens[2]).toBeGreaterThan(tokens[1]!);
    expect(costs[0]).toBeGreaterThan(0);
    expect(costs[2]).toBeGreaterThan(costs[0]!);
    const total = page.getByTestId('timeline-llm-total');
    await expect(total).toContainText(/run .* tok · \$/);
    // Nodes keep their tokens and cost once the stream ended.
    await expect(page.getByTestId('node-run-llm-ask_solar')).toContainText('$');
    expect(Number(await page.getByTestId('node-run-llm-ask_solar').getAttribute('data-tokens'))).toBe(
      tokens[0],
    );
    await expect(page.getByTestId('node-stream-ask_solar')).toHaveCount(0);

    // The Gantt gets the bottom area's whole width (the Problems panel holds a portability warning).
    const problems = page.getByTestId('toggle-problems');
    if ((await problems.getAttribute('data-open')) === 'true') await problems.click();
    for (const size of [
      { width: 1440, height: 900 },
      { width: 1280, height: 800 },
    ]) {
      await page.setViewportSize(size);
      for (const theme of ['light', 'dark'] as const) {
        await setTheme(page, theme);
        await painted(page);
        const name = `agents-gantt-${theme}-${size.width}.png`;
        await page.screenshot({ path: artifact(name) });
        if (size.width === 1440) await publishScreenshot(name, `agents-gantt-${theme}.png`);
      }
    }
    await setTheme(page, 'light');
  });

  test('Cancel aborts the in-flight model requests', async ({ page }) => {
    await openFile(page, 'research-slow.yaml');
    const before = server.requests.length;
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('node-stream-ask_solar')).toBeVisible({ timeout: 20_000 });
    await expect.poll(() => server.requests.length - before).toBe(3);
    const mine = server.requests.slice(before);
    expect(mine.every((r) => r.closedAt === undefined)).toBe(true);
    // A screenshot mid-stream: the live previews on the nodes.
    await page.screenshot({ path: artifact('agents-streaming-1440.png') });
    await page.getByTestId('cancel-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('cancelled', { timeout: 10_000 });
    await expect.poll(() => mine.filter((r) => r.closedAt !== undefined).length, { timeout: 5_000 }).toBe(3);
    await expect(page.getByTestId('node-stream-ask_solar')).toHaveCount(0);
  });

  test(`bench: ${BENCH_BRANCHES} branches × ${BENCH_TOKENS} streamed tokens, event handling per frame`, async ({
    page,
  }) => {
    test.setTimeout(120_000);
    // The run store measures each flush (reducer + synchronous subscribers) as 'fanout:run-flush'.
    await page.addInitScript(() => {
      const w = window as unknown as { __flush: number[]; __long: number[] };
      w.__flush = [];
      w.__long = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.name === 'fanout:run-flush') w.__flush.push(e.duration);
      }).observe({ type: 'measure' });
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__long.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    await page.reload();
    await openFile(page, 'stream-bench.yaml');
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 90_000 });
    const cell = costCell(page, 'start/b19');
    await expect(cell).toHaveAttribute('data-tokens', /\d+/);
    expect(Number(await cell.getAttribute('data-tokens'))).toBeGreaterThanOrEqual(BENCH_TOKENS);
    const { flush, long } = await page.evaluate(() => {
      const w = window as unknown as { __flush: number[]; __long: number[] };
      return { flush: w.__flush, long: w.__long };
    });
    const sorted = flush.slice().sort((a, b) => a - b);
    const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    const figures = {
      branches: BENCH_BRANCHES,
      tokensPerBranch: BENCH_TOKENS,
      flushes: flush.length,
      flushMedianMs: Number(pick(0.5).toFixed(2)),
      flushP95Ms: Number(pick(0.95).toFixed(2)),
      flushMaxMs: Number((sorted.at(-1) ?? 0).toFixed(2)),
      longTasks: long.length,
      longestTaskMs: Number(Math.max(0, ...long).toFixed(1)),
    };
    console.log(`agents stream bench: ${JSON.stringify(figures)}`);
    await writeFile(artifact('agents-stream-bench.json'), JSON.stringify(figures, null, 2));
    expect(flush.length).toBeGreaterThan(10);
    expect(figures.flushP95Ms).toBeLessThan(BENCH_BOUND_MS);
  });
});
