import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { setNodeCode, setTopLevelField } from '../../../../engine/workflow/edit.ts';
import { loadWorkflow } from '../../../../engine/workflow/load.ts';
import type { NodeSpec, Problem } from '../../../../engine/workflow/types.ts';
import { createDocumentStore } from '../document-store.ts';
import { codeLineToFileLine, codeMarkers, fileLineToCodeLine, otherNodeProblems } from './code-lines.ts';
import {
  addRule,
  applyGotoRules,
  gotoValue,
  moveRule,
  removeRule,
  ruleErrors,
  rulesOf,
  updateRule,
} from './goto-rules.ts';
import {
  parseInitialState,
  parseIntField,
  parseParamValue,
  rowsToMap,
  TIMEOUT_RANGE,
  withSetting,
} from './fields.ts';
import { countsText, engineTag, focusTarget, groupProblems, problemText } from './problems.ts';

const WORKFLOW = `# demo
name: demo
nodes:
  - name: first
    language: lua
    run: |
      local x = 1
      return { x = x }
  - name: inline
    run: "return {}"
  - name: check
    language: lua
    run: |
      return {}
    goto:
      - if: "state.x > 1"
        to: first
      - to: __end__
edges:
  - {from: __start__, to: first}
`;

function node(text: string, name: string): NodeSpec {
  const model = loadWorkflow(text).model!;
  const spec = model.nodes.find((n) => n.name === name);
  if (!spec) throw new Error(`no node ${name}`);
  return spec;
}

function problem(partial: Partial<Problem>): Problem {
  return { severity: 'error', code: 'X', message: 'm', line: 1, col: 1, ...partial };
}

describe('file line <-> code line', () => {
  it('maps block scalar code lines to the lines after `run: |`', () => {
    const spec = node(WORKFLOW, 'first');
    const lines = WORKFLOW.split('\n');
    const fileLine = codeLineToFileLine(WORKFLOW, spec, 2)!;
    expect(lines[fileLine - 1]!.trim()).toBe('return { x = x }');
    expect(fileLineToCodeLine(WORKFLOW, spec, fileLine)).toBe(2);
    expect(fileLineToCodeLine(WORKFLOW, spec, fileLine - 2)).toBeNull(); // the `run:` line
    expect(fileLineToCodeLine(WORKFLOW, spec, fileLine + 2)).toBeNull(); // next node
    expect(codeLineToFileLine(WORKFLOW, spec, 99)).toBeNull();
  });

  it('does not map the line after a block (the final newline is not a code line)', () => {
    const spec = node(WORKFLOW, 'check');
    const gotoLine = spec.gotoSpan!.start.line - 1; // the `goto:` key line right after `return {}`
    expect(WORKFLOW.split('\n')[gotoLine - 1]!.trim()).toBe('goto:');
    expect(fileLineToCodeLine(WORKFLOW, spec, gotoLine)).toBeNull();
    expect(fileLineToCodeLine(WORKFLOW, spec, gotoLine - 1)).toBe(1);
    const onGoto = problem({ node: 'check', line: gotoLine, code: 'GOTO_UNDEFINED' });
    expect(codeMarkers(WORKFLOW, spec, [onGoto])).toEqual([]);
    expect(otherNodeProblems(WORKFLOW, spec, [onGoto])).toEqual([onGoto]);
  });

  it('maps an inline scalar to the key line', () => {
    const spec = node(WORKFLOW, 'inline');
    const line = codeLineToFileLine(WORKFLOW, spec, 1)!;
    expect(WORKFLOW.split('\n')[line - 1]).toContain('run: "return {}"');
    expect(fileLineToCodeLine(WORKFLOW, spec, line)).toBe(1);
  });

  it('still maps after an edit changes the code length', () => {
    const edited = setNodeCode(WORKFLOW, 'first', '-- a\n-- b\nlocal x = 1\nreturn { x = x }\n');
    const spec = node(edited, 'first');
    const fileLine = codeLineToFileLine(edited, spec, 4)!;
    expect(edited.split('\n')[fileLine - 1]!.trim()).toBe('return { x = x }');
  });

  it('turns the node problems inside the code into markers with code columns', () => {
    const spec = node(WORKFLOW, 'first');
    const fileLine = codeLineToFileLine(WORKFLOW, spec, 2)!;
    // `return` starts at file column 7 (6 spaces of indentation), i.e. code column 1.
    const inCode = problem({ node: 'first', line: fileLine, col: 7, code: 'LUA_SYNTAX', message: 'bad' });
    const onName = problem({ node: 'first', line: spec.nameSpan.start.line, code: 'OTHER', message: 'name' });
    const otherNode = problem({ node: 'check', line: fileLine });
    const markers = codeMarkers(WORKFLOW, spec, [inCode, onName, otherNode]);
    expect(markers).toEqual([{ line: 2, col: 1, severity: 'error', code: 'LUA_SYNTAX', message: 'bad' }]);
    expect(otherNodeProblems(WORKFLOW, spec, [inCode, onName, otherNode])).toEqual([onName]);
  });
});

