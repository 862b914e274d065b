// Types of the TEA workflow model. No runtime imports: the renderer imports this file too.

/** A point in the source text. `line` and `col` are 1-based; `offset` is a 0-based UTF-16 index. */
export interface SourcePos {
  line: number;
  col: number;
  offset: number;
}

export interface SourceSpan {
  start: SourcePos;
  end: SourcePos;
}

export type Severity = 'error' | 'warning';

/** Which TEA engine a portability warning is about. */
export type TeaEngine = 'python' | 'rust' | 'both';

/** One validation error, portability warning or load diagnostic. */
export interface Problem {
  severity: Severity;
  /** TEA's code where TEA has one (GOTO_UNDEFINED, …), ours otherwise (UNREACHABLE_NODE, …). */
  code: string;
  message: string;
  /** File path when known (CLI, host); undefined for an unsaved buffer. */
  file?: string;
  line: number;
  col: number;
  /** Name of the node the problem is about, when there is one. */
  node?: string;
  /** Index into `edges:` when the problem is about an edge entry. */
  edgeIndex?: number;
  /** For portability warnings: the engine that behaves differently. */
  engine?: TeaEngine;
}

export interface Position {
  x: number;
  y: number;
}

/** One rule of a conditional `goto` list. A rule without `if` is the fallback. */
export interface GotoRule {
  if?: string;
  to: string;
  span: SourceSpan;
  /** Span of the `to` value, so renames and problems can point at it. */
  toSpan: SourceSpan;
  /**
   * Set when the rule comes from a goto mapping keyed by `_route` (`goto: {store: x, _default: y}`):
   * the key. `if` is then derived (`state._route == 'store'`); `_default` is the fallback rule.
   */
  route?: string;
}

/** Branch-body modes of a `dynamic_parallel` node (TEA Python, yaml_nodes.py). */
export type DynamicParallelMode = 'action' | 'steps' | 'subgraph';

/** `type: dynamic_parallel`: a fan-out over the list `items` evaluates to, joined at `fan_in`. */
export interface DynamicParallelSpec {
  /** Template yielding the list (`"{{ state.urls }}"`). */
  items?: string;
  /** State key each branch gets its item / index under (TEA defaults: `item`, `index`). */
  itemVar: string;
  indexVar: string;
  /** The body mode, when exactly one of action/steps/subgraph is given. */
  mode: DynamicParallelMode | null;
  /** Every body key present (more than one is TEA's DYN_PARALLEL_MODE error). */
  modes: DynamicParallelMode[];
  /** Action mode: `action: {uses, with, output}`. */
  action?: { uses?: string; with?: Record<string, unknown>; output?: string };
  /** Steps mode: the raw step list. */
  steps?: unknown[];
  /** Subgraph mode: path of the workflow each item runs, and its `input` mapping. */
  subgraph?: string;
  input?: Record<string, unknown>;
  fanIn?: string;
  fanInSpan?: SourceSpan;
  /** `max_concurrency` (top level or under `parallel_config`): a number or a template. */
  maxConcurrency?: number | string;
  failFast?: boolean;
}

export type NodeKind = 'lua' | 'action' | 'while_loop' | 'passthrough' | 'other-code' | 'unsupported';

export interface NodeSpec {
  name: string;
  /** Span of the whole node mapping. */
  span: SourceSpan;
  /** Span of the `name` value. */
  nameSpan: SourceSpan;
  kind: NodeKind;
  /** `language:` as written, if present. */
  language?: string;
  /** Code of `run:` (string form), without any YAML indentation. */
  run?: string;
  runSpan?: SourceSpan;
  /** Action name of `uses:` (or its alias `action:`). */
  uses?: string;
  with?: Record<string, unknown>;
  /** `output:` as a key name: the action's result is stored under it. */
  output?: string;
  /** `output:` as a mapping of templates rendered with `result` (TEA Python; TEA Rust rejects it). */
  outputMap?: Record<string, unknown>;
  goto?: string | GotoRule[];
  gotoSpan?: SourceSpan;
  /** 'map' when `goto:` is a mapping keyed by `_route` values (read into rules with `route`). */
  gotoForm?: 'map';
  /** `type:` as written (`while_loop`, `dynamic_parallel`, …). */
  type?: string;
  /** while_loop fields. */
  condition?: string;
  maxIterations?: number;
  body?: NodeSpec[];
  /** Set for `type: dynamic_parallel`. */
  dynamicParallel?: DynamicParallelSpec;
  /** Fanout extension: per-node Lua timeout in ms (`timeout_ms:`). Ignored by TEA. */
  timeoutMs?: number;
  /** Canvas position from `metadata.fanout` (x, y); missing for files never laid out here. */
  position?: Position;
  /** `fan_in: true` marker on a node (informational in TEA). */
  fanInMarker?: boolean;
  /** All keys of the node as plain JS, for anything not modelled above. */
  raw: Record<string, unknown>;
}

/** The parallel notation an `edges:` entry uses (tea-format.md §3.3). */
export type ParallelForm =
  | 'python' // {from, to, type: parallel, fan_in}
  | 'rust' // {from, parallel: [..]}
  | 'hybrid' // python form that also carries the rust list
  | 'parallel-true' // {from, to, parallel: true, fan_in}: runs nowhere
  | 'to-list'; // {from, to: [..], parallel: true}: runs nowhere

/** One entry of an edge's `to:` list written as `{target, condition}`. */
export interface EdgeRoute {
  target: string;
  condition?: string;
  span: SourceSpan;
  targetSpan: SourceSpan;
}

