// `fanout run` as a whole process: a fan-out of sleeping branches is clearly faster than the same
// branches in sequence, although it needs four workers where the sequence needs one (the pool starts
// them as the fan-out queues work and hands each branch to the first one ready, so a branch never
// waits on a cold worker while another is free). Ratios only, best of a few attempts, with the
// machine's own parallel capacity measured alongside (test/cpu-capacity.ts): on saturated cores three
// extra worker starts cannot overlap anything, so there the fan-out need only not be clearly slower.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineSpeedup } from './cpu-capacity.ts';
import { chainYaml, fanOutYaml, repoRoot } from './helpers.ts';

const exec = promisify(execFile);
const SLEEP_MS = 300;
const SLEEP = `sleep(${SLEEP_MS}) return {}`;

/** Wall time of one whole `fanout run` process, checked to have succeeded. */
async function wholeRunMs(file: string): Promise<number> {
  const started = performance.now();
  const { stdout } = await exec(process.execPath, [join(repoRoot, 'bin/fanout.js'), 'run', file], {
    cwd: repoRoot,
  });
  const ms = performance.now() - started;
  JSON.parse(stdout);
  return ms;
}

describe('fanout run, whole process', () => {
  let dir: string;
  let fanOut: string;
  let sequence: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(os.tmpdir(), 'fanout-cli-timing-'));
    fanOut = join(dir, 'fan-out.yaml');
    sequence = join(dir, 'sequence.yaml');
    await writeFile(fanOut, fanOutYaml({ branches: { a: SLEEP, b: SLEEP, c: SLEEP, d: SLEEP } }));
    await writeFile(sequence, chainYaml(['return {}', SLEEP, SLEEP, SLEEP, SLEEP]));
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it(`4 × sleep(${SLEEP_MS}) branches beat the same sleeps in sequence by a clear margin`, async () => {
    let met = false;
    let last = '';
    for (let attempt = 1; attempt <= 4 && !met; attempt++) {
      const speedup = await machineSpeedup();
      const parallel = await wholeRunMs(fanOut);
      const sequential = await wholeRunMs(sequence);
      const ratio = parallel / sequential;
      // Idle cores: the sleeps alone give 0.25; 0.8 leaves room for three extra worker starts.
      const bound = speedup >= 1.5 ? 0.8 : 1.3;
      met = ratio < bound;
      last = `fan-out ${parallel.toFixed(0)} ms, sequence ${sequential.toFixed(0)} ms, ratio ${ratio.toFixed(2)} (bound ${bound}), machine speedup ${speedup.toFixed(2)}, load ${os.loadavg()[0]!.toFixed(1)}`;
      console.log(`[cli timing] attempt ${attempt}: ${last}`);
    }
    expect(met, last).toBe(true);
  });
});
