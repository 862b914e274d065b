// dist/cli.js, the compiled CLI's entry that bin/fanout.js imports: scripts/build-engine.mjs writes it
// with the placeholder below replaced by the name of the CLI bundle it built (cli-bundle-<hash>.cjs),
// one CommonJS file run with a V8 code cache (code-cache.cjs), written when the first command after a
// build exits and holding every function that command ran.
import { createRequire } from 'node:module';
import { URL, fileURLToPath } from 'node:url';

const { runWithCodeCache } = createRequire(import.meta.url)('./code-cache.cjs');

export const { main } = runWithCodeCache(fileURLToPath(new URL('./__BUNDLE__', import.meta.url)), 'exit');
