import { describe, expect, it } from 'vitest';
import { applyEdits, batchEdit } from '../batch.ts';
import { loadWorkflow } from '../load.ts';
import { parseForEdit } from './locate.ts';
import { deleteGotoRuleSplices, insertGotoRuleSplices, replaceGotoRuleSplices } from './goto-rule-edits.ts';
import { EditError, finish } from './splice.ts';

const DOC = [
  'name: rules',
  'nodes:',
  '  - name: a',
  '    run: return {}',
  '    goto:',
  '      # first: the hot path',
  '      - if: state.x > 1',
  '        to: b',
  '      # a comment about the second rule',
  '      -   if: state.y',
  '          to: c',
  '      - {to: __end__}  # fallback',
  '  - name: b',
  '    run: return {}',
  '  - name: c',
  '    run: return {}',
  '',
].join('\n');

const edit = (text: string, build: (p: ReturnType<typeof parseForEdit>) => ReturnType<typeof finish>) =>
  build(parseForEdit(text));

function rulesOf(text: string): { if?: string; to: string }[] {
  const load = loadWorkflow(text);
  expect(load.problems.filter((p) => p.severity === 'error')).toEqual([]);
  const node = load.model!.nodes.find((n) => n.name === 'a')!;
  return (node.goto as { if?: string; to: string }[]).map((r) =>
    r.if === undefined ? { to: r.to } : { if: r.if, to: r.to },
  );
}

describe('goto rule splice builders', () => {
  it('replaces a block rule in its own layout, leaving the comments and other rules byte-identical', () => {
    const out = edit(DOC, (p) => finish(p, replaceGotoRuleSplices(p, 'a', 1, { if: 'state.z', to: 'b' })));
    expect(out).toBe(DOC.replace('-   if: state.y\n          to: c', '-   if: state.z\n          to: b'));
    expect(rulesOf(out)).toEqual([
      { if: 'state.x > 1', to: 'b' },
      { if: 'state.z', to: 'b' },
      { to: '__end__' },
    ]);
  });

  it('keeps a flow rule a flow mapping and its trailing comment', () => {
    const out = edit(DOC, (p) => finish(p, replaceGotoRuleSplices(p, 'a', 2, { to: 'c' })));
    expect(out).toBe(DOC.replace('- {to: __end__}  # fallback', '- {to: c}  # fallback'));
  });

  it('inserts before a rule at that rule’s dash and key columns, above its comment-free line', () => {
    const out = edit(DOC, (p) => finish(p, insertGotoRuleSplices(p, 'a', 1, { if: 'state.w', to: 'c' })));
    expect(out).toBe(
      DOC.replace(
        '      -   if: state.y\n',
        '      -   if: state.w\n          to: c\n      -   if: state.y\n',
      ),
    );
    expect(rulesOf(out).map((r) => r.if)).toEqual(['state.x > 1', 'state.w', 'state.y', undefined]);
  });

  it('appends after the last rule', () => {
    const out = edit(DOC, (p) => finish(p, insertGotoRuleSplices(p, 'a', 3, { to: 'b' })));
    expect(out).toBe(
      DOC.replace('- {to: __end__}  # fallback\n', '- {to: __end__}  # fallback\n      - to: b\n'),
    );
  });

  it('deletes a rule with its lines and nothing else', () => {
    const out = edit(DOC, (p) => finish(p, deleteGotoRuleSplices(p, 'a', 1)));
    expect(out).toBe(DOC.replace('      -   if: state.y\n          to: c\n', ''));
    expect(rulesOf(out)).toEqual([{ if: 'state.x > 1', to: 'b' }, { to: '__end__' }]);
  });

  it('refuses what it cannot locate with an EditError', () => {
    const p = parseForEdit(DOC);
    expect(() => replaceGotoRuleSplices(p, 'nope', 0, { to: 'b' })).toThrow(/No node named 'nope'/);
    expect(() => deleteGotoRuleSplices(p, 'a', 7)).toThrow(/No goto rule at index 7/);
    expect(() => deleteGotoRuleSplices(p, 'b', 0)).toThrow(EditError);
    const flow = DOC.replace(/ {4}goto:\n(?: {6}.*\n)+/, '    goto: [{if: state.x, to: b}, {to: c}]\n');
    expect(() => edit(flow, (q) => finish(q, deleteGotoRuleSplices(q, 'a', 0)))).toThrow(/no block list/);
  });

  it('in a batch, waits for pending edits (fresh offsets) and matches one-at-a-time application', () => {
    const edits = [
      batchEdit.setNodeField('b', 'description', 'moved text above nothing'),
      batchEdit.setNodeField('a', 'description', 'shifts every rule offset'),
      batchEdit.replaceGotoRule('a', 0, { if: 'state.x > 2', to: 'c' }),
      batchEdit.insertGotoRule('a', 2, { if: 'state.q', to: 'b' }),
      batchEdit.deleteGotoRule('a', 1),
    ];
    const stats = { parses: 0 };
    const batched = applyEdits(DOC, edits, { stats });
    expect(batched).toBe(applyEdits(DOC, edits, { sequential: true }));
    expect(rulesOf(batched)).toEqual([
      { if: 'state.x > 2', to: 'c' },
      { if: 'state.q', to: 'b' },
      { to: '__end__' },
    ]);
    expect(batched).toContain('      # a comment about the second rule\n      - if: state.q\n');
    // The rule builders re-parse (they read offsets); fewer parses than one per edit anyway.
    expect(stats.parses).toBeLessThan(edits.length + 1);
  });
});
