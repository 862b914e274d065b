// Every YAML file of TEA's repository (test/fixtures/tea-corpus, pinned commit below): workflows load
// with no errors unless TEA rejects them too (listed with TEA's reason), non-workflows are named as
// such in one problem, every file survives load + a no-op edit byte for byte, and the graph view
// builds. Lua syntax is checked by real wasmoon compiles. Layout overlap is the renderer's concern
// (its ELK layout is not part of engine/workflow) and is not checked here.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkLuaSyntax, createLuaFactory } from '../engine/lua/vm.ts';
import type { LuaFactory } from '../engine/lua/vm.ts';
import { applyEdits } from '../engine/workflow/batch.ts';
import { renameNode } from '../engine/workflow/edit.ts';
import { applyGraphEdit } from '../engine/workflow/graph-edit.ts';
import { buildGraph } from '../engine/workflow/graph.ts';
import { lintPortability } from '../engine/workflow/lint.ts';
import { decodeWorkflowBytes, loadWorkflow } from '../engine/workflow/load.ts';
import { luaSyntaxProblems } from '../engine/workflow/lua-syntax.ts';
import type { LoadResult, Problem, WorkflowGraph } from '../engine/workflow/types.ts';
import { validateWorkflow } from '../engine/workflow/validate.ts';
import { sharedRegistry } from '../engine/actions/index.ts';
import { looksNotWorkflow } from '../engine/host/sniff.ts';
import { engineForFile } from './helpers.ts';

const TEA_COMMIT = 'f507cd9244b3d2321b6738cb91ea104f20eb542e';
const ROOT = fileURLToPath(new URL('./fixtures/tea-corpus/', import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [relative(ROOT, path)] : [];
  });
}
const FILES = yamlFiles(ROOT).sort();

/** Files that are not workflows at all: one NOT_A_WORKFLOW problem each. */
const NOT_WORKFLOWS = [
  'examples/academic/sample-paper-spec.yaml', // input spec for kiroku-document-writer.yaml
  'examples/academic/test-paper-spec.yaml',
  'examples/cases/suzuka-1989-senna-prost.yaml', // input case for truth-resolution-agent.yaml
  'examples/llamaextract/schemas/base-document.yaml', // JSON Schemas
  'examples/llamaextract/schemas/invoice-overlay.yaml',
  'examples/llamaextract/schemas/invoice-schema.yaml',
  'examples/negotiation_simulator/scenarios.yaml', // scenario data
  'examples/predicate-invention/sample-transitions.yaml', // training data
  'examples/predicate-invention/test-scenarios.yaml',
  'tests/fixtures/overlay/overlay_add_edge.yaml', // `tea run --overlay` overlays
  'tests/fixtures/overlay/overlay_delete_edge.yaml',
  'tests/fixtures/overlay/overlay_env_var.yaml',
  'tests/fixtures/overlay/overlay_modify_edge.yaml',
  'tests/fixtures/overlay/overlay_null.yaml',
  'tests/fixtures/overlay/overlay_settings.yaml',
  'tests/fixtures/overlay/overlay_variables.yaml',
];

/**
 * Workflow files TEA rejects too: the error codes we give, and why TEA fails. "TEA Python load" =
 * YAMLEngine.load_from_file at the pinned commit (run once with ../shared/tea-py); "tea validate" =
 * TEA's static validator (python/src/the_edge_agent/yaml_validation.py).
 */
