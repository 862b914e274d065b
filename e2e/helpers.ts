// Shared helpers of the e2e specs: the browser path, opening the app with its page errors watched,
// artifacts, node geometry, palette drag and drop, reading the YAML editor's full text, waiting for the
// canvas to show a document and for its view to stop moving, and the llm fan-out workflow the agent
// specs run against the local OpenAI-wire server.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { buildGraph } from '../engine/workflow/graph.ts';
import { loadWorkflow } from '../engine/workflow/load.ts';

/** Debian's Chromium; CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The size most specs (and their screenshots) use. */
export const APP_VIEWPORT = { width: 1440, height: 900 };

/**
 * Opens the app served by global-setup's `fanout serve` (at APP_VIEWPORT unless `viewport` is given;
 * null keeps the browser's). Returns the page's uncaught errors as they happen: a test ends by
 * expecting it to be empty.
 */
export async function openApp(
  page: Page,
  options: { viewport?: { width: number; height: number } | null } = {},
): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  if (options.viewport !== null) await page.setViewportSize(options.viewport ?? APP_VIEWPORT);
  await page.goto(process.env.FANOUT_E2E_URL!);
  return errors;
}

/** Inside a test.describe: every test starts with the app open and fails on any uncaught page error. */
export function openAppForEachTest(options: Parameters<typeof openApp>[1] = {}): void {
  let errors: string[] = [];
  test.beforeEach(async ({ page }) => {
    errors = await openApp(page, options);
  });
  test.afterEach(() => {
    expect(errors).toEqual([]);
  });
}

export interface LlmFanOutOptions {
  /** The workflow's `name:`. */
  name: string;
  /** The local OpenAI-wire server (test/llm/openai-server.ts) the calls go to. */
  apiBase: string;
  model: string;
  /** One branch per topic: node `ask_<topic>`, its answer in state key `<topic>`. */
  topics: readonly string[];
  action: 'llm.call' | 'llm.stream';
  /** The user message of a topic's branch (default: the topic itself). */
  ask?: (topic: string) => string;
  /** A main-line llm.call `summary` with this prompt after the fan-in (a breakpoint's place). */
  summaryPrompt?: string;
}

/** `plan` (Lua) fans out one model call per topic, `judge` (Lua) is the fan-in, then `summary` if asked. */
export function llmFanOutFlow(options: LlmFanOutOptions): string {
  const { topics, action } = options;
  const ask = options.ask ?? ((topic: string) => topic);
  const branch = (t: string) => `  - name: ask_${t}
    uses: ${action}
    with:
      messages:
        - { role: user, content: "${ask(t)}" }
    output: ${t}`;
  const summary =
    options.summaryPrompt === undefined
      ? ''
      : `  - name: summary\n    uses: llm.call\n    with:\n      prompt: "${options.summaryPrompt}"\n    output: summary\n`;
  const end =
    options.summaryPrompt === undefined
      ? '  - {from: judge, to: __end__}'
      : '  - {from: judge, to: summary}\n  - {from: summary, to: __end__}';
  return `name: ${options.name}
settings:
  llm:
    provider: openai
    api_base: ${options.apiBase}
    model: ${options.model}
nodes:
  - name: plan
    language: lua
    run: |
      return { question = "energy" }
${topics.map(branch).join('\n')}
${summary}  - name: judge
    language: lua
    run: |
      return { judged = #state.parallel_results }
edges:
  - {from: __start__, to: plan}
  - {from: plan, parallel: [${topics.map((t) => `ask_${t}`).join(', ')}], fan_in: judge}
${topics.map((t) => `  - {from: ask_${t}, to: judge}`).join('\n')}
${end}
`;
}

export const artifact = (name: string) => fileURLToPath(new URL(`./artifacts/${name}`, import.meta.url));

/** With FANOUT_DOCS_IMAGES=1, copies an artifact screenshot into docs/images/ (the README shows those). */
export async function publishScreenshot(name: string, as: string): Promise<void> {
  if (process.env.FANOUT_DOCS_IMAGES !== '1') return;
  const dir = fileURLToPath(new URL('../docs/images/', import.meta.url));
  await mkdir(dir, { recursive: true });
  await copyFile(artifact(name), join(dir, as));
}

export type Box = { x: number; y: number; width: number; height: number };

