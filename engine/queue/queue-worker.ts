// `fanout worker`'s engine: one warm pool of fresh-VM Lua workers (the engine's RunService as is) fed
// by BullMQ. Every payload is checked before anything runs; a cancel published by the host aborts the
// job's run (its VM is stopped as a local cancel stops it). Worker death is BullMQ's business: its
// stalled-job check (lockDuration, stalledInterval) moves a dead worker's job back to the queue, and the
// next worker to take it fails it at once unless the branch is marked idempotent (then it runs again).
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { RunService } from '../run/service.ts';
import { checkJob } from './payload.ts';
import type { BranchJob, QueueJob } from './payload.ts';
import { runRunJob } from './run-job.ts';
import type { RowOutcome } from '../batch/executor.ts';
import { queueNames } from './names.ts';
import type { QueueNames } from './names.ts';
import { redactPassword, redisOptions } from './redis-url.ts';
import { boundedPublisher, runBranchJob } from './branch-job.ts';
import type { RemoteBranchOutcome } from '../run/branch-runner.ts';

export interface QueueWorkerOptions {
  redisUrl: string;
  /** Shown in the timeline (default host:pid). */
  id?: string;
  /** Jobs at once (default: the pool's size). */
  concurrency?: number;
  /** Lua worker processes (default: the pool's default). */
  workers?: number;
  /** BullMQ lock of a running job; a worker silent this long is considered dead (default 30 000). */
  lockDurationMs?: number;
  /** How often this worker looks for other workers' stalled jobs (default 30 000). */
  stalledIntervalMs?: number;
  prefix?: string;
  /** Folder actions like file.read are confined to (default: the current folder). */
  baseDir?: string;
  /** One line per job started, refused, finished (passwords redacted). */
  log?: (line: string) => void;
}

export class QueueWorker {
  readonly id: string;
  private readonly names: QueueNames;
  private readonly service: RunService;
  private readonly running = new Map<string, AbortController>();
  private publisher: Redis | undefined;
  private subscriber: Redis | undefined;
  private worker: Worker | undefined;
  private runWorker: Worker | undefined;
  private queueConnection: Redis | undefined;

  constructor(private readonly options: QueueWorkerOptions) {
    this.id = options.id ?? `${hostname()}:${process.pid}`;
    this.names = queueNames(options.prefix);
    this.service = new RunService(options.workers ? { size: options.workers } : {});
  }

  private log(line: string): void {
    this.options.log?.(redactPassword(line, this.options.redisUrl));
  }

  async start(): Promise<void> {
    const connection = redisOptions(this.options.redisUrl);
    this.publisher = new Redis({ ...connection, lazyConnect: true });
    // ioredis reports why (WRONGPASS, ECONNREFUSED) on 'error'; connect() only says it closed.
    let why: Error | undefined;
    this.publisher.on('error', (error: Error) => {
      // Reconnects repeat the same error every few hundred ms: say it once per change.
      if (why?.message !== error.message) this.log(`redis: ${error.message}`);
      why = error;
    });
    try {
      await this.publisher.connect();
    } catch (error) {
      throw why ?? error;
    }
    await this.service.start();
    this.subscriber = new Redis(connection);
    this.subscriber.on('error', () => {}); // the publisher reports; this one reconnects
    await this.subscriber.subscribe(this.names.cancel);
    this.subscriber.on('message', (_channel: string, jobId: string) => this.cancel(jobId));
    // BullMQ duplicates this connection for its blocking reads.
    this.queueConnection = new Redis(connection);
    this.queueConnection.on('error', () => {});
    this.worker = new Worker(this.names.branches, (job) => this.process(job), {
      connection: this.queueConnection,
      prefix: this.names.prefix,
      concurrency: this.options.concurrency ?? this.service.pool.size,
      lockDuration: this.options.lockDurationMs ?? 30_000,
      stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      // One stall moves the job back to the queue; process() then decides: re-run or fail.
      maxStalledCount: 1,
    });
    this.worker.on('error', (error) => this.log(`queue error: ${error.message}`));
    // Whole runs (batch rows): the same pool; a dead worker's row fails (a batch --resume redoes it).
    this.runWorker = new Worker(this.names.runs, (job) => this.processRun(job), {
      connection: this.queueConnection,
      prefix: this.names.prefix,
      concurrency: this.options.concurrency ?? this.service.pool.size,
      lockDuration: this.options.lockDurationMs ?? 30_000,
      stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 1,
    });
    this.runWorker.on('error', (error) => this.log(`queue error: ${error.message}`));
    await Promise.all([this.worker.waitUntilReady(), this.runWorker.waitUntilReady()]);
    this.log(`worker ${this.id} ready: ${this.service.pool.size} Lua workers`);
  }

