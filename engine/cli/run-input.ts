// `fanout run --input JSON|@file.json`: the run's input, read and checked before any worker starts, so
// a missing file, bad JSON or a value too deep or too big to cross to the workers is a usage error.
import { readFileSync, statSync } from 'node:fs';
import { formatBytes, jsonObjectBoundsProblem, MAX_STATE_BYTES } from '../limits.ts';
import { truncate, UsageError } from './args.ts';

/** Parses `--input`'s value (inline JSON, or `@path` to a JSON file) into a bounded JSON object. */
export function readRunInput(text: string): Record<string, unknown> {
  const fromFile = text.startsWith('@');
  const where = fromFile ? text.slice(1) : '--input';
  const source = fromFile ? readInputFile(where) : text;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    // Some engines' JSON.parse recurse and overflow the stack on deep input instead of parsing it.
    const why = error instanceof RangeError ? 'nested too deeply to parse' : (error as Error).message;
    throw new UsageError(`${where}: invalid JSON: ${truncate(why, 200)}`);
  }
  const problem = jsonObjectBoundsProblem(value, fromFile ? `input file ${where}` : '--input');
  if (problem) throw new UsageError(problem);
  return value as Record<string, unknown>;
}

function readInputFile(path: string): string {
  if (path === '') throw new UsageError('--input @FILE needs a file name after @');
  try {
    const { size } = statSync(path);
    if (size > MAX_STATE_BYTES) {
      throw new UsageError(`input file ${path} is larger than ${formatBytes(MAX_STATE_BYTES)}`);
    }
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read input file ${path}: ${(error as Error).message}`);
  }
}