describe('goto rules', () => {
  const targets = new Set(['first', 'inline', 'check', '__end__']);

  it('reads rules and writes them back as the same YAML value', () => {
    const rules = rulesOf(node(WORKFLOW, 'check').goto);
    expect(rules).toEqual([{ if: 'state.x > 1', to: 'first' }, { to: '__end__' }]);
    expect(gotoValue(rules)).toEqual([{ if: 'state.x > 1', to: 'first' }, { to: '__end__' }]);
    expect(applyGotoRules(WORKFLOW, 'check', rules)).toBe(WORKFLOW);
  });

  it('adds a conditional rule before the fallback and writes it into the file', () => {
    const rules = addRule(rulesOf(node(WORKFLOW, 'check').goto), { if: 'state.x == 0', to: 'inline' });
    expect(rules.map((r) => r.to)).toEqual(['first', 'inline', '__end__']);
    const text = applyGotoRules(WORKFLOW, 'check', rules);
    const spec = node(text, 'check');
    expect(rulesOf(spec.goto)).toEqual(rules);
    // Only the goto changed: everything before the check node is byte-identical.
    const at = WORKFLOW.indexOf('  - name: check');
    expect(text.slice(0, at)).toBe(WORKFLOW.slice(0, at));
    expect(text).toContain('# demo\n');
    expect(() => addRule(rules, { to: 'first' })).toThrow(/fallback/);
  });

  it('removes and reorders rules; one unconditional rule becomes a plain goto; none deletes it', () => {
    let rules = rulesOf(node(WORKFLOW, 'check').goto);
    rules = moveRule(rules, 1, -1);
    expect(rules.map((r) => r.to)).toEqual(['__end__', 'first']);
    expect(ruleErrors(rules, targets)[0]).toMatch(/fallback rule must be last/);
    rules = moveRule(rules, 0, +5);
    expect(rules.map((r) => r.to)).toEqual(['first', '__end__']);

    const single = removeRule(rules, 0);
    const text = applyGotoRules(WORKFLOW, 'check', single);
    expect(text).toMatch(/\n {4}goto: __end__\n/);
    expect(node(text, 'check').goto).toBe('__end__');

    const none = applyGotoRules(text, 'check', removeRule(single, 0));
    expect(none).not.toContain('goto');
    expect(node(none, 'check').goto).toBeUndefined();
    expect(() => removeRule([], 0)).toThrow(/No goto rule/);
  });

  it('checks conditions with the expression parser and targets against the node names', () => {
    const rules = [
      { if: 'state.x >', to: 'first' },
      { if: 'state.ok', to: 'nowhere' },
      { if: 'state.n > 2', to: 'inline' },
      { to: '__end__' },
    ];
    const errors = ruleErrors(rules, targets);
    expect(errors[0]).toMatch(/^Condition: /);
    expect(errors[1]).toBe("Unknown target 'nowhere'");
    expect(errors[2]).toBeNull();
    expect(errors[3]).toBeNull();
    // Clearing a condition makes the rule a fallback.
    expect(updateRule(rules, 2, { if: '  ' })[2]).toEqual({ to: 'inline' });
  });
});

