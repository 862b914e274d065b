// dist/cli.js, the compiled CLI's entry that bin/fanout.js imports: scripts/build-engine.mjs writes it
// with the placeholders below replaced by the names of the bundles it built. The CLI is one CommonJS
// bundle run with a V8 code cache (code-cache.cjs), written when the first command after a build exits
// and holding every function that command ran.
import { createRequire } from 'node:module';
import { URL, fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

// Every `fanout run` needs a worker: fork it before the CLI bundle is loaded, from a small bundle of
// node-port.ts whose forked-ahead workers the CLI's pool takes (cli.ts asks for the same one again and
// kills it if the command ends without a pool), as a one-shot worker like cli.ts's. Same test as
// engine/cli.ts; bin/fanout.js passes process.argv on unchanged.
const [command, ...rest] = process.argv.slice(2);
if (command === 'run' && !rest.includes('--help') && !rest.includes('-h')) {
  const nodePort = require('./__PREFORK_BUNDLE__');
  nodePort.useOneShotWorkers();
  nodePort.preforkWorkers(1);
}

const { runWithCodeCache } = require('./code-cache.cjs');

export const { main } = runWithCodeCache(fileURLToPath(new URL('./__BUNDLE__', import.meta.url)), 'exit');
