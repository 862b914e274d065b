// Runs one CommonJS bundle of the compiled engine (dist/, scripts/build-engine.mjs) through vm.Script
// with a V8 code cache kept next to it, so a process skips parsing and compiling the bundle, and the
// functions its start compiled last time, after the first start. Node 20 has no compile cache of its
// own (module.enableCompileCache is Node 22) and none at all for ES modules, hence CommonJS bundles.
// Used by dist/worker.cjs (engine/boot/worker-entry.cjs) and dist/cli.js (engine/boot/cli-entry.mjs).
'use strict';
/* global require, exports -- CommonJS */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS */
const { readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { basename, dirname } = require('node:path');
const { Script } = require('node:vm');

/**
 * Runs `bundle` (an absolute path) and returns its exports. When there was no cache, or V8 rejected
 * it, one is written once the process emits `saveOn`: by then it also holds the functions that ran.
 * The bundle's name carries its content hash and the cache's name the V8 version, so a cache never
 * meets other code (V8 itself checks little more than the source's length). A missing, corrupt or
 * unwritable cache only means compiling as without one.
 */
exports.runWithCodeCache = function runWithCodeCache(bundle, saveOn) {
  if (process.env.FANOUT_DEBUG) {
    // Node 20 maps stack traces only for modules its own loader compiled, never for a vm.Script: a
    // debugging run trades the cache for stacks that name the TypeScript sources.
    process.setSourceMapsEnabled(true);
    log(bundle, 'not used (FANOUT_DEBUG: source-mapped stacks)');
    return require(bundle);
  }
  const cacheFile = `${bundle}.${process.versions.v8}-${process.arch}.v8cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // first start after a build, or no cache can be kept here
  }
  const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  const usable = cachedData !== undefined && script.cachedDataRejected !== true;
  log(bundle, cachedData === undefined ? 'none' : usable ? 'accepted' : 'rejected');
  if (!usable) process.once(saveOn, () => save(script, bundle, cacheFile));
  const module_ = { exports: {} };
  script.runInThisContext()(module_.exports, Module.createRequire(bundle), module_, bundle, dirname(bundle));
  return module_.exports;
};

/** Atomic (processes starting side by side may all write it); a folder we cannot write keeps none. */
function save(script, bundle, cacheFile) {
  const temp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, cacheFile);
    log(bundle, 'written');
  } catch (error) {
    rmSync(temp, { force: true });
    log(bundle, `not written (${error.code ?? error.message})`);
  }
}

/** FANOUT_CODE_CACHE_LOG=1: one stderr line per decision (the tests read them). */
function log(bundle, what) {
  if (process.env.FANOUT_CODE_CACHE_LOG)
    process.stderr.write(`[fanout ${process.pid}] ${basename(bundle)}: code cache: ${what}\n`);
}
