// Paths in the Batch tab: the folder of a host path, and what an export name asks for.

/** The folder part of a host path ('' for a name at the root). */
export function folderOfPath(path: string): string {
  const at = path.replace(/\/+$/, '').lastIndexOf('/');
  return at <= 0 ? (at === 0 ? '/' : '') : path.slice(0, at);
}

/** The export's format by its extension, or null when it is neither .jsonl nor .csv. */
export function exportTarget(path: string): { path: string; format: 'jsonl' | 'csv' } | null {
  const trimmed = path.trim();
  const match = /\.(jsonl|csv)$/i.exec(trimmed);
  return match ? { path: trimmed, format: match[1]!.toLowerCase() as 'jsonl' | 'csv' } : null;
}