  private cancel(jobId: string): void {
    const controller = this.running.get(jobId);
    if (!controller) return;
    this.log(`cancel: job ${jobId}`);
    controller.abort();
  }

  /** The job's payload, checked before anything runs; a refused one fails for good (no retry). */
  private checked<K extends QueueJob['kind']>(job: Job, kind: K): Extract<QueueJob, { kind: K }> {
    const checked = checkJob(job.data);
    const problem = !checked.ok
      ? checked.problem
      : checked.job.kind !== kind
        ? `the job payload is refused: a '${checked.job.kind}' job on the ${kind} queue`
        : null;
    if (problem !== null || !checked.ok) {
      this.log(`refused job ${job.id}: ${problem}`);
      throw new UnrecoverableError(problem ?? 'refused');
    }
    return checked.job as Extract<QueueJob, { kind: K }>;
  }

  private async processRun(job: Job): Promise<RowOutcome> {
    const data = this.checked(job, 'run');
    const jobId = job.id!;
    if (job.stalledCounter > 0) {
      const previous = (job.progress as { worker?: unknown } | undefined)?.worker;
      throw new UnrecoverableError(
        `WorkerLost: the worker running it (${typeof previous === 'string' ? previous : 'unknown'}) was lost mid-run`,
      );
    }
    const controller = new AbortController();
    this.running.set(jobId, controller);
    try {
      if (await this.publisher!.exists(this.names.cancelMark(jobId))) controller.abort();
      await job.updateProgress({ worker: this.id });
      const channel = data.events;
      return await runRunJob(this.service, data, {
        workerId: this.id,
        signal: controller.signal,
        baseDir: this.options.baseDir ?? process.cwd(),
        ...(channel
          ? { publish: boundedPublisher((m) => void this.publisher!.publish(channel, m).catch(() => {})) }
          : {}),
      });
    } finally {
      this.running.delete(jobId);
    }
  }

  private async process(job: Job): Promise<RemoteBranchOutcome> {
    const data: BranchJob = this.checked(job, 'branch');
    const jobId = job.id!;
    const label = `branch '${data.branch}' of run ${data.runId} (job ${jobId})`;
    let notice: string | undefined;
    if (job.stalledCounter > 0) {
      const previous = (job.progress as { worker?: unknown } | undefined)?.worker;
      const lost = `the worker running it (${typeof previous === 'string' ? previous : 'unknown'}) was lost mid-branch`;
      if (!data.idempotent) {
        this.log(`failing ${label}: ${lost}`);
        throw new UnrecoverableError(
          `WorkerLost: ${lost}; the branch is not marked idempotent, so it is not re-run`,
        );
      }
      notice = `re-running this idempotent branch on ${this.id}: ${lost}`;
    }
    const controller = new AbortController();
    this.running.set(jobId, controller);
    try {
      if (await this.publisher!.exists(this.names.cancelMark(jobId))) controller.abort();
      await job.updateProgress({ worker: this.id });
      this.log(`start ${label}`);
      const started = performance.now();
      const channel = data.events;
      const outcome = await runBranchJob({ pool: this.service.pool, registry: this.service.registry }, data, {
        workerId: this.id,
        signal: controller.signal,
        baseDir: this.options.baseDir ?? process.cwd(),
        publish: (message) => void this.publisher!.publish(channel, message).catch(() => {}),
        ...(notice ? { notice } : {}),
      });
      const ms = Math.round(performance.now() - started);
      this.log(`${controller.signal.aborted ? 'aborted' : 'done'} ${label}: ${outcome.status} in ${ms} ms`);
      return outcome;
    } finally {
      this.running.delete(jobId);
    }
  }

  /** Stops taking jobs, aborts the running ones, closes the pool and the connections. */
  async close(): Promise<void> {
    for (const controller of this.running.values()) controller.abort();
    await Promise.all([this.worker?.close(), this.runWorker?.close()]);
    await this.service.close();
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
    this.queueConnection?.disconnect();
  }
}
