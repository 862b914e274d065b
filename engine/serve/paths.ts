// Confines every file path of the serve API to the root folder: lexical checks first (NUL, `..`,
// absolute paths elsewhere), then the real path, so a symlink inside the root cannot lead out of it.
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { HostFailure } from './errors.ts';

export interface RootPath {
  /** Real absolute path to read or write. */
  abs: string;
  /** The path relative to the root as the client named it, with forward slashes ('' = the root). */
  rel: string;
}

/** True when `target` is `root` or inside it (both absolute and normalised). */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function toSlashes(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * Resolves a client path against `root` (itself a real path). With `allowMissing`, a file that does
 * not exist yet is accepted when its parent folder's real path is inside the root (for saves).
 */
export async function resolveInRoot(
  root: string,
  path: string,
  options: { allowMissing?: boolean } = {},
): Promise<RootPath> {
  if (path.includes('\0')) throw new HostFailure('FORBIDDEN', 'path contains a NUL byte');
  const lexical = resolve(root, path);
  if (!isInside(root, lexical))
    throw new HostFailure('FORBIDDEN', `path '${path}' is outside the root folder`);
  const rel = toSlashes(relative(root, lexical));
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!options.allowMissing) throw new HostFailure('NOT_FOUND', `'${rel}' does not exist`);
    let parent: string;
    try {
      parent = await realpath(dirname(lexical));
    } catch {
      throw new HostFailure('NOT_FOUND', `the folder of '${rel}' does not exist`);
    }
    if (!isInside(root, parent)) {
      throw new HostFailure('FORBIDDEN', `'${rel}' leads outside the root folder (symlink)`);
    }
    return { abs: resolve(parent, basename(lexical)), rel };
  }
  if (!isInside(root, real))
    throw new HostFailure('FORBIDDEN', `'${rel}' leads outside the root folder (symlink)`);
  return { abs: real, rel };
}
