#!/usr/bin/env node
// Entry of `npx fanout`: runs the TypeScript CLI through tsx so a fresh checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../engine/cli.ts');
process.exitCode = await main(process.argv.slice(2));
