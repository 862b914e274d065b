import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateWorkflow } from '../../bench/gen.ts';
import { applyEdits, batchEdit } from './batch.ts';
import type { BatchEdit } from './batch.ts';
import {
  addEdge,
  removeEdge,
  removeNode,
  renameNode,
  setEdgeField,
  setNodeCode,
  setNodeField,
  setNodePosition,
} from './edit.ts';
import { exportPortable } from './export.ts';
import { loadWorkflow } from './load.ts';
import { propertyBudget } from '../../test/budgets.ts';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/tea-compat/fixtures');
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ name: f, text: readFileSync(join(FIXTURES, f), 'utf8') }));

/** An edit in both forms: batched and one-at-a-time text function. */
interface Pair {
  label: string;
  batch: BatchEdit;
  text: (t: string) => string;
}

/** One at a time with the public functions: the reference. Failed edits leave the text unchanged. */
function sequential(text: string, edits: Pair[]): { text: string; failed: number[] } {
  const failed: number[] = [];
  let out = text;
  edits.forEach((e, i) => {
    try {
      out = e.text(out);
    } catch {
      failed.push(i);
    }
  });
  return { text: out, failed };
}

function batched(text: string, edits: Pair[]): { text: string; failed: number[]; parses: number } {
  const failed: number[] = [];
  const stats = { parses: 0 };
  const out = applyEdits(
    text,
    edits.map((e) => e.batch),
    { onError: (_err, i) => failed.push(i), stats },
  );
  return { text: out, failed, parses: stats.parses };
}

const SMALL = [
  [
    '# comment on top',
    'name: small',
    'nodes:',
    '  - name: a',
    '    run: |',
    '      return {}',
    '  # about b',
    '  - name: b',
    '    language: lua',
    '    run: |',
    '      return { b = 1 }',
    '    goto: c',
    '',
    '  - name: c',
    '    metadata:',
    '      owner: me',
    '  - {name: d, goto: __end__}',
    'edges:',
    '  - from: a',
    '    to: b',
    '  - {from: c, to: d}',
    '  - from: b',
    '    to: c # trailing',
    '    when: "state.ok"',
    '  - {from: d, to: __end__}',
    '',
  ].join('\n'),
  ['name: flowy', 'nodes: [{name: x}, {name: y, goto: z}, {name: z}]', 'edges: [{from: x, to: y}]', ''].join(
    '\n',
  ),
  ['name: no-newline', 'nodes:', '  - name: p', '  - name: q', 'edges:', '  - {from: p, to: q}'].join('\n'),
  [
    'name: spaced',
    'nodes:',
    '',
    '    - name: s',
    '      run: |',
    '        return {}',
    '',
    '    - name: t',
    '',
    'edges:',
    '',
    '    - from: s',
    '      to: t',
    '',
    '    - from: t',
    '      to: __end__',
    '',
  ].join('\n'),
];

function editArb(names: string[]): fc.Arbitrary<Pair> {
  const name = fc.constantFrom(...names, 'ghost');
  const index = fc.integer({ min: 0, max: 6 });
  const word = fc.constantFrom('lua', 'state.ok', 'a b', 'true', 'x', '__end__', ...names);
  const value = fc.oneof(
    word,
    fc.constant(undefined),
    fc.integer({ min: -5, max: 500 }),
    fc.constant([{ if: 'state.go', to: names[0]! }, { to: '__end__' }]),
    fc.constant({ fanout: { x: 1, y: 2 }, note: 'n' }),
  );
  const nodeKey = fc.constantFrom(
    'language',
    'goto',
    'output',
    'timeout_ms',
    'metadata',
    'zz_custom',
    'type',
  );
  const edgeKey = fc.constantFrom('when', 'type', 'fan_in', 'parallel', 'to', 'zz_note');
  return fc.oneof(
    fc.tuple(name, nodeKey, value).map(([n, k, v]) => ({
      label: `setNodeField(${n}, ${k}, ${JSON.stringify(v)})`,
      batch: batchEdit.setNodeField(n, k, v),
      text: (t: string) => setNodeField(t, n, k, v),
    })),
    fc
      .tuple(name, fc.integer({ min: -50, max: 900 }), fc.integer({ min: -50, max: 900 }))
      .map(([n, x, y]) => ({
        label: `setNodePosition(${n}, ${x}, ${y})`,
        batch: batchEdit.setNodePosition(n, { x, y }),
        text: (t: string) => setNodePosition(t, n, { x, y }),
      })),
    fc.tuple(name, fc.constantFrom('return {}', 'local a = 1\nreturn { a = a }\n')).map(([n, c]) => ({
      label: `setNodeCode(${n})`,
      batch: batchEdit.setNodeCode(n, c),
      text: (t: string) => setNodeCode(t, n, c),
    })),
    fc.tuple(index, edgeKey, value).map(([i, k, v]) => ({
      label: `setEdgeField(${i}, ${k}, ${JSON.stringify(v)})`,
      batch: batchEdit.setEdgeField(i, k, v),
      text: (t: string) => setEdgeField(t, i, k, v),
    })),
    index.map((i) => ({
      label: `removeEdge(${i})`,
      batch: batchEdit.removeEdge(i),
      text: (t: string) => removeEdge(t, i),
    })),
    fc.tuple(name, name, fc.option(word, { nil: undefined })).map(([a, b, when]) => {
      const edge = when === undefined ? { from: a, to: b } : { from: a, to: b, when };
      return {
        label: `addEdge(${JSON.stringify(edge)})`,
        batch: batchEdit.addEdge(edge),
        text: (t: string) => addEdge(t, edge),
      };
    }),
    fc.tuple(name, fc.constantFrom('renamed', 'r2', ...names)).map(([a, b]) => ({
      label: `renameNode(${a}, ${b})`,
      batch: batchEdit.renameNode(a, b),
      text: (t: string) => renameNode(t, a, b),
    })),
    name.map((n) => ({
      label: `removeNode(${n})`,
      batch: batchEdit.text((t) => removeNode(t, n)),
      text: (t: string) => removeNode(t, n),
    })),
  );
}

