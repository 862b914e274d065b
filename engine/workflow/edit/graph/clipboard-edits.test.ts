// Pasted nodes are offset from their originals and from each other: a paste (or duplicate) that would
// put a node on a placed node's corner moves one step down-right until it covers none; pasting where
// nothing is placed keeps the requested position exactly.
import { describe, expect, it } from 'vitest';
import { applyGraphEdit, copyNodesAsYaml } from '../../graph-edit.ts';
import type { GraphEdit } from '../../graph-edit.ts';
import { loadWorkflow } from '../../load.ts';
import { validateWorkflow } from '../../validate.ts';
import { PASTE_STEP } from './clipboard-edits.ts';

const DOC = `name: chain
nodes:
  - name: a
    language: lua
    run: |
      return { x = 1 }
    goto: b
    metadata: {fanout: {x: 0, y: 0}}
  - name: b
    language: lua
    run: |
      return { y = 2 }
    metadata: {fanout: {x: 300, y: 100}}
edges:
  - {from: __start__, to: a}
  - {from: b, to: __end__}
`;

const positions = (text: string) =>
  Object.fromEntries(loadWorkflow(text).model!.nodes.map((n) => [n.name, n.position]));

function edit(text: string, e: GraphEdit): string {
  const out = applyGraphEdit(text, e).text;
  expect(validateWorkflow(loadWorkflow(out)).filter((p) => p.severity === 'error')).toEqual([]);
  return out;
}

describe('paste offset', () => {
  const yaml = copyNodesAsYaml(DOC, ['a', 'b']);

  it('a paste without a position lands one step off the originals, the next one step further', () => {
    const once = edit(DOC, { type: 'paste', yaml });
    expect(positions(once)).toMatchObject({
      a_2: { x: PASTE_STEP.x, y: PASTE_STEP.y },
      b_2: { x: 300 + PASTE_STEP.x, y: 100 + PASTE_STEP.y },
    });
    const twice = edit(once, { type: 'paste', yaml });
    expect(positions(twice)).toMatchObject({
      a_3: { x: 2 * PASTE_STEP.x, y: 2 * PASTE_STEP.y },
      b_3: { x: 300 + 2 * PASTE_STEP.x, y: 100 + 2 * PASTE_STEP.y },
    });
  });

  it('repeated pastes at the same pointer position fan out instead of stacking', () => {
    const at = { x: 600, y: 400 };
    let text = DOC;
    for (let i = 0; i < 3; i++) text = edit(text, { type: 'paste', yaml, position: at });
    const p = positions(text);
    expect([p.a_2, p.a_3, p.a_4]).toEqual([
      at,
      { x: at.x + PASTE_STEP.x, y: at.y + PASTE_STEP.y },
      { x: at.x + 2 * PASTE_STEP.x, y: at.y + 2 * PASTE_STEP.y },
    ]);
    // The layout inside the paste is kept (b stays 300 right, 100 below a).
    expect(p.b_4).toEqual({ x: p.a_4!.x + 300, y: p.a_4!.y + 100 });
  });

  it('a paste at a free position is not moved; a paste onto the originals is', () => {
    expect(positions(edit(DOC, { type: 'paste', yaml, position: { x: 1000, y: 0 } })).a_2).toEqual({
      x: 1000,
      y: 0,
    });
    expect(positions(edit(DOC, { type: 'paste', yaml, position: { x: 10, y: -10 } })).a_2).toEqual({
      x: 10 + PASTE_STEP.x,
      y: -10 + PASTE_STEP.y,
    });
  });

  it('duplicating twice gives two copies, each offset from the last', () => {
    const one = edit(DOC, { type: 'duplicate-nodes', names: ['a'] });
    const two = edit(one, { type: 'duplicate-nodes', names: ['a'] });
    const p = positions(two);
    expect(p.a_copy).toEqual({ x: 40, y: 40 });
    expect(p.a_copy_2).toEqual({ x: 80, y: 80 });
  });
});
