#!/usr/bin/env node
// Entry of `npx fanout`: runs the TypeScript CLI through tsx so a fresh checkout needs no build step.
import { register } from 'tsx/esm/api';

// Last resort: a bug that escapes the subcommands is one line on stderr and exit 1, never a stack
// (FANOUT_DEBUG=1 prints it). Bad input is handled long before this, with exit 2.
function internalError(error) {
  const message = error instanceof Error ? error.message : String(error);
  const stack = process.env.FANOUT_DEBUG && error instanceof Error ? `\n${error.stack}` : '';
  process.stderr.write(`fanout: internal error: ${message.split('\n')[0]}${stack}\n`);
  process.exit(1);
}
process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);

register();
const { main } = await import('../engine/cli.ts');
process.exitCode = await main(process.argv.slice(2));
