// What the start page shows, as data: the workflow files of the host's listing (with the bundled
// template's description when the file is one of the examples) and the recent files, deduplicated.
import type { FileEntry } from '../../../engine/host/types.ts';
import type { DocumentTemplate } from './templates.ts';

export interface FileCard {
  path: string;
  /** File name without its folder. */
  name: string;
  /** The example's description (from the bundled template of the same stem), else the folder. */
  detail: string;
}

const WORKFLOW_FILE = /\.ya?ml$/i;

/** File stem of a path: `a/b/map-reduce.yaml` -> `map-reduce`. */
export function fileStem(path: string): string {
  return (path.split('/').at(-1) ?? path).replace(WORKFLOW_FILE, '');
}

function folderOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut > 0 ? path.slice(0, cut) : '';
}

function describe(path: string, templates: readonly DocumentTemplate[], fallback: string): FileCard {
  const stem = fileStem(path);
  const template = templates.find((t) => t.id === stem);
  return {
    path,
    name: path.split('/').at(-1) ?? path,
    detail: template?.description || fallback,
  };
}

/** Workflow files (YAML) of a folder listing, in listing order. */
export function exampleCards(
  files: readonly FileEntry[],
  templates: readonly DocumentTemplate[],
): FileCard[] {
  return files
    .filter((f) => f.kind === 'file' && WORKFLOW_FILE.test(f.name))
    .map((f) => describe(f.path, templates, folderOf(f.path)));
}

/** Recent files, newest first, at most `max`; described like the examples, else by their folder. */
export function recentCards(
  recent: readonly string[],
  templates: readonly DocumentTemplate[],
  max = 8,
): FileCard[] {
  const seen = new Set<string>();
  const out: FileCard[] = [];
  for (const path of recent) {
    if (seen.has(path) || out.length >= max) continue;
    seen.add(path);
    out.push(describe(path, templates, folderOf(path) || 'in the served folder'));
  }
  return out;
}
