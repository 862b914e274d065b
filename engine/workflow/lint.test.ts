import { describe, expect, it } from 'vitest';
import { buildGraph } from './graph.ts';
import { lintPortability, lua54Syntax, mutuallyExclusive, stripLuaStringsAndComments } from './lint.ts';
import { loadWorkflow } from './load.ts';
import type { Problem } from './types.ts';

function lint(lines: string[]): Problem[] {
  const text = lines.join('\n');
  const load = loadWorkflow(text);
  if (!load.model) throw new Error(JSON.stringify(load.problems));
  return lintPortability(load.model, buildGraph(load.model), text);
}

function only(problems: Problem[], code: string): Problem[] {
  return problems.filter((p) => p.code === code);
}

const FAN = (parallel: string[], extraNodes: string[] = []) => [
  'name: w',
  'nodes:',
  '  - {name: s, language: lua, run: "return {}"}',
  '  - {name: a, goto: j}',
  '  - {name: b, goto: j}',
  ...extraNodes,
  '  - {name: j, goto: __end__}',
  'edges:',
  ...parallel,
];
const HYBRID = [
  '  - {from: s, to: a, type: parallel, fan_in: j, parallel: [a, b]}',
  '  - {from: s, to: b, type: parallel, fan_in: j}',
];

describe('lintPortability: clean portable file', () => {
  it('has no warnings for the hybrid form with explicit successors and language: lua', () => {
    expect(lint(FAN(HYBRID))).toEqual([]);
  });
});

describe('lintPortability: parallel forms and fan-out shapes', () => {
  it('flags python-only and rust-only fan-out notation', () => {
    const py = lint(
      FAN([
        '  - {from: s, to: a, type: parallel, fan_in: j}',
        '  - {from: s, to: b, type: parallel, fan_in: j}',
      ]),
    );
    expect(only(py, 'PARALLEL_FORM_PYTHON_ONLY')).toMatchObject([
      { engine: 'rust', node: 's', edgeIndex: 0, line: 8 },
    ]);
    const rs = lint(FAN(['  - {from: s, parallel: [a, b]}']));
    expect(only(rs, 'PARALLEL_FORM_RUST_ONLY')).toMatchObject([{ engine: 'python', line: 8 }]);
  });

  it('flags the forms that run nowhere', () => {
    const p = lint(FAN(['  - {from: s, to: [a, b], parallel: true, fan_in: j}']));
    expect(only(p, 'PARALLEL_FORM_UNSUPPORTED')).toMatchObject([{ engine: 'both', edgeIndex: 0 }]);
  });

  it('flags a multi-node branch for rust', () => {
    const p = lint([
      'name: w',
      'nodes:',
      '  - {name: s}',
      '  - {name: a, goto: a2}',
      '  - {name: a2, goto: j}',
      '  - {name: b, goto: j}',
      '  - {name: j, goto: __end__}',
      'edges:',
      '  - {from: s, to: a, type: parallel, fan_in: j, parallel: [a, b]}',
      '  - {from: s, to: b, type: parallel, fan_in: j}',
    ]);
    const w = only(p, 'MULTI_NODE_BRANCH');
    expect(w).toMatchObject([{ engine: 'rust', node: 'a', line: 4 }]);
    expect(w[0]?.message).toContain('a -> a2');
  });

  it('flags fan-out from __start__, a fan-in that fans out again, and a nested fan-out', () => {
    const start = lint([
      'name: w',
      'nodes: [{name: a, goto: j}, {name: b, goto: j}, {name: j, goto: __end__}]',
      'edges:',
      '  - {from: __start__, parallel: [a, b]}',
    ]);
    expect(only(start, 'FAN_OUT_FROM_START')).toMatchObject([{ engine: 'python' }]);

    const again = lint([
      'name: w',
      'nodes:',
      '  - {name: s}',
      '  - {name: a, goto: j}',
      '  - {name: b, goto: j}',
      '  - {name: j}',
      '  - {name: c, goto: k}',
      '  - {name: d, goto: k}',
      '  - {name: k, goto: __end__}',
      'edges:',
      ...HYBRID,
      '  - {from: j, to: c, type: parallel, fan_in: k, parallel: [c, d]}',
      '  - {from: j, to: d, type: parallel, fan_in: k}',
    ]);
    expect(only(again, 'FAN_IN_FANS_OUT')).toMatchObject([{ engine: 'python', node: 'j' }]);

    const nested = lint([
      'name: w',
      'nodes:',
      '  - {name: s}',
      '  - {name: a}',
      '  - {name: x, goto: a2}',
      '  - {name: y, goto: a2}',
      '  - {name: a2, goto: j}',
      '  - {name: b, goto: j}',
      '  - {name: j, goto: __end__}',
      'edges:',
      '  - {from: s, to: a, type: parallel, fan_in: j, parallel: [a, b]}',
      '  - {from: s, to: b, type: parallel, fan_in: j}',
      '  - {from: a, to: x, type: parallel, fan_in: a2, parallel: [x, y]}',
      '  - {from: a, to: y, type: parallel, fan_in: a2}',
    ]);
    expect(only(nested, 'NESTED_FAN_OUT')).toMatchObject([{ engine: 'both', node: 'a' }]);
  });
});

