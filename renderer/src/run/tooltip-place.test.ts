import { describe, expect, it } from 'vitest';
import { EDGE_MARGIN, placeTooltip, POINTER_GAP } from './tooltip-place.ts';

const viewport = { width: 1280, height: 800 };
const size = { width: 300, height: 180 };

/** The tooltip's box lies wholly inside the viewport, at least EDGE_MARGIN from every edge. */
function inside(at: { left: number; top: number }, s = size, v = viewport) {
  return (
    at.left >= EDGE_MARGIN &&
    at.top >= EDGE_MARGIN &&
    at.left + s.width <= v.width - EDGE_MARGIN &&
    at.top + s.height <= v.height - EDGE_MARGIN
  );
}

describe('placeTooltip', () => {
  it('sits right of and below the pointer where there is room', () => {
    expect(placeTooltip({ x: 100, y: 100 }, size, viewport)).toEqual({
      left: 100 + POINTER_GAP,
      top: 100 + POINTER_GAP,
    });
  });

  it('flips to the left at the right edge and above at the bottom edge', () => {
    const at = placeTooltip({ x: 1270, y: 795 }, size, viewport);
    expect(at).toEqual({ left: 1270 - POINTER_GAP - 300, top: 795 - POINTER_GAP - 180 });
    expect(inside(at)).toBe(true);
  });

  it('stays whole on screen wherever the pointer is, also in a viewport barely larger than it', () => {
    for (const v of [viewport, { width: 330, height: 200 }]) {
      for (let x = 0; x <= v.width; x += 10)
        for (let y = 0; y <= v.height; y += 10) {
          const at = placeTooltip({ x, y }, size, v);
          expect(inside(at, size, v), JSON.stringify({ x, y, v, at })).toBe(true);
        }
    }
  });

  it('keeps its top-left corner on screen when it is larger than the viewport', () => {
    const at = placeTooltip({ x: 50, y: 50 }, { width: 900, height: 900 }, { width: 400, height: 300 });
    expect(at).toEqual({ left: EDGE_MARGIN, top: EDGE_MARGIN });
  });
});
