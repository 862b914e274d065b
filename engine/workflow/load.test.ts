import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { decodeWorkflowBytes, loadWorkflow, MAX_WORKFLOW_BYTES } from './load.ts';
import { loadWorkflowFile } from './load-file.ts';
import type { LoadResult, Problem } from './types.ts';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/tea-compat/fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

function only(result: LoadResult, code: string): Problem {
  const hits = result.problems.filter((p) => p.code === code);
  expect(hits.length, JSON.stringify(result.problems)).toBeGreaterThan(0);
  return hits[0]!;
}

describe('loadWorkflow on TEA fixtures', () => {
  it('loads every fixture without errors and keeps the text', () => {
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'))) {
      const text = fixture(file);
      const result = loadWorkflow(text, file);
      expect(result.text).toBe(text);
      expect(
        result.problems.filter((p) => p.severity === 'error'),
        file,
      ).toEqual([]);
      expect(result.model, file).not.toBeNull();
    }
  });

  it('models lua_test_agent: `-- lua` nodes without language are Lua, edges with spans', () => {
    const { model } = loadWorkflow(fixture('lua_test_agent.yaml'));
    expect(model!.name).toBe('lua-cross-runtime-test');
    expect(model!.nodes.map((n) => [n.name, n.kind])).toEqual([
      ['test_math', 'lua'],
      ['test_string', 'lua'],
      ['test_array', 'lua'],
      ['test_object', 'lua'],
      ['test_conditional', 'lua'],
    ]);
    expect(model!.nodes[0]!.nameSpan.start).toMatchObject({ line: 20, col: 11 });
    expect(model!.nodes[0]!.run!.startsWith('-- lua\nlocal result = {}')).toBe(true);
    expect(model!.stateSchema).toMatchObject({ input_value: 'int' });
    expect(model!.edges).toHaveLength(6);
    expect(model!.edges[1]).toMatchObject({ index: 1, from: 'test_math', to: 'test_string' });
    expect(model!.edges[1]!.fromSpan!.start).toMatchObject({ line: 76, col: 11 });
  });

  it('models goto rules with `to` spans', () => {
    const { model } = loadWorkflow(fixture('goto_parity_test.yaml'));
    const goto = model!.nodes[0]!.goto as { if?: string; to: string; toSpan: { start: { line: number } } }[];
    expect(goto.map((r) => [r.if, r.to])).toEqual([
      ['state.should_continue', 'process'],
      [undefined, 'skip'],
    ]);
    expect(goto[0]!.toSpan.start.line).toBe(9);
    expect(model!.nodes[1]!.goto).toBe('__end__');
  });

  it('models python parallel edges and the fan_in marker', () => {
    const { model, problems } = loadWorkflow(fixture('parallel_fanout.yaml'));
    expect(problems).toEqual([]);
    const parallel = model!.edges.filter((e) => e.parallelForm === 'python');
    expect(parallel.map((e) => [e.to, e.fanIn])).toEqual([
      ['branch_1', 'fan_in'],
      ['branch_2', 'fan_in'],
      ['branch_3', 'fan_in'],
    ]);
    expect(model!.nodes.find((n) => n.name === 'fan_in')!.fanInMarker).toBe(true);
    expect(model!.config).toEqual({ raise_exceptions: false });
  });

  it('models while_loop bodies', () => {
    const { model } = loadWorkflow(fixture('while-loop-parity-test.yaml'));
    const loop = model!.nodes[0]!;
    expect(loop).toMatchObject({ kind: 'while_loop', condition: 'state.count < 5', maxIterations: 10 });
    expect(loop.body!.map((n) => [n.name, n.kind, n.language])).toEqual([['increment', 'lua', 'lua']]);
    expect(loop.body![0]!.nameSpan.start.line).toBe(12);
  });
});

