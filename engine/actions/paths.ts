/**
 * Confines file actions to ctx.baseDir. A path is accepted only if both its lexical form and its
 * real location (symlinks resolved, including those of not-yet-existing parents' ancestors) stay
 * inside the real base directory.
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ActionError } from './registry.ts';
import type { ActionContext } from './registry.ts';

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * realpath of the deepest existing ancestor, with the missing tail appended. A dangling symlink
 * on the way is followed by hand (realpath refuses it), so it cannot smuggle a write outside.
 */
async function realpathAllowMissing(p: string, depth = 0): Promise<string> {
  if (depth > 40) throw new Error(`too many levels of symbolic links: ${p}`);
  const tail: string[] = [];
  let current = p;
  for (;;) {
    try {
      return path.join(await realpath(current), ...tail.reverse());
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      const link = await lstat(current).catch(() => null);
      if (link?.isSymbolicLink()) {
        const target = path.resolve(path.dirname(current), await readlink(current));
        return path.join(await realpathAllowMissing(target, depth + 1), ...tail.reverse());
      }
      const parent = path.dirname(current);
      if (parent === current) return p;
      tail.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Resolves `given` (relative to baseDir; `file://` prefix allowed) to an absolute real path.
 * Throws ActionError naming the path when it would escape the base directory.
 */
export async function resolveConfined(given: string, ctx: ActionContext, action: string): Promise<string> {
  const stripped = given.startsWith('file://') ? given.slice('file://'.length) : given;
  if (stripped.includes('\0')) throw new ActionError(`${action}: invalid path '${given}'`, action);
  const base = path.resolve(ctx.baseDir);
  const lexical = path.resolve(base, stripped);
  if (ctx.allowOutside) return lexical;
  const refuse = (): never => {
    throw new ActionError(
      `${action}: path '${given}' is outside the allowed base directory '${base}' (node '${ctx.node}')`,
      action,
    );
  };
  if (!isInside(base, lexical)) refuse();
  const realBase = await realpathAllowMissing(base);
  const real = await realpathAllowMissing(lexical);
  if (!isInside(realBase, real)) refuse();
  return real;
}