const INVALID: Record<string, { codes: string[]; tea: string }> = {
  'examples/learning/textgrad-reflection-learning.yaml': {
    codes: ['YAML_MULTIPLE_DOCUMENTS'],
    tea: "a second YAML document at line 146; TEA Python load: ComposerError 'expected a single document in the stream'",
  },
  'examples/wozniak-test/coffee-agent-ai2thor.yaml': {
    codes: ['YAML_SYNTAX', 'YAML_DUPLICATE_KEY'],
    tea: "an f-string's lines at column 1 end the `run: |` block (line 341); PyYAML: ScannerError 'could not find expected :'",
  },
  'examples/prolog/neurosymbolic/hero-family-reasoning-robust.yaml': {
    codes: ['LUA_SYNTAX'],
    tea: 'node parse: `facts:gsub(""", ...)` (its curly quotes were lost); LuaJIT in TEA Python: \')\' expected near \'", \'"\'',
  },
  'examples/prolog/neurosymbolic/robust-response-parser.yaml': {
    codes: ['LUA_SYNTAX'],
    tea: "node normalize: the same lost curly quotes; LuaJIT: ')' expected near '\", '\"'",
  },
  'python/tests/fixtures/validate/broken/duplicate_nodes.yaml': {
    codes: ['DUPLICATE_NODE'],
    tea: 'TEA Python load: [DUPLICATE_NODE] Duplicate node name: step1',
  },
  'python/tests/fixtures/validate/broken/dyn_parallel_fan_in_undefined.yaml': {
    codes: ['DYN_PARALLEL_FAN_IN_UNDEFINED'],
    tea: 'TEA Python load: [DYN_PARALLEL_FAN_IN_UNDEFINED]',
  },
  'python/tests/fixtures/validate/broken/dyn_parallel_no_fan_in.yaml': {
    codes: ['DYN_PARALLEL_MISSING_FAN_IN'],
    tea: 'TEA Python load: [DYN_PARALLEL_MISSING_FAN_IN]',
  },
  'python/tests/fixtures/validate/broken/dyn_parallel_no_items.yaml': {
    codes: ['DYN_PARALLEL_MISSING_ITEMS'],
    tea: 'TEA Python load: [DYN_PARALLEL_MISSING_ITEMS]',
  },
  'python/tests/fixtures/validate/broken/dyn_parallel_two_modes.yaml': {
    codes: ['DYN_PARALLEL_MODE'],
    tea: 'TEA Python load: [DYN_PARALLEL_MODE] conflicting branch-body keys',
  },
  'python/tests/fixtures/validate/broken/edge_from_undefined.yaml': {
    codes: ['EDGE_FROM_UNDEFINED'],
    tea: 'TEA Python load: [EDGE_FROM_UNDEFINED]',
  },
  'python/tests/fixtures/validate/broken/edge_to_undefined.yaml': {
    codes: ['EDGE_TO_UNDEFINED'],
    tea: 'TEA Python load: [EDGE_TO_UNDEFINED]',
  },
  'python/tests/fixtures/validate/broken/invalid_jinja_condition.yaml': {
    codes: ['INVALID_CONDITION'],
    tea: 'tea validate: INVALID_CONDITION (the Python loader accepts it; at run time the broken template counts as true)',
  },
  'python/tests/fixtures/validate/broken/missing_nodes.yaml': {
    codes: ['EMPTY_WORKFLOW'],
    tea: "tea validate: MISSING_FIELD 'nodes' is required (the Python loader builds an empty graph)",
  },
  'python/tests/fixtures/validate/broken/yaml_parse_error.yaml': {
    codes: ['YAML_SYNTAX'],
    tea: "PyYAML: ScannerError 'mapping values are not allowed here' (line 9)",
  },
  'rust/tests/fixtures/invalid_workflow.yaml': {
    codes: ['GOTO_UNDEFINED'],
    tea: "TEA Python load: [GOTO_UNDEFINED] node_a -> non_existent_node (the file's purpose)",
  },
  'tests/fixtures/overlay/empty.yaml': {
    codes: ['EMPTY_WORKFLOW'],
    tea: "comments only; TEA Python load: AttributeError 'NoneType' object has no attribute 'get'",
  },
  'tests/fixtures/overlay/invalid.yaml': {
    codes: ['YAML_SYNTAX'],
    tea: "PyYAML: ParserError 'expected <block end>, but found ?' (line 4)",
  },
  'tests/fixtures/overlay/overlay_complex.yaml': {
    codes: ['EDGE_TO_UNDEFINED'],
    tea: "an overlay fragment; TEA Python load: [EDGE_TO_UNDEFINED] 'format_output'",
  },
  'tests/fixtures/overlay/overlay_modify_goto.yaml': {
    codes: ['GOTO_UNDEFINED'],
    tea: "an overlay fragment; TEA Python load: [GOTO_UNDEFINED] classify -> 'high_priority'",
  },
};

