import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['engine/**/*.test.ts', 'test/**/*.test.ts', 'bin/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Engine tests fork real worker processes; keep file-level parallelism low on 2 cores
    // so timing-ratio tests are not starved by other test files.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
