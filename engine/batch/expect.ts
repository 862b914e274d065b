// Per-row assertions: `expect` is a Jinja expression over the row's final `state` (and its `input`),
// evaluated by engine/expr under its budget. True passes; false, an evaluation error or running out of
// budget fails, with the reason.
import { checkExpression, evaluateCondition, ExpressionBudgetError } from '../expr/index.ts';
import { isPlainObject, MAX_EXPECT_CHARS } from '../limits.ts';
import type { JsonObject } from '../run/types.ts';
import type { WorkflowModel } from '../workflow/types.ts';

export interface ExpectResult {
  pass: boolean;
  /** Why it could not be evaluated (a false expression has no error). */
  error?: string;
}

/** Why `expr` cannot be an expect expression, or null. */
export function expectProblem(expr: string): string | null {
  if (expr.length > MAX_EXPECT_CHARS)
    return `the expect expression is longer than ${MAX_EXPECT_CHARS} characters`;
  const checked = checkExpression(expr);
  return checked.ok ? null : `expect: ${checked.message} (column ${checked.col})`;
}

export function evaluateExpect(expr: string, state: JsonObject, input: JsonObject): ExpectResult {
  try {
    const result = evaluateCondition(expr, { state, input }, 'when');
    return result.error ? { pass: false, error: result.error } : { pass: result.value };
  } catch (error) {
    // Evaluated as an edge condition would be; say what it is here.
    if (error instanceof ExpressionBudgetError) {
      return { pass: false, error: error.message.replace(/^edge condition /, 'expect ') };
    }
    throw error;
  }
}

/**
 * The workflow's own expect, `metadata.fanout.batch.expect` (a top-level `metadata` key neither TEA
 * engine reads, like the canvas notes): a string, else undefined.
 */
export function workflowExpect(model: WorkflowModel): string | undefined {
  const metadata = model.raw['metadata'];
  const fanout = isPlainObject(metadata) ? metadata['fanout'] : undefined;
  const batch = isPlainObject(fanout) ? fanout['batch'] : undefined;
  const expect = isPlainObject(batch) ? batch['expect'] : undefined;
  return typeof expect === 'string' && expect.trim() !== '' ? expect : undefined;
}
