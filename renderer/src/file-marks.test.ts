/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDocumentStore } from './designer/document-store.ts';
import { markNotWorkflow } from './file-marks.ts';

const corpus = (path: string) =>
  readFileSync(new URL(`../../test/fixtures/tea-corpus/${path}`, import.meta.url), 'utf8');

describe('markNotWorkflow', () => {
  it('marks a file the loader names NOT_A_WORKFLOW and unmarks it once its text is a workflow', () => {
    const path = 'schemas/invoice-schema.yaml';
    const doc = createDocumentStore();
    doc.getState().open(corpus('examples/llamaextract/schemas/invoice-schema.yaml'), path);
    const none = new Set<string>();
    const marked = markNotWorkflow(none, path, doc.getState().load.problems);
    expect([...marked]).toEqual([path]);
    expect(markNotWorkflow(marked, path, doc.getState().load.problems)).toBe(marked); // unchanged
    doc.getState().setText('name: now\nnodes:\n  - name: a\n    run: return {}\n', { label: 'Type' });
    expect([...markNotWorkflow(marked, path, doc.getState().load.problems)]).toEqual([]);
  });

  it('leaves workflows and unsaved documents unmarked', () => {
    const doc = createDocumentStore(corpus('examples/yaml/dynamic_parallel_action_mode.yaml'), 'a.yaml');
    const none = new Set<string>();
    expect(markNotWorkflow(none, 'a.yaml', doc.getState().load.problems)).toBe(none);
    expect(
      markNotWorkflow(none, null, [
        { severity: 'error', code: 'NOT_A_WORKFLOW', message: '', line: 1, col: 1 },
      ]),
    ).toBe(none);
  });
});
