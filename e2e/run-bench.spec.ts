// Run-panel responsiveness (issue 7 item 8) in Chromium against `fanout serve`: a fan-out of 200
// trivial Lua branches and a run of 5,000+ events, each started with the Run button while the run
// panel shows the Timeline. Measured in the page: long tasks (PerformanceObserver 'longtask'), the
// longest task and the longest one that handled run events, total blocking time, animation frames
// while the run streams in, ms from the click to the final result rendered, the run store's own
// cost per flush (user timing 'fanout:run-apply' = reducer, 'fanout:run-flush' = reducer + React), the
// canvas's status slices ('fanout:canvas-slice', node-run-feed.ts) and Chrome's long animation frames
// (what each frame over 50 ms spent on scripts and rendering, printed per run).
// Bounds are generous (2 noisy cores shared with the server and its workers); the figures go to
// e2e/artifacts/run-bench.json, which `npm run bench` writes into docs/benchmarks.md.
// FANOUT_BENCH=1 repeats each run (RUNS_IN_BENCH, or RUN_BENCH_RUNS=n) and reports medians; `npm test`
// runs each once. Each run also counts the ResizeObserver callbacks that fired during it, by the class
// of the observed element (a node's box changing size makes React Flow re-measure it and its edges).
// RUN_BENCH_PROFILE=/tmp/p writes a CPU profile per run, RUN_BENCH_TRACE=/tmp/t a Chrome trace per run
// (its events carry thread CPU time, which a loaded machine does not inflate).
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import os from 'node:os';
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { generateChattyChain, generateFanOut } from '../bench/gen.ts';
import { artifact, CHROMIUM } from './helpers.ts';

const BENCH = process.env.FANOUT_BENCH === '1';
const RUNS_IN_BENCH = Number(process.env.RUN_BENCH_RUNS) || 3;
/** Issue 7: no main-thread task over 50 ms from event handling. */
const TARGET_TASK_MS = 50;
/**
 * Event handling itself (the store's flush plus React's render of it) is asserted 2× looser than the
 * target (2 noisy cores). The whole frame around it also holds the browser's style, layout and paint
 * of up to 200 changing canvas nodes in software rendering (--disable-gpu): 75–250 ms measured on this
 * machine, recorded by npm run bench; asserted only as "the UI never freezes".
 */
const HANDLING_MAX_BOUND_MS = 2 * TARGET_TASK_MS;
const FRAME_TASK_BOUND_MS = 400;
/** The store's own work per flush, at the median (target well under 50 ms). */
const APPLY_MEDIAN_BOUND_MS = 25;
const CLICK_TO_RESULT_BOUND_MS = 30_000;
/** RUN_BENCH_PROFILE=/tmp/prefix writes a CPU profile of each measured run (for DevTools or a script). */
const PROFILE = process.env.RUN_BENCH_PROFILE;

interface Scenario {
  id: string;
  title: string;
  file: string;
  text: string;
  minEvents: number;
}

const SCENARIOS: Scenario[] = [
  {
    id: 'fanout',
    title: 'fan-out of 200 trivial branches + fan-in',
    file: 'bench-fanout-200.yaml',
    text: generateFanOut({ branches: 200 }),
    minEvents: 800,
  },
  {
    id: 'events',
    title: '5,000-event run (500 printing nodes)',
    file: 'bench-events-5000.yaml',
    text: generateChattyChain({ nodes: 500, prints: 8, sleepMs: 1 }),
    minEvents: 5000,
  },
];

/** What the page recorded for one run (see installProbes). */
interface Sample {
  clickToResultMs: number;
  events: number;
  longTasks: { start: number; duration: number }[];
  frames: number[];
  apply: { start: number; duration: number; events: number }[];
  flush: { start: number; duration: number; events: number }[];
  /** Canvas status slices; `events` = nodes in the slice. */
  slices: { start: number; duration: number; events: number }[];
  loafs: Loaf[];
  /** ResizeObserver entries delivered during the run, by the observed element's first class. */
  resized: Record<string, number>;
  window: { start: number; end: number };
}

