// Where a pointer tooltip goes so that it stays whole on screen: beside the pointer (right and below by
// default), flipped to the other side when it would cross the viewport's edge, and clamped inside it
// when neither side has room. Pure, so every edge is unit-tested.

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Gap between the pointer and the tooltip. */
export const POINTER_GAP = 14;
/** Least distance from the viewport's edges. */
export const EDGE_MARGIN = 8;

/** One axis: after the pointer if it fits, else before it, else as far from the start as it can be. */
function along(pointer: number, length: number, viewport: number): number {
  const after = pointer + POINTER_GAP;
  if (after + length <= viewport - EDGE_MARGIN) return after;
  const before = pointer - POINTER_GAP - length;
  if (before >= EDGE_MARGIN) return before;
  return Math.max(EDGE_MARGIN, Math.min(viewport - EDGE_MARGIN - length, after));
}

/** Top-left corner (viewport coordinates) of a tooltip of `size` shown at `pointer`. */
export function placeTooltip(pointer: Point, size: Size, viewport: Size): { left: number; top: number } {
  return {
    left: along(pointer.x, size.width, viewport.width),
    top: along(pointer.y, size.height, viewport.height),
  };
}
