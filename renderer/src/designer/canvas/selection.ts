// React Flow select changes -> the ui store's selection (the single source of truth for selection).

/** The selection after React Flow's select changes, or null when they change nothing. */
export function applySelectChanges(
  current: readonly string[],
  changes: readonly { type: string; id?: string; selected?: boolean }[],
): string[] | null {
  const next = new Set(current);
  for (const c of changes) {
    if (c.type !== 'select' || c.id === undefined) continue;
    if (c.selected) next.add(c.id);
    else next.delete(c.id);
  }
  if (next.size === current.length && current.every((id) => next.has(id))) return null;
  return [...next];
}
