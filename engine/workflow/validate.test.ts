import { describe, expect, it } from 'vitest';
import { loadWorkflow } from './load.ts';
import type { Problem } from './types.ts';
import { createLocator, validateWorkflow } from './validate.ts';
import type { ValidateOptions } from './validate.ts';

function check(lines: string[], opts?: ValidateOptions): Problem[] {
  return validateWorkflow(loadWorkflow(lines.join('\n'), 'w.yaml'), opts);
}

function codes(problems: Problem[]): string[] {
  return problems.map((p) => p.code);
}

function find(problems: Problem[], code: string): Problem {
  const p = problems.find((x) => x.code === code);
  if (!p) throw new Error(`no ${code} in ${JSON.stringify(problems, null, 1)}`);
  return p;
}

describe('validateWorkflow: TEA load errors', () => {
  it('reports GOTO_UNDEFINED at the goto value with TEA wording', () => {
    const p = find(
      check(['name: w', 'nodes:', '  - name: node_a', '    goto: non_existent_node', '  - name: node_b']),
      'GOTO_UNDEFINED',
    );
    expect(p).toMatchObject({
      severity: 'error',
      message: "Node 'node_a' has goto to non-existent node 'non_existent_node'",
      node: 'node_a',
      line: 4,
      col: 11,
      file: 'w.yaml',
    });
  });

  it('points at the `to` of a bad goto rule', () => {
    const p = find(
      check([
        'name: w',
        'nodes:',
        '  - name: a',
        '    goto:',
        '      - if: "state.x"',
        '        to: nowhere',
        '      - to: __end__',
      ]),
      'GOTO_UNDEFINED',
    );
    expect([p.line, p.col]).toEqual([6, 13]);
  });

  it('reports duplicate and reserved node names on the name', () => {
    const problems = check(['name: w', 'nodes:', '  - name: a', '  - name: a', '  - name: __end__']);
    expect(find(problems, 'DUPLICATE_NODE')).toMatchObject({ line: 4, col: 11, node: 'a' });
    expect(find(problems, 'RESERVED_NODE_NAME')).toMatchObject({ line: 5, col: 11 });
  });

  it('reports edges from/to undefined nodes and an undefined fan_in', () => {
    const problems = check([
      'name: w',
      'nodes: [{name: a}, {name: b}]',
      'edges:',
      '  - {from: ghost, to: a}',
      '  - {from: a, to: phantom}',
      '  - {from: a, to: b, type: parallel, fan_in: nojoin}',
    ]);
    expect(find(problems, 'EDGE_FROM_UNDEFINED')).toMatchObject({ line: 4, col: 12, edgeIndex: 0 });
    expect(find(problems, 'EDGE_TO_UNDEFINED')).toMatchObject({ line: 5, col: 19, edgeIndex: 1 });
    expect(find(problems, 'PARALLEL_FAN_IN_UNDEFINED')).toMatchObject({ line: 6, col: 46, edgeIndex: 2 });
  });

  it('requires node names and at least one node (a missing workflow name is a lint warning)', () => {
    expect(codes(check(['nodes: [{name: a}]']))).not.toContain('MISSING_NAME');
    expect(codes(check(['name: w', 'nodes:', '  - run: x']))).toContain('MISSING_NODE_NAME');
    expect(codes(check(['name: w', 'nodes: []']))).toContain('EMPTY_WORKFLOW');
    expect(codes(check(['name: w']))).toContain('EMPTY_WORKFLOW');
  });

  it('reports wrong types: name, goto, max_iterations (state_schema mappings are a lint warning)', () => {
    expect(find(check(['name: [x]', 'nodes: [{name: a}]']), 'WRONG_TYPE')).toMatchObject({ line: 1, col: 7 });
    const schema = check(['name: w', 'state_schema:', '  a: int', '  b: {x: 1}', 'nodes: [{name: a}]']);
    expect(schema.filter((p) => p.severity === 'error')).toEqual([]);
    expect(codes(check(['name: w', 'nodes:', '  - name: a', '    goto: {to: b}']))).toContain('WRONG_TYPE');
    const loop = check([
      'name: w',
      'nodes:',
      '  - name: l',
      '    type: while_loop',
      '    condition: "state.n < 2"',
      '    max_iterations: 2.5',
      '    body: [{name: i}]',
    ]);
    expect(find(loop, 'WRONG_TYPE')).toMatchObject({ line: 6, col: 21, node: 'l' });
  });

  it('puts load problems first and sorts by line', () => {
    const problems = check([
      'name: w',
      'nodes:',
      '  - name: a',
      '    goto: nope',
      '  - name: a',
      '    language: [lua]',
    ]);
    const lines = problems.map((p) => p.line);
    expect(lines).toEqual([...lines].sort((x, y) => x - y));
    expect(codes(problems)).toEqual(['GOTO_UNDEFINED', 'DUPLICATE_NODE', 'WRONG_TYPE']);
  });

  it('returns only the load problems when the input is unusable', () => {
    const problems = validateWorkflow(loadWorkflow('- just\n- a list\n'));
    expect(codes(problems)).toEqual(['NOT_A_MAPPING']);
  });
});

