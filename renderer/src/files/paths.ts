// Paths as the browser host writes them: relative to the served root, forward slashes, '' = the root.
// Pure helpers for the file dialog and the file flows (breadcrumb, parent, names, display).

/** Joins a folder ('' = root) and a name. */
export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir.replace(/\/+$/, '')}/${name}`;
}

/** The folder of a path ('' for a file at the root). */
export function folderOf(path: string): string {
  const at = path.replace(/\/+$/, '').lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}

/** The last segment of a path. */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Breadcrumb of a folder: the root, then each folder down to `dir`, with the path to go back to. */
export function breadcrumb(dir: string): { name: string; path: string }[] {
  const crumbs = [{ name: 'Root', path: '' }];
  let at = '';
  for (const part of dir.split('/').filter((p) => p !== '')) {
    at = joinPath(at, part);
    crumbs.push({ name: part, path: at });
  }
  return crumbs;
}

/**
 * The file name a typed name saves as: a name without an extension gets `.yaml` (what users mean);
 * anything else is kept and checked as typed.
 */
export function withYamlExtension(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || /\.[^./\\]*$/.test(trimmed)) return trimmed;
  return `${trimmed}.yaml`;
}

/** "my-flow.yaml" -> "my-flow.portable.yaml": the default name of an export. */
export function portableName(name: string): string {
  const match = /^(.*?)(\.ya?ml)$/i.exec(name);
  return match ? `${match[1]}.portable${match[2]}` : `${name}.portable.yaml`;
}

/** 0 B, 812 B, 4.2 KB, 1.3 MB. */
export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** "14:05" today, "3 Dec 14:05" this year, "3 Dec 2024" before. */
export function formatModified(mtimeMs: number | undefined, now = new Date()): string {
  if (mtimeMs === undefined) return '';
  const at = new Date(mtimeMs);
  const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (at.toDateString() === now.toDateString()) return time;
  const day = at.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  return at.getFullYear() === now.getFullYear() ? `${day} ${time}` : `${day} ${at.getFullYear()}`;
}

/** Entries whose name contains every word of the filter (case-insensitive), in their order. */
export function filterEntries<T extends { name: string }>(entries: readonly T[], filter: string): T[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...entries];
  return entries.filter((e) => {
    const name = e.name.toLowerCase();
    return words.every((w) => name.includes(w));
  });
}

/**
 * The filter and active row once a listing of `target` arrives. Moving to another folder clears the
 * filter; the first listing and a re-list of the same folder keep it, so keys typed while the dialog
 * was still listing (type-ahead) are not lost, unless it would hide the entry to select.
 */
export function afterListing<T extends { name: string; path: string }>(
  shown: { dir: string; listed: boolean; filter: string },
  target: string,
  entries: readonly T[],
  select?: string,
): { filter: string; active: number } {
  const moved = shown.listed && target !== shown.dir;
  let filter = moved ? '' : shown.filter;
  if (select !== undefined && !filterEntries(entries, filter).some((e) => e.path === select)) filter = '';
  const at = select === undefined ? -1 : filterEntries(entries, filter).findIndex((e) => e.path === select);
  return { filter, active: Math.max(at, 0) };
}
