// Marks in the file list for files known not to be workflows: the host's listing flags the plain
// cases from a quick look at each file (FileEntry.notWorkflow); a file opened here is marked by what
// its loader said (NOT_A_WORKFLOW), and the mark goes when its text becomes a workflow.
import { useEffect, useState } from 'react';
import type { Problem } from '../../engine/workflow/types.ts';
import type { DocumentStore } from './designer/document-store.ts';

/** `marked` with `path` added or removed by what the loader said of its text (same set if unchanged). */
export function markNotWorkflow(
  marked: ReadonlySet<string>,
  path: string | null,
  problems: readonly Problem[],
): ReadonlySet<string> {
  if (path === null) return marked;
  const notWorkflow = problems.some((p) => p.code === 'NOT_A_WORKFLOW');
  if (notWorkflow === marked.has(path)) return marked;
  const next = new Set(marked);
  if (notWorkflow) next.add(path);
  else next.delete(path);
  return next;
}

/** The set of file paths seen not to be workflows, following the document store. */
export function useNotWorkflowMarks(doc: DocumentStore): ReadonlySet<string> {
  const [marked, setMarked] = useState<ReadonlySet<string>>(() => new Set());
  useEffect(() => {
    const apply = (path: string | null, problems: readonly Problem[]) =>
      setMarked((cur) => markNotWorkflow(cur, path, problems));
    apply(doc.getState().path, doc.getState().load.problems);
    return doc.subscribe((s, p) => {
      if (s.load !== p.load || s.path !== p.path) apply(s.path, s.load.problems);
    });
  }, [doc]);
  return marked;
}