export interface EdgeSpec {
  index: number;
  span: SourceSpan;
  from?: string;
  fromSpan?: SourceSpan;
  /** A single target; a list only in the `to: [..]` form. */
  to?: string | string[];
  toSpan?: SourceSpan;
  /** `to:` as a list of `{target, condition}`: conditional routes tried in order (then `to` is unset). */
  routes?: EdgeRoute[];
  when?: string | boolean;
  /** `type:` as written. */
  type?: string;
  fanIn?: string;
  fanInSpan?: SourceSpan;
  /** `parallel:` list (rust/hybrid forms) or `true` (broken form). */
  parallel?: string[] | boolean;
  parallelSpan?: SourceSpan;
  /** Set when this entry is (part of) a fan-out declaration. */
  parallelForm?: ParallelForm;
  raw: Record<string, unknown>;
}

export interface WorkflowSettings {
  /** Workflow default Lua timeout for nodes and branches (Fanout extension `settings.timeout_ms`). */
  timeoutMs?: number;
  /** `settings.max_iterations`: graph step limit (TEA Rust, default 1000). */
  maxIterations?: number;
  /** `settings.parallel.fail_fast`. */
  failFast?: boolean;
  /** `settings.parallel.max_workers` (TEA Python); informational for us. */
  maxWorkers?: number;
  /** Fanout extension `settings.memory_limit_mb`: Lua heap cap per VM. */
  memoryLimitMb?: number;
}

/** Colours a canvas note can have (the canvas maps each to a tint that works in light and dark). */
export const NOTE_COLORS = ['yellow', 'blue', 'green', 'pink', 'purple', 'gray'] as const;
export type NoteColor = (typeof NOTE_COLORS)[number];

/**
 * A sticky note on the canvas, read from the workflow's top-level `metadata.fanout.notes` (a key both
 * TEA engines ignore; docs/file-format.md). Plain text, shown with light markdown-ish formatting.
 */
export interface CanvasNote {
  id: string;
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
  color: NoteColor;
  span: SourceSpan;
}

export interface WorkflowModel {
  name?: string;
  description?: string;
  stateSchema?: Record<string, unknown>;
  initialState?: Record<string, unknown>;
  variables?: Record<string, unknown>;
  settings: WorkflowSettings;
  config?: Record<string, unknown>;
  nodes: NodeSpec[];
  edges: EdgeSpec[];
  /** Canvas notes (`metadata.fanout.notes`); undefined when the file has none. */
  notes?: CanvasNote[];
  /** All top-level keys as plain JS. */
  raw: Record<string, unknown>;
}

/** Result of loading a workflow file. `model` is null when the input is unusable. */
export interface LoadResult {
  /** The exact text that was loaded; saving an untouched document writes it back unchanged. */
  text: string;
  file?: string;
  model: WorkflowModel | null;
  /** Load diagnostics: YAML syntax errors (fatal), warnings for forms that run nowhere, … */
  problems: Problem[];
}

// ---------- graph view ----------

export const START = '__start__';
export const END = '__end__';

export type GraphNodeKind = 'start' | 'end' | NodeKind;

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  /** Undefined for __start__ and __end__. */
  spec?: NodeSpec;
  /** True when this node fans out (is the source of parallel edges). */
  fanOut: boolean;
  /** True when this node is the join of a fan-out. */
  fanIn: boolean;
  /** For a dynamic_parallel node: its fan-out over a list. */
  dynamic?: DynamicFanOut;
}

export type GraphEdgeKind =
  | 'sequential' // unconditional: edges entry, plain goto, or implicit list-order chaining
  | 'conditional' // goto rule with `if`, goto fallback rule, or edges entry with `when`
  | 'parallel' // fan-out source -> branch head
  | 'fan-in'; // last node of a branch -> fan-in node

/** Where a graph edge comes from in the document, so graph edits map back to document edits. */
export type EdgeOrigin =
  | { type: 'goto'; node: string; rule?: number }
  | { type: 'edge'; index: number; route?: number }
  | { type: 'implicit'; node: string };

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: GraphEdgeKind;
  /** Condition text for conditional edges (`if` of a goto rule or `when` of an edge). */
  condition?: string;
  /** True for the fallback rule of a goto list. */
  fallback?: boolean;
  /** Evaluation order among the source's conditional edges (goto rule index). */
  order: number;
  origin: EdgeOrigin;
  /** Label to draw instead of the condition: the `_route` key of a goto mapping. */
  label?: string;
  /** On the edges out of a dynamic_parallel node: what the fan-out iterates. */
  dynamic?: { items?: string; itemVar: string; indexVar: string; fanIn?: string };
}

export interface FanOut {
  source: string;
  /** Branch head nodes, in declaration order. */
  branches: string[];
  /** The join node; null when it cannot be determined. */
  fanIn: string | null;
  form: ParallelForm;
}

/** A dynamic_parallel node: one branch per item of a list known only at run time. */
export interface DynamicFanOut {
  source: string;
  /** The join node (`fan_in:`); null when missing or not a node. */
  fanIn: string | null;
  items?: string;
  itemVar: string;
  indexVar: string;
  mode: DynamicParallelMode | null;
  /** Action mode: the action each branch calls. */
  uses?: string;
  maxConcurrency?: number | string;
  failFast?: boolean;
}

export interface WorkflowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  fanOuts: FanOut[];
  /** dynamic_parallel nodes (kept apart from `fanOuts`, whose branches are static node paths). */
  dynamicFanOuts: DynamicFanOut[];
  /** First node to run (target of __start__), or null for an empty workflow. */
  entry: string | null;
  /** The model's canvas notes (drawn under the nodes; not part of the flow). */
  notes?: CanvasNote[];
}
