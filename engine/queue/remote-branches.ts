// Host side of queue mode: each static fan-out branch becomes a BullMQ job on the branch queue. The
// branch's events come back over Redis pub/sub on the job's own channel (subscribed before the job is
// added, so none is missed), checked and confined to the branch; its result is the job's return value,
// kept in Redis (removeOnComplete: false) until this host has read it, then removed (the acknowledge).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Job, Queue, QueueEvents } from 'bullmq';
import { z } from 'zod';
import type { EventInput } from '../run/events.ts';
import type { JsonObject } from '../run/types.ts';
import type { RemoteBranchOutcome, RemoteBranchRunner, RemoteBranchSpec } from '../run/branch-runner.ts';
import {
  MAX_QUEUE_EVENT_BYTES,
  MAX_QUEUE_WORKER_ID_CHARS,
  QUEUE_CANCEL_GRACE_MS,
  isPlainObject,
  jsonBoundsProblem,
  truncateText,
  MAX_ERROR_MESSAGE_CHARS,
} from '../limits.ts';
import { FORWARDED_EVENTS } from './branch-job.ts';
import { PAYLOAD_VERSION } from './payload.ts';
import type { BranchJob } from './payload.ts';
import { queueNames } from './names.ts';
import type { QueueNames } from './names.ts';
import { publishCancel } from './queue-worker.ts';
import { redactPassword, redisOptions } from './redis-url.ts';

export interface RemoteBranchesOptions {
  redisUrl: string;
  prefix?: string;
  /**
   * 'all' (`--redis`): every fan-out goes to the queue. 'strategy-remote' (a host that only has
   * FANOUT_REDIS_URL): only workflows with `settings.parallel.strategy: remote`.
   */
  scope?: 'all' | 'strategy-remote';
}

/** What a worker returns, checked: the host trusts no shape it did not verify. */
const outcomeSchema = z.object({
  status: z.enum(['succeeded', 'failed', 'timed-out', 'cancelled']),
  result: z.object({
    success: z.boolean(),
    state: z.custom<Record<string, unknown> | null>((v) => v === null || isPlainObject(v)),
    error: z.string().nullable(),
    error_type: z.string().nullable(),
    timeout: z.boolean(),
  }),
  remoteWorker: z.string().max(MAX_QUEUE_WORKER_ID_CHARS).optional(),
  peakHeapBytes: z.number().optional(),
});

export class QueueBranchRunner implements RemoteBranchRunner {
  private readonly names: QueueNames;
  private queue: Queue | undefined;
  private queueEvents: QueueEvents | undefined;
  private redis: Redis | undefined;
  private subscriber: Redis | undefined;
  private eventsConnection: Redis | undefined;
  private readonly listeners = new Map<string, (message: string) => void>();
  private ready: Promise<void> | undefined;

  constructor(private readonly options: RemoteBranchesOptions) {
    this.names = queueNames(options.prefix);
    redisOptions(options.redisUrl); // a bad URL is refused here, not at the first fan-out
  }

  /** Connects (once); fan-outs call it themselves. Rejects with the password redacted. */
  start(): Promise<void> {
    this.ready ??= this.connect().catch((error: Error) => {
      throw new Error(
        `queue mode: cannot reach Redis: ${redactPassword(error.message, this.options.redisUrl)}`,
      );
    });
    return this.ready;
  }

  private async connect(): Promise<void> {
    const connection = redisOptions(this.options.redisUrl);
    this.redis = new Redis({ ...connection, lazyConnect: true });
    // ioredis reports why (WRONGPASS, ECONNREFUSED) on 'error'; connect() only says it closed.
    let why: Error | undefined;
    this.redis.on('error', (error: Error) => (why = error));
    try {
      await this.redis.connect();
    } catch (error) {
      throw why ?? error;
    }
    this.subscriber = new Redis(connection);
    this.subscriber.on('error', () => {}); // the command connection reports; these reconnect
    this.subscriber.on('message', (channel: string, message: string) =>
      this.listeners.get(channel)?.(message),
    );
    this.queue = new Queue(this.names.branches, { connection: this.redis, prefix: this.names.prefix });
    this.queue.setMaxListeners(0);
    // QueueEvents blocks on its own connection; BullMQ leaves a given connection open on close.
    this.eventsConnection = new Redis(connection);
    this.eventsConnection.on('error', () => {});
    this.queueEvents = new QueueEvents(this.names.branches, {
      connection: this.eventsConnection,
      prefix: this.names.prefix,
    });
    this.queueEvents.setMaxListeners(0);
    await this.queueEvents.waitUntilReady();
  }

  wants(workflow: JsonObject): boolean {
    return (this.options.scope ?? 'all') === 'all' || parallelStrategy(workflow) === 'remote';
  }