function namesOf(text: string): string[] {
  const model = loadWorkflow(text).model!;
  return model.nodes.map((n) => n.name);
}

// Case count and timeout from test/budgets.ts (FANOUT_PROPERTY_RUNS); 117 ms per case (over all the
// base documents) measured under load.
const BATCHED = propertyBudget(60, 117);

describe('applyEdits', () => {
  it('gives byte-identical results to one-at-a-time edits (random edit sequences)', BATCHED, () => {
    const bases = [...SMALL, ...fixtures.map((f) => f.text), generateWorkflow({ nodes: 20 })];
    for (const base of bases) {
      fc.assert(
        fc.property(fc.array(editArb(namesOf(base)), { minLength: 1, maxLength: 12 }), (edits) => {
          const ref = sequential(base, edits);
          const got = batched(base, edits);
          expect(got.text, edits.map((e) => e.label).join('\n')).toBe(ref.text);
          expect(got.failed).toEqual(ref.failed);
        }),
        { numRuns: BATCHED.numRuns },
      );
    }
  });

  it('composes several key insertions into one map and appends to one list in one parse', () => {
    const base = SMALL[0]!;
    const edits: Pair[] = [
      ['zz_custom', 'v1'],
      ['output', 'res'],
      ['language', 'lua'],
      ['timeout_ms', 100],
    ].map(([k, v]) => ({
      label: String(k),
      batch: batchEdit.setNodeField('a', String(k), v),
      text: (t: string) => setNodeField(t, 'a', String(k), v),
    }));
    for (const to of ['c', 'd']) {
      edits.push({
        label: to,
        batch: batchEdit.addEdge({ from: 'a', to }),
        text: (t) => addEdge(t, { from: 'a', to }),
      });
    }
    edits.push({
      label: 'note on a block edge',
      batch: batchEdit.setEdgeField(0, 'zz_note', 'first'),
      text: (t) => setEdgeField(t, 0, 'zz_note', 'first'),
    });
    const got = batched(base, edits);
    expect(got.text).toBe(sequential(base, edits).text);
    expect(got.parses).toBe(1);
    expect(got.text).toContain(
      '  - name: a\n    language: lua\n    output: res\n    run: |\n      return {}\n',
    );
  });

  it('re-parses when an edit depends on an earlier one (two fields of one flow map, index shift)', () => {
    const base = SMALL[0]!;
    const edits: Pair[] = [
      { label: 'rm 0', batch: batchEdit.removeEdge(0), text: (t) => removeEdge(t, 0) },
      {
        label: 'set 0',
        batch: batchEdit.setEdgeField(0, 'when', 'x'),
        text: (t) => setEdgeField(t, 0, 'when', 'x'),
      },
      {
        label: 'set 0b',
        batch: batchEdit.setEdgeField(0, 'zz', 1),
        text: (t) => setEdgeField(t, 0, 'zz', 1),
      },
    ];
    const got = batched(base, edits);
    expect(got.text).toBe(sequential(base, edits).text);
    expect(got.parses).toBe(3);
  });

  it('throws the first failure without onError', () => {
    expect(() => applyEdits(SMALL[0]!, [batchEdit.setNodeField('nope', 'language', 'lua')])).toThrow(
      "No node named 'nope'",
    );
  });
});

describe('exportPortable with batched edits', () => {
  const inputs = [
    ...fixtures,
    ...[
      { nodes: 30 },
      { nodes: 100 },
      { nodes: 60, fanOutEvery: 3, branches: 2 },
      { nodes: 45, fanOutEvery: 4, branches: 4 },
    ].map((o) => ({ name: JSON.stringify(o), text: generateWorkflow(o) })),
    ...SMALL.map((text, i) => ({ name: `small ${i}`, text })),
  ];

  it.each(inputs)('is byte-identical to one-at-a-time export: $name', ({ text }) => {
    const batch = exportPortable(text);
    const reference = exportPortable(text, { oneAtATime: true });
    expect(batch.text).toBe(reference.text);
    expect(batch.problems).toEqual(reference.problems);
  });

  it('is much faster than one-at-a-time export on a 100-node file needing edits', () => {
    const text = generateWorkflow({ nodes: 100 });
    const time = (fn: () => void, runs: number) => {
      fn();
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) fn();
      return (performance.now() - t0) / runs;
    };
    const one = time(() => exportPortable(text, { oneAtATime: true }), 2);
    const batch = time(() => exportPortable(text), 5);
    // Measured ~10x; 3x leaves room for noisy shared cores.
    expect(one / batch).toBeGreaterThan(3);
  });
});
