// Reading a workflow from disk: the one Node-only part of engine/workflow (the rest also runs in the
// renderer, which must not import Node modules).
import { readFile } from 'node:fs/promises';
import { decodeWorkflowBytes, loadWorkflow, problem } from './load.ts';
import type { LoadResult } from './types.ts';

/** Reads, decodes and loads a workflow file; an unreadable file becomes a problem, not a throw. */
export async function loadWorkflowFile(path: string): Promise<LoadResult> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : code;
    return {
      text: '',
      file: path,
      model: null,
      problems: [problem('FILE_UNREADABLE', `Cannot read ${path}: ${why}`, 1, 1, path)],
    };
  }
  const decoded = decodeWorkflowBytes(bytes, path);
  if ('problem' in decoded) return { text: '', file: path, model: null, problems: [decoded.problem] };
  return loadWorkflow(decoded.text, path);
}
