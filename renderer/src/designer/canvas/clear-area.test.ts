import { describe, expect, it } from 'vitest';
import { bestClearRect, clearRects, fitInto, focusViewport, toScreen, type Rect } from './clear-area.ts';

const pane = { width: 700, height: 500 };
/** The canvas's overlays as laid out at 1280 px: palette, controls, minimap, toolbar. */
const palette: Rect = { x: 15, y: 15, width: 180, height: 190 };
const controls: Rect = { x: 15, y: 390, width: 30, height: 95 };
const minimap: Rect = { x: 515, y: 375, width: 170, height: 110 };
const toolbar: Rect = { x: 330, y: 15, width: 355, height: 30 };
const overlays = [palette, controls, minimap, toolbar];

const hits = (a: Rect, b: Rect) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('clear area', () => {
  it('finds only rectangles no overlay touches', () => {
    const rects = clearRects(pane, overlays);
    expect(rects.length).toBeGreaterThan(0);
    for (const r of rects) for (const o of overlays) expect(hits(r, o)).toBe(false);
  });

  it('is the whole pane without overlays', () => {
    expect(bestClearRect(pane, [], { width: 10, height: 10 })).toEqual({ x: 0, y: 0, ...pane });
  });

  it('picks a wide area for a wide graph and a tall one for a tall graph', () => {
    const wide = bestClearRect(pane, overlays, { width: 1000, height: 100 });
    const tall = bestClearRect(pane, overlays, { width: 100, height: 1000 });
    expect(wide.width).toBeGreaterThan(wide.height);
    expect(tall.height).toBeGreaterThan(tall.width);
  });

  it('fits a graph so that no node lands under an overlay', () => {
    const graph: Rect = { x: -200, y: 0, width: 900, height: 400 };
    const area = bestClearRect(pane, overlays, graph);
    const view = fitInto(graph, area, { minZoom: 0.05, maxZoom: 1.2, padding: 16 });
    const screen = toScreen(graph, view);
    for (const o of overlays) expect(hits(screen, o), JSON.stringify({ screen, o })).toBe(false);
    // and it is as large as that area allows, not shrunk to nothing
    expect(screen.width).toBeGreaterThan(area.width * 0.8 - 32);
  });

  it('centres a focused node clear of the overlays, zooming out only when it must', () => {
    const node: Rect = { x: 40, y: 40, width: 220, height: 90 };
    const view = focusViewport(node, pane, overlays, { zoom: 1, minZoom: 0.05, padding: 16 });
    expect(view.zoom).toBe(1);
    const screen = toScreen(node, view);
    for (const o of overlays) expect(hits(screen, o)).toBe(false);

    const huge: Rect = { x: 0, y: 0, width: 2000, height: 900 };
    const out = focusViewport(huge, pane, overlays, { zoom: 1, minZoom: 0.05, padding: 16 });
    expect(out.zoom).toBeLessThan(1);
    for (const o of overlays) expect(hits(toScreen(huge, out), o)).toBe(false);
  });

  it('falls back to the whole pane when overlays cover it', () => {
    const cover: Rect = { x: 0, y: 0, width: 700, height: 500 };
    expect(bestClearRect(pane, [cover], { width: 10, height: 10 })).toEqual({ x: 0, y: 0, ...pane });
  });
});
