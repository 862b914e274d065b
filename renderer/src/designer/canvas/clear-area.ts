// Where on the canvas nothing floats: the palette, minimap, zoom controls and toolbar sit over the
// graph, so fit-view and focus jumps aim at the largest rectangle free of them instead of the whole
// pane. Pure geometry in screen pixels relative to the pane; the canvas measures the overlays.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

const intersects = (a: Rect, b: Rect) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/**
 * Every maximal-candidate rectangle of the pane whose edges lie on the pane's or an overlay's edges
 * (grown by `gap`) and that no overlay touches. Overlays are few (≤ ~6), so trying every pair of
 * x and y edges is cheap (a few thousand rectangles).
 */
export function clearRects(
  pane: { width: number; height: number },
  overlays: readonly Rect[],
  gap = 8,
): Rect[] {
  const grown = overlays
    .filter((o) => o.width > 0 && o.height > 0)
    .map((o) => ({ x: o.x - gap, y: o.y - gap, width: o.width + 2 * gap, height: o.height + 2 * gap }));
  const clampX = (v: number) => Math.min(pane.width, Math.max(0, v));
  const clampY = (v: number) => Math.min(pane.height, Math.max(0, v));
  const xs = [
    ...new Set([0, pane.width, ...grown.flatMap((o) => [clampX(o.x), clampX(o.x + o.width)])]),
  ].sort((a, b) => a - b);
  const ys = [
    ...new Set([0, pane.height, ...grown.flatMap((o) => [clampY(o.y), clampY(o.y + o.height)])]),
  ].sort((a, b) => a - b);
  const out: Rect[] = [];
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++)
      for (let k = 0; k < ys.length; k++)
        for (let l = k + 1; l < ys.length; l++) {
          const r = { x: xs[i]!, y: ys[k]!, width: xs[j]! - xs[i]!, height: ys[l]! - ys[k]! };
          if (!grown.some((o) => intersects(o, r))) out.push(r);
        }
  return out;
}

/**
 * The clear rectangle that shows content of `size` (flow units) the largest, i.e. maximises
 * min(width / w, height / h). Falls back to the whole pane when overlays leave nothing usable.
 */
export function bestClearRect(
  pane: { width: number; height: number },
  overlays: readonly Rect[],
  size: { width: number; height: number },
  gap = 8,
): Rect {
  const w = Math.max(size.width, 1);
  const h = Math.max(size.height, 1);
  let best: Rect = { x: 0, y: 0, width: pane.width, height: pane.height };
  let bestScore = -1;
  for (const r of clearRects(pane, overlays, gap)) {
    // Ties (the same scale) go to the larger area: more room around the content.
    const score = Math.min(r.width / w, r.height / h) + r.width * r.height * 1e-12;
    if (score > bestScore) {
      bestScore = score;
      best = r;
    }
  }
  return bestScore > 0 ? best : { x: 0, y: 0, width: pane.width, height: pane.height };
}

/** The viewport that fits `bounds` (flow units) inside `area` (pane pixels) with `padding` px around. */
export function fitInto(
  bounds: Rect,
  area: Rect,
  { minZoom, maxZoom, padding }: { minZoom: number; maxZoom: number; padding: number },
): Viewport {
  const innerW = Math.max(area.width - 2 * padding, 1);
  const innerH = Math.max(area.height - 2 * padding, 1);
  const fit = Math.min(innerW / Math.max(bounds.width, 1), innerH / Math.max(bounds.height, 1));
  const zoom = Math.min(maxZoom, Math.max(minZoom, fit));
  return centreAt(bounds, area, zoom);
}

/** The viewport that puts the centre of `bounds` at the centre of `area` at `zoom`. */
export function centreAt(bounds: Rect, area: Rect, zoom: number): Viewport {
  return {
    x: area.x + area.width / 2 - (bounds.x + bounds.width / 2) * zoom,
    y: area.y + area.height / 2 - (bounds.y + bounds.height / 2) * zoom,
    zoom,
  };
}

/**
 * The viewport for a focus jump to one node: at `zoom` when the node fits in a clear rectangle there,
 * else at the largest zoom at which it does, centred in that rectangle.
 */
export function focusViewport(
  node: Rect,
  pane: { width: number; height: number },
  overlays: readonly Rect[],
  { zoom, minZoom, padding }: { zoom: number; minZoom: number; padding: number },
): Viewport {
  const area = bestClearRect(pane, overlays, node);
  const fits = Math.min(
    (area.width - 2 * padding) / Math.max(node.width, 1),
    (area.height - 2 * padding) / Math.max(node.height, 1),
  );
  return centreAt(node, area, Math.max(minZoom, Math.min(zoom, fits)));
}

/** Screen box (pane pixels) of a flow rectangle under a viewport. */
export function toScreen(r: Rect, v: Viewport): Rect {
  return { x: r.x * v.zoom + v.x, y: r.y * v.zoom + v.y, width: r.width * v.zoom, height: r.height * v.zoom };
}