describe('loadWorkflow node and edge forms', () => {
  const doc = `name: forms
settings:
  timeout_ms: 2500
  max_iterations: 50
  memory_limit_mb: 64
  parallel: {fail_fast: true, max_workers: 4}
nodes:
  - name: map_form
    run: {type: lua, code: "return {}"}
  - name: py
    language: python
    run: return {}
  - name: marked
    language: python
    run: |
      -- lua
      return {}
  - name: act
    action: json.parse
    with: {text: "{}"}
    output: parsed
  - name: dyn
    type: dynamic_parallel
  - name: pass
    timeout_ms: 300
    metadata: {fanout: {x: 12, y: -40}, note: kept}
  - name: expr
    run: {type: expression, value: "1", output_key: x}
edges:
  - {from: s, parallel: [a, b]}
  - {from: s, to: a, type: parallel, fan_in: j, parallel: [a, b]}
  - {from: s, to: a, parallel: true, fan_in: j}
  - {from: s, to: [a, b], parallel: true}
  - {from: a, to: j, when: false}
`;

  it('recognises every node kind', () => {
    const { model } = loadWorkflow(doc);
    const byName = Object.fromEntries(model!.nodes.map((n) => [n.name, n]));
    expect(byName.map_form).toMatchObject({ kind: 'lua', language: 'lua', run: 'return {}' });
    expect(byName.py!.kind).toBe('other-code');
    expect(byName.marked!.kind).toBe('lua');
    expect(byName.act).toMatchObject({
      kind: 'action',
      uses: 'json.parse',
      with: { text: '{}' },
      output: 'parsed',
    });
    expect(byName.dyn!.kind).toBe('unsupported');
    expect(byName.expr!.kind).toBe('unsupported');
    expect(byName.pass).toMatchObject({ kind: 'passthrough', timeoutMs: 300, position: { x: 12, y: -40 } });
    expect(byName.pass!.raw.metadata).toEqual({ fanout: { x: 12, y: -40 }, note: 'kept' });
  });

  it('reads settings', () => {
    expect(loadWorkflow(doc).model!.settings).toEqual({
      timeoutMs: 2500,
      maxIterations: 50,
      memoryLimitMb: 64,
      failFast: true,
      maxWorkers: 4,
    });
  });

  it('classifies every parallel form and warns about the two that run nowhere', () => {
    const { model, problems } = loadWorkflow(doc);
    expect(model!.edges.map((e) => e.parallelForm)).toEqual([
      'rust',
      'hybrid',
      'parallel-true',
      'to-list',
      undefined,
    ]);
    expect(model!.edges[3]!.to).toEqual(['a', 'b']);
    expect(model!.edges[4]!.when).toBe(false);
    const warnings = problems.filter((p) => p.code === 'PARALLEL_FORM_UNSUPPORTED');
    expect(warnings.map((w) => [w.severity, w.edgeIndex, w.line])).toEqual([
      ['warning', 2, 32],
      ['warning', 3, 33],
    ]);
    expect(warnings[0]!.message).toMatch(/neither Python nor Rust.*hybrid/);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});

describe('loadWorkflow bad input (each must finish fast)', () => {
  const cases: [string, string, string, number, number][] = [
    ['syntax', 'name: x\nnodes: [a,\n', 'YAML_SYNTAX', 3, 1],
    ['duplicate key', 'name: a\nnodes: []\nname: b\n', 'YAML_DUPLICATE_KEY', 3, 1],
    ['tab indent', 'name: x\nnodes:\n  - name: a\n\trun: x\n', 'YAML_TABS', 4, 1],
    ['not a mapping', '- a\n- b\n', 'NOT_A_MAPPING', 1, 1],
    ['scalar document', 'just text\n', 'NOT_A_MAPPING', 1, 1],
    ['unknown alias', 'name: *nope\n', 'YAML_SYNTAX', 1, 7],
  ];
  for (const [label, text, code, line, col] of cases) {
    it(`${label} -> ${code} at ${line}:${col}`, () => {
      const { value, ms } = timed(() => loadWorkflow(text, 'bad.yaml'));
      const p = only(value, code);
      expect([p.severity, p.line, p.col, p.file]).toEqual(['error', line, col, 'bad.yaml']);
      expect(value.model).toBeNull();
      expect(ms).toBeLessThan(1000);
    });
  }

  it('tab message is explicit', () => {
    const p = only(loadWorkflow('a:\n\tb: 1\n'), 'YAML_TABS');
    expect(p.message).toMatch(/Tab.*indentation.*spaces/);
  });

  it('caps a billion-laughs alias bomb', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const { value, ms } = timed(() => loadWorkflow(levels.join('\n') + '\n'));
    const p = only(value, 'YAML_ALIAS_LIMIT');
    expect([p.line, p.col]).toEqual([2, 8]);
    expect(value.model).toBeNull();
    expect(ms).toBeLessThan(1000);
  });

  it('caps the number of aliases', () => {
    const text = 'x: &x 1\nl: [' + Array(1500).fill('*x').join(', ') + ']\n';
    const { value, ms } = timed(() => loadWorkflow(text));
    expect(only(value, 'YAML_ALIAS_LIMIT')).toMatchObject({ line: 2, col: 5 });
    expect(ms).toBeLessThan(1000);
  });

  it('accepts ordinary anchors and aliases', () => {
    const text = 'name: a\nx: &code "return {}"\nnodes:\n  - {name: n, language: lua, run: *code}\n';
    const { model, problems } = loadWorkflow(text);
    expect(problems).toEqual([]);
    expect(model!.nodes[0]!.run).toBe('return {}');
  });

  it('wrong types of known keys become WRONG_TYPE at the key, not a crash', () => {
    const { value, ms } = timed(() =>
      loadWorkflow('name: [1]\nnodes: {}\nedges:\n  - from: a\n    to: {x: 1}\n'),
    );
    const wrong = value.problems.filter((p) => p.code === 'WRONG_TYPE').map((p) => [p.line, p.col]);
    expect(wrong).toEqual([
      [1, 7],
      [2, 8],
      [5, 9],
    ]);
    expect(value.model).not.toBeNull();
    expect(ms).toBeLessThan(1000);
  });

  it('wrong types inside nodes keep the rest of the model', () => {
    const text =
      'name: w\nnodes:\n  - name: a\n    goto: {to: b}\n    max_iterations: lots\n  - 7\n  - name: b\n';
    const { model, problems } = loadWorkflow(text);
    expect(problems.map((p) => [p.code, p.line, p.col, p.node])).toEqual([
      ['WRONG_TYPE', 4, 11, 'a'],
      ['WRONG_TYPE', 5, 21, 'a'],
      ['WRONG_TYPE', 6, 5, undefined],
    ]);
    expect(model!.nodes.map((n) => n.name)).toEqual(['a', 'b']);
  });

  it('deep nesting is an error, not a crash', () => {
    const { value, ms } = timed(() => loadWorkflow('x: ' + '['.repeat(20_000) + '\n'));
    expect(value.model).toBeNull();
    expect(value.problems[0]!.code).toBe('YAML_SYNTAX');
    expect(value.problems.length).toBeLessThanOrEqual(10);
    // A hang guard, not a speed target: ~250 ms idle, several times that with the cores busy.
    expect(ms).toBeLessThan(2500);
  });

  it('an empty file is an empty workflow', () => {
    expect(loadWorkflow('').model).toEqual({ settings: {}, nodes: [], edges: [], raw: {} });
  });

  it('oversized text -> FILE_TOO_LARGE', () => {
    const p = only(loadWorkflow('#'.repeat(MAX_WORKFLOW_BYTES + 1)), 'FILE_TOO_LARGE');
    expect([p.line, p.col]).toEqual([1, 1]);
  });
});

describe('decodeWorkflowBytes', () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it('decodes UTF-8 and keeps a BOM', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc('name: é\n')]);
    const out = decodeWorkflowBytes(bytes);
    expect(out).toEqual({ text: '\ufeffname: é\n' });
    expect(loadWorkflow((out as { text: string }).text).model!.name).toBe('é');
  });

  it('reports the line:col of the first bad UTF-8 byte', () => {
    const bytes = new Uint8Array([...enc('name: x\nnodes: é'), 0xff, ...enc('\n')]);
    const out = decodeWorkflowBytes(bytes, 'f.yaml');
    expect(out).toMatchObject({
      problem: { code: 'NOT_UTF8', line: 2, col: 9, file: 'f.yaml', severity: 'error' },
    });
  });

  it('rejects overlong encodings and truncated sequences', () => {
    expect(decodeWorkflowBytes(new Uint8Array([0x61, 0xc0, 0xaf]))).toMatchObject({
      problem: { code: 'NOT_UTF8', line: 1, col: 2 },
    });
    expect(decodeWorkflowBytes(new Uint8Array([0x61, 0x0a, 0xe2, 0x82]))).toMatchObject({
      problem: { code: 'NOT_UTF8', line: 2, col: 1 },
    });
  });

  it('rejects binary data (NUL bytes), including UTF-16', () => {
    const bin = new Uint8Array([...enc('ab\ncd'), 0, 1, 2]);
    expect(decodeWorkflowBytes(bin)).toMatchObject({ problem: { code: 'BINARY_FILE', line: 2, col: 3 } });
    const utf16 = new Uint8Array([0xff, 0xfe, 0x6e, 0x00]);
    const out = decodeWorkflowBytes(utf16) as { problem: Problem };
    expect(out.problem.message).toMatch(/UTF-16/);
  });

  it('rejects oversized input without scanning it', () => {
    const big = new Uint8Array(MAX_WORKFLOW_BYTES + 1);
    const { value, ms } = timed(() => decodeWorkflowBytes(big));
    expect(value).toMatchObject({ problem: { code: 'FILE_TOO_LARGE', line: 1, col: 1 } });
    expect(ms).toBeLessThan(1000);
  });
});

