// Names shared by the hosts that enqueue and the workers that run: BullMQ queues and pub/sub channels.
// A prefix (`--queue-prefix`, FANOUT_QUEUE_PREFIX; default "fanout") separates deployments on one Redis.

export interface QueueNames {
  /** BullMQ key prefix (BullMQ's `prefix` option). */
  prefix: string;
  branches: string;
  runs: string;
  /** Pub/sub channel every worker listens to for cancels (the message is a job id). */
  cancel: string;
  /** Set (with a TTL) on cancel, so a worker that picks the job up later still sees it. */
  cancelMark: (jobId: string) => string;
  /** Where one job's events are published. */
  events: (jobId: string) => string;
}

export function queueNames(prefix = 'fanout'): QueueNames {
  if (!/^[\w-]{1,40}$/.test(prefix)) throw new Error(`queue prefix must be 1-40 letters, digits, - or _`);
  return {
    prefix,
    branches: 'branches',
    runs: 'runs',
    cancel: `${prefix}:cancel`,
    cancelMark: (jobId) => `${prefix}:cancelled:${jobId}`,
    // The payload schema only accepts fanout:events:… channels; the prefix goes after it.
    events: (jobId) => `fanout:events:${prefix}:${jobId}`,
  };
}

/** The id of a worker: `--id` or host:pid; letters, digits and . _ : - only (it is shown in the UI). */
export function checkWorkerId(id: string, max: number): string | null {
  if (id.length === 0 || id.length > max) return `a worker id has 1 to ${max} characters`;
  if (!/^[\w.:-]+$/.test(id)) return 'a worker id has letters, digits and . _ : - only';
  return null;
}
