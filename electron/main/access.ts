// Which files a renderer may reach by path: workflow files (.yaml/.yml) inside folders the user
// granted (the examples, folders picked in a dialog, folders of files opened from the command line or
// the recent list). A compromised page therefore cannot read or overwrite arbitrary files.
import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';

export const WORKFLOW_EXTENSIONS = ['.yaml', '.yml'] as const;

export function isWorkflowFile(path: string): boolean {
  return (WORKFLOW_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

export function toForwardSlashes(path: string): string {
  return sep === '\\' ? path.split('\\').join('/') : path;
}

export class FileAccess {
  private readonly roots = new Set<string>();
  private current: string;

  constructor(defaultFolder: string) {
    this.current = resolve(defaultFolder);
    this.grantFolder(this.current);
  }

  grantFolder(folder: string): void {
    this.roots.add(resolve(folder));
  }

  /** Grants the file's folder and makes it the current one (the default of listFiles). */
  grantFile(file: string): void {
    this.current = dirname(resolve(file));
    this.grantFolder(this.current);
  }

  get currentFolder(): string {
    return this.current;
  }

  /** True when `path` is absolute and lies inside (or is) a granted folder. */
  allowsFolder(path: string): boolean {
    if (!isAbsolute(path)) return false;
    const target = resolve(path);
    for (const root of this.roots) {
      const rel = relative(root, target);
      if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return true;
    }
    return false;
  }

  allowsFile(path: string): boolean {
    return isWorkflowFile(path) && this.allowsFolder(dirname(resolve(path))) && isAbsolute(path);
  }
}
