// Where a context menu goes: at the pointer, flipped to the other side of it when it would leave the
// window, and never closer than MARGIN to an edge (a menu taller than the window starts at the top).

export const MARGIN = 4;

export function placeMenu(
  at: { x: number; y: number },
  size: { width: number; height: number },
  viewport: { width: number; height: number },
): { left: number; top: number } {
  const axis = (p: number, extent: number, room: number) => {
    if (p + extent + MARGIN <= room) return p;
    const flipped = p - extent;
    if (flipped >= MARGIN) return flipped;
    return Math.max(MARGIN, room - extent - MARGIN);
  };
  return {
    left: axis(at.x, size.width, viewport.width),
    top: Math.max(MARGIN, axis(at.y, size.height, viewport.height)),
  };
}
