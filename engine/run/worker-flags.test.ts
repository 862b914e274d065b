// The workers the Node port forks really run with WORKER_EXEC_ARGV (read back from the process's own
// command line, Linux /proc), whatever script they run.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool } from './pool.ts';
import { WORKER_EXEC_ARGV } from './worker-flags.ts';

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('worker flags', () => {
  it('every pooled worker process is started with WORKER_EXEC_ARGV', async (ctx) => {
    if (!existsSync('/proc/self/cmdline')) {
      console.info('[worker-flags] skipped: no /proc/<pid>/cmdline on this platform');
      ctx.skip();
    }
    pool = new WorkerPool({ size: 2 });
    await pool.start();
    const pids = pool.stats().workers.map((w) => w.pid!);
    expect(pids).toHaveLength(2);
    for (const pid of pids) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      for (const flag of WORKER_EXEC_ARGV) expect(argv).toContain(flag);
    }
  });
});
