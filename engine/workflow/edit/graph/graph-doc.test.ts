// The graph-edit pipeline: the document edits of one GraphEdit are queued and applied through
// batch.ts, sharing parses; the result must be byte-identical (or the same refusal) to applying
// them one at a time with a re-parse after each, the reference behaviour.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateWorkflow } from '../../../../bench/gen.ts';
import { applyGraphEdit } from '../../graph-edit.ts';
import type { GraphEdit } from '../../graph-edit.ts';
import { buildGraph } from '../../graph.ts';
import { loadWorkflow } from '../../load.ts';
import { GraphDoc } from './graph-doc.ts';

const FIXTURES = join(import.meta.dirname, '../../../../test/fixtures/tea-compat/fixtures');

/** Text or `EditError: message`, so refusals compare too. */
function outcome(text: string, edit: GraphEdit, oneAtATime: boolean): string {
  try {
    return applyGraphEdit(text, edit, { oneAtATime }).text;
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

/** A deterministic spread of every kind of graph edit over a document's nodes and edges. */
function editsFor(text: string): GraphEdit[] {
  const model = loadWorkflow(text).model!;
  const graph = buildGraph(model);
  const names = model.nodes.map((n) => n.name);
  const pick = (i: number) => names[(i * 7) % names.length]!;
  const edits: GraphEdit[] = [];
  for (let i = 0; i < 3; i++) {
    edits.push({ type: 'connect', source: pick(i), target: pick(i + 2) });
    edits.push({ type: 'connect', source: pick(i + 1), target: pick(i + 3), condition: 'state.n > 1' });
    edits.push({ type: 'add-node', node: { name: `n${i}`, run: 'return {}\n' }, after: pick(i) });
    edits.push({ type: 'delete-nodes', names: [pick(i), pick(i + 4)] });
    edits.push({ type: 'rename-node', from: pick(i), to: `renamed${i}` });
    edits.push({ type: 'add-parallel-branches', source: pick(i + 1), count: 3 });
    edits.push({ type: 'duplicate-nodes', names: [pick(i), pick(i + 1)] });
    edits.push({ type: 'move-nodes', positions: { [pick(i)]: { x: 10 * i, y: 20 } } });
  }
  for (const e of graph.edges.slice(0, 8)) {
    edits.push({ type: 'disconnect', edge: e });
    edits.push({ type: 'set-condition', edge: e, condition: 'state.ok' });
    edits.push({ type: 'set-condition', edge: e, condition: undefined });
  }
  for (const fo of graph.fanOuts.slice(0, 3)) {
    edits.push({ type: 'add-branch', source: fo.source });
    edits.push({ type: 'remove-branch', source: fo.source, branch: fo.branches[0]! });
  }
  // Pasted names clash with the document's: the paste renames them.
  const pasted = names.slice(0, 2).flatMap((n) => [`  - name: ${n}`, '    run: return {}', `    goto: ${n}`]);
  edits.push({ type: 'paste', yaml: ['nodes:', ...pasted].join('\n'), position: { x: 5, y: 5 } });
  return edits;
}

const candidates: [string, string][] = [
  ...readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yaml'))
    .map((f): [string, string] => [f, readFileSync(join(FIXTURES, f), 'utf8')]),
  ['generated goto/edges/list-order', generateWorkflow({ nodes: 40, fanOutEvery: 4 })],
  ['generated portable', generateWorkflow({ nodes: 40, fanOutEvery: 4, portable: true })],
];
const documents = candidates.filter(([, text]) => loadWorkflow(text).model !== null);

describe('graph edits through the batch pipeline', () => {
  it.each(documents)('%s: batched output equals one-at-a-time output for every edit', (_, text) => {
    let changed = 0;
    for (const edit of editsFor(text)) {
      const batched = outcome(text, edit, false);
      expect(batched, JSON.stringify(edit)).toBe(outcome(text, edit, true));
      if (batched !== text && !batched.startsWith('EditError')) changed++;
    }
    // The spread must really edit the document, not only be refused.
    expect(changed).toBeGreaterThan(5);
  });
});

describe('GraphDoc', () => {
  const text = generateWorkflow({ nodes: 12, portable: true });

  it('applies queued edits together, against the text they were queued on, when the result is read', () => {
    const doc = new GraphDoc(text);
    const first = doc.model.nodes[0]!.name;
    const seen: string[] = [];
    doc.edit((p) => {
      seen.push(p.text);
      return [{ start: 0, end: 0, text: '# one\n' }];
    });
    doc.edit((p) => {
      seen.push(p.text);
      const line2 = p.text.indexOf('\n') + 1;
      return [{ start: line2, end: line2, text: '# two\n' }];
    });
    expect(seen).toEqual([]); // nothing applied until read
    const line1 = text.slice(0, text.indexOf('\n') + 1);
    expect(doc.text).toBe(`# one\n${line1}# two\n${text.slice(line1.length)}`);
    expect(seen).toEqual([text, text]); // one shared parse
    expect(doc.model.nodes[0]!.name).toBe(first); // the model follows the new text
  });

  it('refuses a document that does not load, and a result with new validation errors', () => {
    expect(() => new GraphDoc('nodes: [')).toThrow(/Cannot edit the graph/);
    const doc = new GraphDoc(text);
    const [a, b] = doc.model.nodes.map((n) => n.name);
    const at = text.indexOf(`name: ${b}`);
    doc.edit(() => [{ start: at, end: at + `name: ${b}`.length, text: `name: ${a}` }]);
    expect(() => doc.finish()).toThrow(/would make the workflow invalid/);
  });
});