let factory: LuaFactory;
beforeAll(async () => {
  factory = await createLuaFactory();
});

interface Checked {
  load: LoadResult;
  bytes: Buffer;
  problems: Problem[];
  graph: WorkflowGraph | null;
}

const cache = new Map<string, Promise<Checked>>();
function check(file: string): Promise<Checked> {
  let found = cache.get(file);
  if (!found) {
    found = (async () => {
      const bytes = readFileSync(join(ROOT, file));
      const decoded = decodeWorkflowBytes(bytes, file);
      if ('problem' in decoded) throw new Error(`${file}: ${decoded.problem.message}`);
      const load = loadWorkflow(decoded.text, file);
      const graph = load.model ? buildGraph(load.model) : null;
      const problems = validateWorkflow(load, {
        knownActions: sharedRegistry.names(),
        ...(graph ? { graph } : {}),
      });
      if (load.model && graph) {
        problems.push(...lintPortability(load.model, graph, load.text));
        problems.push(
          ...(await luaSyntaxProblems(load, async (code, chunk) => checkLuaSyntax(factory, code, chunk))),
        );
      }
      return { load, bytes, problems, graph };
    })();
    cache.set(file, found);
  }
  return found;
}

const errorCodes = (problems: Problem[]) => [
  ...new Set(problems.filter((p) => p.severity === 'error').map((p) => p.code)),
];