  async runBranch(
    spec: RemoteBranchSpec,
    signal: AbortSignal,
    emit: (event: EventInput) => void,
  ): Promise<RemoteBranchOutcome> {
    try {
      await this.start();
    } catch (error) {
      return lost((error as Error).message, 'QueueUnavailable');
    }
    const jobId = randomUUID();
    const channel = this.names.events(jobId);
    this.listeners.set(channel, (message) => relay(message, spec, emit));
    let job: Job | undefined;
    const onAbort = () => void publishCancel(this.redis!, this.names, jobId).catch(() => {});
    try {
      await this.subscriber!.subscribe(channel);
      const data: BranchJob = {
        v: PAYLOAD_VERSION,
        kind: 'branch',
        runId: spec.runId,
        workflow: spec.workflow,
        fanOut: spec.fanOut,
        branch: spec.branch,
        index: spec.index,
        state: spec.state,
        limits: spec.limits,
        idempotent: spec.idempotent,
        events: channel,
      };
      job = await this.queue!.add('branch', data, { jobId, removeOnComplete: false, removeOnFail: false });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      return await this.outcome(job, signal);
    } catch (error) {
      return lost(redactPassword((error as Error).message, this.options.redisUrl), 'QueueUnavailable');
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.listeners.delete(channel);
      void this.subscriber?.unsubscribe(channel).catch(() => {});
      // The acknowledge: the result has been read (or given up on), so the job goes.
      if (job) void job.remove().catch(() => {});
    }
  }

  /** The job's return value once it finishes; after a cancel, at most QUEUE_CANCEL_GRACE_MS more. */
  private async outcome(job: Job, signal: AbortSignal): Promise<RemoteBranchOutcome> {
    const finished = job.waitUntilFinished(this.queueEvents!).then(
      () => ({ ok: true as const }),
      (error: Error) => ({ ok: false as const, reason: error.message }),
    );
    const cancelled = new Promise<'grace'>((resolve) => {
      const later = () => setTimeout(() => resolve('grace'), QUEUE_CANCEL_GRACE_MS).unref();
      if (signal.aborted) later();
      else signal.addEventListener('abort', later, { once: true });
    });
    const first = await Promise.race([finished, cancelled]);
    if (first === 'grace') return cancelledOutcome();
    if (!first.ok) {
      if (signal.aborted) return cancelledOutcome();
      const workerLost = /WorkerLost|stalled more than allowable limit/.test(first.reason);
      return lost(
        redactPassword(first.reason, this.options.redisUrl),
        workerLost ? 'WorkerLost' : 'QueueError',
      );
    }
    // Read back from Redis rather than from the event: the stored return value is the durable copy.
    const stored = await Job.fromId(this.queue!, job.id!);
    const parsed = outcomeSchema.safeParse(stored?.returnvalue);
    if (!parsed.success) return lost('the worker returned a result of the wrong shape', 'QueueError');
    const { result, ...rest } = parsed.data;
    const problem = result.state
      ? jsonBoundsProblem(result.state, `the state of branch '${spec(job).branch}'`)
      : null;
    if (problem) return lost(problem, 'QueueError');
    return {
      ...rest,
      result: { branch: spec(job).branch, ...result },
    };
  }

  async close(): Promise<void> {
    await this.queueEvents?.close().catch(() => {});
    await this.queue?.close().catch(() => {});
    this.subscriber?.disconnect();
    this.eventsConnection?.disconnect();
    this.redis?.disconnect();
  }
}

function parallelStrategy(workflow: JsonObject): unknown {
  const settings = workflow['settings'];
  const parallel = isPlainObject(settings) ? settings['parallel'] : undefined;
  return isPlainObject(parallel) ? parallel['strategy'] : undefined;
}

function spec(job: Job): BranchJob {
  return job.data as BranchJob;
}

function lost(message: string, errorType: string): RemoteBranchOutcome {
  return {
    status: 'failed',
    result: {
      branch: '',
      success: false,
      state: null,
      error: truncateText(message, MAX_ERROR_MESSAGE_CHARS),
      error_type: errorType,
      timeout: false,
    },
  };
}

function cancelledOutcome(): RemoteBranchOutcome {
  return {
    status: 'cancelled',
    result: {
      branch: '',
      success: false,
      state: null,
      error: 'Cancelled',
      error_type: 'Cancelled',
      timeout: false,
    },
  };
}

/** One streamed event: bounded, a known type, confined to this branch; anything else is dropped. */
function relay(message: string, spec: RemoteBranchSpec, emit: (event: EventInput) => void): void {
  if (message.length > MAX_QUEUE_EVENT_BYTES + 1024) return;
  let event: unknown;
  try {
    event = JSON.parse(message);
  } catch {
    return;
  }
  if (!isPlainObject(event) || typeof event['type'] !== 'string' || !FORWARDED_EVENTS.has(event['type']))
    return;
  if (jsonBoundsProblem(event, 'event')) return;
  emit({ ...event, fanOut: spec.fanOut, branch: spec.branch } as EventInput);
}
