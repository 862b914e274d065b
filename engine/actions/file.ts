/**
 * file.read, file.write, file.exists, file.list, confined to ctx.baseDir (paths.ts).
 * Shapes: read/write follow TEA Python core_actions.py ({content, success} / {path, success},
 * I/O failures as {success: false, error, error_type}); exists/list follow TEA Rust
 * rust/src/actions/file.rs, the only engine that has them. Differences from TEA: paths are
 * relative to baseDir (TEA: the process cwd), escapes are refused with an ActionError, writes are
 * atomic, and file.list's `pattern` also accepts `*`/`?` globs (TEA Rust: substring only).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { resolveConfined } from './paths.ts';
import { ActionError, requireString } from './registry.ts';
import type { ActionContext, ActionRegistry } from './registry.ts';

function ioFailure(e: unknown, given: string): Record<string, unknown> {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return { success: false, error: `File not found: ${given}`, error_type: 'not_found' };
  if (code === 'EACCES' || code === 'EPERM') {
    return { success: false, error: `Permission denied: ${given}`, error_type: 'permission_denied' };
  }
  return {
    success: false,
    error: (e as Error).message,
    error_type: code === 'EISDIR' ? 'is_directory' : 'io_error',
  };
}

async function fileRead(params: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
  const given = requireString(params, 'path', 'file.read');
  const encoding = (typeof params['encoding'] === 'string' ? params['encoding'] : 'utf-8') as BufferEncoding;
  const real = await resolveConfined(given, ctx, 'file.read');
  try {
    return { content: await readFile(real, { encoding, signal: ctx.signal }), success: true };
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    return ioFailure(e, given);
  }
}

async function fileWrite(params: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
  const given = requireString(params, 'path', 'file.write');
  if (!Object.hasOwn(params, 'content')) {
    throw new ActionError("file.write: missing required parameter 'content'", 'file.write');
  }
  const content = params['content'];
  // TEA Rust writes non-string content as pretty JSON; TEA Python would fail on it.
  const data = typeof content === 'string' ? content : JSON.stringify(content ?? null, null, 2);
  const real = await resolveConfined(given, ctx, 'file.write');
  try {
    await writeFileAtomic(real, data, { mkdirs: true });
    return { path: given, success: true };
  } catch (e) {
    return { ...ioFailure(e, given), error_type: 'write_error' };
  }
}

async function fileExists(params: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
  const given = requireString(params, 'path', 'file.exists');
  const real = await resolveConfined(given, ctx, 'file.exists');
  const info = await stat(real).catch(() => null);
  return { exists: info !== null, is_file: info?.isFile() ?? false, is_dir: info?.isDirectory() ?? false };
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

async function fileList(params: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
  const given = typeof params['path'] === 'string' && params['path'] !== '' ? params['path'] : '.';
  const pattern = typeof params['pattern'] === 'string' ? params['pattern'] : undefined;
  const matches =
    pattern === undefined
      ? () => true
      : /[*?]/.test(pattern)
        ? (name: string) => globToRegExp(pattern).test(name)
        : (name: string) => name.includes(pattern);
  const real = await resolveConfined(given, ctx, 'file.list');
  let entries;
  try {
    entries = await readdir(real, { withFileTypes: true });
  } catch (e) {
    return ioFailure(e, given);
  }
  const files = await Promise.all(
    entries
      .filter((e) => matches(e.name))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(async (e) => {
        // Follow symlinks for the type, as TEA Rust's Path::is_file does.
        const info = await stat(path.join(real, e.name)).catch(() => null);
        return {
          name: e.name,
          path: path.join(given, e.name),
          is_file: info?.isFile() ?? false,
          is_dir: info?.isDirectory() ?? false,
        };
      }),
  );
  return { files };
}

export function registerFileActions(registry: ActionRegistry): void {
  registry.register('file.read', fileRead);
  registry.register('file.write', fileWrite);
  registry.register('file.exists', fileExists);
  registry.register('file.list', fileList);
}
