// `fanout batch FILE --inputs DATA [--out results.jsonl] [--concurrency N] [--resume] [--expect EXPR]
//                    [--csv-types] [--json] [--workers N] [--timeout MS]`
// One run per dataset row (JSONL, CSV or a folder), the row merged into the initial state as `--input`
// is. Results are appended as rows finish (durable before they count), `--resume` skips rows already
// in --out. Progress and the summary go to stderr; --json prints the summary as JSON on stdout.
// Exit: 0 every row ok, 1 a run or an expect failed (or the batch was cancelled / stopped), 2 bad input.
import { loadWorkflowFile, WorkflowInvalidError } from '../index.ts';
import { MAX_BATCH_CONCURRENCY, MAX_POOL_WORKERS, MAX_TIMEOUT_MS } from '../limits.ts';
import { readDataset, DatasetError } from '../batch/dataset.ts';
import { expectProblem, workflowExpect } from '../batch/expect.ts';
import { LocalRunExecutor } from '../batch/local-executor.ts';
import type { RunExecutor } from '../batch/executor.ts';
import { openQueueExecutor } from '../queue/host-queue.ts';
import { ProgressReporter, summaryText } from '../batch/progress.ts';
import { ResultsFile, ResultsFileError, ResultsStream } from '../batch/results-file.ts';
import type { ResultsSink } from '../batch/results-file.ts';
import type { RowVerdict } from '../batch/result-line.ts';
import { runBatch } from '../batch/runner.ts';
import { intOption, parseCommandLine, UsageError } from './args.ts';
import { formatProblem } from './format.ts';

const USAGE = `usage: fanout batch FILE --inputs DATA.jsonl|DATA.csv|DIR [--out RESULTS.jsonl] [--concurrency N] [--redis URL]
                   [--resume] [--expect EXPR] [--csv-types] [--json] [--workers N] [--timeout MS]
`;

const OPTIONS = {
  inputs: { type: 'string' },
  out: { type: 'string' },
  concurrency: { type: 'string' },
  resume: { type: 'boolean' },
  expect: { type: 'string' },
  'csv-types': { type: 'boolean' },
  json: { type: 'boolean' },
  workers: { type: 'string' },
  timeout: { type: 'string' },
  redis: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface BatchArgs {
  file: string;
  inputs: string;
  out?: string;
  concurrency?: number;
  resume: boolean;
  expect?: string;
  csvTypes: boolean;
  json: boolean;
  workers?: number;
  timeoutMs?: number;
  /** Queue mode: rows run on `fanout worker`s through this Redis. */
  redis?: string;
}

function parseBatchArgs(args: string[]): BatchArgs {
  const { values, positionals } = parseCommandLine({ args, options: OPTIONS, allowPositionals: true });
  if (positionals.length === 0) throw new UsageError('missing FILE');
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  if (!values.inputs) throw new UsageError('--inputs DATA is required (a .jsonl or .csv file, or a folder)');
  if (values.resume && !values.out) throw new UsageError('--resume needs --out (the results to continue)');
  return {
    file: positionals[0]!,
    inputs: values.inputs,
    ...(values.out ? { out: values.out } : {}),
    ...(values.concurrency !== undefined
      ? { concurrency: intOption('--concurrency', values.concurrency, 1, MAX_BATCH_CONCURRENCY) }
      : {}),
    resume: values.resume === true,
    ...(values.expect !== undefined ? { expect: values.expect } : {}),
    csvTypes: values['csv-types'] === true,
    json: values.json === true,
    ...(values.workers !== undefined
      ? { workers: intOption('--workers', values.workers, 1, MAX_POOL_WORKERS) }
      : {}),
    ...(values.timeout !== undefined
      ? { timeoutMs: intOption('--timeout', values.timeout, 1, MAX_TIMEOUT_MS) }
      : {}),
    ...(values.redis ? { redis: values.redis } : {}),
  };
}

const fail = (message: string): number => {
  process.stderr.write(`fanout batch: ${message}\n`);
  return 2;
};

export async function batchCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let parsed: BatchArgs;
  try {
    parsed = parseBatchArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`fanout batch: ${error.message}\n${USAGE}`);
    return 2;
  }
  const load = await loadWorkflowFile(parsed.file);
  if (!load.model || load.problems.some((p) => p.severity === 'error')) {
    for (const p of load.problems) process.stderr.write(formatProblem(p) + '\n');
    return 2;
  }
  const expect = parsed.expect ?? workflowExpect(load.model);
  const expectBad = expect === undefined ? null : expectProblem(expect);
  if (expectBad) return fail(expectBad);

  let dataset;
  try {
    dataset = await readDataset(parsed.inputs, { csvTypes: parsed.csvTypes });
  } catch (error) {
    if (error instanceof DatasetError) return fail(error.message);
    throw error;
  }
  if (dataset.skipped && dataset.skipped.binary + dataset.skipped.tooLarge > 0) {
    process.stderr.write(
      `fanout batch: ${parsed.inputs}: skipped ${dataset.skipped.binary} binary and ${dataset.skipped.tooLarge} too large file(s)\n`,
    );
  }

  // Queue mode (docs/queue.md): each row is a job for `fanout worker`s.
  const queued = parsed.redis
    ? await openQueueExecutor(load, parsed.redis, parsed.timeoutMs ? { timeoutMs: parsed.timeoutMs } : {})
    : undefined;
  if (queued && !queued.ok) {
    if ('message' in queued) return fail(queued.message);
    for (const p of queued.problems) process.stderr.write(formatProblem(p) + '\n');
    return 2;
  }
  let executor: RunExecutor;
  try {
    executor = queued?.ok
      ? queued.executor
      : new LocalRunExecutor(load, {
          ...(parsed.workers ? { workers: parsed.workers } : {}),
          limits: parsed.timeoutMs ? { timeoutMs: parsed.timeoutMs } : {},
        });
  } catch (error) {
    if (error instanceof WorkflowInvalidError) {
      for (const p of error.problems) process.stderr.write(formatProblem(p) + '\n');
      return 2;
    }
    throw error;
  }

  let sink: ResultsSink;
  let previous: RowVerdict[] = [];
  try {
    if (parsed.out) ({ file: sink, previous } = await ResultsFile.open(parsed.out, parsed.resume));
    else sink = new ResultsStream(process.stdout);
  } catch (error) {
    await executor.close();
    if (error instanceof ResultsFileError) return fail(error.message);
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return fail(`cannot open ${parsed.out}: ${reason}`);
  }

  // First Ctrl+C: stop launching rows, cancel those in flight, print the summary. Second: leave now.
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write('\nfanout batch: cancelling (Ctrl+C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = new ProgressReporter(process.stderr);
  try {
    const summary = await runBatch({
      rows: dataset.rows,
      executor,
      sink,
      concurrency: parsed.concurrency ?? executor.capacity,
      previous,
      ...(expect !== undefined ? { expect } : {}),
      signal: controller.signal,
      onRow: (_result, p) => progress.update(p, p.done === p.total),
    });
    progress.finish();
    process.stderr.write(summaryText(summary, expect !== undefined) + '\n');
    if (parsed.json) process.stdout.write(JSON.stringify({ summary }) + '\n');
    const allOk = summary.failed === 0 && summary.notRun === 0 && !summary.error;
    return allOk ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await sink.close();
    await executor.close();
  }
}
