// The enqueueing side of one BullMQ queue, shared by remote branches and queued batch runs: add a job
// (its events channel subscribed first, so no event is missed), wait for it through QueueEvents,
// read its return value back from Redis (the durable copy), then remove the job: the acknowledge.
// A cancel is published to every worker and marked in Redis for one that takes the job later.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Job, Queue, QueueEvents } from 'bullmq';
import { QUEUE_CANCEL_GRACE_MS, QUEUE_CANCEL_MARK_TTL_S } from '../limits.ts';
import { queueNames } from './names.ts';
import type { QueueNames } from './names.ts';
import { redactPassword, redisOptions } from './redis-url.ts';

export type JobEnd =
  | { kind: 'completed'; value: unknown }
  | { kind: 'failed'; reason: string }
  /** Cancelled, and the worker's own result did not come within QUEUE_CANCEL_GRACE_MS. */
  | { kind: 'cancelled' };

export class QueueClient {
  readonly names: QueueNames;
  private queue: Queue | undefined;
  private queueEvents: QueueEvents | undefined;
  private redis: Redis | undefined;
  private subscriber: Redis | undefined;
  private eventsConnection: Redis | undefined;
  private readonly listeners = new Map<string, (message: string) => void>();
  private ready: Promise<void> | undefined;

  constructor(
    private readonly redisUrl: string,
    private readonly queueName: 'branches' | 'runs',
    prefix?: string,
  ) {
    this.names = queueNames(prefix);
    redisOptions(redisUrl); // a bad URL is refused here, not at the first job
  }

  /** Connects (once). Rejects with why, the password redacted. */
  start(): Promise<void> {
    this.ready ??= this.connect().catch((error: Error) => {
      throw new Error(`queue mode: cannot reach Redis: ${this.redact(error.message)}`);
    });
    return this.ready;
  }

  redact(text: string): string {
    return redactPassword(text, this.redisUrl);
  }

  private async connect(): Promise<void> {
    const connection = redisOptions(this.redisUrl);
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
    const name = this.names[this.queueName];
    this.queue = new Queue(name, { connection: this.redis, prefix: this.names.prefix });
    this.queue.setMaxListeners(0);
    // QueueEvents blocks on its own connection; BullMQ leaves a given connection open on close.
    this.eventsConnection = new Redis(connection);
    this.eventsConnection.on('error', () => {});
    this.queueEvents = new QueueEvents(name, {
      connection: this.eventsConnection,
      prefix: this.names.prefix,
    });
    this.queueEvents.setMaxListeners(0);
    await this.queueEvents.waitUntilReady();
  }

  /** A fresh job id and the channel its events go to. */
  newJob(): { jobId: string; channel: string } {
    const jobId = randomUUID();
    return { jobId, channel: this.names.events(jobId) };
  }

  /**
   * Adds the job and resolves with how it ended. Rejects only when Redis cannot be used (the job may
   * then not exist). `onMessage` gets the job's event channel, subscribed before the job is added.
   */
  async submit(
    job: { jobId: string; channel: string },
    data: object,
    signal: AbortSignal,
    onMessage?: (message: string) => void,
  ): Promise<JobEnd> {
    await this.start();
    const { jobId, channel } = job;
    let added: Job | undefined;
    const onAbort = () => void this.cancel(jobId).catch(() => {});
    try {
      if (onMessage) {
        this.listeners.set(channel, onMessage);
        await this.subscriber!.subscribe(channel);
      }
      added = await this.queue!.add(this.queueName, data, {
        jobId,
        removeOnComplete: false,
        removeOnFail: false,
      });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      return await this.end(added, signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (onMessage) {
        this.listeners.delete(channel);
        void this.subscriber?.unsubscribe(channel).catch(() => {});
      }
      // The acknowledge: the result has been read (or given up on), so the job goes.
      if (added) void added.remove().catch(() => {});
    }
  }

  /** Marks the job cancelled (a worker taking it later sees the mark) and tells every worker now. */
  private async cancel(jobId: string): Promise<void> {
    await this.redis!.set(this.names.cancelMark(jobId), '1', 'EX', QUEUE_CANCEL_MARK_TTL_S);
    await this.redis!.publish(this.names.cancel, jobId);
  }

  private async end(job: Job, signal: AbortSignal): Promise<JobEnd> {
    const finished = job.waitUntilFinished(this.queueEvents!).then(
      () => ({ ok: true as const }),
      (error: Error) => ({ ok: false as const, reason: error.message }),
    );
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'grace'>((resolve) => {
      const later = () => (timer = setTimeout(() => resolve('grace'), QUEUE_CANCEL_GRACE_MS));
      if (signal.aborted) later();
      else signal.addEventListener('abort', later, { once: true });
    });
    try {
      const first = await Promise.race([finished, grace]);
      if (first === 'grace') return { kind: 'cancelled' };
      if (!first.ok) return { kind: 'failed', reason: this.redact(first.reason) };
      // Read back from Redis rather than from the event: the stored return value is the durable copy.
      const stored = await Job.fromId(this.queue!, job.id!);
      return { kind: 'completed', value: stored?.returnvalue };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.queueEvents?.close().catch(() => {});
    await this.queue?.close().catch(() => {});
    this.subscriber?.disconnect();
    this.eventsConnection?.disconnect();
    this.redis?.disconnect();
  }
}