/**
 * A long animation frame (> 50 ms, Chrome's 'long-animation-frame' entries): where its time went.
 * What its scripts and rendering do not explain, the main thread spent elsewhere (descheduled on a
 * loaded machine, or waiting for the compositor).
 */
interface Loaf {
  start: number;
  duration: number;
  blocking: number;
  /** ms from the frame's start to its rendering (style, layout, paint) and to its style and layout. */
  renderStart: number;
  styleAndLayoutStart: number;
  scripts: { invoker: string; duration: number; fn: string }[];
}

/** Installed before the app's scripts: observers that collect into window.__bench from page start. */
function installProbes() {
  type Entry = { start: number; duration: number; events: number };
  const bench = {
    longTasks: [] as { start: number; duration: number }[],
    apply: [] as Entry[],
    flush: [] as Entry[],
    slices: [] as Entry[],
    frames: [] as number[],
    loafs: [] as Loaf[],
    resized: {} as Record<string, number>,
    recording: false,
  };
  (window as unknown as { __bench: typeof bench }).__bench = bench;
  // Every ResizeObserver the app (or React Flow) creates reports its entries here while recording.
  const Native = window.ResizeObserver;
  window.ResizeObserver = class extends Native {
    constructor(callback: ResizeObserverCallback) {
      super((entries, observer) => {
        if (bench.recording)
          for (const entry of entries) {
            const key = entry.target.classList[0] ?? entry.target.tagName.toLowerCase();
            bench.resized[key] = (bench.resized[key] ?? 0) + 1;
          }
        callback(entries, observer);
      });
    }
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as PerformanceMeasure[]) {
      const detail = e.detail as { events?: number; nodes?: number } | null;
      const entry = {
        start: e.startTime,
        duration: e.duration,
        events: detail?.events ?? detail?.nodes ?? 0,
      };
      if (e.name === 'fanout:run-apply') bench.apply.push(entry);
      else if (e.name === 'fanout:run-flush') bench.flush.push(entry);
      else if (e.name === 'fanout:canvas-slice') bench.slices.push(entry);
    }
  }).observe({ type: 'measure' });
  type LoafEntry = PerformanceEntry & {
    blockingDuration: number;
    renderStart: number;
    styleAndLayoutStart: number;
    scripts: (PerformanceEntry & { invoker: string; sourceFunctionName: string })[];
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as LoafEntry[]) {
      bench.loafs.push({
        start: e.startTime,
        duration: e.duration,
        blocking: e.blockingDuration,
        renderStart: e.renderStart ? e.renderStart - e.startTime : 0,
        styleAndLayoutStart: e.styleAndLayoutStart ? e.styleAndLayoutStart - e.startTime : 0,
        scripts: e.scripts.map((x) => ({
          invoker: x.invoker,
          duration: x.duration,
          fn: x.sourceFunctionName,
        })),
      });
    }
  }).observe({ type: 'long-animation-frame', buffered: true });
  const frame = (t: number) => {
    if (bench.recording) bench.frames.push(t);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

/**
 * Clicks Run and resolves when the run has finished and its final result is rendered: the toolbar
 * status and the run panel's status pill both say `succeeded`. Then waits a little so the long
 * tasks of the last frames are reported, and returns everything recorded in that window.
 */
async function runOnce(page: Page): Promise<Sample> {
  return page.evaluate(
    () =>
      new Promise<Sample>((resolve, reject) => {
        type Bench = Omit<Sample, 'clickToResultMs' | 'events' | 'window'> & { recording: boolean };
        const bench = (window as unknown as { __bench: Bench }).__bench;
        const lists = [bench.longTasks, bench.apply, bench.flush, bench.slices, bench.frames, bench.loafs];
        for (const list of lists) list.length = 0;
        for (const key of Object.keys(bench.resized)) delete bench.resized[key];
        const button = document.querySelector<HTMLButtonElement>('[data-testid="run-button"]');
        if (!button || button.disabled) return reject(new Error('the Run button is not enabled'));
        const start = performance.now();
        bench.recording = true;
        button.click();
        const text = (selector: string) => document.querySelector(selector)?.textContent?.trim();
        const check = () => {
          const status = text('[data-testid="run-status"]');
          const pill = text('[data-testid="run-panel"] .rp-summary .rp-pill');
          if (performance.now() - start > 60_000) return reject(new Error(`no result: ${status}/${pill}`));
          if (status !== 'succeeded' || pill !== 'succeeded') return void requestAnimationFrame(check);
          const end = performance.now();
          bench.recording = false;
          const events = Number(
            /(\d+) events/.exec(text('[data-testid="run-panel"] .rp-summary') ?? '')?.[1],
          );
          // Long-task entries arrive after their task: give the last ones time to be reported.
          setTimeout(
            () =>
              resolve({
                clickToResultMs: end - start,
                events,
                longTasks: bench.longTasks.filter((t) => t.start < end && t.start + t.duration > start),
                frames: bench.frames.slice(),
                apply: bench.apply.slice(),
                flush: bench.flush.slice(),
                slices: bench.slices.slice(),
                loafs: bench.loafs.filter((f) => f.start < end && f.start + f.duration > start),
                resized: { ...bench.resized },
                window: { start, end },
              }),
            300,
          );
        };
        requestAnimationFrame(check);
      }),
  );
}

/** One long animation frame on a line: when, how long, its scripts and its rendering. */
function describeLoaf(f: Loaf, origin: number): string {
  const ms = (x: number) => x.toFixed(0);
  const scripts = f.scripts.map((x) => `${x.invoker}${x.fn ? ` ${x.fn}` : ''} ${ms(x.duration)}`).join(', ');
  const render = f.renderStart ? f.duration - f.renderStart : 0;
  return (
    `long animation frame at +${ms(f.start - origin)} ms: ${ms(f.duration)} ms, blocking ` +
    `${ms(f.blocking)}, render ${ms(render)} (style+layout from +${ms(f.styleAndLayoutStart)}); ` +
    `scripts: ${scripts || 'none'}`
  );
}

/** The page's main-thread CPU time (CDP Performance ThreadTime, counted from Performance.enable), in ms. */
async function cpuMs(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'ThreadTime')?.value ?? 0) * 1000;
}

