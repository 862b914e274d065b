// One whole-run job on a `fanout worker` (a batch row sent by QueueRunExecutor): load and validate
// the workflow text it carries, run it on this machine's engine with the row's input and the caller's
// ceilings, and return the row's outcome (the shape of engine/batch's RowOutcome).
import { loadWorkflow } from '../workflow/load.ts';
import { validateWorkflow } from '../workflow/validate.ts';
import type { RunService } from '../run/service.ts';
import type { LlmTotals } from '../llm/types.ts';
import type { RunEvent } from '../run/types.ts';
import { rowLlmTotals, rowOutcomeOf } from '../batch/executor.ts';
import type { RowOutcome } from '../batch/executor.ts';
import type { RunJob } from './payload.ts';

export async function runRunJob(
  service: RunService,
  job: RunJob,
  options: { workerId: string; signal: AbortSignal; baseDir: string; publish?: (event: RunEvent) => void },
): Promise<RowOutcome> {
  const started = performance.now();
  const load = loadWorkflow(job.workflow.text, job.workflow.file);
  const errors = validateWorkflow(load, { knownActions: service.registry.names() }).filter(
    (p) => p.severity === 'error',
  );
  if (!load.model || errors.length > 0) {
    const first = errors[0];
    return {
      status: 'failed',
      state: {},
      error: `the queued workflow is invalid: ${first ? `${first.line}:${first.col}: ${first.code} ${first.message}` : 'unreadable'}`,
      ms: performance.now() - started,
      worker: options.workerId,
    };
  }
  let llm: LlmTotals | undefined;
  const { failFast, ...ceilings } = job.limits;
  const handle = service.run(
    load.model,
    {
      ...ceilings,
      ...(failFast !== undefined ? { failFast } : {}),
      input: job.input,
      signal: options.signal,
      baseDir: options.baseDir,
    },
    (event) => {
      if (event.type === 'run-finished' && event.llm) llm = rowLlmTotals(event.llm);
      options.publish?.(event);
    },
  );
  return rowOutcomeOf(await handle.result, llm, options.workerId);
}
