// Host side of queue mode: each static fan-out branch becomes a BullMQ job on the branch queue. The
// branch's events come back over Redis pub/sub on the job's own channel (subscribed before the job is
// added, so none is missed), checked and confined to the branch; its result is the job's return value,
// kept in Redis (removeOnComplete: false) until this host has read it, then removed (the acknowledge).
import { z } from 'zod';
import type { EventInput } from '../run/events.ts';
import type { JsonObject } from '../run/types.ts';
import type { RemoteBranchOutcome, RemoteBranchRunner, RemoteBranchSpec } from '../run/branch-runner.ts';
import {
  MAX_ERROR_MESSAGE_CHARS,
  MAX_QUEUE_EVENT_BYTES,
  MAX_QUEUE_WORKER_ID_CHARS,
  isPlainObject,
  jsonBoundsProblem,
  truncateText,
} from '../limits.ts';
import { FORWARDED_EVENTS } from './branch-job.ts';
import { PAYLOAD_VERSION } from './payload.ts';
import type { BranchJob } from './payload.ts';
import { QueueClient } from './queue-client.ts';
import type { JobEnd } from './queue-client.ts';

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
  private readonly client: QueueClient;

  constructor(private readonly options: RemoteBranchesOptions) {
    this.client = new QueueClient(options.redisUrl, 'branches', options.prefix);
  }

  /** Connects (once); fan-outs call it themselves. Rejects with the password redacted. */
  start(): Promise<void> {
    return this.client.start();
  }

  wants(workflow: JsonObject): boolean {
    return (this.options.scope ?? 'all') === 'all' || parallelStrategy(workflow) === 'remote';
  }

  async runBranch(
    spec: RemoteBranchSpec,
    signal: AbortSignal,
    emit: (event: EventInput) => void,
  ): Promise<RemoteBranchOutcome> {
    const job = this.client.newJob();
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
      events: job.channel,
    };
    let end: JobEnd;
    try {
      end = await this.client.submit(job, data, signal, (message) => relayBranchEvent(message, spec, emit));
    } catch (error) {
      return lost(this.client.redact((error as Error).message), 'QueueUnavailable');
    }
    if (end.kind === 'cancelled' || (end.kind === 'failed' && signal.aborted)) return cancelledOutcome();
    if (end.kind === 'failed') {
      const workerLost = /WorkerLost|stalled more than allowable limit/.test(end.reason);
      return lost(end.reason, workerLost ? 'WorkerLost' : 'QueueError');
    }
    const parsed = outcomeSchema.safeParse(end.value);
    if (!parsed.success) return lost('the worker returned a result of the wrong shape', 'QueueError');
    const { result, ...rest } = parsed.data;
    const problem = result.state
      ? jsonBoundsProblem(result.state, `the state of branch '${spec.branch}'`)
      : null;
    if (problem) return lost(problem, 'QueueError');
    return { ...rest, result: { branch: spec.branch, ...result } };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

function parallelStrategy(workflow: JsonObject): unknown {
  const settings = workflow['settings'];
  const parallel = isPlainObject(settings) ? settings['parallel'] : undefined;
  return isPlainObject(parallel) ? parallel['strategy'] : undefined;
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

/**
 * One event streamed back by a worker, as the host emits it: bounded, one of the branch's own types with
 * the fields the host's consumers read, confined to this branch (whatever fanOut/branch it claims);
 * anything else is dropped. The host's stamper then gives it this run's id, time and sequence number.
 */
export function relayBranchEvent(
  message: string,
  spec: Pick<RemoteBranchSpec, 'fanOut' | 'branch'>,
  emit: (event: EventInput) => void,
): void {
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
  const type = event['type'];
  if (type.startsWith('node-') && typeof event['node'] !== 'string') return;
  if (
    type === 'log' &&
    (typeof event['message'] !== 'string' || !['info', 'warn', 'error'].includes(event['level'] as string))
  )
    return;
  const worker = event['remoteWorker'];
  if (worker !== undefined && (typeof worker !== 'string' || worker.length > MAX_QUEUE_WORKER_ID_CHARS))
    return;
  emit({ ...event, fanOut: spec.fanOut, branch: spec.branch } as EventInput);
}
