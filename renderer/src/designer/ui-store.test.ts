// Selection rules the inspector relies on: which node it shows in a multi-selection, and what a new
// node selection (React Flow's select changes) or a click does to the active node and the notes.
import { describe, expect, it } from 'vitest';
import { createUiStore, inspectedNode, withActive, withSelectedNodes } from './ui-store.ts';

describe('selection focus', () => {
  it('shows the only node, the active node of several, else none (the summary)', () => {
    expect(inspectedNode({ nodes: ['a'], edges: [] })).toBe('a');
    expect(inspectedNode({ nodes: ['a', 'b'], edges: [] })).toBeUndefined();
    expect(inspectedNode({ nodes: ['a', 'b'], edges: [], active: 'b' })).toBe('b');
    // An active node that left the selection is not shown.
    expect(inspectedNode({ nodes: ['a', 'b'], edges: [], active: 'c' })).toBeUndefined();
  });

  it('a new node selection drops the active node and the notes; a click sets it only inside the selection', () => {
    const sel = { nodes: ['a', 'b'], edges: ['e'], active: 'a', notes: ['note_1'] };
    expect(withSelectedNodes(sel, ['a', 'b', 'c'])).toEqual({
      nodes: ['a', 'b', 'c'],
      edges: ['e'],
      notes: [],
    });
    expect(withSelectedNodes({ nodes: [], edges: [], notes: ['n'] }, [])).toEqual({
      nodes: [],
      edges: [],
      notes: ['n'],
    });
    expect(withActive(sel, 'b').active).toBe('b');
    expect('active' in withActive(sel, 'zz')).toBe(false);
    expect('active' in withActive(sel, undefined)).toBe(false);
  });

  it('retain drops an active node that no longer exists and keeps the notes', () => {
    const ui = createUiStore();
    ui.getState().select({ nodes: ['a', 'b'], edges: [], active: 'b', notes: ['note_1'] });
    ui.getState().retain(new Set(['a']), new Set());
    expect(ui.getState().selection).toEqual({ nodes: ['a'], edges: [], notes: ['note_1'] });
  });
});
