// Fork entry of the compiled worker: scripts/build-engine.mjs writes it to dist/worker.cjs with the
// placeholder below replaced by the name of the worker bundle it built (worker-bundle-<hash>.cjs).
// CommonJS on purpose: no ESM loader in a process whose start is the cost (docs/engine.md, "Worker
// start"). The worker announces `fanout-worker-ready` after its warm-up: the cache written then also
// holds everything the warm-up compiled.
'use strict';
/* global require, __dirname -- CommonJS */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS */
const { join } = require('node:path');
const { runWithCodeCache } = require('./code-cache.cjs');

runWithCodeCache(join(__dirname, '__BUNDLE__'), 'fanout-worker-ready');