describe('validateWorkflow: graph checks', () => {
  it('reports a branch that never reaches its fan-in', () => {
    const problems = check([
      'name: w',
      'nodes:',
      '  - {name: s}',
      '  - {name: a, goto: j}',
      '  - {name: b, goto: __end__}',
      '  - {name: j, goto: __end__}',
      'edges:',
      '  - {from: s, to: a, type: parallel, fan_in: j}',
      '  - {from: s, to: b, type: parallel, fan_in: j}',
    ]);
    expect(find(problems, 'BRANCH_NO_PATH_TO_FAN_IN')).toMatchObject({
      severity: 'error',
      node: 'b',
      line: 5,
    });
    expect(problems.filter((p) => p.code === 'BRANCH_NO_PATH_TO_FAN_IN')).toHaveLength(1);
  });

  it('reports FAN_IN_UNDETERMINED for a rust-form fan-out without common successor', () => {
    const problems = check([
      'name: w',
      'nodes: [{name: s}, {name: a, goto: x}, {name: b, goto: y}, {name: x, goto: __end__}, {name: y}]',
      'edges:',
      '  - {from: s, parallel: [a, b]}',
    ]);
    expect(find(problems, 'FAN_IN_UNDETERMINED')).toMatchObject({ line: 4, col: 5, edgeIndex: 0, node: 's' });
  });

  it('warns about unreachable nodes', () => {
    const problems = check(['name: w', 'nodes:', '  - {name: a, goto: __end__}', '  - {name: b}']);
    expect(find(problems, 'UNREACHABLE_NODE')).toMatchObject({ severity: 'warning', node: 'b', line: 4 });
  });

  it('warns NO_SUCCESSOR when a branch falls through into its sibling branch', () => {
    const problems = check([
      'name: w',
      'nodes: [{name: s}, {name: a}, {name: b}, {name: j, goto: __end__}]',
      'edges:',
      '  - {from: s, to: a, type: parallel, fan_in: j}',
      '  - {from: s, to: b, type: parallel, fan_in: j}',
      '  - {from: b, to: j}',
    ]);
    const p = find(problems, 'NO_SUCCESSOR');
    expect(p).toMatchObject({ severity: 'warning', node: 'a' });
    expect(p.message).toContain("'b'");
    expect(codes(problems)).not.toContain('BRANCH_NO_PATH_TO_FAN_IN');
  });

  it('warns NO_SUCCESSOR when one alternative of a goto falls into the other', () => {
    const problems = check([
      'name: w',
      'nodes:',
      '  - name: check',
      '    goto:',
      '      - {if: "state.ok", to: yes}',
      '      - {to: no}',
      '  - {name: yes}',
      '  - {name: no, goto: __end__}',
    ]);
    expect(find(problems, 'NO_SUCCESSOR')).toMatchObject({ node: 'yes', line: 7 });
  });

  it('does not warn NO_SUCCESSOR for ordinary list-order chains or a loop back', () => {
    const problems = check([
      'name: w',
      'nodes:',
      '  - {name: a}',
      '  - {name: b}',
      '  - name: c',
      '    goto:',
      '      - {if: "state.more", to: b}',
      '      - {to: __end__}',
    ]);
    expect(codes(problems)).toEqual([]);
  });

  it('warns GOTO_NO_FALLBACK when every rule has an `if`', () => {
    const problems = check([
      'name: w',
      'nodes:',
      '  - name: a',
      '    goto:',
      '      - {if: "state.x", to: __end__}',
    ]);
    expect(find(problems, 'GOTO_NO_FALLBACK')).toMatchObject({ severity: 'warning', line: 5, node: 'a' });
  });
});

