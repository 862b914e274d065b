// Issue #11 finding 2: expressions run in the host process, so every evaluation has a step budget,
// an output cap and per-operation size caps checked before allocating. Each runaway below used to pin
// the CPU for minutes or grow the heap by gigabytes; now it fails fast with ExpressionBudgetError.
// Times are generous (the machine is shared and noisy): the limits fail in ~0.2 s when idle.
import { describe, expect, it } from 'vitest';
import { EXPRESSION_CACHE_MAX_CHARS, EXPRESSION_LIMITS } from '../limits.ts';
import {
  ExpressionBudgetError,
  checkExpression,
  evaluateCondition,
  expressionCacheStats,
  renderTemplate,
} from './index.ts';
import type { ConditionUse } from './index.ts';

const FAST_MS = 2_000;
const MiB = 1024 * 1024;

/** Runs `f`, returning what it threw (or returned), how long it took and how much the heap grew. */
function measure(f: () => unknown): { error: unknown; value: unknown; ms: number; heapGrowth: number } {
  const heap = process.memoryUsage().heapUsed;
  const started = performance.now();
  let error: unknown;
  let value: unknown;
  try {
    value = f();
  } catch (e) {
    error = e;
  }
  return { error, value, ms: performance.now() - started, heapGrowth: process.memoryUsage().heapUsed - heap };
}

/** Asserts a fast ExpressionBudgetError whose message matches `message`. */
function expectBudgetError(f: () => unknown, message: RegExp): ExpressionBudgetError {
  const { error, ms } = measure(f);
  expect(error).toBeInstanceOf(ExpressionBudgetError);
  expect((error as Error).message).toMatch(message);
  expect(ms).toBeLessThan(FAST_MS);
  return error as ExpressionBudgetError;
}

const render = (template: unknown, state: Record<string, unknown> = {}) =>
  renderTemplate(template, { state });
const STEPS = /exceeded 1,000,000 evaluation steps/;

/** Three loops over 3,000 characters: 2.7e10 passes (the issue's CLI repro). */
const NESTED_3000 =
  "{% for a in 'x' * 3000 %}{% for b in 'x' * 3000 %}{% for c in 'x' * 3000 %}{% endfor %}{% endfor %}{% endfor %}";
/** The same over 500 characters: 1.25e8 passes, 30 s of a blocked `serve` before. */
const NESTED_500 =
  "{% for a in 'x' * 500 %}{% for b in 'x' * 500 %}{% for c in 'x' * 500 %}{{ c }}{% endfor %}{% endfor %}{% endfor %}";

/** About 360,000 steps: a third of the budget. */
const HEAVY = "{% for a in 'x' * 600 %}{% for b in 'x' * 600 %}{% endfor %}{% endfor %}";

