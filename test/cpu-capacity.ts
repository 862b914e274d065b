// How much parallel CPU this machine offers *right now*: the wall-time speedup of two CPU-bound threads
// run together over the same two run one after the other. On an idle 2-core machine it is close to 2;
// when other work saturates the cores it falls toward 1, and no engine could do better. Timing tests
// use it as a control measured next to their own samples, so load elsewhere lowers what they can
// demand instead of failing them, while on an idle machine their bound stays the strict one.
import { Worker } from 'node:worker_threads';

// A fixed amount of integer work per request (not a fixed time), so a slower thread takes longer, as Lua
// does. The threads are started and warmed first: only the work is timed, not isolate start-up.
const SPIN = `
  const { parentPort } = require('node:worker_threads');
  parentPort.on('message', (n) => {
    let x = 0;
    for (let i = 0; i < n; i++) x = (x * 31 + i) % 1000003;
    parentPort.postMessage(x);
  });
`;

class Spinner {
  private readonly worker = new Worker(SPIN, { eval: true });
  spin(iterations: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', reject);
      this.worker.postMessage(iterations);
    });
  }
  close(): Promise<number> {
    return this.worker.terminate();
  }
}

async function wall(task: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

/** Iterations worth ~200 ms of one thread's time, from a warm measurement. */
async function calibrate(spinner: Spinner): Promise<number> {
  const probe = 5_000_000;
  await spinner.spin(probe);
  const ms = Math.max(1, await wall(() => spinner.spin(probe)));
  return Math.round((probe * 200) / ms);
}

/** Best of `rounds` interleaved measurements of sequential / parallel wall time for two threads. */
export async function machineSpeedup(rounds = 3): Promise<number> {
  const a = new Spinner();
  const b = new Spinner();
  try {
    const n = await calibrate(a);
    await b.spin(n); // warm the second thread's JIT too
    let sequential = Infinity;
    let parallel = Infinity;
    for (let r = 0; r < rounds; r++) {
      parallel = Math.min(parallel, await wall(() => Promise.all([a.spin(n), b.spin(n)])));
      sequential = Math.min(sequential, await wall(async () => (await a.spin(n), await b.spin(n))));
    }
    return sequential / parallel;
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}
