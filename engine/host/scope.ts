// Path confinement, once for both hosts. A FileScope is the policy: the folders files may live in and
// how client paths are written. `fanout serve` has one root (--root); relative paths resolve against it
// and are shown relative to it. Electron has the folders the user granted through dialogs, the command
// line and the recent list; paths are absolute. Either way a path is checked lexically first, then by
// real path, so a symlink inside a granted folder cannot lead out of it.
import { realpath } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { HostFailure } from './errors.ts';
import { WORKFLOW_EXTENSIONS } from './names.ts';

export { WORKFLOW_EXTENSIONS };

export function isWorkflowFile(path: string): boolean {
  return (WORKFLOW_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

export function toForwardSlashes(path: string): string {
  return sep === '\\' ? path.split('\\').join('/') : path;
}

export interface FileScope {
  /** Folders files may be in (compared lexically and by real path). */
  roots(): readonly string[];
  /**
   * Folder relative paths resolve against, and paths are shown relative to (serve); null when only
   * absolute paths are accepted and shown (Electron).
   */
  readonly base: string | null;
  /** Listed when no folder is named; the start folder of a save dialog. */
  defaultFolder(): string;
  /** The user chose this file (dialog) or opened/saved it: Electron grants its folder. */
  grantFile?(abs: string): void;
}

export interface ScopedPath {
  /** Real absolute path to read or write (for a missing file: its real folder + its name). */
  abs: string;
  /** The path as the client should see it: relative to the base with forward slashes, or absolute. */
  shown: string;
}

/** True when `target` is `root` or inside it (both absolute and normalised). */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function realRoots(scope: FileScope): Promise<string[]> {
  const roots = scope.roots().map((r) => resolve(r));
  const real = await Promise.all(roots.map((r) => realpath(r).catch(() => null)));
  return real.filter((r): r is string => r !== null);
}

/**
 * Resolves a client path inside the scope, or throws FORBIDDEN (outside), NOT_FOUND, BAD_REQUEST.
 * With `allowMissing`, a file that does not exist yet is accepted when its folder's real path is inside
 * (saves, and the path of a run's unsaved document).
 */
export async function confine(
  scope: FileScope,
  path: string,
  options: { allowMissing?: boolean } = {},
): Promise<ScopedPath> {
  if (path.includes('\0')) throw new HostFailure('BAD_REQUEST', 'the path contains a NUL byte');
  if (scope.base === null && !isAbsolute(path)) {
    throw new HostFailure('BAD_REQUEST', `the path must be absolute: ${path}`);
  }
  const lexical = resolve(scope.base ?? '/', path);
  const shown = toForwardSlashes(scope.base === null ? lexical : relative(scope.base, lexical));
  const name = shown === '' ? 'the root folder' : `'${shown}'`;
  const roots = await realRoots(scope);
  const lexicalRoots = scope.roots().map((r) => resolve(r));
  if (![...roots, ...lexicalRoots].some((root) => isInside(root, lexical))) {
    throw new HostFailure('FORBIDDEN', `${name} is outside the folders this host may reach`);
  }
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!options.allowMissing) throw new HostFailure('NOT_FOUND', `${name} does not exist`);
    let folder: string;
    try {
      folder = await realpath(dirname(lexical));
    } catch {
      const parent = dirname(shown);
      throw new HostFailure(
        'NOT_FOUND',
        `the folder '${parent === '.' ? '' : parent}' does not exist (saving ${name} creates no folders)`,
      );
    }
    if (!roots.some((root) => isInside(root, folder))) {
      throw new HostFailure('FORBIDDEN', `${name} leads outside the folders this host may reach (symlink)`);
    }
    return { abs: resolve(folder, basename(lexical)), shown };
  }
  if (!roots.some((root) => isInside(root, real))) {
    throw new HostFailure('FORBIDDEN', `${name} leads outside the folders this host may reach (symlink)`);
  }
  return { abs: real, shown };
}

/** Files the hosts open, save and run must be workflow files (.yaml/.yml). */
export function requireWorkflowFile(file: ScopedPath): void {
  if (!isWorkflowFile(file.abs) || !isWorkflowFile(file.shown)) {
    throw new HostFailure('FORBIDDEN', `'${file.shown}' is not a workflow file (.yaml/.yml)`);
  }
}

/** Serve's scope: everything under one root folder (a real path). */
export function rootScope(root: string): FileScope {
  return { base: root, roots: () => [root], defaultFolder: () => root };
}
