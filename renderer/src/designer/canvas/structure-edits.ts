// Drawing the graph's structure (issue #12): what a drawn edge does (engine gesture-plan.ts), the
// choices the edge popover offers when it is ambiguous, and nodes added from the node picker. Each
// function is text -> text, so every gesture is one undo step.
import { ACTION_CATALOGUE } from '../../../../engine/actions/catalogue.ts';
import type { ActionCatalogueEntry } from '../../../../engine/actions/catalogue.ts';
import { applyGraphEdit, planConnect, planNewNode } from '../../../../engine/workflow/graph-edit.ts';
import type { ConnectPlan } from '../../../../engine/workflow/graph-edit.ts';
import { buildGraph } from '../../../../engine/workflow/graph.ts';
import { loadWorkflow } from '../../../../engine/workflow/load.ts';
import type { PlainNode } from '../../../../engine/workflow/serialize.ts';
import { END, START, type Position, type WorkflowGraph } from '../../../../engine/workflow/types.ts';
import { addParallelBranches, freshName, paletteNode } from './canvas-edits.ts';
import { nodeSize, snapPosition } from './geometry.ts';

function graphOf(text: string): WorkflowGraph {
  const model = loadWorkflow(text).model;
  if (!model) throw new Error('The document does not load');
  return buildGraph(model);
}

function takenNames(text: string): Set<string> {
  const out = new Set<string>([START, END]);
  const visit = (list: { name: string; body?: { name: string }[] }[] | undefined) => {
    for (const n of list ?? []) {
      out.add(n.name);
      visit(n.body);
    }
  };
  visit(loadWorkflow(text).model?.nodes);
  return out;
}

export type Asked = Extract<ConnectPlan, { ask: string }>;

/** A drawn edge: applied when its meaning is clear, else what to ask (the text is unchanged). */
export function drawEdge(
  text: string,
  source: string,
  target: string,
): { text: string } | { ask: Asked } | { nothing: string } {
  const plan = planConnect(graphOf(text), source, target);
  if ('ask' in plan) return { ask: plan };
  if (plan.do === 'nothing') return { nothing: plan.why };
  if (plan.do === 'fan-out') return { text: applyGraphEdit(text, { type: 'fan-out', source, target }).text };
  return { text: applyGraphEdit(text, { type: 'connect', source, target }).text };
}

/** The popover's answers. */
export type EdgeChoice =
  { kind: 'make-fan-in'; fanOut: string } | { kind: 'connect' } | { kind: 'conditional'; condition: string };

export function applyEdgeChoice(text: string, source: string, target: string, choice: EdgeChoice): string {
  switch (choice.kind) {
    case 'conditional':
      return applyGraphEdit(text, { type: 'connect', source, target, condition: choice.condition }).text;
    case 'connect':
      return applyGraphEdit(text, { type: 'connect', source, target }).text;
    case 'make-fan-in': {
      // The drawn edge first (its branch ended the run), then the fan-in closes every other branch.
      const g = graphOf(text);
      const way = g.edges.find((e) => e.source === source && (e.kind === 'sequential' || e.fallback));
      const connected =
        !way || way.target === END ? applyGraphEdit(text, { type: 'connect', source, target }).text : text;
      return applyGraphEdit(connected, { type: 'set-fan-in', source: choice.fanOut, fanIn: target }).text;
    }
  }
}

/** One entry of the node picker. */
export interface PickerItem {
  id: string;
  label: string;
  description: string;
  /** Parameter names with their help (actions). */
  params: [string, string][];
  keywords: string;
  make(taken: Set<string>): PlainNode;
  /** Parallel branches: a fan-out source whose branches are added after it. */
  branches?: number;
}

function actionNode(entry: ActionCatalogueEntry, taken: Set<string>): PlainNode {
  const base = entry.name.replace(/[^A-Za-z0-9]+/g, '_');
  const required = Object.entries(entry.params ?? {}).filter(([, help]) => !help.startsWith('optional'));
  const node: PlainNode = { name: freshName(taken, base), uses: entry.name };
  if (required.length > 0) node.with = Object.fromEntries(required.map(([p]) => [p, `{{ state.${p} }}`]));
  return node;
}

export const PICKER_ITEMS: readonly PickerItem[] = [
  {
    id: 'lua',
    label: 'Lua node',
    description: 'Runs a Lua chunk on the state (language: lua)',
    params: [],
    keywords: 'script code run function',
    make: (taken) => paletteNode('lua', taken),
  },
  {
    id: 'parallel',
    label: 'Parallel branches',
    description: 'A fan-out to 2 Lua branches and a fan-in; add more with “+ branch”',
    params: [],
    keywords: 'fan-out fan-in fanout fanin join concurrent branch',
    make: (taken) => ({ name: freshName(taken, 'fan_out'), language: 'lua', run: 'return {}\n' }),
    branches: 2,
  },
  {
    id: 'while',
    label: 'While loop',
    description: 'Repeats its body while a condition holds',
    params: [],
    keywords: 'loop repeat iterate until',
    make: (taken) => paletteNode('while', taken),
  },
  ...ACTION_CATALOGUE.map((entry): PickerItem => ({
    id: `action:${entry.name}`,
    label: entry.name,
    description: entry.description ?? '',
    params: Object.entries(entry.params ?? {}),
    keywords: `action uses ${entry.name.replace(/\./g, ' ')}`,
    make: (taken) => actionNode(entry, taken),
  })),
];

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/** Every word typed must start a word of the item's label, keywords or description. */
export function searchPicker(items: readonly PickerItem[], query: string): PickerItem[] {
  const wanted = words(query);
  if (wanted.length === 0) return [...items];
  return items.filter((item) => {
    const have = words(`${item.label} ${item.keywords} ${item.description}`);
    return wanted.every((w) => have.some((h) => h.startsWith(w)));
  });
}

/** A node from the picker at `at`, joined to `source` as the gesture plan says (one undo step). */
export function insertFromPicker(text: string, source: string, item: PickerItem, at: Position): string {
  const node = item.make(takenNames(text));
  const as = planNewNode(graphOf(text), source);
  // The node's handle side meets the drop point: centred on it vertically.
  const kind = item.id === 'while' ? 'while_loop' : item.id.startsWith('action:') ? 'action' : 'lua';
  const position = snapPosition({ x: at.x, y: at.y - nodeSize(kind).height / 2 });
  const out = applyGraphEdit(text, { type: 'add-node', node, position, from: { source, as } }).text;
  return item.branches ? addParallelBranches(out, node.name, item.branches) : out;
}
