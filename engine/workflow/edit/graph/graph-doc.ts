// The document a graph edit works on. Edits are queued as splice builders (batch.ts) and applied
// together, against one parse, when the edit next needs to look at the result (the model or graph,
// re-loaded lazily) or at the end. The result is checked once, at the end: it must load and have no
// validation error the input did not have.
import { applyEdits } from '../../batch.ts';
import type { BatchEdit } from '../../batch.ts';
import { buildGraph } from '../../graph.ts';
import { loadWorkflow } from '../../load.ts';
import type { FanOut, LoadResult, NodeSpec, WorkflowGraph, WorkflowModel } from '../../types.ts';
import { validateWorkflow } from '../../validate.ts';
import { EditError } from '../splice.ts';

interface Loaded {
  load: LoadResult;
  model: WorkflowModel;
  graph: WorkflowGraph;
}

function loaded(text: string): Loaded {
  const load = loadWorkflow(text);
  if (!load.model) {
    const first = load.problems[0];
    throw new EditError(`Cannot edit the graph: ${first ? first.message : 'the document does not load'}`);
  }
  return { load, model: load.model, graph: buildGraph(load.model) };
}

export class GraphDoc {
  /** The text with every applied edit (queued ones not yet). */
  private applied: string;
  private queued: BatchEdit[] = [];
  /** Error codes this edit may add on purpose (a fan-out drawn before its branches meet). */
  private readonly allowed = new Set<string>();
  private cache: Loaded | null;
  /** The input, loaded (refuses a document that does not load). */
  private readonly input: Loaded;

  /** `oneAtATime`: re-parse and check after every edit (the reference behaviour, for tests). */
  constructor(
    text: string,
    private readonly oneAtATime = false,
  ) {
    this.applied = text;
    this.input = loaded(text);
    this.cache = this.input;
  }

  get text(): string {
    this.flush();
    return this.applied;
  }
  get model(): WorkflowModel {
    return this.state.model;
  }
  get graph(): WorkflowGraph {
    return this.state.graph;
  }
  private get state(): Loaded {
    this.flush();
    this.cache ??= loaded(this.applied);
    return this.cache;
  }

  /** Lets the result have more errors of `code` than the input (the edit means to leave one open). */
  allow(code: string): void {
    this.allowed.add(code);
  }

  /** Queues an edit; it applies (in order, with the others) when the result is next read. */
  edit(edit: BatchEdit): void {
    this.queued.push(edit);
  }

  private flush(): void {
    if (this.queued.length === 0) return;
    const edits = this.queued;
    this.queued = [];
    // No YAML check here: the next read loads the text, and finish() checks the end result.
    const out = applyEdits(this.applied, edits, { verify: false, sequential: this.oneAtATime });
    if (out !== this.applied) {
      this.applied = out;
      this.cache = null;
    }
  }

  node(name: string): NodeSpec {
    const node = this.model.nodes.find((n) => n.name === name);
    if (!node) throw new EditError(`No node named '${name}' on the canvas`);
    return node;
  }
  fanOut(source: string): FanOut | undefined {
    return this.graph.fanOuts.find((f) => f.source === source);
  }
  names(): Set<string> {
    const out = new Set<string>();
    const walk = (nodes: NodeSpec[]) => {
      for (const n of nodes) {
        if (n.name) out.add(n.name);
        if (n.body) walk(n.body);
      }
    };
    walk(this.model.nodes);
    return out;
  }

  /**
   * The edited text, checked once: it must load, and a graph edit must not add validation errors
   * (counted per code: a rename changes messages, not how many errors there are), except the codes
   * the edit allowed.
   */
  finish(): string {
    const text = this.text;
    if (text === this.input.load.text) return text;
    const after = loadWorkflow(text); // a result that does not load fails with its load problems
    const old = errorCounts(validateWorkflow(this.input.load, { graph: this.input.graph }));
    for (const [code, { count, message }] of errorCounts(validateWorkflow(after))) {
      if (count > (old.get(code)?.count ?? 0) && !this.allowed.has(code)) {
        throw new EditError(`This change would make the workflow invalid: ${message}`);
      }
    }
    return text;
  }
}

function errorCounts(problems: { severity: string; code: string; message: string }[]) {
  const out = new Map<string, { count: number; message: string }>();
  for (const p of problems) {
    if (p.severity !== 'error') continue;
    const entry = out.get(p.code) ?? { count: 0, message: p.message };
    entry.count++;
    entry.message = p.message;
    out.set(p.code, entry);
  }
  return out;
}