describe('loadWorkflowFile', () => {
  it('loads a file from disk', async () => {
    const result = await loadWorkflowFile(join(FIXTURES, 'simple_workflow.yaml'));
    expect(result.model!.nodes.map((n) => n.name)).toEqual(['process', 'finalize']);
    expect(result.file).toBe(join(FIXTURES, 'simple_workflow.yaml'));
  });

  it('turns unreadable files into problems', async () => {
    const missing = await loadWorkflowFile('/nonexistent/dir/x.yaml');
    expect(missing.model).toBeNull();
    expect(missing.problems[0]).toMatchObject({ code: 'FILE_UNREADABLE', line: 1, col: 1 });
    const dir = await loadWorkflowFile(tmpdir());
    expect(dir.problems[0]!.code).toBe('FILE_UNREADABLE');
  });

  it('turns undecodable files into problems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-load-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, new Uint8Array([0x6e, 0x3a, 0x20, 0xff]));
    const result = await loadWorkflowFile(path);
    expect(result.problems[0]).toMatchObject({ code: 'NOT_UTF8', line: 1, col: 4, file: path });
  });
});

describe('performance', () => {
  it('loads a generated 1,000-node workflow quickly', () => {
    const lines = ['name: big', 'nodes:'];
    for (let i = 0; i < 1000; i++) {
      lines.push(`  - name: n${i}`, '    language: lua', '    run: |', `      return { v${i} = ${i} }`);
      lines.push(
        `    goto:`,
        `      - if: "state.v${i} > 3"`,
        `        to: n${(i + 1) % 1000}`,
        `      - to: __end__`,
      );
      lines.push(`    metadata: {fanout: {x: ${i * 10}, y: ${i}}}`);
    }
    const text = lines.join('\n') + '\n';
    loadWorkflow(text); // warm-up (JIT)
    parseDocument(text);
    // Interleave runs so machine load hits both measurements alike; compare best-of-5.
    const ours: number[] = [];
    const bare: number[] = [];
    let last = loadWorkflow(text);
    for (let i = 0; i < 5; i++) {
      const t = timed(() => loadWorkflow(text));
      ours.push(t.ms);
      last = t.value;
      bare.push(timed(() => parseDocument(text, { lineCounter: new LineCounter() })).ms);
    }
    const best = Math.min(...ours);
    const baseline = Math.min(...bare);
    console.log(
      `[perf] loadWorkflow 1,000 nodes (${text.length} chars): best ${best.toFixed(1)} ms; ` +
        `yaml parseDocument alone ${baseline.toFixed(1)} ms`,
    );
    expect(last.model!.nodes).toHaveLength(1000);
    expect(last.problems).toEqual([]);
    // Model building must add little to the YAML parse itself; the absolute bound is generous for
    // 2 noisy shared cores (the YAML parser dominates and is ~50-250 ms here depending on load).
    expect(best).toBeLessThan(baseline * 2.5 + 30);
    expect(best).toBeLessThan(1500);
  });
});
