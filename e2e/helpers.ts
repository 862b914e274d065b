// Shared helpers of the e2e specs: the browser path, artifacts, node geometry, palette drag and drop,
// and reading the YAML editor's full text.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';

/** Debian's Chromium; CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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