describe('problems grouping', () => {
  const problems: Problem[] = [
    problem({ severity: 'warning', code: 'W1', line: 3, col: 1, engine: 'rust', node: 'a' }),
    problem({ severity: 'error', code: 'E2', line: 9, col: 4, message: 'late' }),
    problem({ severity: 'error', code: 'E1', line: 2, col: 5, message: 'early', node: 'b' }),
    problem({ severity: 'warning', code: 'W0', line: 3, col: 1, engine: 'python' }),
  ];

  it('puts errors first, each group in file order, and counts them', () => {
    const groups = groupProblems(problems);
    expect(groups.errors.map((p) => p.code)).toEqual(['E1', 'E2']);
    expect(groups.warnings.map((p) => p.code)).toEqual(['W0', 'W1']);
    expect(countsText(groups)).toBe('2 errors, 2 warnings');
    expect(countsText(groupProblems([problems[1]!]))).toBe('1 error, 0 warnings');
  });

  it('formats rows and focus targets', () => {
    expect(problemText(problems[2]!)).toBe('2:5 E1 early');
    expect(engineTag(problems[0]!)).toBe('TEA Rust');
    expect(engineTag(problems[1]!)).toBeUndefined();
    expect(focusTarget(problems[2]!)).toEqual({ node: 'b', line: 2 });
    expect(focusTarget(problems[1]!)).toEqual({ line: 9 });
  });

  it('focuses the graph edge drawn from an `edges:` entry', () => {
    const store = createDocumentStore(WORKFLOW, null);
    const graph = store.getState().graph!;
    const entry = problem({ edgeIndex: 0, line: 20 });
    const target = focusTarget(entry, graph);
    const edge = graph.edges.find((e) => e.id === target.edge)!;
    expect(edge).toBeDefined();
    expect([edge.source, edge.target]).toEqual(['__start__', 'first']);
    expect(focusTarget(problem({ edgeIndex: 7, line: 3 }), graph)).toEqual({ line: 3 });
  });
});

describe('settings fields', () => {
  it('parses whole numbers in range, empty as unset', () => {
    expect(parseIntField(' 500 ', 'Timeout', TIMEOUT_RANGE)).toEqual({ ok: true, value: 500 });
    expect(parseIntField('', 'Timeout', TIMEOUT_RANGE)).toEqual({ ok: true, value: undefined });
    expect(parseIntField('1.5', 'Timeout', TIMEOUT_RANGE)).toEqual({
      ok: false,
      error: 'Timeout must be a whole number',
    });
    expect(parseIntField('0', 'Max', { min: 1, max: 1000 })).toEqual({
      ok: false,
      error: 'Max must be between 1 and 1000',
    });
  });

  it('parses initial_state JSON objects and explains bad input', () => {
    expect(parseInitialState('{"items": [1, 2]}')).toEqual({ ok: true, value: { items: [1, 2] } });
    expect(parseInitialState('  ')).toEqual({ ok: true, value: undefined });
    const bad = parseInitialState('{items: 1}');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/not valid JSON/);
    expect(parseInitialState('[1]')).toEqual({
      ok: false,
      error: 'initial_state must be a JSON object like {"items": []}',
    });
  });

  it('keeps typed parameter values and templates as strings', () => {
    expect(parseParamValue('42')).toBe(42);
    expect(parseParamValue('true')).toBe(true);
    expect(parseParamValue('{"a": 1}')).toEqual({ a: 1 });
    expect(parseParamValue('{{ state.x }}')).toBe('{{ state.x }}');
    expect(parseParamValue('hello')).toBe('hello');
    expect(parseParamValue('1 apple')).toBe('1 apple');
    expect(
      rowsToMap(
        [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
        parseParamValue,
      ),
    ).toEqual({
      ok: false,
      error: "Duplicate key 'a'",
    });
  });

  it('writes settings fields into the file and removes emptied maps', () => {
    let text = WORKFLOW;
    let settings = withSetting(undefined, ['timeout_ms'], 2000);
    text = setTopLevelField(text, 'settings', settings);
    settings = withSetting(settings, ['parallel', 'fail_fast'], true);
    text = setTopLevelField(text, 'settings', settings);
    let model = loadWorkflow(text).model!;
    expect(model.settings).toEqual({ timeoutMs: 2000, failFast: true });
    expect(text.indexOf('settings:')).toBeLessThan(text.indexOf('nodes:'));

    settings = withSetting(settings, ['parallel', 'fail_fast'], undefined);
    expect(settings).toEqual({ timeout_ms: 2000 });
    settings = withSetting(settings, ['timeout_ms'], undefined);
    expect(settings).toBeUndefined();
    text = setTopLevelField(text, 'settings', settings);
    model = loadWorkflow(text).model!;
    expect(model.settings).toEqual({});
    expect(text).toBe(WORKFLOW);

    const state = parseInitialState('{"lines": ["a b"]}');
    text = setTopLevelField(text, 'initial_state', state.ok ? state.value : undefined);
    expect(parse(text).initial_state).toEqual({ lines: ['a b'] });
  });
});