const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return NaN;
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const max = (xs: number[]) => (xs.length === 0 ? 0 : Math.max(...xs));
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

/** The figures of one run; `cpuMs`: the page's main-thread CPU time over it (load does not inflate it). */
function summarise(sample: Sample, cpuMs: number) {
  const tasks = sample.longTasks;
  // A long task "handled run events" when a flush of the run store started inside it.
  const handling = tasks.filter((t) =>
    sample.flush.some((f) => f.start >= t.start && f.start <= t.start + t.duration),
  );
  const gaps = sample.frames.slice(1).map((t, i) => t - sample.frames[i]!);
  const inRun = (f: { start: number }) => f.start >= sample.window.start && f.start <= sample.window.end;
  const apply = sample.apply.filter(inRun);
  const flush = sample.flush.filter(inRun);
  const slices = sample.slices.filter(inRun);
  return {
    events: sample.events,
    clickToResultMs: sample.clickToResultMs,
    cpuMs,
    longTasks: tasks.length,
    longestTaskMs: max(tasks.map((t) => t.duration)),
    longestHandlingTaskMs: max(handling.map((t) => t.duration)),
    totalBlockingMs: tasks.reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0),
    frames: sample.frames.length,
    medianFrameMs: median(gaps),
    longestFrameMs: max(gaps),
    framesOver50: gaps.filter((g) => g > 50).length,
    longAnimationFrames: sample.loafs.length,
    longestAnimationFrameMs: max(sample.loafs.map((f) => f.duration)),
    flushes: flush.length,
    eventsPerFlushMax: max(flush.map((f) => f.events)),
    applyMedianMs: median(apply.map((f) => f.duration)),
    applyMaxMs: max(apply.map((f) => f.duration)),
    flushMedianMs: median(flush.map((f) => f.duration)),
    flushP95Ms: quantile(
      flush.map((f) => f.duration),
      0.95,
    ),
    flushMaxMs: max(flush.map((f) => f.duration)),
    canvasSlices: slices.length,
    nodesPerSliceMax: max(slices.map((f) => f.events)),
    canvasSliceMaxMs: max(slices.map((f) => f.duration)),
    canvasSliceTotalMs: slices.reduce((sum, f) => sum + f.duration, 0),
    canvasSliceNodes: slices.reduce((sum, f) => sum + f.events, 0),
  };
}
type Summary = ReturnType<typeof summarise>;