describe('lintPortability: routing', () => {
  it('flags edges ignored because of goto and `when` on an edge to __end__', () => {
    const p = lint([
      'name: w',
      'nodes:',
      '  - {name: a, goto: b}',
      '  - {name: b}',
      'edges:',
      '  - {from: a, to: __end__}',
      '  - {from: b, to: __end__, when: "state.done"}',
    ]);
    expect(only(p, 'EDGE_IGNORED_GOTO')).toMatchObject([
      { line: 6, edgeIndex: 0, node: 'a', engine: 'both' },
    ]);
    expect(only(p, 'WHEN_ON_END_EDGE')).toMatchObject([{ line: 7, edgeIndex: 1, engine: 'python' }]);
  });

  it('flags a goto fallback to __end__ and overlapping rules, not exclusive ones', () => {
    const p = lint([
      'name: w',
      'nodes:',
      '  - name: grade',
      '    goto:',
      '      - if: "state.score >= 90"',
      '        to: a',
      '      - if: "state.score >= 80"',
      '        to: b',
      '      - to: __end__',
      '  - {name: a, goto: __end__}',
      '  - {name: b, goto: __end__}',
    ]);
    expect(only(p, 'GOTO_FALLBACK_END')).toMatchObject([{ engine: 'rust', line: 9, node: 'grade' }]);
    expect(only(p, 'GOTO_RULES_OVERLAP')).toMatchObject([{ engine: 'rust', line: 5, node: 'grade' }]);
    const exclusive = lint([
      'name: w',
      'nodes:',
      '  - name: grade',
      '    goto:',
      '      - {if: "state.score >= 90", to: a}',
      '      - {if: "state.score < 90", to: b}',
      '      - {to: b}',
      '  - {name: a, goto: __end__}',
      '  - {name: b, goto: __end__}',
    ]);
    expect(exclusive).toEqual([]);
  });

  it('flags reliance on list order', () => {
    const p = lint(['name: w', 'nodes:', '  - {name: a}', '  - {name: b, goto: __end__}']);
    expect(only(p, 'IMPLICIT_SUCCESSOR')).toMatchObject([{ node: 'a', line: 3, engine: 'both' }]);
  });
});

