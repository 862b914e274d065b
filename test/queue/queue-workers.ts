// `fanout worker` processes for queue tests: started through bin/fanout.js exactly as a user starts
// them, each with an --id, their stderr kept (the job log the tests read), killed after.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers.ts';

export interface QueueWorkerProcess {
  id: string;
  child: ChildProcess;
  /** Everything the worker printed on stderr so far. */
  log(): string;
  /** Resolves once the log matches (rejects after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface WorkerStartOptions {
  redisUrl: string;
  id: string;
  workers?: number;
  concurrency?: number;
  /** Short BullMQ lock and stalled check, so a killed worker's job is noticed in seconds. */
  lockMs?: number;
  stalledMs?: number;
  prefix?: string;
}

export function startQueueWorker(options: WorkerStartOptions): QueueWorkerProcess {
  const args = [join(repoRoot, 'bin/fanout.js'), 'worker', '--redis', options.redisUrl, '--id', options.id];
  if (options.workers) args.push('--workers', String(options.workers));
  if (options.concurrency) args.push('--concurrency', String(options.concurrency));
  if (options.lockMs) args.push('--lock-ms', String(options.lockMs));
  if (options.stalledMs) args.push('--stalled-ms', String(options.stalledMs));
  if (options.prefix) args.push('--queue-prefix', options.prefix);
  const child = spawn('node', args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: repoRoot });
  let text = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    for (const w of [...waiters]) {
      if (w.pattern.test(text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  return {
    id: options.id,
    child,
    log: () => text,
    waitFor: (pattern, ms = 30_000) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(text)) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`worker ${options.id} never logged ${pattern}:\n${text}`)),
          ms,
        );
        waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
        child.once('exit', (code) => reject(new Error(`worker ${options.id} exited (${code}):\n${text}`)));
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function startQueueWorkers(
  count: number,
  options: Omit<WorkerStartOptions, 'id'> & { idPrefix?: string },
): Promise<QueueWorkerProcess[]> {
  const workers = Array.from({ length: count }, (_, i) =>
    startQueueWorker({ ...options, id: `${options.idPrefix ?? 'w'}${i + 1}` }),
  );
  await Promise.all(workers.map((w) => w.waitFor(/ready/)));
  return workers;
}