describe('validateWorkflow: while-loops and actions', () => {
  const loop = (
    extra: string[],
    body = ['    body:', '      - {name: inner, language: lua, run: "return {}"}'],
  ) => check(['name: w', 'nodes:', '  - name: l', '    type: while_loop', ...extra, ...body]);

  it('requires max_iterations between 1 and 1000', () => {
    expect(find(loop(['    condition: "x"']), 'WHILE_LOOP_MAX_ITERATIONS').line).toBe(3);
    expect(
      find(loop(['    condition: "x"', '    max_iterations: 0']), 'WHILE_LOOP_MAX_ITERATIONS').line,
    ).toBe(6);
    expect(codes(loop(['    condition: "x"', '    max_iterations: 1001']))).toContain(
      'WHILE_LOOP_MAX_ITERATIONS',
    );
    expect(codes(loop(['    condition: "x"', '    max_iterations: 1000']))).toEqual([]);
  });

  it('requires a condition and rejects nested loops', () => {
    expect(codes(loop(['    max_iterations: 3']))).toContain('WHILE_LOOP_NO_CONDITION');
    const nested = loop(
      ['    condition: "x"', '    max_iterations: 3'],
      [
        '    body:',
        '      - name: inner',
        '        type: while_loop',
        '        condition: "y"',
        '        max_iterations: 2',
        '        body: [{name: deep}]',
      ],
    );
    expect(find(nested, 'WHILE_LOOP_NESTED')).toMatchObject({ line: 9, col: 15, node: 'inner' });
  });

  it('reports unknown actions only when the list of known actions is given', () => {
    const lines = ['name: w', 'nodes:', '  - name: a', '    uses: json.prase'];
    expect(codes(check(lines))).toEqual([]);
    const p = find(check(lines, { knownActions: ['json.parse'] }), 'UNKNOWN_ACTION');
    expect(p).toMatchObject({ line: 4, col: 11, node: 'a' });
    expect(codes(check(lines, { knownActions: ['json.prase'] }))).toEqual([]);
  });
});

describe('createLocator', () => {
  it('finds keys of block and flow mappings', () => {
    const text = 'name: w\nnodes:\n  - name: a\n    run: |\n      x\n    goto: b\n  - {name: b, goto: a}\n';
    const loc = createLocator(text);
    const blockMap = text.indexOf('name: a');
    expect(loc.inMap(blockMap, 'goto')).toMatchObject({ line: 6, col: 5 });
    expect(loc.inMap(blockMap, 'goto', 'value')).toMatchObject({ line: 6, col: 11 });
    const flowMap = text.indexOf('{name: b');
    expect(loc.inMap(flowMap, 'goto', 'value')).toMatchObject({ line: 7, col: 21 });
    expect(loc.at(['nodes', 1, 'name'], 'value')).toMatchObject({ line: 7, col: 12 });
    expect(loc.inMap(blockMap, 'missing')).toBeNull();
  });
});

describe('a queue Redis URL in the file', () => {
  it('is an error at its line and column, and the problem hides the password', () => {
    const text = [
      'name: q',
      'settings:',
      '  parallel:',
      '    strategy: remote',
      '    remote:',
      '      url: redis://worker:s3cret@queue.example:6379/0',
      'nodes:',
      '  - name: a',
      '    run: return {}',
      '',
    ].join('\n');
    const problems = validateWorkflow(loadWorkflow(text, 'flow.yaml'));
    const problem = problems.find((p) => p.code === 'REDIS_URL_IN_FILE');
    expect(problem).toMatchObject({ severity: 'error', line: 6, col: 12 });
    expect(problem?.message).not.toContain('s3cret');
    expect(problem?.message).toContain('redis://***@queue.example');
  });

  it('leaves URLs outside settings.parallel alone', () => {
    const text =
      'name: q\nsettings:\n  ltm:\n    url: redis://localhost\nnodes:\n  - name: a\n    run: return {}\n';
    expect(validateWorkflow(loadWorkflow(text)).map((p) => p.code)).not.toContain('REDIS_URL_IN_FILE');
  });
});