export async function boxes(nodes: Locator): Promise<Box[]> {
  const out: Box[] = [];
  for (const node of await nodes.all()) {
    const box = await node.boundingBox();
    if (box) out.push(box);
  }
  return out;
}

/** Index pairs of boxes that overlap. */
export function overlaps(list: Box[]): string[] {
  const found: string[] = [];
  list.forEach((a, i) =>
    list.slice(i + 1).forEach((b, j) => {
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)
        found.push(`${i}/${i + j + 1}`);
    }),
  );
  return found;
}

/** HTML5 drag and drop from a palette item to a point of the canvas, with a real DataTransfer. */
export async function dragPaletteItem(page: Page, item: Locator, to: { x: number; y: number }) {
  const dataTransfer = await page.evaluateHandle(() => new DataTransfer());
  await item.dispatchEvent('dragstart', { dataTransfer });
  const pane = page.locator('[data-testid="designer-canvas"] .react-flow__pane');
  await pane.dispatchEvent('dragover', { dataTransfer, clientX: to.x, clientY: to.y });
  await pane.dispatchEvent('drop', { dataTransfer, clientX: to.x, clientY: to.y });
  await item.dispatchEvent('dragend', { dataTransfer });
}

/**
 * The whole text of a CodeMirror editor under `root`. CodeMirror renders only the lines in view, so
 * read its state the way EditorView.findFromDOM does (`.cm-content`'s tile -> root -> view).
 */
export async function editorText(root: Locator): Promise<string> {
  return root.locator('.cm-content').evaluate((el) => {
    type Doc = { toString(): string };
    const tile = (el as unknown as { cmTile?: { root?: { view?: { state: { doc: Doc } } } } }).cmTile;
    const view = tile?.root?.view;
    if (!view) throw new Error('no CodeMirror view on .cm-content');
    return view.state.doc.toString();
  });
}

/** The node names and edge count the canvas draws for `yaml` (Start and End included; notes are not nodes). */
export function canvasGraph(yaml: string): { nodes: string[]; edges: number } {
  const model = loadWorkflow(yaml).model;
  if (!model) throw new Error('the YAML does not load');
  const graph = buildGraph(model);
  return { nodes: graph.nodes.map((n) => n.id).sort(), edges: graph.edges.length };
}

/** The node names (sorted) and the edge count on the canvas now. */
async function canvasNow(page: Page): Promise<{ nodes: string[]; edges: number }> {
  const canvas = page.getByTestId('designer-canvas');
  const nodes = await canvas
    .locator('.react-flow__node')
    .evaluateAll((els) => els.map((el) => el.getAttribute('data-id') ?? '').sort());
  return { nodes, edges: await canvas.locator('.react-flow__edge').count() };
}

/**
 * Waits until the canvas shows `yaml`'s graph: its nodes, laid out (ELK answers asynchronously and the
 * previous document's nodes stay until it does), and every edge (React Flow draws an edge only once
 * both its nodes are measured, a frame or more after they appear).
 */
export async function expectCanvasShows(page: Page, yaml: string): Promise<void> {
  await expect.poll(() => canvasNow(page)).toEqual(canvasGraph(yaml));
}

/** Frames the view must stay unchanged to count as still: a d3 transition starts a frame or two late. */
const STILL_FRAMES = 5;

/**
 * Waits until the canvas's view stops moving (fit-view, zoom and focus jumps are animated): its
 * transform unchanged for STILL_FRAMES animation frames in a row.
 */
export async function viewportSettled(page: Page): Promise<void> {
  await page.getByTestId('designer-canvas').locator('.react-flow__viewport').waitFor();
  await page.evaluate(
    (frames) =>
      new Promise<void>((resolve) => {
        const transform = () =>
          document.querySelector<HTMLElement>('[data-testid="designer-canvas"] .react-flow__viewport')?.style
            .transform;
        let last = transform();
        let still = 0;
        const check = () => {
          const now = transform();
          still = now === last ? still + 1 : 0;
          last = now;
          if (still >= frames) resolve();
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }),
    STILL_FRAMES,
  );
}

/**
 * Waits until the page has rendered two more frames: a change made before (a theme switch, which no
 * CSS transition animates) is then painted, and a screenshot shows it.
 */
export async function painted(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
}
