// Templates for File › New: a blank document plus the example workflows of resources/examples. The
// example texts are bundled into the renderer (bundled-templates.ts), so New works in both hosts
// without file access. Pure: turns file texts into the menu's entries.
import { parse } from 'yaml';

export interface DocumentTemplate {
  /** File stem (`map-reduce`), or `blank`. */
  id: string;
  /** Shown in the menu: the workflow's `name`, else the file stem. */
  title: string;
  /** The workflow's `description`, else the file's first comment line. */
  description: string;
  text: string;
}

export const BLANK_TEMPLATE: DocumentTemplate = {
  id: 'blank',
  title: 'Blank workflow',
  description: 'An empty workflow: drag nodes from the palette',
  text: 'name: untitled\nnodes: []\n',
};

/** Listed first, in this order (the four); other examples follow alphabetically. */
const PREFERRED = ['parallel-isolation', 'map-reduce', 'retry-with-timeout', 'while-loop'];

function describe(id: string, text: string): Omit<DocumentTemplate, 'text'> {
  let name: unknown;
  let description: unknown;
  try {
    const doc = parse(text) as { name?: unknown; description?: unknown } | null;
    name = doc?.name;
    description = doc?.description;
  } catch {
    // a broken example still appears, titled by its file name
  }
  const comment = /^#\s*(.+)$/m.exec(text)?.[1] ?? '';
  return {
    id,
    title: typeof name === 'string' && name.trim() ? name.trim() : id,
    description: typeof description === 'string' && description.trim() ? description.trim() : comment,
  };
}

/** Menu entries from `{ '<any dir>/<stem>.yaml': text }`: blank first, then the examples. */
export function templatesFromFiles(files: Readonly<Record<string, string>>): DocumentTemplate[] {
  const examples = Object.entries(files)
    .map(([file, text]) => {
      const id = (file.split('/').at(-1) ?? file).replace(/\.ya?ml$/, '');
      return { ...describe(id, text), text };
    })
    .sort((a, b) => {
      const ra = PREFERRED.indexOf(a.id);
      const rb = PREFERRED.indexOf(b.id);
      if (ra !== rb) return (ra < 0 ? PREFERRED.length : ra) - (rb < 0 ? PREFERRED.length : rb);
      return a.id.localeCompare(b.id);
    });
  return [BLANK_TEMPLATE, ...examples];
}

/** Default file name offered when saving an untitled document: its workflow name as a slug. */
export function suggestedFileName(workflowName: string | undefined): string {
  const slug = (workflowName ?? '')
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'untitled'}.yaml`;
}
