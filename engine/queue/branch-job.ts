// One branch job on a `fanout worker`: load the workflow it carries, run the branch alone on this
// machine's warm pool (the same scheduler code as a local fan-out, so the same sandbox, timeouts and
// results), and publish its events (bounded) for the host that waits on it.
import { loadWorkflow } from '../workflow/load.ts';
import { validateWorkflow } from '../workflow/validate.ts';
import { scheduleBranch } from '../run/scheduler.ts';
import type { SchedulerDeps } from '../run/scheduler.ts';
import type { RemoteBranchOutcome } from '../run/branch-runner.ts';
import type { BranchStatus, ParallelResult, RunEvent } from '../run/types.ts';
import { MAX_QUEUE_EVENT_BYTES, MAX_QUEUE_EVENTS_PER_BRANCH } from '../limits.ts';
import type { BranchJob } from './payload.ts';

/** Where a branch's events go: one JSON message per event, in order. */
export type Publish = (message: string) => void;

/** The events a host takes back from a remote branch (the host emits branch-finished itself). */
export const FORWARDED_EVENTS: ReadonlySet<string> = new Set([
  'branch-started',
  'branch-vm-created',
  'node-started',
  'node-finished',
  'node-failed',
  'log',
  'llm-call-started',
  'llm-tokens',
  'llm-call-finished',
]);

export async function runBranchJob(
  deps: SchedulerDeps,
  job: BranchJob,
  options: { workerId: string; signal: AbortSignal; publish: Publish; baseDir: string; notice?: string },
): Promise<RemoteBranchOutcome> {
  const forward = boundedForwarder(options.publish);
  if (options.notice)
    forward({ type: 'log', level: 'warn', message: options.notice, fanOut: job.fanOut, branch: job.branch });
  // JSON is YAML: the workflow's top-level keys load back into the same model the host ran from.
  const load = loadWorkflow(JSON.stringify(job.workflow), 'queued workflow');
  const errors = validateWorkflow(load, { knownActions: deps.registry.names() }).filter(
    (p) => p.severity === 'error',
  );
  if (!load.model || errors.length > 0) {
    const first = errors[0];
    return failed(
      `the queued workflow is invalid: ${first ? `${first.code} ${first.message}` : 'unreadable'}`,
      options.workerId,
    );
  }
  let finished: { status: BranchStatus; peakHeapBytes?: number } | undefined;
  const result: ParallelResult = await scheduleBranch(deps, {
    model: load.model,
    runId: job.runId,
    options: { ...job.limits, signal: options.signal, baseDir: options.baseDir },
    fanOut: job.fanOut,
    branch: job.branch,
    index: job.index,
    state: job.state,
    onEvent: (event) => {
      if (event.type === 'branch-finished') {
        finished = {
          status: event.status,
          ...(event.peakHeapBytes !== undefined ? { peakHeapBytes: event.peakHeapBytes } : {}),
        };
      } else if (event.type === 'branch-started' || event.type === 'branch-vm-created') {
        forward({ ...strip(event), remoteWorker: options.workerId });
      } else if (FORWARDED_EVENTS.has(event.type)) {
        forward(strip(event));
      }
    },
  });
  return {
    status: finished?.status ?? (result.success ? 'succeeded' : 'failed'),
    result,
    remoteWorker: options.workerId,
    ...(finished?.peakHeapBytes !== undefined ? { peakHeapBytes: finished.peakHeapBytes } : {}),
  };
}

export function failed(message: string, workerId: string, errorType = 'ExecutionError'): RemoteBranchOutcome {
  return {
    status: 'failed',
    result: {
      branch: '',
      success: false,
      state: null,
      error: message,
      error_type: errorType,
      timeout: false,
    },
    remoteWorker: workerId,
  };
}

/** The worker's own stamp (run id, seq, time) is dropped: the host stamps events in its run. */
function strip(event: RunEvent): Record<string, unknown> {
  const { runId: _runId, seq: _seq, t: _t, ...rest } = event;
  return rest;
}

/** A whole run's events, bounded as a branch's are (the worker's stamps kept: a row's run is its own). */
export function boundedPublisher(publish: Publish): (event: RunEvent) => void {
  const forward = boundedForwarder(publish);
  return (event) => {
    if (event.type !== 'memory-sample') forward(event as unknown as Record<string, unknown>);
  };
}

/** At most MAX_QUEUE_EVENTS_PER_BRANCH events, each at most MAX_QUEUE_EVENT_BYTES; what is cut says so. */
function boundedForwarder(publish: Publish): (event: Record<string, unknown>) => void {
  let sent = 0;
  return (event) => {
    if (sent > MAX_QUEUE_EVENTS_PER_BRANCH) return;
    const where = {
      ...(event['fanOut'] ? { fanOut: event['fanOut'] } : {}),
      ...(event['branch'] ? { branch: event['branch'] } : {}),
    };
    let text = JSON.stringify(event);
    if (sent === MAX_QUEUE_EVENTS_PER_BRANCH) {
      text = JSON.stringify({
        type: 'log',
        level: 'warn',
        ...where,
        message: `this remote branch sent ${MAX_QUEUE_EVENTS_PER_BRANCH} events; later ones are not streamed (its result is)`,
      });
    } else if (text.length > MAX_QUEUE_EVENT_BYTES) {
      text = JSON.stringify({
        type: 'log',
        level: 'warn',
        ...where,
        message: `a '${String(event['type'])}' event of ${text.length} bytes was too large to stream back from the worker`,
      });
    }
    sent++;
    publish(text);
  };
}
