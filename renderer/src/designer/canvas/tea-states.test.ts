// The canvas's reading of a TEA file that has nothing to draw (canvas-state.ts) and of the host's
// UNKNOWN_ACTION warnings (unknown-actions.ts), on real corpus files through the real loader.
/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../../../../engine/workflow/load.ts';
import type { Problem } from '../../../../engine/workflow/types.ts';
import { validateWorkflow } from '../../../../engine/workflow/validate.ts';
import { canvasStateMessage } from './canvas-state.ts';
import { createCanvasLocalStore } from './context.ts';
import { unknownActionNames } from './unknown-actions.ts';

const corpus = (path: string) =>
  readFileSync(new URL(`../../../../test/fixtures/tea-corpus/${path}`, import.meta.url), 'utf8');

describe('canvasStateMessage', () => {
  it('names a JSON Schema as not a workflow, in one line', () => {
    const load = loadWorkflow(corpus('examples/llamaextract/schemas/invoice-schema.yaml'));
    expect(load.model).toBeNull();
    const state = canvasStateMessage(load.problems);
    expect(state.kind).toBe('not-a-workflow');
    expect(state.text).toMatch(/^Not a workflow: .*JSON Schema/);
    expect(state.text).not.toContain('\n');
  });

  it('names a TEA overlay as not a workflow', () => {
    const state = canvasStateMessage(
      loadWorkflow(corpus('tests/fixtures/overlay/overlay_settings.yaml')).problems,
    );
    expect(state).toMatchObject({ kind: 'not-a-workflow' });
    expect(state.text).toContain('overlay');
  });

  it('gives the first error with its position for YAML that does not parse', () => {
    const load = loadWorkflow(corpus('python/tests/fixtures/validate/broken/yaml_parse_error.yaml'));
    const state = canvasStateMessage(load.problems);
    expect(state.kind).toBe('invalid');
    expect(state.text).toMatch(/^Cannot draw this file: .* \(line \d+, col \d+\)$/);
  });
});

describe('unknownActionNames', () => {
  const known = ['json.parse', 'http.get', 'file.read', 'file.write', 'memory.store'];

  it('reads the action names of UNKNOWN_ACTION warnings from the nodes they name', () => {
    const load = loadWorkflow(corpus('examples/mem0/mem0-user-personalization.yaml'));
    const problems = validateWorkflow(load, { knownActions: known });
    expect(unknownActionNames(problems, load.model).sort()).toEqual([
      'llm.call',
      'memory.mem0.add',
      'memory.mem0.search',
    ]);
  });

  it('reads a dynamic_parallel body action', () => {
    const load = loadWorkflow(corpus('examples/yaml/dynamic_parallel_action_mode.yaml'));
    const problems = validateWorkflow(load, { knownActions: ['json.parse'] });
    expect(unknownActionNames(problems, load.model)).toEqual(['http.get']);
    expect(unknownActionNames(validateWorkflow(load, { knownActions: known }), load.model)).toEqual([]);
  });

  it('ignores other problems and problems without a node or model', () => {
    const load = loadWorkflow(corpus('examples/mem0/mem0-user-personalization.yaml'));
    const other: Problem = { severity: 'warning', code: 'MISSING_NAME', message: 'x', line: 1, col: 1 };
    const orphan: Problem = { ...other, code: 'UNKNOWN_ACTION' };
    expect(unknownActionNames([other, orphan], load.model)).toEqual([]);
    expect(unknownActionNames([{ ...orphan, node: 'route_action' }], null)).toEqual([]);
  });

  it('the canvas store remembers them for the session and keeps its set when nothing is new', () => {
    const local = createCanvasLocalStore();
    local.getState().learnUnknownActions(['llm.call']);
    const first = local.getState().unknownActions;
    local.getState().learnUnknownActions(['llm.call']);
    expect(local.getState().unknownActions).toBe(first);
    local.getState().learnUnknownActions([]);
    local.getState().learnUnknownActions(['a2a.send']);
    expect([...local.getState().unknownActions].sort()).toEqual(['a2a.send', 'llm.call']);
  });
});
