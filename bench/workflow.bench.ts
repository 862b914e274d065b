// Workflow-format benchmarks: load + graph + validate + lint of a 1,000-node file, and portable export.
import { exportPortable } from '../engine/workflow/export.ts';
import { buildGraph } from '../engine/workflow/graph.ts';
import { lintPortability } from '../engine/workflow/lint.ts';
import { loadWorkflow } from '../engine/workflow/load.ts';
import { validateWorkflow } from '../engine/workflow/validate.ts';
import { generateWorkflow } from './gen.ts';
import type { BenchEntry } from './types.ts';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median wall time in ms of `runs` calls after `warmup` unmeasured ones. */
function measure(fn: () => void, runs: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return Math.round(median(times) * 10) / 10;
}

/** The measure: load + validate (validation builds the graph view it needs). */
function loadAndValidate(text: string): number {
  const load = loadWorkflow(text);
  if (!load.model) throw new Error('generated workflow did not load');
  return validateWorkflow(load).length;
}

function checkAll(text: string): number {
  const load = loadWorkflow(text);
  if (!load.model) throw new Error('generated workflow did not load');
  const graph = buildGraph(load.model);
  return validateWorkflow(load, { graph }).length + lintPortability(load.model, graph, text).length;
}

export async function benchWorkflow(): Promise<BenchEntry[]> {
  const mixed = generateWorkflow({ nodes: 1000 });
  const portable = generateWorkflow({ nodes: 1000, portable: true });
  const small = generateWorkflow({ nodes: 100 });
  const lines = (t: string) => t.split('\n').length;
  const note = (t: string) => `${lines(t)} lines, ${Math.round(t.length / 1024)} KiB; median of 20 runs`;
  return [
    {
      name: 'load + validate, 1,000 nodes (mixed forms)',
      value: measure(() => loadAndValidate(mixed), 20),
      unit: 'ms',
      target: '< 100 ms',
      note: note(mixed),
    },
    {
      name: 'load + graph + validate + portability lint, 1,000 nodes (mixed forms)',
      value: measure(() => checkAll(mixed), 20),
      unit: 'ms',
      note: note(mixed),
    },
    {
      name: 'load + graph + validate + portability lint, 1,000 nodes (portable)',
      value: measure(() => checkAll(portable), 20),
      unit: 'ms',
      note: note(portable),
    },
    {
      name: 'exportPortable, 1,000 nodes already portable (no edits)',
      value: measure(() => exportPortable(portable), 20),
      unit: 'ms',
      note: note(portable),
    },
    {
      name: 'exportPortable, 100 nodes needing edits',
      value: measure(() => exportPortable(small), 5, 1),
      unit: 'ms',
      note: `${lines(small)} lines; one re-parse per surgical edit; median of 5 runs`,
    },
  ];
}
