/**
 * The work and memory budget of one evaluation (bounds in engine/limits.ts). Expressions run in the
 * host process, so without it `{% for %}` over a long string could block the event loop for hours and
 * `[0] * 300000000` could grow the heap by gigabytes. Every operation charges steps as it works, and
 * anything that builds a string or list checks its size BEFORE allocating.
 *
 * Evaluation is synchronous, so exactly one meter is active at a time; it is module state rather than
 * a parameter because the value helpers that do the work (pyEq, pyRepr, jsonDumps, ...) are called
 * from everywhere. Outside `metered()` nothing is limited (e.g. an action serialising a state).
 */
import { EXPRESSION_LIMITS } from '../limits.ts';
import type { ExpressionLimits } from '../limits.ts';

export type BudgetResource = 'steps' | 'string' | 'list' | 'memory';

/**
 * An evaluation ran out of budget. Deliberately not an ExprError: an ordinary evaluation error of a
 * condition counts as false (TEA's policy), but a runaway expression must fail its node.
 */
export class ExpressionBudgetError extends Error {
  constructor(
    message: string,
    readonly resource: BudgetResource,
    /** What ran out, without the source ("exceeded 1,000,000 evaluation steps"). */
    readonly detail: string = message,
  ) {
    super(message);
    this.name = 'ExpressionBudgetError';
  }

  /** The same error, said of a source: `template "{{ … }}": exceeded …`. */
  of(what: string, source: string): ExpressionBudgetError {
    return new ExpressionBudgetError(
      `${what} ${sourceExcerpt(source)}: ${this.detail}`,
      this.resource,
      this.detail,
    );
  }
}

/** A source quoted for a message, cut to a readable length. */
export function sourceExcerpt(source: string, max = 80): string {
  const oneLine = source.length > max ? `${source.slice(0, max)}…` : source;
  return JSON.stringify(oneLine);
}

/** Native string work (compare, search, copy, case mapping) is cheap per character. */
const CHARS_PER_STEP = 256;
/** Copying list items (spread, slice, concat) is cheap per item. */
const ITEMS_PER_STEP = 16;

const UNLIMITED: ExpressionLimits = {
  maxSteps: Infinity,
  maxStringChars: Infinity,
  maxListItems: Infinity,
  maxAllocatedBytes: Infinity,
  maxNesting: Infinity,
};

let limits = UNLIMITED;
let steps = 0;
let allocated = 0;

/** Runs one evaluation under a fresh budget. */
export function metered<T>(evaluate: () => T, bounds: ExpressionLimits = EXPRESSION_LIMITS): T {
  const outer = { limits, steps, allocated };
  limits = bounds;
  steps = 0;
  allocated = 0;
  try {
    return evaluate();
  } finally {
    ({ limits, steps, allocated } = outer);
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Charges `n` units of work. */
export function step(n = 1): void {
  steps += n;
  if (steps > limits.maxSteps) {
    throw new ExpressionBudgetError(`exceeded ${count(limits.maxSteps)} evaluation steps`, 'steps');
  }
}

/** Charges native work over `chars` characters. */
export function scan(chars: number): void {
  step(1 + Math.floor(chars / CHARS_PER_STEP));
}

/** Charges a JS loop over `n` existing items or characters (no size cap: nothing new is kept). */
export function walk(n: number): void {
  step(1 + Math.floor(n / ITEMS_PER_STEP));
}

function allocate(bytes: number): void {
  allocated += bytes;
  if (allocated > limits.maxAllocatedBytes) {
    const mib = Math.round(limits.maxAllocatedBytes / (1024 * 1024));
    throw new ExpressionBudgetError(`would allocate more than ${mib} MiB`, 'memory');
  }
}

/** Throws unless a string of `length` characters is allowed; charges nothing. */
export function limitString(length: number, what: string): void {
  if (length > limits.maxStringChars) {
    throw new ExpressionBudgetError(
      `${what} would build a string of ${count(length)} characters (limit ${count(limits.maxStringChars)})`,
      'string',
    );
  }
}

/** Call BEFORE building a string of `length` characters. `what` names the operation. */
export function buildString(length: number, what: string): void {
  limitString(length, what);
  allocate(2 * length);
  scan(length);
}

/** Call BEFORE building a list of `items` items. `what` names the operation. */
export function buildList(items: number, what: string): void {
  if (items > limits.maxListItems) {
    throw new ExpressionBudgetError(
      `${what} would build a list of ${count(items)} items (limit ${count(limits.maxListItems)})`,
      'list',
    );
  }
  allocate(8 * items);
  step(1 + Math.floor(items / ITEMS_PER_STEP));
}

/** Collects text piece by piece, refusing to grow past the string bound. */
export class TextBuilder {
  private readonly parts: string[] = [];
  length = 0;
  constructor(private readonly what: string) {}

  /** Throws if `more` characters would not fit; call before computing something big. */
  reserve(more: number): void {
    limitString(this.length + more, this.what);
  }

  add(piece: string): void {
    this.length += piece.length;
    limitString(this.length, this.what);
    step();
    this.parts.push(piece);
  }

  text(): string {
    buildString(this.length, this.what);
    return this.parts.join('');
  }
}