/** Several runs: medians, except the worst-case figures, which keep their worst. */
function combine(runs: Summary[]): Summary {
  const worst = new Set<keyof Summary>([
    'longestTaskMs',
    'longestHandlingTaskMs',
    'longestFrameMs',
    'longestAnimationFrameMs',
    'applyMaxMs',
    'flushMaxMs',
    'eventsPerFlushMax',
    'nodesPerSliceMax',
    'canvasSliceMaxMs',
  ]);
  const out = { ...runs[0]! };
  for (const key of Object.keys(out) as (keyof Summary)[]) {
    const values = runs.map((r) => r[key]);
    out[key] = worst.has(key) ? max(values) : median(values);
  }
  return out;
}

interface Metric {
  label: string;
  value: number;
  unit: string;
  target?: string;
}

function metrics(title: string, s: Summary, runs: number): Metric[] {
  const of = runs > 1 ? ` (median of ${runs} runs)` : '';
  const worst = runs > 1 ? ` (worst of ${runs} runs)` : '';
  const ms = (label: string, value: number, digits = 1, target?: string): Metric => ({
    label: `${title}: ${label}`,
    value: round(value, digits),
    unit: 'ms',
    ...(target ? { target } : {}),
  });
  const flushes = `${s.flushes} flushes, ≤ ${s.eventsPerFlushMax} events each`;
  return [
    { label: `${title}: events`, value: s.events, unit: 'events' },
    ms(`click → final result rendered${of}`, s.clickToResultMs, 0),
    ms(`main-thread CPU, click → result + 0.3 s${of}`, s.cpuMs, 0),
    ms(`longest task that handled run events${worst}`, s.longestHandlingTaskMs, 0, `< ${TARGET_TASK_MS} ms`),
    ms(`longest main-thread task${worst}`, s.longestTaskMs, 0),
    { label: `${title}: long tasks (> 50 ms)${of}`, value: s.longTasks, unit: 'tasks' },
    ms(`total blocking time${of}`, s.totalBlockingMs, 0),
    { label: `${title}: animation frames during the run${of}`, value: s.frames, unit: 'frames' },
    { label: `${title}: frame gaps > 50 ms${of}`, value: s.framesOver50, unit: 'gaps' },
    { label: `${title}: long animation frames (> 50 ms)${of}`, value: s.longAnimationFrames, unit: 'frames' },
    ms(
      `longest animation frame (Chrome's long-animation-frame entries)${worst}`,
      s.longestAnimationFrameMs,
      0,
    ),
    ms(`median frame gap${of}`, s.medianFrameMs),
    ms(`longest frame gap${worst}`, s.longestFrameMs, 0),
    ms(`run-store reducer per flush, median (${flushes})${of}`, s.applyMedianMs, 2, 'well under 50 ms'),
    ms(`run-store reducer per flush, max${worst}`, s.applyMaxMs),
    ms(`flush incl. React render, median${of}`, s.flushMedianMs, 1, 'well under 50 ms'),
    ms(`flush incl. React render, p95${of}`, s.flushP95Ms),
    ms(`flush incl. React render, max${worst}`, s.flushMaxMs),
    ...(s.canvasSlices > 0
      ? [
          ms(
            `canvas status slice incl. React render, max (${s.canvasSlices} slices, ≤ ${s.nodesPerSliceMax} nodes each)${worst}`,
            s.canvasSliceMaxMs,
            1,
            'well under 50 ms',
          ),
        ]
      : []),
  ];
}

// Trace recording snapshots the DOM on every action: it would dominate the measured main thread.
test.use({ trace: 'off' });

