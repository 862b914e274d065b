import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../engine/workflow/graph.ts';
import { loadWorkflow } from '../../../engine/workflow/load.ts';
import { validateWorkflow } from '../../../engine/workflow/validate.ts';
import { TEMPLATES } from './bundled-templates.ts';
import { BLANK_TEMPLATE, suggestedFileName, templatesFromFiles } from './templates.ts';

describe('templatesFromFiles', () => {
  it('puts blank first, the preferred examples next, titles from name/description or comments', () => {
    const list = templatesFromFiles({
      '/x/zeta.yaml': '# Zeta comment\nnodes: []\n',
      '/x/map-reduce.yaml': 'name: Map it\ndescription: Counts words\nnodes: []\n',
      '/x/alpha.yaml': 'name: [broken\n',
      '/x/parallel-isolation.yaml': 'name: iso\nnodes: []\n',
    });
    expect(list.map((t) => t.id)).toEqual(['blank', 'parallel-isolation', 'map-reduce', 'alpha', 'zeta']);
    expect(list[2]).toMatchObject({ title: 'Map it', description: 'Counts words' });
    expect(list[3]).toMatchObject({ title: 'alpha', description: '' });
    expect(list[4]).toMatchObject({ title: 'zeta', description: 'Zeta comment' });
  });
});

describe('suggestedFileName', () => {
  it('slugs the workflow name, falling back to untitled', () => {
    expect(suggestedFileName('Map Reduce: words!')).toBe('map-reduce-words.yaml');
    expect(suggestedFileName('  ')).toBe('untitled.yaml');
    expect(suggestedFileName(undefined)).toBe('untitled.yaml');
  });
});

describe('bundled templates', () => {
  it('include the four examples the issue asks for, each loading without errors', () => {
    const ids = TEMPLATES.map((t) => t.id);
    expect(ids.slice(0, 5)).toEqual([
      'blank',
      'parallel-isolation',
      'map-reduce',
      'retry-with-timeout',
      'while-loop',
    ]);
    // The blank document has no nodes yet (EMPTY_WORKFLOW is expected); every example must be valid.
    for (const template of TEMPLATES.slice(1)) {
      const load = loadWorkflow(template.text, `${template.id}.yaml`);
      expect(load.model, template.id).not.toBeNull();
      const errors = validateWorkflow(load, { graph: buildGraph(load.model!) }).filter(
        (p) => p.severity === 'error',
      );
      expect(errors, template.id).toEqual([]);
      expect(template.description.length, template.id).toBeGreaterThan(0);
    }
    expect(TEMPLATES[0]).toBe(BLANK_TEMPLATE);
  });
});
