// What a host hands to a run (RunOptions: input, limits, breakpoints) and to resume(), checked before
// anything starts. Every value here may come from a request body or a command line, so each problem is
// a RunRequestError the hosts map to 400 / BAD_REQUEST, never a crash further in.
import { MAX_ERROR_MESSAGE_CHARS, jsonObjectBoundsProblem, truncateText } from '../limits.ts';
import { callerLimitProblem } from './ceilings.ts';
import type { RunOptions } from './types.ts';

/**
 * A run or resume request that cannot be accepted as given (input not a bounded JSON object, a limit
 * that is not a positive number, …). A TypeError, so callers that caught TypeError keep working.
 */
export class RunRequestError extends TypeError {
  constructor(message: string) {
    super(truncateText(message, MAX_ERROR_MESSAGE_CHARS));
    this.name = 'RunRequestError';
  }
}

/** Throws a RunRequestError naming the first problem of `options`. */
export function checkRunRequest(options: RunOptions): void {
  const problem =
    (options.input === undefined ? null : jsonObjectBoundsProblem(options.input, 'the run input')) ??
    callerLimitProblem(options) ??
    nameListProblem('interruptBefore', options.interruptBefore) ??
    nameListProblem('interruptAfter', options.interruptAfter) ??
    nameProblem('startAt', options.startAt) ??
    nameProblem('only', options.only);
  if (problem) throw new RunRequestError(problem);
}

/** Throws a RunRequestError when a state given to resume() is not a bounded plain JSON object. */
export function checkResumeState(state: unknown): void {
  const problem = jsonObjectBoundsProblem(state, 'the resumed state');
  if (problem) throw new RunRequestError(`resume: ${problem}`);
}

function nameProblem(what: string, value: unknown): string | null {
  return value === undefined || typeof value === 'string' ? null : `${what} must be a node name`;
}

function nameListProblem(what: string, value: unknown): string | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    return `${what} must be a list of node names`;
  }
  return null;
}
