import { describe, expect, it } from 'vitest';
import { renameNode, setNodePosition } from '../../../engine/workflow/edit.ts';
import type { Problem } from '../../../engine/workflow/types.ts';
import { createDocumentStore, COALESCE_MS } from './document-store.ts';

const DOC = `# a comment that must survive
name: demo
nodes:
  - name: a
    language: lua
    run: |
      return { x = 1 }
    goto: b
  - name: b
    language: lua
    run: |
      return {}
    goto: __end__
`;

describe('document store', () => {
  it('derives model, graph and problems from the text', () => {
    const store = createDocumentStore(DOC, 'demo.yaml');
    const s = store.getState();
    expect(s.load.model?.nodes.map((n) => n.name)).toEqual(['a', 'b']);
    expect(s.graph?.entry).toBe('a');
    expect(s.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(s.isDirty()).toBe(false);
  });

  it('undoes and redoes each edit, restoring the exact text', () => {
    const store = createDocumentStore(DOC);
    const { edit } = store.getState();
    edit((t) => renameNode(t, 'a', 'first'), { label: 'Rename a' });
    const afterRename = store.getState().text;
    expect(afterRename).toContain('goto: b');
    expect(afterRename).toContain('# a comment that must survive');
    edit((t) => renameNode(t, 'b', 'second'), { label: 'Rename b' });
    expect(store.getState().graph?.edges.some((e) => e.source === 'first' && e.target === 'second')).toBe(
      true,
    );
    expect(store.getState().undoLabel()).toBe('Rename b');
    store.getState().undo();
    expect(store.getState().text).toBe(afterRename);
    store.getState().undo();
    expect(store.getState().text).toBe(DOC);
    expect(store.getState().isDirty()).toBe(false);
    store.getState().redo();
    store.getState().redo();
    expect(store.getState().load.model?.nodes.map((n) => n.name)).toEqual(['first', 'second']);
    expect(store.getState().redoLabel()).toBeUndefined();
  });

  it('coalesces a drag into one undo step, but not edits far apart in time', () => {
    const store = createDocumentStore(DOC);
    const move = (x: number, now: number) =>
      store
        .getState()
        .edit((t) => setNodePosition(t, 'a', { x, y: 0 }), { label: 'Move', coalesceKey: 'move:a', now });
    move(10, 1000);
    move(20, 1100);
    move(30, 1200);
    expect(store.getState().past).toHaveLength(1);
    move(40, 1200 + COALESCE_MS + 1);
    expect(store.getState().past).toHaveLength(2);
    store.getState().undo();
    store.getState().undo();
    expect(store.getState().text).toBe(DOC);
  });

  it('keeps the last good graph while the text does not parse, and a failed edit changes nothing', () => {
    const store = createDocumentStore(DOC);
    store.getState().setText(DOC + '  - {\n', { label: 'Type' });
    expect(store.getState().graph).toBeNull();
    expect(store.getState().lastGoodGraph?.entry).toBe('a');
    expect(store.getState().problems[0]?.code).toMatch(/YAML/);
    const before = store.getState().text;
    expect(() => store.getState().edit((t) => renameNode(t, 'nope', 'x'), { label: 'bad' })).toThrow();
    expect(store.getState().text).toBe(before);
  });

  it('tracks dirty state against the saved text', () => {
    const store = createDocumentStore(DOC, 'demo.yaml');
    store.getState().edit((t) => renameNode(t, 'a', 'z'), { label: 'Rename' });
    expect(store.getState().isDirty()).toBe(true);
    store.getState().markSaved('demo.yaml', 123);
    expect(store.getState().isDirty()).toBe(false);
    store.getState().undo();
    expect(store.getState().isDirty()).toBe(true);
  });
});

describe('ui store selection', () => {
  it('drops selected nodes that no longer exist after an undo of a rename', async () => {
    const { createUiStore } = await import('./ui-store.ts');
    const store = createDocumentStore(DOC);
    const ui = createUiStore();
    store.subscribe((state) => {
      if (state.graph) ui.getState().retain(new Set(state.graph.nodes.map((n) => n.id)), new Set());
    });
    store.getState().edit((t) => renameNode(t, 'a', 'renamed'), { label: 'Rename' });
    ui.getState().select({ nodes: ['renamed', 'b'], edges: [] });
    store.getState().undo();
    expect(ui.getState().selection.nodes).toEqual(['b']);
  });
});

describe('deferred problems (big documents)', () => {
  const BAD = DOC.replace('goto: b', 'goto: missing');

  it('derives the graph at once and the problems when the scheduled run fires', () => {
    const runs: (() => void)[] = [];
    const store = createDocumentStore(DOC, 'demo.yaml', {
      deferProblemsAbove: 1,
      schedule: (run) => (runs.push(run), () => runs.splice(runs.indexOf(run), 1)),
    });
    expect(store.getState().graph?.entry).toBe('a');
    expect(store.getState().problemsPending).toBe(true);
    runs.shift()!();
    expect(store.getState().problemsPending).toBe(false);
    const clean = store.getState().problems.filter((p) => p.severity === 'error');
    expect(clean).toEqual([]);

    store.getState().setText(BAD, { label: 'Break' });
    store.getState().setText(BAD.replace('x = 1', 'x = 2'), { label: 'Edit' });
    // The second edit cancelled the first one's run: only one is pending.
    expect(runs).toHaveLength(1);
    expect(store.getState().problemsPending).toBe(true);
    runs.shift()!();
    expect(
      store.getState().problems.some((p) => p.severity === 'error' && p.message.includes('missing')),
    ).toBe(true);
  });

  it('flushProblems computes pending problems now; small documents never defer', () => {
    const store = createDocumentStore(DOC.replace('goto: b', 'goto: missing'), null, {
      deferProblemsAbove: 1,
      schedule: () => () => {},
    });
    expect(store.getState().problems).toEqual([]);
    store.getState().flushProblems();
    expect(store.getState().problems.some((p) => p.severity === 'error')).toBe(true);
    const small = createDocumentStore(BAD);
    expect(small.getState().problemsPending).toBe(false);
    expect(small.getState().problems.some((p) => p.severity === 'error')).toBe(true);
  });
});

describe('layout-only edits (a drop on a big document)', () => {
  const deferred = () => {
    const runs: (() => void)[] = [];
    const store = createDocumentStore(DOC, 'demo.yaml', {
      deferProblemsAbove: 1,
      schedule: (run) => (runs.push(run), () => runs.splice(runs.indexOf(run), 1)),
    });
    runs.shift()!(); // the opened text's problems
    return { store, runs };
  };
  const positionOf = (store: ReturnType<typeof createDocumentStore>, node: string) =>
    store.getState().graph?.nodes.find((n) => n.id === node)?.spec?.position;

  it('takes the text and the undo step now, and derives model, graph and problems when scheduled', () => {
    const { store, runs } = deferred();
    const before = store.getState();
    store.getState().edit((t) => setNodePosition(t, 'a', { x: 40, y: 80 }), {
      label: 'Move nodes',
      layoutOnly: true,
    });
    const s = store.getState();
    expect(s.text).toContain('x: 40');
    expect(s.undoLabel()).toBe('Move nodes');
    expect(s.isDirty()).toBe(true);
    // Still the previous text's derived fields: the canvas already shows the move.
    expect(s.graph).toBe(before.graph);
    expect(s.load).toBe(before.load);
    expect(s.problemsPending).toBe(true);
    expect(runs).toHaveLength(1);
    // Two idle tasks: the parse, then the graph (and the re-render it causes).
    runs.shift()!();
    expect(store.getState().graph).toBe(before.graph);
    expect(runs).toHaveLength(1);
    runs.shift()!();
    expect(positionOf(store, 'a')).toEqual({ x: 40, y: 80 });
    expect(store.getState().load.model?.nodes[0]?.position).toEqual({ x: 40, y: 80 });
    // The caught-up text's problems follow as for any edit of a big document.
    expect(store.getState().problemsPending).toBe(true);
    runs.shift()!();
    expect(store.getState().problemsPending).toBe(false);
    expect(store.getState().problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('an edit, undo or flushProblems in the meantime derives at once; small documents never wait', () => {
    const { store, runs } = deferred();
    const move = (x: number) =>
      store.getState().edit((t) => setNodePosition(t, 'b', { x, y: 0 }), { label: 'Move', layoutOnly: true });
    move(200);
    store.getState().edit((t) => renameNode(t, 'a', 'c'), { label: 'Rename' });
    expect(store.getState().graph?.entry).toBe('c');
    expect(positionOf(store, 'b')).toEqual({ x: 200, y: 0 });
    expect(runs).toHaveLength(1); // the rename's problems only: the pending derive was cancelled
    move(400);
    store.getState().undo();
    expect(positionOf(store, 'b')).toEqual({ x: 200, y: 0 });
    move(500);
    runs.shift()!(); // the parse step ran; an edit before the graph step replaces it
    store.getState().edit((t) => renameNode(t, 'c', 'd'), { label: 'Rename' });
    expect(store.getState().graph?.entry).toBe('d');
    expect(positionOf(store, 'b')).toEqual({ x: 500, y: 0 });
    expect(runs).toHaveLength(1); // the rename's problems only
    move(600);
    store.getState().flushProblems();
    expect(positionOf(store, 'b')).toEqual({ x: 600, y: 0 });
    expect(store.getState().problemsPending).toBe(false);

    const small = createDocumentStore(DOC);
    small.getState().edit((t) => setNodePosition(t, 'a', { x: 40, y: 80 }), {
      label: 'Move',
      layoutOnly: true,
    });
    expect(positionOf(small, 'a')).toEqual({ x: 40, y: 80 });
    expect(small.getState().problemsPending).toBe(false);
  });
});

describe('external problems (host Lua syntax check)', () => {
  const lua = (line: number, message = 'unexpected symbol'): Problem => ({
    severity: 'error',
    code: 'LUA_SYNTAX',
    message: `Lua syntax error in node 'a': ${message}`,
    line,
    col: 1,
    node: 'a',
  });

  it('adds problems for the current text, merged in line order and without duplicates', () => {
    const BAD = DOC.replace('goto: __end__', 'goto: missing');
    const store = createDocumentStore(BAD);
    const derived = store.getState().problems;
    expect(derived.some((p) => p.message.includes('missing'))).toBe(true);
    expect(store.getState().setExternalProblems(BAD, [lua(7), lua(7)])).toBe(true);
    const { problems, externalProblems } = store.getState();
    expect(externalProblems).toHaveLength(2);
    expect(problems).toHaveLength(derived.length + 1);
    expect(problems.map((p) => p.line)).toEqual([...problems.map((p) => p.line)].sort((a, b) => a - b));
    // A second answer for the same text replaces the first.
    store.getState().setExternalProblems(BAD, [lua(6, 'other')]);
    expect(
      store
        .getState()
        .problems.filter((p) => p.code === 'LUA_SYNTAX')
        .map((p) => p.line),
    ).toEqual([6]);
  });

  it('ignores an answer for another text and drops them all when the text changes', () => {
    const store = createDocumentStore(DOC);
    expect(store.getState().setExternalProblems('name: older\n', [lua(7)])).toBe(false);
    expect(store.getState().problems).toEqual([]);
    store.getState().setExternalProblems(DOC, [lua(7)]);
    expect(store.getState().problems).toHaveLength(1);
    store.getState().edit((t) => renameNode(t, 'b', 'c'), { label: 'Rename' });
    expect(store.getState().externalProblems).toEqual([]);
    expect(store.getState().problems.some((p) => p.code === 'LUA_SYNTAX')).toBe(false);
    store.getState().undo(); // back to DOC: the old answer is not resurrected
    expect(store.getState().problems.some((p) => p.code === 'LUA_SYNTAX')).toBe(false);
  });

  it('keeps them when the deferred problems of a big document arrive, drops them on open', () => {
    const runs: (() => void)[] = [];
    const store = createDocumentStore(DOC, null, {
      deferProblemsAbove: 1,
      schedule: (run) => (runs.push(run), () => runs.splice(runs.indexOf(run), 1)),
    });
    store.getState().setExternalProblems(DOC, [lua(7)]);
    runs.shift()!();
    expect(store.getState().problems.map((p) => p.code)).toContain('LUA_SYNTAX');
    // While an edited big document's problems are pending, the old text's Lua markers are gone.
    store.getState().edit((t) => renameNode(t, 'b', 'c'), { label: 'Rename' });
    expect(store.getState().problemsPending).toBe(true);
    expect(store.getState().problems.map((p) => p.code)).not.toContain('LUA_SYNTAX');
    store.getState().setExternalProblems(store.getState().text, [lua(7)]);
    store.getState().open(DOC, 'other.yaml');
    expect(store.getState().problems).toEqual([]);
  });
});
