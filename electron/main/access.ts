// Which files a renderer may reach by path: workflow files (.yaml/.yml) inside folders the user
// granted (the examples, folders picked in a dialog, folders of files opened from the command line or
// the recent list). A compromised page therefore cannot read or overwrite arbitrary files. This is
// Electron's policy; the confinement itself (lexical, then real path) is engine/host/scope.ts.
import { dirname, isAbsolute, resolve } from 'node:path';
import { isInside, isWorkflowFile, type FileScope } from '../../engine/host/scope.ts';

export { WORKFLOW_EXTENSIONS, isWorkflowFile, toForwardSlashes } from '../../engine/host/scope.ts';

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

  /**
   * Lexical answer only (absolute, a workflow file, inside a granted folder); requests go through the
   * service, which also resolves symlinks.
   */
  allowsFile(path: string): boolean {
    if (!isAbsolute(path) || !isWorkflowFile(path)) return false;
    const folder = dirname(resolve(path));
    return [...this.roots].some((root) => isInside(root, folder));
  }

  /** Every folder granted so far (the start-up sweep for stale temp files walks them). */
  grantedFolders(): string[] {
    return [...this.roots];
  }

  /** The host service's policy: absolute paths only, inside a granted folder. */
  scope(): FileScope {
    return {
      base: null,
      roots: () => [...this.roots],
      defaultFolder: () => this.current,
      grantFile: (file) => {
        if (isWorkflowFile(file)) this.grantFile(file);
      },
    };
  }
}
