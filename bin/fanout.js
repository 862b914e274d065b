#!/usr/bin/env node
// Entry of `npx fanout`: runs the engine compiled to dist/ (scripts/build-engine.mjs) when it is there
// and up to date, else the TypeScript through tsx, so a fresh checkout needs no build step. Which one
// ran is never printed: both behave the same.
import { readFileSync, statSync } from 'node:fs';
import { URL } from 'node:url';

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

const root = new URL('../', import.meta.url);

/**
 * True when dist/ holds a complete build that is not older than its sources. In an installed package
 * the sources are not shipped and dist/ is the engine; in a checkout, a source edited (or deleted)
 * since the build means dist/ is stale, and tsx runs the sources instead.
 */
function compiledIsCurrent() {
  let build;
  try {
    build = JSON.parse(readFileSync(new URL('dist/inputs.json', root), 'utf8'));
  } catch {
    return false;
  }
  if (!isCheckout()) return true;
  for (const input of build.inputs) {
    const stat = statSync(new URL(input, root), { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs > build.builtFrom) return false;
  }
  return true;
}

function isCheckout() {
  return statSync(new URL('engine/cli.ts', root), { throwIfNoEntry: false }) !== undefined;
}

let main;
if (compiledIsCurrent()) {
  if (process.env.FANOUT_DEBUG) process.setSourceMapsEnabled(true);
  ({ main } = await import('../dist/cli.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../engine/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
