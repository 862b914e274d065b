import { describe, expect, it } from 'vitest';
import { generateWorkflow } from '../../bench/gen.ts';
import { exportPortable, graphSignature, sameGraph } from './export.ts';
import { buildGraph } from './graph.ts';
import { lintPortability } from './lint.ts';
import { loadWorkflow } from './load.ts';
import type { WorkflowGraph } from './types.ts';
import { validateWorkflow } from './validate.ts';

function graphOf(text: string): WorkflowGraph {
  const load = loadWorkflow(text);
  if (!load.model) throw new Error(JSON.stringify(load.problems));
  return buildGraph(load.model);
}

/** Exports and checks the contract: no errors, same graph, idempotent, no portability warnings left. */
function exportChecked(text: string): string {
  const result = exportPortable(text);
  expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  const load = loadWorkflow(result.text);
  expect(validateWorkflow(load).filter((p) => p.severity === 'error')).toEqual([]);
  expect(graphSignature(graphOf(result.text))).toEqual(graphSignature(graphOf(text)));
  expect(exportPortable(result.text).text).toBe(result.text);
  return result.text;
}

describe('exportPortable', () => {
  it('returns an already portable file unchanged', () => {
    const text = [
      '# comment kept',
      'name: w',
      'nodes:',
      '  - name: s',
      '    language: lua',
      '    run: |',
      '      return {}',
      '  - {name: a, goto: j}',
      '  - {name: b, goto: j}',
      '  - {name: j, goto: __end__}',
      'edges:',
      '  - {from: s, to: a, type: parallel, fan_in: j, parallel: [a, b]}',
      '  - {from: s, to: b, type: parallel, fan_in: j}',
      '',
    ].join('\n');
    const result = exportPortable(text);
    expect(result.text).toBe(text);
    expect(result.problems).toEqual([]);
  });

  it('adds the rust list to python-form fan-outs in place, keeping comments', () => {
    const text = [
      'name: w',
      'nodes:',
      '  - {name: s}',
      '  - {name: a}',
      '  - {name: b}',
      '  - {name: j}',
      'edges:',
      '  # the fan-out',
      '  - from: s',
      '    to: a',
      '    type: parallel',
      '    fan_in: j',
      '  - from: s',
      '    to: b',
      '    type: parallel',
      '    fan_in: j',
      '  - {from: a, to: j}',
      '  - {from: b, to: j}',
      '  - {from: j, to: __end__}',
      '',
    ].join('\n');
    const out = exportChecked(text);
    expect(out).toContain(
      '  # the fan-out\n  - from: s\n    to: a\n    type: parallel\n    fan_in: j\n    parallel: [a, b]\n',
    );
    expect(out.match(/parallel: \[/g)).toHaveLength(1);
    expect(graphOf(out).fanOuts[0]?.form).toBe('hybrid');
  });

  it('rewrites rust-form, `parallel: true` and `to: [..]` fan-outs to the hybrid form', () => {
    const base = (decl: string[]) =>
      [
        'name: w',
        'nodes:',
        '  - {name: s}',
        '  - {name: a, goto: j}',
        '  - {name: b, goto: j}',
        '  - {name: j, goto: __end__}',
        'edges:',
        ...decl,
        '',
      ].join('\n');
    for (const decl of [
      ['  - {from: s, parallel: [a, b]}'],
      ['  - {from: s, to: a, parallel: true, fan_in: j}', '  - {from: s, to: b, parallel: true, fan_in: j}'],
      ['  - {from: s, to: [a, b], parallel: true, fan_in: j}'],
    ]) {
      const out = exportChecked(base(decl));
      const load = loadWorkflow(out);
      const entries = load.model?.edges.filter((e) => e.from === 's') ?? [];
      expect(entries.map((e) => [e.to, e.type, e.fanIn, e.parallel])).toEqual([
        ['a', 'parallel', 'j', ['a', 'b']],
        ['b', 'parallel', 'j', undefined],
      ]);
      expect(lintPortability(load.model!, buildGraph(load.model!), out)).toEqual([]);
    }
  });

  it('makes list-order successors explicit: goto in goto-style files, edges in edges-style files', () => {
    const gotoStyle = exportChecked(
      ['name: w', 'nodes:', '  - {name: a}', '  - {name: b, goto: __end__}', ''].join('\n'),
    );
    expect(gotoStyle).toContain('{name: a, goto: b}');
    const edgeStyle = exportChecked(
      ['name: w', 'nodes: [{name: a}, {name: b}, {name: c}]', 'edges:', '  - {from: a, to: b}', ''].join(
        '\n',
      ),
    );
    expect(edgeStyle.split('\n').filter((l) => l.includes('from:'))).toEqual([
      '  - {from: a, to: b}',
      '  - {from: b, to: c}',
      '  - {from: c, to: __end__}',
    ]);
  });

  it('adds `language: lua` to Lua code without a language', () => {
    const out = exportChecked(
      ['name: w', 'nodes:', '  - name: a', '    run: |', '      return {}', '    goto: __end__', ''].join(
        '\n',
      ),
    );
    expect(out).toBe(
      [
        'name: w',
        'nodes:',
        '  - name: a',
        '    language: lua',
        '    run: |',
        '      return {}',
        '    goto: __end__',
        '',
      ].join('\n'),
    );
  });

  it('exports generated workflows in every form to the same graph with no portability warnings left', () => {
    const text = generateWorkflow({ nodes: 60, fanOutEvery: 4, branches: 3 });
    const out = exportChecked(text);
    const load = loadWorkflow(out);
    const left = lintPortability(load.model!, buildGraph(load.model!), out).map((p) => p.code);
    expect(left.filter((c) => c !== 'MULTI_NODE_BRANCH')).toEqual([]);
    expect(sameGraph(graphOf(out), graphOf(text))).toBe(true);
  });

  it('returns the load problems for unusable input', () => {
    const result = exportPortable('name: [unclosed');
    expect(result.text).toBe('name: [unclosed');
    expect(result.problems[0]?.severity).toBe('error');
  });
});