describe('a runaway loop fails fast, naming the source and what ran out', () => {
  it("the issue's CLI repro: nested loops over 'x' * 3000 in a template", () => {
    const error = expectBudgetError(() => render(NESTED_3000), STEPS);
    expect(error.message).toMatch(/^template "\{% for a in 'x' \* 3000 %\}/);
    expect(error.resource).toBe('steps');
  });

  it("the issue's serve repro: nested loops over 'x' * 500", () => {
    expectBudgetError(() => render(NESTED_500), STEPS);
  });

  it.each<[ConditionUse, string]>([
    ['goto', 'goto condition'],
    ['when', 'edge condition'],
    ['while', 'while_loop condition'],
  ])('as a %s condition it throws (not counted as false, nor as true in a loop)', (use, label) => {
    const error = expectBudgetError(() => evaluateCondition(NESTED_3000, { state: {} }, use), STEPS);
    expect(error.message.startsWith(`${label} "`)).toBe(true);
  });

  it('a whole `with:` mapping is one evaluation: many moderate templates add up', () => {
    expect(render({ one: HEAVY })).toEqual({ one: '' });
    expectBudgetError(() => render({ a: HEAVY, b: HEAVY, c: HEAVY }), STEPS);
  });

  it('every evaluation starts with a fresh budget', () => {
    for (let i = 0; i < 10; i++) expect(render(HEAVY)).toBe('');
  });
});

describe('sizes are checked before anything is allocated', () => {
  it("the issue's memory repro: [0] * 300000000", () => {
    const { error, ms, heapGrowth } = measure(() => render('{{ [0] * 300000000 }}'));
    expect(error).toBeInstanceOf(ExpressionBudgetError);
    expect((error as Error).message).toBe(
      `template "{{ [0] * 300000000 }}": '*' would build a list of 300,000,000 items (limit 1,000,000)`,
    );
    expect(ms).toBeLessThan(FAST_MS);
    expect(heapGrowth).toBeLessThan(32 * MiB);
  });

  it.each([
    ["{{ 'x' * 300000000 }}", /'\*' would build a string of 300,000,000 characters \(limit 4,194,304\)/],
    ["{{ ('x' * 3000000) ~ ('y' * 3000000) }}", /'~' would build a string of 6,000,000 characters/],
    ["{{ ('x' * 3000000) + ('y' * 3000000) }}", /'\+' would build a string/],
    ['{{ ([0] * 600000) + ([1] * 600000) }}', /'\+' would build a list of 1,200,000 items/],
    ["{{ (['x' * 1000000] * 5) | join(',') }}", /join would build a string/],
    ["{{ ('x' * 100000) | replace('x', 'y' * 100) }}", /replace would build a string of 10,000,000/],
    ["{{ ('x' * 100000).replace('x', 'y' * 100) }}", /replace would build a string of 10,000,000/],
    ["{{ ('x' * 1000000) | replace('', 'yyyy') }}", /replace would build a string of 5,000,004/],
    ['{{ [[1]] | tojson(indent=100000000) }}', /tojson would build a string of 100,000,00\d characters/],
    // Pieces are counted (a step each) before the split, so the step budget is what runs out.
    ["{{ (' a' * 1500000).split() }}", STEPS],
    ["{{ ('a,' * 1500000).split(',') }}", STEPS],
    ["{% for c in 'x' * 2000000 %}{% endfor %}", /iterating a string would build a list of 2,000,000 items/],
  ])('%s', (template, message) => {
    const { error, ms, heapGrowth } = measure(() => render(template));
    expect(error).toBeInstanceOf(ExpressionBudgetError);
    expect((error as Error).message).toMatch(message);
    expect(ms).toBeLessThan(FAST_MS);
    // Only the operands exist (a few MiB at most); the refused result was never built.
    expect(heapGrowth).toBeLessThan(64 * MiB);
  });

  it('the rendered text of a template is capped', () => {
    const state = { s: 'x'.repeat(10_000) };
    expectBudgetError(
      () => render("{% for i in 'x' * 1000 %}{{ state.s }}{% endfor %}", state),
      /rendering would build a string of \d[\d,]* characters \(limit 4,194,304\)/,
    );
  });

  it('what one evaluation builds in all is capped (64 MiB), even in pieces each under the caps', () => {
    const state = { s: 'q'.repeat(100_000) };
    const template =
      "{% for a in 'x' * 3000 %}{% for b in 'x' * 3000 %}{{ (state.s ~ state.s) | length }}{% endfor %}{% endfor %}";
    const { error, ms, heapGrowth } = measure(() => render(template, state));
    expect((error as Error).message).toMatch(/would allocate more than 64 MiB/);
    expect(ms).toBeLessThan(FAST_MS);
    expect(heapGrowth).toBeLessThan(256 * MiB);
  });
});

describe('work proportional to data is charged, so big data cannot hide a runaway', () => {
  it('repr of a hugely shared structure: ([[0] * 3000] * 3000) | string', () => {
    expectBudgetError(
      () => evaluateCondition('(([[0] * 3000] * 3000) | string | length) > 0', { state: {} }, 'goto'),
      STEPS,
    );
  });

  it('comparing and searching megabyte strings in a loop', () => {
    const big = 'y'.repeat(4_000_000);
    const state = { big, big2: `${big}z` };
    const loop = (body: string) =>
      `{% for a in 'x' * 1000 %}{% for b in 'x' * 1000 %}${body}{% endfor %}{% endfor %}`;
    expectBudgetError(() => render(loop('{{ state.big == state.big2 }}'), state), STEPS);
    expectBudgetError(() => render(loop("{{ 'z' in state.big }}"), state), STEPS);
    expectBudgetError(() => render(loop('{{ state.big | length }}'), state), STEPS);
  });

  it('sort and unique of long lists (n log n and n² comparisons)', () => {
    const state = { l: Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 300_000) };
    expectBudgetError(() => render('{{ state.l | sort | length }}', state), STEPS);
    expectBudgetError(() => render('{{ state.l | unique | length }}', state), STEPS);
  });

  it('comparing big dicts in a loop', () => {
    const d = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]));
    expectBudgetError(
      () => render("{% for a in 'x' * 1000 %}{{ state.d == state.d }}{% endfor %}", { d }),
      STEPS,
    );
  });

  it('`${name}` substitution is linear (the regex it replaces was quadratic on `${${${…`)', () => {
    const { value, ms } = measure(() =>
      renderTemplate(`{{ '\${' * 1000000 }} \${a}`, { state: {}, variables: { a: 'A' } }),
    );
    expect(value).toBe(`${'${'.repeat(1_000_000)} \${a}`);
    expect(ms).toBeLessThan(FAST_MS);
    expect(renderTemplate('${a} ${} ${b} ${a${a} {{ 1 }}${a}', { state: {}, variables: { a: 'X' } })).toBe(
      'X ${} ${b} ${a${a} 1X',
    );
  });
});

