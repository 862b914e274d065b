import { defineConfig } from 'vitest/config';

// Timing tests (`*.timing.test.ts`) assert parallel-vs-sequential ratios, so they run in their own
// group after everything else, one file at a time, with no other test loading the 2 cores.
const TIMING = '**/*.timing.test.ts';

export default defineConfig({
  test: {
    // Builds dist/ once per run: CLI tests spawn the compiled engine, as the package does.
    globalSetup: ['test/build-engine.global.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'engine/**/*.test.ts',
            'test/**/*.test.ts',
            'electron/**/*.test.ts',
            'renderer/**/*.test.ts',
            'bin/**/*.test.ts',
          ],
          exclude: [TIMING, '**/node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Engine tests fork real worker processes; two files at a time on 2 cores.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'timing',
          include: [TIMING],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
