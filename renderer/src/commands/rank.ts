// Filtering and ranking for the command palette: every word of the query must match the item's title
// (or keywords) as a subsequence; matches at the start, at word starts and in one piece rank higher.

export interface PaletteItem {
  id: string;
  title: string;
  /** Section shown next to the title ("Command", "File", "Node", "New"). */
  group: string;
  /** Extra words that match but are not shown (e.g. "lua" for a Lua node). */
  keywords?: string;
  /** Shortcut shown on the right ("Ctrl+S"). */
  keys?: string;
  disabled?: boolean;
  /** Why a disabled item cannot run now ("Select one node…"). */
  reason?: string;
}

const WORD_START = /[\s\-_/.:›<(]/;

/**
 * Score of `needle` (lowercase, no spaces) in `hay`, or null when it is not a subsequence. Higher is
 * better: a prefix beats a word start beats a substring beats a scattered subsequence.
 */
export function scoreWord(needle: string, hay: string): number | null {
  if (needle === '') return 0;
  const text = hay.toLowerCase();
  if (text.startsWith(needle)) return 100 + needle.length * 2 - text.length * 0.01;
  const at = text.indexOf(needle);
  if (at > 0 && WORD_START.test(text[at - 1]!)) return 80 + needle.length - at * 0.1;
  if (at > 0) return 60 - at * 0.1;
  // Subsequence: reward characters that start words or follow the previous match.
  let score = 20;
  let from = 0;
  let last = -2;
  for (const ch of needle) {
    const i = text.indexOf(ch, from);
    if (i < 0) return null;
    if (i === last + 1) score += 2;
    else if (i === 0 || WORD_START.test(text[i - 1]!)) score += 3;
    else score -= Math.min(i - last, 10) * 0.3;
    last = i;
    from = i + 1;
  }
  return score;
}

/** Score of a whole query (words separated by spaces) against an item, or null if any word misses. */
export function scoreItem(query: string, item: PaletteItem): number | null {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  let total = 0;
  for (const word of words) {
    const inTitle = scoreWord(word, item.title);
    const inGroup = scoreWord(word, item.group);
    const inKeywords = item.keywords ? scoreWord(word, item.keywords) : null;
    const best = Math.max(inTitle ?? -1, (inGroup ?? -1) - 30, (inKeywords ?? -1) - 10);
    if (best < 0) return null;
    total += best;
  }
  return total;
}

/** Items matching `query`, best first; ties keep the given order. An empty query keeps every item. */
export function rankItems<T extends PaletteItem>(items: readonly T[], query: string, limit = 100): T[] {
  if (query.trim() === '') return items.slice(0, limit);
  return items
    .map((item, index) => ({ item, index, score: scoreItem(query, item) }))
    .filter((x): x is { item: T; index: number; score: number } => x.score !== null)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, limit)
    .map((x) => x.item);
}

/** Next highlighted row for ArrowUp/ArrowDown (wrapping), skipping nothing: disabled rows stay visible. */
export function moveHighlight(current: number, delta: number, count: number): number {
  if (count === 0) return 0;
  return (((current + delta) % count) + count) % count;
}
