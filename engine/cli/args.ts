// Command-line parsing shared by the subcommands: node:util parseArgs, with its errors turned into short
// usage messages (the subcommand prints them and exits 2) and range-checked numeric options.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

/** Bad command-line input: printed as `fanout CMD: message`, exit code 2, never a stack. */
export class UsageError extends Error {}

/** node:util parseArgs (strict: its default), throwing UsageError with a one-line message. */
export function parseCommandLine<T extends ParseArgsConfig & { strict?: true }>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(usageMessage(error as Error & { code?: string }));
  }
}

/** parseArgs' messages are long and capitalised; keep the first sentence in the CLI's own words. */
function usageMessage(error: Error & { code?: string }): string {
  const quoted = /'([^' ]+)/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = /'(--?[\w-]+)/.exec(error.message)?.[1] ?? quoted;
      if (/argument missing/.test(error.message)) return `option '${option}' needs a value`;
      if (/does not take an argument/.test(error.message)) return `option '${option}' takes no value`;
      if (/ambiguous/.test(error.message)) {
        return `option '${option}' needs a value (write ${option}=VALUE for a value starting with '-')`;
      }
      return error.message.split('\n')[0]!;
    }
    default:
      return error.message.split('\n')[0]!;
  }
}

/**
 * An integer option within [min, max]. Refuses (rather than clamps) anything else, so `--workers 100000`
 * or `--timeout 1e30` is a usage error naming the allowed range, not a silently different run.
 */
export function intOption(name: string, text: string, min: number, max: number): number {
  const n = /^[+]?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} needs a whole number from ${min} to ${max}, got '${truncate(text)}'`);
  }
  return n;
}

/** Echoes of user input in messages stay one short line. */
export function truncate(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
