// Fork entry of the compiled worker: scripts/build-engine.mjs writes it to dist/worker.cjs with
// __WORKER_BUNDLE__ replaced by the name of the worker bundle it built (worker-<content hash>.cjs).
// It runs that bundle through vm.Script with a V8 code cache kept next to it, so a worker start skips
// parsing and compiling the ~160 KB bundle (and the functions its start-up runs) after the first one.
// CommonJS on purpose: no ESM loader in a process whose start is the cost (docs/engine.md, "Worker start").
'use strict';
/* global require, __dirname -- CommonJS */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS */
const { readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const bundle = join(__dirname, '__WORKER_BUNDLE__');
// The bundle's name carries its content hash and V8 accepts a cache only from its own version, so a
// cache can never be applied to other code (V8 itself checks little more than the source's length).
const cacheFile = `${bundle}.${process.versions.v8}-${process.arch}.v8cache`;

let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined; // first start after a build, or no cache can be kept here
}
const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
const writeCache = cachedData === undefined || script.cachedDataRejected === true;
debug(cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted');

if (writeCache) {
  // After warm-up the cache also holds the functions start-up compiled. Written once, atomically
  // (workers start side by side); a folder we cannot write (an installed package) just keeps none.
  process.once('fanout-worker-ready', () => {
    const temp = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, script.createCachedData());
      renameSync(temp, cacheFile);
      debug('written');
    } catch (error) {
      rmSync(temp, { force: true });
      debug(`not written (${error.code ?? error.message})`);
    }
  });
}

const module_ = { exports: {} };
script.runInThisContext()(module_.exports, require, module_, bundle, __dirname);

function debug(what) {
  if (process.env.FANOUT_DEBUG) process.stderr.write(`[fanout worker ${process.pid}] code cache: ${what}\n`);
}
