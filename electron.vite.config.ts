// Builds the three Electron bundles (electron-vite build -> out/main, out/preload, out/renderer).
// - main: the shell plus the engine's worker script as a second entry, so utilityProcess.fork can start
//   out/main/worker.js. node_modules deps (wasmoon, yaml, zod) stay external: wasmoon's glue then finds
//   its glue.wasm next to itself in node_modules/wasmoon/dist.
// - preload: CommonJS with every import inlined — a sandboxed preload can only `require('electron')`.
// - renderer: React; production pages get the strict CSP from index.html, the dev server a relaxed one
//   (React Refresh injects an inline script and Vite's HMR uses a WebSocket). FANOUT_NO_MINIFY=1 keeps
//   function names for CPU profiles (RUN_BENCH_PROFILE in e2e/run-bench.spec.ts).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

function devCsp(): Plugin {
  return {
    name: 'fanout-dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'; connect-src 'self' ws: http:"),
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(root, 'electron/main/index.ts'),
          worker: resolve(root, 'engine/run/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react(), devCsp()],
    build: {
      outDir: 'out/renderer',
      minify: process.env.FANOUT_NO_MINIFY !== '1',
      rollupOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
  },
});