describe(`TEA corpus at ${TEA_COMMIT.slice(0, 8)}`, () => {
  it('holds every YAML file of examples/, tests/fixtures, python/tests and rust/tests (234)', () => {
    expect(FILES).toHaveLength(234);
    const under = (prefix: string) => FILES.filter((f) => f.startsWith(prefix)).length;
    expect(under('examples/') + under('tests/fixtures/') + under('rust/tests/')).toBe(194);
    expect(under('python/tests/')).toBe(40);
    for (const f of [...NOT_WORKFLOWS, ...Object.keys(INVALID)]) expect(FILES).toContain(f);
  });

  it('every workflow loads and validates with no errors, except the files TEA rejects too', async () => {
    const unexpected: string[] = [];
    for (const file of FILES) {
      if (NOT_WORKFLOWS.includes(file)) continue;
      const { problems } = await check(file);
      const got = errorCodes(problems).sort();
      const want = [...(INVALID[file]?.codes ?? [])].sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        const errs = problems
          .filter((p) => p.severity === 'error')
          .map((p) => `${p.line}:${p.col} ${p.code} ${p.message}`);
        unexpected.push(`${file}: want [${want.join(', ')}]\n  ${errs.join('\n  ')}`);
      }
    }
    expect(unexpected).toEqual([]);
  });

  it('a file that is not a workflow is ONE problem saying so', async () => {
    for (const file of NOT_WORKFLOWS) {
      const { load, problems } = await check(file);
      expect(load.model, file).toBeNull();
      expect(
        problems.map((p) => p.code),
        file,
      ).toEqual(['NOT_A_WORKFLOW']);
      expect(problems[0]!.message).toMatch(
        /^Not a workflow: .* looks like (a JSON Schema|a TEA overlay|data)/,
      );
    }
    expect((await check('examples/llamaextract/schemas/invoice-schema.yaml')).problems[0]!.message).toContain(
      'a JSON Schema',
    );
    expect((await check('tests/fixtures/overlay/overlay_settings.yaml')).problems[0]!.message).toContain(
      'a TEA overlay (only `settings`',
    );
  });

  it("the file list's quick look marks exactly the files that are not workflows", async () => {
    const marked: string[] = [];
    for (const file of FILES) {
      if (!(await looksNotWorkflow(join(ROOT, file)))) continue;
      marked.push(file);
      // Never a false mark: the loader agrees for every file the quick look marks.
      expect(
        (await check(file)).problems.map((p) => p.code),
        file,
      ).toContain('NOT_A_WORKFLOW');
    }
    expect(marked.sort()).toEqual([...NOT_WORKFLOWS].sort());
  });

  it('unknown actions are warnings naming the action (the corpus uses 40+ of them, none of them llm.*)', async () => {
    const names = new Set<string>();
    for (const file of FILES) {
      for (const p of (await check(file)).problems) {
        if (p.code !== 'UNKNOWN_ACTION') continue;
        expect(p.severity).toBe('warning');
        expect(p.node, `${file}:${p.line}`).toBeTruthy();
        names.add(/action '([^']+)'/.exec(p.message)![1]!);
      }
    }
    // 55 before engine/actions gained TEA's pure actions (test/tea-actions.test.ts) and llm.call|chat|
    // stream|embed|tools (engine/llm, test/llm); 44 at the pinned commit now. Those are known now.
    expect(names.size).toBeGreaterThanOrEqual(40);
    expect([...names].filter((n) => /^(actions\.)?llm\./.test(n))).toEqual([]);
    expect(names).toContain('web.search');
    for (const known of [
      'state.set',
      'core.return',
      'core.switch',
      'retry.loop',
      'lua.eval',
      'schema.merge',
      'template',
    ]) {
      expect(names).not.toContain(known);
    }
  });

  it('every file round-trips byte for byte: load, an empty edit batch, a no-op canvas move', async () => {
    for (const file of FILES) {
      const { load, bytes } = await check(file);
      expect(Buffer.from(load.text, 'utf8').equals(bytes), file).toBe(true);
      if (!load.model) continue;
      expect(applyEdits(load.text, []), file).toBe(load.text);
      expect(applyGraphEdit(load.text, { type: 'move-nodes', positions: {} }).text, file).toBe(load.text);
    }
  });

  it('renaming a node and back restores every byte, and the rename reaches every reference', async () => {
    let renamed = 0;
    for (const file of FILES) {
      const { load, problems } = await check(file);
      // Files that do not parse or whose names clash are not edited by the designer either.
      if (!load.model || errorCodes(problems).some((c) => c.startsWith('YAML') || c === 'DUPLICATE_NODE'))
        continue;
      const names = load.model.nodes.map((n) => n.name).filter((n) => n !== '');
      for (const name of names.slice(0, 3)) {
        const tmp = `${name}__renamed`;
        const out = renameNode(load.text, name, tmp);
        const before = validateWorkflow(load).filter((p) => p.severity === 'error').length;
        const after = validateWorkflow(loadWorkflow(out)).filter((p) => p.severity === 'error').length;
        expect(after, `${file}: rename ${name}`).toBe(before);
        expect(renameNode(out, tmp, name), `${file}: ${name} back`).toBe(load.text);
        renamed += 1;
      }
    }
    expect(renamed).toBeGreaterThan(400);
  });

  it('the graph view builds for every workflow: all nodes, edges between them, an entry', async () => {
    for (const file of FILES) {
      const { load, graph } = await check(file);
      if (!load.model || !graph) continue;
      const ids = new Set(graph.nodes.map((n) => n.id));
      for (const n of load.model.nodes) if (n.name) expect(ids.has(n.name), `${file}: ${n.name}`).toBe(true);
      for (const e of graph.edges) {
        expect(ids.has(e.source) && ids.has(e.target), `${file}: ${e.id}`).toBe(true);
      }
      if (load.model.nodes.length > 0) expect(graph.entry, file).not.toBeNull();
      for (const d of graph.dynamicFanOuts) expect(ids.has(d.source)).toBe(true);
    }
  });
});