describe('lintPortability: code and node keys', () => {
  it('flags run without language, the ignored -- lua marker and plain-scalar run', () => {
    const p = lint([
      'name: w',
      'nodes:',
      '  - name: a',
      '    run: |',
      '      return {}',
      '    goto: b',
      '  - name: b',
      '    run: |',
      '      -- lua',
      '      return {}',
      '    goto: c',
      '  - name: c',
      '    language: lua',
      '    run: return { n = 1 }',
      '    goto: d',
      '  - name: d',
      '    language: lua',
      '    run: "return {}"',
      '    goto: __end__',
    ]);
    expect(only(p, 'RUN_WITHOUT_LANGUAGE')).toMatchObject([{ node: 'a', line: 4, col: 5, engine: 'python' }]);
    expect(only(p, 'LUA_MARKER_IGNORED')).toMatchObject([{ node: 'b', line: 8 }]);
    expect(only(p, 'PLAIN_SCALAR_RUN')).toMatchObject([{ node: 'c', line: 14, col: 10, engine: 'both' }]);
  });

  it('points Lua 5.4-only syntax at its line in the file', () => {
    const p = lint([
      'name: w',
      'nodes:',
      '  - name: a',
      '    language: lua',
      '    run: |',
      '      local s = "a // b"  -- 10 // 3 in a comment',
      '      local q = 10 // 3',
      '      local m = 6 & 3',
      '      return { q = q, ok = q ~= 1 }',
      '    goto: __end__',
    ]);
    const hits = only(p, 'LUA54_SYNTAX');
    expect(hits.map((h) => [h.line, h.col, h.engine])).toEqual([
      [7, 20, 'python'],
      [8, 19, 'python'],
    ]);
    expect(hits[0]?.message).toContain('//');
  });

  it('flags python-only, rust-only keys and Fanout extensions', () => {
    const p = lint([
      'name: w',
      'settings:',
      '  timeout_ms: 500',
      '  memory_limit_mb: 64',
      'nodes:',
      '  - name: a',
      '    interrupt: before',
      '    retry: {max_retries: 2}',
      '    timeout_ms: 100',
      '    goto: b',
      '  - name: b',
      '    type: dynamic_parallel',
      '    goto: __end__',
    ]);
    expect(only(p, 'PYTHON_ONLY_FEATURE').map((x) => [x.line, x.col, x.engine])).toEqual([
      [7, 5, 'rust'],
      [12, 11, 'rust'],
    ]);
    expect(only(p, 'RUST_ONLY_FEATURE')).toMatchObject([{ line: 8, col: 5, engine: 'python' }]);
    expect(only(p, 'FANOUT_EXTENSION').map((x) => x.line)).toEqual([3, 4, 9]);
  });
});

describe('Lua scanning helpers', () => {
  it('blanks strings and comments but keeps line structure', () => {
    const code = 'local a = "x // y" -- c & d\nlocal b = [[\n a | b ]] .. \'~\'\n--[==[ << ]==] return a';
    const stripped = stripLuaStringsAndComments(code);
    expect(stripped.split('\n')).toHaveLength(4);
    expect(stripped).not.toMatch(/\/\/|&|\||~|<</);
    expect(stripped).toContain('return a');
    expect(lua54Syntax(code)).toEqual([]);
  });

  it('finds each kind of Lua 5.4-only syntax once, not `~=`', () => {
    const hits = lua54Syntax(
      'local x <const> = 1\nlocal y = x >> 1\nlocal z = ~x\nif x ~= 2 then end\nutf8.char(65)',
    );
    expect(hits.map((h) => [h.line, h.what.split(' ')[0]])).toEqual([
      [1, 'Variable'],
      [2, 'Bit'],
      [3, 'Bitwise'],
      [5, 'The'],
    ]);
  });

  it('recognises exclusive conditions', () => {
    expect(mutuallyExclusive(['state.ok', 'not state.ok'])).toBe(true);
    expect(mutuallyExclusive(['state.kind == "a"', "kind == 'b'"])).toBe(true);
    expect(mutuallyExclusive(['state.n < 5', 'state.n >= 5', 'state.n == 7'])).toBe(false);
    expect(mutuallyExclusive(['state.n < 5', 'state.n >= 5'])).toBe(true);
    expect(mutuallyExclusive(['state.n <= 5', 'state.n >= 5'])).toBe(false);
    expect(mutuallyExclusive(['state.a', 'state.b'])).toBe(false);
    expect(mutuallyExclusive(['state.a and state.b', 'not state.a'])).toBe(false);
  });
});
