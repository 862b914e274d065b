// Which of the open bottom panels (run, problems, YAML) show: side by side when each gets its minimum
// width, else only the active one, its siblings a tab click away. Three panels squeezed into a narrow
// centre is what cut tabs and problem texts to a word.
export type BottomId = 'run' | 'batch' | 'problems' | 'yaml';

/** Below these widths a panel's tab row or texts no longer fit on their lines. */
export const BOTTOM_MIN_PX: Record<BottomId, number> = { run: 380, batch: 520, problems: 240, yaml: 260 };

/** Width of a separator between two panels. */
const SEPARATOR_PX = 1;

export function fitsSideBySide(open: readonly BottomId[], width: number): boolean {
  const needed = open.reduce((sum, id) => sum + BOTTOM_MIN_PX[id], 0) + SEPARATOR_PX * (open.length - 1);
  return needed <= width;
}

/** The panels to render, in the order given. `active` is the one the user last showed. */
export function visibleBottomPanels(
  open: readonly BottomId[],
  active: BottomId | null,
  width: number,
): BottomId[] {
  if (open.length <= 1 || fitsSideBySide(open, width)) return [...open];
  return [active && open.includes(active) ? active : open[0]!];
}
