#!/usr/bin/env node
// `npm run build:engine`: the engine as plain JavaScript in dist/, so the CLI, `fanout serve` and their
// workers start without tsx: CommonJS bundles (node20, source maps) of the CLI and of the Lua worker,
// each run through a V8 code cache by its entry (engine/boot/: dist/cli.js, dist/worker.cjs), and of
// node-port.ts alone, with which dist/cli.js forks `fanout run`'s first worker early. bin/fanout.js
// runs dist/cli.js when it is at least as new as every source it was built from (dist/inputs.json),
// else the TypeScript through tsx; the pool forks dist/worker.cjs when the engine itself runs compiled.
//
// Each output file is written to a temporary name and renamed, so a CLI started while another build
// runs (8 engineers, one tree; vitest's globalSetup builds too) reads a whole file, old or new; bundles
// are named by content hash, so an entry never runs a bundle of another build.
import { Buffer } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { URL, fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const defaultOutdir = join(root, 'dist');

/**
 * Left as imports of node_modules (all are `dependencies`):
 * - bullmq, ioredis, msgpackr(-extract): queue mode only (required lazily), large, and
 *   msgpackr-extract is an optional native build that a bundle cannot carry.
 * - bufferutil, utf-8-validate: ws's optional native add-ons (ws falls back to JS without them).
 * Everything else is bundled: one file to load starts faster than hundreds of module resolutions.
 * wasmoon too (measured: a worker's start costs about a quarter less CPU than importing its CommonJS
 * file, which Node first scans with its CJS lexer); its glue looks for glue.wasm next to
 * `__filename`, the bundle's own path, so glue.wasm is copied into dist/.
 */
const external = ['bullmq', 'ioredis', 'msgpackr', 'msgpackr-extract', 'bufferutil', 'utf-8-validate'];

/**
 * The compiled programs: each a bundle run by its entry (a template in engine/boot/ whose `__BUNDLE__`
 * becomes the bundle's file name). Why CommonJS, not ES modules: Node 20 keeps no code cache for ES
 * modules, and a CommonJS file needs no ESM loader (~7 ms of a worker's start). A module reached only
 * through import() is still evaluated only when imported (esbuild's lazy init), so `validate` never
 * runs the run engine, and nothing but queue mode requires bullmq/ioredis.
 */
const programs = [
  // node-port.ts alone, which the CLI's entry requires to fork `fanout run`'s first worker before it
  // loads the CLI bundle (the CLI bundle has its own copy; the two share the forked-ahead workers).
  { name: 'prefork', source: 'engine/run/node-port.ts' },
  { name: 'cli', source: 'engine/cli.ts', entry: 'cli.js', template: 'engine/boot/cli-entry.mjs' },
  {
    name: 'worker',
    source: 'engine/run/worker.ts',
    entry: 'worker.cjs',
    template: 'engine/boot/worker-entry.cjs',
  },
];
/** Copied as is: the loader both entries share. */
const CODE_CACHE_LOADER = 'engine/boot/code-cache.cjs';

/**
 * `clean`: remove every file of dist/ this build did not write, at once (npm pack: the package ships
 * exactly one build). Without it, older bundles stay OLD_BUNDLE_MS for CLIs still running from them.
 */
export async function buildEngine({ quiet = false, clean = false, outdir = defaultOutdir } = {}) {
  const started = performance.now();
  // Sources changed after this instant make the build stale (bin/fanout.js compares their mtimes).
  const builtFrom = Date.now();
  const built = await Promise.all(programs.map((program) => buildProgram(program, outdir)));
  // Entries name the bundles they run: __BUNDLE__ their own, __<NAME>_BUNDLE__ another program's.
  const names = Object.fromEntries(programs.map((program, at) => [program.name, built[at].bundleName]));
  for (const [at, program] of programs.entries()) {
    if (program.entry) built[at].files.push(await entryFile(program, outdir, names));
  }
  await mkdir(outdir, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  // Bundles and the loader before the entries that run them, the entries before inputs.json.
  const loader = {
    path: join(outdir, 'code-cache.cjs'),
    contents: await readFile(join(root, CODE_CACHE_LOADER)),
  };
  const files = [loader, ...built.flatMap((program) => program.files)];
  const entries = files.filter((file) =>
    programs.some((program) => program.entry && file.path === join(outdir, program.entry)),
  );
  for (const file of [...files.filter((file) => !entries.includes(file)), ...entries])
    await writeAtomic(file.path, file.contents, tag);
  await copyFile(join(root, 'node_modules/wasmoon/dist/glue.wasm'), join(outdir, 'glue.wasm'));
  const written = new Set([...files.map((file) => file.path), join(outdir, 'glue.wasm')]);
  await removeOldFiles(
    outdir,
    written,
    built.map((program) => program.bundleName),
    clean,
  );
  // Written last: its presence and time stamp say the files above are complete.
  const inputs = [
    ...new Set([
      ...built.flatMap((program) => program.inputs),
      ...programs.filter((program) => program.template).map((program) => program.template),
      CODE_CACHE_LOADER,
    ]),
  ].filter((path) => !path.includes('node_modules/'));
  await writeAtomic(join(outdir, 'inputs.json'), JSON.stringify({ builtFrom, inputs }) + '\n', tag);
  const ms = Math.round(performance.now() - started);
  if (!quiet)
    console.log(`engine built into ${relative(root, outdir)}/ in ${ms} ms (${inputs.length} sources)`);
  return { ms, inputs };
}

/**
 * One program's bundle (named by content hash) and its source map; entryFile() writes its entry. It runs
 * inside vm.Script, where a dynamic import() has no loader: esbuild turns every import() into a
 * require() (`dynamic-import: false`; bullmq and ioredis have CommonJS builds, wasmoon's glue only
 * imports 'module'), and the build fails if one is left. `import.meta.url` (node-port.ts and
 * serve/server.ts find files next to themselves) becomes the bundle's own file URL.
 */
async function buildProgram({ name, source }, outdir) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [source],
    outfile: join(outdir, `${name}-bundle.cjs`),
    bundle: true,
    minifyWhitespace: true,
    minifySyntax: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    supported: { 'dynamic-import': false },
    define: { 'import.meta.url': '__fanoutModuleUrl' },
    banner: { js: "const __fanoutModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    sourcemap: 'linked',
    external,
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.cjs'));
  const map = result.outputFiles.find((file) => file.path.endsWith('.map'));
  if (/\bimport\(/.test(code.text))
    throw new Error(`the ${name} bundle has an import(), which vm.Script cannot run`);
  const hash = createHash('sha256').update(code.contents).digest('hex').slice(0, 12).toUpperCase();
  const bundleName = `${name}-bundle-${hash}.cjs`;
  const text = code.text.replace(
    `//# sourceMappingURL=${name}-bundle.cjs.map`,
    `//# sourceMappingURL=${bundleName}.map`,
  );
  return {
    bundleName,
    inputs: Object.keys(result.metafile.inputs),
    files: [
      { path: join(outdir, bundleName), contents: Buffer.from(text) },
      { path: join(outdir, `${bundleName}.map`), contents: map.contents },
    ],
  };
}

/** A program's entry: its template with each bundle placeholder replaced (each must be used once). */
async function entryFile({ name, entry, template }, outdir, names) {
  let text = await readFile(join(root, template), 'utf8');
  for (const [program, bundleName] of Object.entries(names)) {
    const placeholder = program === name ? '__BUNDLE__' : `__${program.toUpperCase()}_BUNDLE__`;
    const uses = text.split(placeholder).length - 1;
    if (program === name && uses !== 1) throw new Error(`${template}: expected one ${placeholder}`);
    if (uses > 1) throw new Error(`${template}: ${placeholder} more than once`);
    text = text.replace(placeholder, bundleName);
  }
  if (/__[A-Z_]*BUNDLE__/.test(text)) throw new Error(`${template}: unknown bundle placeholder`);
  return { path: join(outdir, entry), contents: Buffer.from(text) };
}

/** How long a bundle no build wrote stays: a CLI still running from an older build may load it. */
const OLD_BUNDLE_MS = 10 * 60 * 1000;

/**
 * Files of dist/ no build wrote, older than OLD_BUNDLE_MS (or all with `all`). The current bundles'
 * code caches (written at run time by engine/boot/code-cache.cjs) stay.
 */
async function removeOldFiles(outdir, current, bundles, all) {
  const written = new Set([...current, join(outdir, 'inputs.json')]);
  const currentCache = (name) =>
    name.endsWith('.v8cache') && bundles.some((bundle) => name.startsWith(`${bundle}.`));
  for (const name of await readdir(outdir)) {
    const path = join(outdir, name);
    if (written.has(path) || (!all && currentCache(name))) continue;
    const info = await stat(path).catch(() => null);
    if (info && (all || Date.now() - info.mtimeMs > OLD_BUNDLE_MS))
      await rm(path, { force: true, recursive: true });
  }
}

async function writeAtomic(path, contents, tag) {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${tag}.tmp`;
  await writeFile(temp, contents);
  await rename(temp, path);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildEngine({ clean: process.argv.includes('--clean') });
}
