// QueueRunExecutor: engine/batch's RunExecutor port over the run queue. Each row is one job carrying
// the workflow text, the row's input and the caller's ceilings (never a key: workers read their own
// environment); a `fanout worker` anywhere runs it and returns the row's outcome, which stays in Redis
// until this executor has read it.
import { z } from 'zod';
import type { BatchWorkflow, RowLimits, RowOutcome, RowRun, RunExecutor } from '../batch/executor.ts';
import { MAX_QUEUE_WORKER_ID_CHARS, isPlainObject, jsonBoundsProblem } from '../limits.ts';
import { PAYLOAD_VERSION } from './payload.ts';
import type { RunJob } from './payload.ts';
import { QueueClient } from './queue-client.ts';

export interface QueueExecutorOptions {
  redisUrl: string;
  prefix?: string;
  limits?: RowLimits;
  /** Rows in flight at once (the batch's default concurrency): the workers' total capacity, say. */
  capacity?: number;
}

const outcomeSchema = z.object({
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  state: z.custom<Record<string, unknown>>((v) => isPlainObject(v)),
  error: z.string().optional(),
  node: z.string().optional(),
  ms: z.number(),
  llm: z
    .object({
      calls: z.number(),
      failedCalls: z.number(),
      promptTokens: z.number(),
      completionTokens: z.number(),
      costUsd: z.number(),
    })
    .optional(),
  worker: z.string().max(MAX_QUEUE_WORKER_ID_CHARS).optional(),
});

export class QueueRunExecutor implements RunExecutor {
  readonly capacity: number;
  private readonly client: QueueClient;
  private closing = new AbortController();

  constructor(
    private readonly workflow: BatchWorkflow,
    private readonly options: QueueExecutorOptions,
  ) {
    this.client = new QueueClient(options.redisUrl, 'runs', options.prefix);
    this.capacity = options.capacity ?? 8;
  }

  start(): Promise<void> {
    return this.client.start();
  }

  async run(row: RowRun): Promise<RowOutcome> {
    if (this.closing.signal.aborted) throw new Error('the batch executor is closed');
    if (row.signal.aborted) return { status: 'cancelled', state: {}, error: 'cancelled', ms: 0 };
    const started = performance.now();
    const { failFast, ...ceilings } = this.options.limits ?? {};
    const data: RunJob = {
      v: PAYLOAD_VERSION,
      kind: 'run',
      workflow: { text: this.workflow.text, ...(this.workflow.file ? { file: this.workflow.file } : {}) },
      input: row.input,
      limits: { ...ceilings, ...(failFast !== undefined ? { failFast } : {}) },
    };
    const signal = AbortSignal.any([row.signal, this.closing.signal]);
    // Rejects (Redis unusable): the batch stops launching and a resume redoes this row.
    const end = await this.client.submit(this.client.newJob(), data, signal);
    const ms = performance.now() - started;
    if (end.kind === 'cancelled') return { status: 'cancelled', state: {}, error: 'cancelled', ms };
    if (end.kind === 'failed') {
      return { status: signal.aborted ? 'cancelled' : 'failed', state: {}, error: end.reason, ms };
    }
    const parsed = outcomeSchema.safeParse(end.value);
    if (!parsed.success)
      return { status: 'failed', state: {}, error: 'the worker returned a row of the wrong shape', ms };
    const problem = jsonBoundsProblem(parsed.data.state, "the row's final state");
    if (problem) return { status: 'failed', state: {}, error: problem, ms };
    return parsed.data as RowOutcome;
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.client.close();
  }
}