test.describe('run panel responsiveness', () => {
  test.skip(
    !existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
  );

  const root = process.env.FANOUT_E2E_ROOT ?? '';
  const recorded: Metric[] = [];
  const loadAtStart = os.loadavg()[0]!.toFixed(2);
  test.afterAll(async () => {
    // Other specs list the served root: leave it as global-setup made it.
    for (const s of SCENARIOS) await rm(join(root, s.file), { force: true });
    if (recorded.length === 0) return;
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    await mkdir(artifact(''), { recursive: true });
    await writeFile(
      artifact('run-bench.json'),
      JSON.stringify(
        {
          name: 'run-bench',
          machine:
            `${os.availableParallelism()} cores (${cpu}), 1-minute load average ${loadAtStart} at the ` +
            `start and ${os.loadavg()[0]!.toFixed(2)} at the end, Chromium --disable-gpu, 1400×900`,
          metrics: recorded,
        },
        null,
        2,
      ) + '\n',
    );
  });

  test('an error line in the Log shows its node in the editor', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    await page.goto(process.env.FANOUT_E2E_URL!);
    await page.getByTestId('file-list').getByText('timeout-fallback.yaml', { exact: true }).click();
    await expect(page.getByTestId('doc-title')).toContainText('timeout-fallback');
    await page.getByTestId('run-button').click();
    // One branch hangs and times out; the fan-in still runs: honest amber status, not "succeeded".
    await expect(page.getByTestId('run-status')).toHaveText('finished · 1 of 2 branches timed out', {
      timeout: 30_000,
    });
    const panel = page.getByTestId('run-panel');
    await panel.getByTestId('run-tab-log').click();
    // The hanging branch timed out: its error line names hanging_path and is a link to it.
    const line = panel.getByTestId('run-log-jump').filter({ hasText: 'hanging_path' }).first();
    await expect(line).toBeVisible();
    await line.click();
    await expect(page.getByTestId('inspector-name')).toHaveValue('hanging_path');
    await page.screenshot({ path: artifact('run-log-jump.png') });
    expect(errors).toEqual([]);
  });

  for (const scenario of SCENARIOS) {
    test(`${scenario.title} keeps the UI responsive`, async ({ page }) => {
      test.setTimeout(BENCH ? 180_000 : 60_000);
      expect(root, 'global-setup did not set FANOUT_E2E_ROOT').not.toBe('');
      await writeFile(join(root, scenario.file), scenario.text);
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      await page.addInitScript(installProbes);
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.goto(process.env.FANOUT_E2E_URL!);
      await page.getByTestId('file-list').getByText(scenario.file, { exact: true }).click();
      await expect(page.getByTestId('doc-title')).toContainText(scenario.file.replace('.yaml', ''));
      await expect(page.getByTestId('run-button')).toBeEnabled();
      await page.waitForTimeout(500); // the opened document's deferred work (problems, fit) settles

      const metricsCdp = await page.context().newCDPSession(page);
      await metricsCdp.send('Performance.enable');
      const summaries: Summary[] = [];
      for (let i = 0; i < (BENCH ? RUNS_IN_BENCH : 1); i++) {
        const cdp = PROFILE ? await page.context().newCDPSession(page) : undefined;
        if (cdp) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
        const trace = process.env.RUN_BENCH_TRACE;
        if (trace)
          await page
            .context()
            .browser()!
            .startTracing(page, { path: `${trace}-${scenario.id}-${i + 1}.json` });
        const cpu = await cpuMs(metricsCdp);
        const sample = await runOnce(page);
        const cpuAfter = await cpuMs(metricsCdp);
        if (trace) await page.context().browser()!.stopTracing();
        if (cdp) {
          const { profile } = await cdp.send('Profiler.stop');
          await writeFile(`${PROFILE}-${scenario.id}-${i + 1}.cpuprofile`, JSON.stringify(profile));
        }
        const s = summarise(sample, cpuAfter - cpu);
        console.log(`[run-bench] ${scenario.id} run ${i + 1}: ${JSON.stringify(s)}`);
        console.log(`[run-bench]   resize observations: ${JSON.stringify(sample.resized)}`);
        for (const f of sample.loafs) console.log(`[run-bench]   ${describeLoaf(f, sample.window.start)}`);
        summaries.push(s);
        // The panel stayed on the Timeline while the run streamed in.
        await expect(page.getByTestId('run-tab-timeline')).toHaveAttribute('aria-selected', 'true');
        expect(s.events, 'events of the run').toBeGreaterThanOrEqual(scenario.minEvents);
        expect(s.flushes, 'the run store flushed while the run streamed in').toBeGreaterThan(0);
        // Run status never changes a node's box (badges hang outside it, absolutely placed): a resize
        // would make React Flow measure the node and re-route its edges, mid-run.
        expect(sample.resized['react-flow__node'] ?? 0, 'canvas nodes resized during the run').toBe(0);
      }
      const s = combine(summaries);
      recorded.push(...metrics(scenario.title, s, summaries.length));
      await page.screenshot({ path: artifact(`run-bench-${scenario.id}.png`) });

      // What the run produced is all there: every branch in Results, every printed line in the Log.
      const panel = page.getByTestId('run-panel');
      if (scenario.id === 'fanout') {
        // Fitted to 200 branches the canvas draws sketch nodes (detail-level.ts): no text, but each
        // keeps its run status; zoomed in past the threshold, titles and badge times are back.
        const canvas = page.getByTestId('designer-canvas');
        const badge = page.getByTestId('node-run-b7');
        const title = canvas.locator('.react-flow__node[data-id="b7"] .fs-node-title');
        await expect(canvas).toHaveClass(/fs-sketch/);
        await expect(badge).toHaveAttribute('data-status', 'succeeded');
        await expect(badge).toHaveText('');
        await expect(title).toBeHidden();
        while (Number(await canvas.getAttribute('data-zoom')) < 0.2)
          await page.locator('.react-flow__controls-zoomin').click();
        await expect(canvas).not.toHaveClass(/fs-sketch/);
        await expect(page.getByTestId('node-run-time-b7')).toHaveText(/\d+(\.\d+)? m?s$/);
        await page.locator('.react-flow__controls-fitview').click();
        // The timeline renders only the rows in view: scrolled to the end, the fan-in's bar is there.
        const lastNode = panel.locator('[data-testid="timeline-bar"][data-node="join"]');
        await expect(lastNode).toHaveCount(0);
        await panel.locator('.rp-body').evaluate((el) => (el.scrollTop = el.scrollHeight));
        await expect(lastNode).toHaveAttribute('data-status', 'succeeded');
        expect(await panel.locator('[data-testid="timeline-bar"]').count()).toBeLessThan(100);
        await page.screenshot({ path: artifact('run-bench-fanout-scrolled.png') });
        await panel.getByTestId('run-tab-results').click();
        await expect(panel.getByTestId('results-parallel-table').locator('tbody tr')).toHaveCount(200);
      } else {
        await panel.getByTestId('run-tab-log').click();
        await expect(panel.locator('.rp-log-bar small')).toContainText('4000 of 4000 lines');
      }
      expect(errors).toEqual([]);
      expect(s.longestHandlingTaskMs, 'longest task that handled run events').toBeLessThan(
        FRAME_TASK_BOUND_MS,
      );
      expect(s.applyMedianMs, 'run-store reducer per flush, median').toBeLessThan(APPLY_MEDIAN_BOUND_MS);
      expect(s.flushMedianMs, 'flush incl. React render, median').toBeLessThan(TARGET_TASK_MS / 2);
      expect(s.flushMaxMs, 'flush incl. React render, max').toBeLessThan(HANDLING_MAX_BOUND_MS);
      // The canvas catches up a slice of nodes per frame (node-run-feed.ts), never 200 in one task.
      if (scenario.id === 'fanout') expect(s.canvasSlices, 'canvas status slices').toBeGreaterThan(1);
      expect(s.canvasSliceMaxMs, 'canvas status slice, max').toBeLessThan(HANDLING_MAX_BOUND_MS);
      expect(s.clickToResultMs).toBeLessThan(CLICK_TO_RESULT_BOUND_MS);
    });
  }
});
