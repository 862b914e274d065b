#!/usr/bin/env node
// `npm run build:engine`: the engine as plain JavaScript in dist/ (cli.js, ESM, node20, source maps,
// code-split; the worker as one CommonJS bundle behind dist/worker.cjs), so the CLI, `fanout serve`
// and their workers start without tsx. bin/fanout.js runs dist/cli.js when it is at least as new as
// every source it was built from (dist/inputs.json), else the TypeScript through tsx; the pool forks
// dist/worker.cjs when the engine itself runs compiled.
//
// Each output file is written to a temporary name and renamed, so a CLI started while another build
// runs (8 engineers, one tree; vitest's globalSetup builds too) reads a whole file, old or new.
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
 * - bullmq, ioredis, msgpackr(-extract): queue mode only (loaded by its own chunk), large, and
 *   msgpackr-extract is an optional native build that a bundle cannot carry.
 * - bufferutil, utf-8-validate: ws's optional native add-ons (ws falls back to JS without them).
 * Everything else is bundled: one file to load starts faster than hundreds of module resolutions.
 * wasmoon too (measured: a worker's start costs about a quarter less CPU than importing its CommonJS
 * file, which Node first scans with its CJS lexer); its glue looks for glue.wasm next to
 * `__filename`, which the banner defines as the chunk's own path, so glue.wasm is copied into dist/.
 */
const external = ['bullmq', 'ioredis', 'msgpackr', 'msgpackr-extract', 'bufferutil', 'utf-8-validate'];

/**
 * `clean`: remove every file of dist/ this build did not write, at once (npm pack: the package ships
 * exactly one build). Without it, older chunks stay OLD_CHUNK_MS for CLIs still running from them.
 */
export async function buildEngine({ quiet = false, clean = false, outdir = defaultOutdir } = {}) {
  const started = performance.now();
  // Sources changed after this instant make the build stale (bin/fanout.js compares their mtimes).
  const builtFrom = Date.now();
  const result = await build({
    absWorkingDir: root,
    entryPoints: { cli: 'engine/cli.ts' },
    outdir,
    bundle: true,
    minifyWhitespace: true,
    minifySyntax: true,
    splitting: true,
    // Chunks sit next to the entries: the engine finds worker.js and the package root relative to
    // the module it runs in, whichever file esbuild put it in. Hashed names mean a CLI started from an
    // older build keeps finding its own chunks while a newer build is written.
    chunkNames: '[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    external,
    // Bundled CommonJS packages (ws, yaml's CJS paths) call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __fanoutCreateRequire } from 'node:module'; import { fileURLToPath as __fanoutPath } from 'node:url'; const require = __fanoutCreateRequire(import.meta.url); const __filename = __fanoutPath(import.meta.url);",
    },
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  await mkdir(outdir, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const worker = await buildWorker(outdir);
  // Chunks before the entries that import them, the entries before inputs.json.
  const entries = new Set([join(outdir, 'cli.js'), join(outdir, 'worker.cjs')]);
  const isEntry = (path) => entries.has(path.replace(/\.map$/, ''));
  const files = [...result.outputFiles, ...worker.files].sort(
    (a, b) => Number(isEntry(a.path)) - Number(isEntry(b.path)),
  );
  for (const file of files) await writeAtomic(file.path, file.contents, tag);
  await copyFile(join(root, 'node_modules/wasmoon/dist/glue.wasm'), join(outdir, 'glue.wasm'));
  const written = new Set([...files.map((file) => file.path), join(outdir, 'glue.wasm')]);
  await removeOldFiles(outdir, written, worker.bundleName, clean);
  // Written last: its presence and time stamp say the files above are complete.
  const inputs = [
    ...new Set([...Object.keys(result.metafile.inputs), ...worker.inputs, 'engine/run/worker-boot.cjs']),
  ].filter((path) => !path.includes('node_modules/'));
  await writeAtomic(join(outdir, 'inputs.json'), JSON.stringify({ builtFrom, inputs }) + '\n', tag);
  const ms = Math.round(performance.now() - started);
  if (!quiet)
    console.log(`engine built into ${relative(root, outdir)}/ in ${ms} ms (${inputs.length} sources)`);
  return { ms, inputs };
}

/** How long a chunk no build wrote stays: a CLI still running from an older build may load it. */
const OLD_CHUNK_MS = 10 * 60 * 1000;

/**
 * The worker as one CommonJS file (no ESM loader, no chunks to resolve: ~10 ms less CPU per worker
 * start) named by its content hash, and dist/worker.cjs, the fork entry that runs it with a V8 code
 * cache (engine/run/worker-boot.cjs). The bundle runs inside vm.Script, where a dynamic import() has no
 * loader: wasmoon's glue gets `require('module')` instead of `await import('module')`, and the build
 * fails if any other import() is left.
 */
async function buildWorker(outdir) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['engine/run/worker.ts'],
    outfile: join(outdir, 'worker-bundle.cjs'),
    bundle: true,
    minifyWhitespace: true,
    minifySyntax: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    plugins: [requireInsteadOfImportInWasmoon],
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.cjs'));
  const map = result.outputFiles.find((file) => file.path.endsWith('.map'));
  const hash = createHash('sha256').update(code.contents).digest('hex').slice(0, 12).toUpperCase();
  const bundleName = `worker-bundle-${hash}.cjs`;
  let text = code.text;
  if (/\bimport\(/.test(text))
    throw new Error('the worker bundle has a dynamic import(), which vm.Script cannot run');
  text = text.replace('//# sourceMappingURL=worker-bundle.cjs.map', `//# sourceMappingURL=${bundleName}.map`);
  const boot = await readFile(join(root, 'engine/run/worker-boot.cjs'), 'utf8');
  if (!boot.includes("'__WORKER_BUNDLE__'"))
    throw new Error('engine/run/worker-boot.cjs lost its placeholder');
  return {
    bundleName,
    inputs: Object.keys(result.metafile.inputs),
    files: [
      { path: join(outdir, bundleName), contents: Buffer.from(text) },
      { path: join(outdir, `${bundleName}.map`), contents: map.contents },
      {
        path: join(outdir, 'worker.cjs'),
        contents: Buffer.from(boot.replace("'__WORKER_BUNDLE__'", JSON.stringify(bundleName))),
      },
    ],
  };
}

/** wasmoon 1.16's glue loads `module` with `await import('module')`; in CommonJS `require` does it. */
const requireInsteadOfImportInWasmoon = {
  name: 'wasmoon-require-module',
  setup(build) {
    build.onLoad({ filter: /[\\/]wasmoon[\\/]dist[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const dynamic = "await import('module')";
      if (source.split(dynamic).length !== 2) throw new Error(`wasmoon changed: expected one ${dynamic}`);
      return { contents: source.replace(dynamic, "require('module')"), loader: 'js' };
    });
  },
};

/**
 * Files of dist/ no build wrote, older than OLD_CHUNK_MS (or all with `all`). The current worker
 * bundle's code caches (written by its workers, engine/run/worker-boot.cjs) stay.
 */
async function removeOldFiles(outdir, current, workerBundle, all) {
  const written = new Set([...current, join(outdir, 'inputs.json')]);
  for (const name of await readdir(outdir)) {
    const path = join(outdir, name);
    if (written.has(path) || (!all && name.startsWith(`${workerBundle}.`) && name.endsWith('.v8cache')))
      continue;
    const info = await stat(path).catch(() => null);
    if (info && (all || Date.now() - info.mtimeMs > OLD_CHUNK_MS))
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
