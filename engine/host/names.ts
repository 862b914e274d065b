// File and folder names the hosts create (new folder, rename, a new file on save): one rule set, pure,
// so the renderer's file dialog shows the same message as you type that the host answers with.
import { MAX_FILE_NAME_BYTES } from '../limits.ts';

export const WORKFLOW_EXTENSIONS = ['.yaml', '.yml'] as const;

/** True when the name ends in .yaml or .yml (any case). */
export function hasWorkflowExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return WORKFLOW_EXTENSIONS.some((ext) => lower.endsWith(ext) && lower.length > ext.length);
}

/**
 * Why `name` cannot be a file or folder name, or null when it can. A name is one path segment: no
 * separators (it would reach another folder), no control characters (invisible, break listings and
 * terminals), not `.`/`..`, not hidden (the hosts do not list dot files, so it would vanish from view),
 * no trailing space or dot (Windows drops them silently), at most MAX_FILE_NAME_BYTES bytes of UTF-8.
 */
export function fileNameProblem(name: string): string | null {
  if (name.length === 0) return 'the name is empty';
  if (name === '.' || name === '..') return `'${name}' is not a name`;
  if (/[/\\]/.test(name)) return 'a name cannot contain / or \\';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'a name cannot contain control characters';
  if (name.startsWith('.')) return 'a name cannot start with a dot (hidden files are not listed)';
  if (/[ .]$/.test(name)) return 'a name cannot end with a space or a dot';
  if (name.trim() !== name) return 'a name cannot start with a space';
  if (new TextEncoder().encode(name).length > MAX_FILE_NAME_BYTES) {
    return `the name is longer than ${MAX_FILE_NAME_BYTES} bytes`;
  }
  return null;
}

/** Like fileNameProblem, and a workflow file's name must end in .yaml or .yml. */
export function workflowFileNameProblem(name: string): string | null {
  const problem = fileNameProblem(name);
  if (problem) return problem;
  return hasWorkflowExtension(name) ? null : 'a workflow file name ends in .yaml or .yml';
}