describe('sources that would overflow the stack or parse in quadratic time', () => {
  it.each([
    ['nested brackets', '('.repeat(5000) + '1' + ')'.repeat(5000)],
    ['nested lists', '['.repeat(5000) + ']'.repeat(5000)],
    ['a chain of not', 'not '.repeat(5000) + 'x'],
    ['a chain of unary minus', '-'.repeat(5000) + '1'],
    ['a long sum (a deep tree)', '1' + ' + 1'.repeat(5000)],
    ['a long attribute chain', 'a' + '.b'.repeat(5000)],
  ])('%s: a syntax problem, not a stack overflow', (_, source) => {
    expect(checkExpression(source)).toMatchObject({ ok: false, message: /nested deeper than 200 levels/ });
    const result = evaluateCondition(source, { state: {} }, 'goto');
    expect(result).toMatchObject({ value: false, error: /nested deeper than 200 levels/ });
    expect(result.error!.length).toBeLessThan(1000);
  });

  it('deeply nested blocks', () => {
    const source = '{% if true %}'.repeat(5000) + '{% endif %}'.repeat(5000);
    expect(checkExpression(source)).toMatchObject({ ok: false, message: /blocks nested deeper than 200/ });
  });

  it('a depth under the bound still works', () => {
    expect(render(`{{ ${'('.repeat(150)}1${')'.repeat(150)} }}`)).toBe(1);
    expect(render(`{{ 0${' + 1'.repeat(150)} }}`)).toBe(150);
  });

  it('whitespace control next to a long run of spaces is linear', () => {
    const source = `${' '.repeat(200_000)}x${' '.repeat(200_000)}{%- if true %}y{% endif %}`;
    const { value, ms } = measure(() => render(source));
    expect(value).toBe(`${' '.repeat(200_000)}xy`);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('fromjson refuses a value nested deeper than the state bound', () => {
    const result = evaluateCondition(
      "(('[' * 100000 ~ ']' * 100000) | fromjson) | length",
      { state: {} },
      'goto',
    );
    expect(result).toMatchObject({ value: false, error: /fromjson result is nested deeper than 200 levels/ });
  });

  it('an error message quoting a huge value is cut', () => {
    const result = evaluateCondition("{% for a, b in [['x' * 100000]] %}{% endfor %}", { state: {} }, 'goto');
    expect(result.error).toMatch(/cannot unpack/);
    expect(result.error!.length).toBeLessThan(1000);
  });
});

describe('legitimate templates stay well inside the bounds', () => {
  const doc = 'Lorem ipsum dolor sit amet. '.repeat(100_000); // 2.8 MB
  const items = Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'] }));

  it('a prompt with a large document, loops, filters and conditions', () => {
    const prompt = render(
      'Summarise for {{ state.user | upper }}:\n{{ state.doc }}\n{% for t in state.tags %}- {{ loop.index }}. {{ t | title }}\n{% endfor %}',
      { user: 'ada', doc, tags: ['alpha', 'beta'] },
    ) as string;
    expect(prompt.length).toBe(doc.length + 41);
    expect(prompt.endsWith('- 1. Alpha\n- 2. Beta\n')).toBe(true);
  });

  it('data-sized work: length, search, sort, join and tojson over thousands of items', () => {
    const state = { doc, items, n: Array.from({ length: 10_000 }, (_, i) => (i * 31) % 10_000) };
    expect(render('{{ state.doc | length }}', state)).toBe(doc.length);
    expect(render("{{ 'amet' in state.doc }}", state)).toBe(true);
    expect((render('{{ state.n | sort }}', state) as number[])[9_999]).toBe(9_999);
    expect((render('{{ state.items | tojson }}', state) as string).length).toBeGreaterThan(1_000_000);
    const listing = render(
      '{% for it in state.items %}{{ it.id }}:{{ it.name }},{% endfor %}',
      state,
    ) as string;
    expect(listing.split(',').length).toBe(20_001);
    expect(render("{{ state.doc.split('.') | length }}", state)).toBe(100_001);
    expect(render("{{ state.doc | replace('Lorem', 'L') | length }}", state)).toBe(doc.length - 400_000);
  });

  it('typical conditions', () => {
    const state = { score: 85, items, status: 'done', doc };
    for (const [expr, value] of [
      ['state.score >= 80 and state.status == "done"', true],
      ['state.items | length > 10000', true],
      ["'ipsum' in state.doc and state.items[0].name == 'item 0'", true],
      ['{% if state.score > 90 %}true{% else %}false{% endif %}', false],
    ] as const) {
      expect(evaluateCondition(expr, { state }, 'goto')).toEqual({ value });
    }
  });

  it('an ordinary evaluation error keeps TEA’s policy (false for goto, true for while)', () => {
    expect(evaluateCondition("state.score < 'a'", { state: { score: 1 } }, 'goto')).toMatchObject({
      value: false,
      error: expect.stringContaining("'<' not supported"),
    });
    expect(evaluateCondition("state.score < 'a'", { state: { score: 1 } }, 'while').value).toBe(true);
  });

  it('Python str semantics of the rewritten replace, split and count', () => {
    expect(render("{{ 'ab' | replace('', '-') }}")).toBe('-a-b-');
    expect(render("{{ 'ab' | replace('', '-', 2) }}")).toBe('-a-b');
    expect(render("{{ '' | replace('', '-') }}")).toBe('-');
    expect(render("{{ 'aXbXc' | replace('X', '--', 1) }}")).toBe('a--bXc');
    expect(render("{{ 'aaa' | replace('a', 'b', -1) }}")).toBe('bbb');
    expect(render("{{ 'a😀b'.replace('', '.') }}")).toBe('.a.😀.b.');
    expect(render("{{ 'abc'.count('') }}")).toBe(4);
    expect(render("{{ 'a,b,,c'.split(',') }}")).toEqual(['a', 'b', '', 'c']);
    expect(render("{{ ' a  b '.split() }}")).toEqual(['a', 'b']);
    expect(render("{{ 'a😀b' | length }}")).toBe(3);
    expect(render("{{ 'a😀b'[1] }}")).toBe('😀');
    expect(render("{{ 'a😀b'[-1] ~ ('a😀b' | first) ~ ('a😀b' | last) }}")).toBe('bab');
  });
});

describe('the parse cache stays bounded', () => {
  it('in characters kept, however many distinct sources run', () => {
    const filler = 'x'.repeat(60_000);
    for (let i = 0; i < 400; i++) render(`${filler}{{ ${i} }}`);
    expect(expressionCacheStats().chars).toBeLessThanOrEqual(EXPRESSION_CACHE_MAX_CHARS);
  });

  it('a source longer than the per-source bound is not kept', () => {
    const before = expressionCacheStats();
    render(`${'x'.repeat(200_000)}{{ 1 }}`);
    const after = expressionCacheStats();
    expect(after.chars - before.chars).toBeLessThanOrEqual(0);
  });

  it('the limits are the ones documented', () => {
    expect(EXPRESSION_LIMITS).toEqual({
      maxSteps: 1_000_000,
      maxStringChars: 4 * MiB,
      maxListItems: 1_000_000,
      maxAllocatedBytes: 64 * MiB,
      maxNesting: 200,
    });
  });
});