describe('the new forms as the corpus writes them', () => {
  it('mem0: a _route goto map draws as labelled conditional edges', async () => {
    const { graph, problems } = await check('examples/mem0/mem0-user-personalization.yaml');
    const out = graph!.edges.filter((e) => e.source === 'route_action');
    expect(out.map((e) => [e.label, e.target, e.kind])).toEqual([
      ['store', 'store_preference', 'conditional'],
      ['recommend', 'get_preferences', 'conditional'],
      ['_default', 'get_preferences', 'conditional'],
    ]);
    expect(problems.filter((p) => p.code === 'GOTO_MAP_UNSUPPORTED')).toHaveLength(1);
  });

  it('scrapegraph: a to: route list draws as conditional edges in order', async () => {
    const { graph } = await check('examples/web/test-scrapegraph-production.yaml');
    const out = graph!.edges.filter((e) => e.source === 'route_test');
    expect(out.map((e) => [e.target, e.kind, e.order])).toEqual([
      ['test_inline_schema', 'conditional', 0],
      ['test_complex_schema', 'conditional', 1],
      ['test_error_handling', 'conditional', 2],
      ['test_inline_schema', 'conditional', 3],
    ]);
    expect(out[3]!.condition).toBe('True');
  });

  it('dynamic_parallel in action, steps and subgraph modes draws as a fan-out over a list', async () => {
    const modes: Record<string, string> = {
      'examples/yaml/dynamic_parallel_action_mode.yaml': 'action',
      'examples/yaml/dynamic_parallel_steps_mode.yaml': 'steps',
      'examples/yaml/dynamic_parallel_subgraph_mode.yaml': 'subgraph',
      'python/tests/fixtures/validate/valid/dynamic_parallel.yaml': 'action',
    };
    for (const [file, mode] of Object.entries(modes)) {
      const { graph } = await check(file);
      expect(graph!.dynamicFanOuts.length, file).toBeGreaterThan(0);
      const d = graph!.dynamicFanOuts[0]!;
      expect(d.mode, file).toBe(mode);
      expect(d.fanIn, file).not.toBeNull();
      expect(d.items, file).toMatch(/\{\{.*\}\}/);
      expect(graph!.nodes.find((n) => n.id === d.source)).toMatchObject({ fanOut: true, dynamic: d });
    }
    const action = (await check('examples/yaml/dynamic_parallel_action_mode.yaml')).graph!.dynamicFanOuts[0];
    expect(action).toMatchObject({ itemVar: 'url', indexVar: 'i', maxConcurrency: 3, uses: 'http.get' });
  });
});

describe('the routing forms already run (real workers, Fanout semantics since TEA runs neither)', () => {
  const engine = engineForFile({ size: 2 });
  const ROUTER = (goto: string[]) =>
    [
      'name: w',
      'nodes:',
      '  - name: route_action',
      '    language: lua',
      '    run: |',
      '      return { _route = state.action }',
      ...goto,
      '  - {name: store, language: lua, run: "return { went = \'store\' }", goto: __end__}',
      '  - {name: other, language: lua, run: "return { went = \'other\' }", goto: __end__}',
    ].join('\n') + '\n';

  it('a _route goto map routes on the value the node returned, _default otherwise', async () => {
    const text = ROUTER(['    goto:', '      _default: other', '      store: store']);
    for (const [action, went] of [
      ['store', 'store'],
      ['recommend', 'other'],
    ]) {
      const r = await engine().run(text, { input: { action } }).result;
      expect(r.status).toBe('succeeded');
      expect(r.state).toMatchObject({ _route: action, went });
    }
  });

  it('a to: route list takes the first route whose condition holds, in order', async () => {
    const text = [
      'name: w',
      'nodes:',
      '  - {name: r, language: lua, run: "return {}"}',
      '  - {name: a, language: lua, run: "return { went = \'a\' }", goto: __end__}',
      '  - {name: b, language: lua, run: "return { went = \'b\' }", goto: __end__}',
      'edges:',
      '  - from: r',
      '    to:',
      '      - target: b',
      '        condition: state.get("mode") == "b"',
      '      - target: a',
      '        condition: "True"',
      '',
    ].join('\n');
    expect((await engine().run(text, { input: { mode: 'b' } }).result).state).toMatchObject({ went: 'b' });
    expect((await engine().run(text, { input: { mode: 'x' } }).result).state).toMatchObject({ went: 'a' });
  });
});
