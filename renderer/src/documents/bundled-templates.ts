// The example workflows, bundled into the renderer as text (Vite `?raw`), for File › New.
import { templatesFromFiles, type DocumentTemplate } from './templates.ts';

const files = import.meta.glob<string>('../../../resources/examples/*.yaml', {
  query: '?raw',
  import: 'default',
  eager: true,
});

export const TEMPLATES: readonly DocumentTemplate[] = templatesFromFiles(files);
