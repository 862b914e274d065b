// `fanout run FILE [--input JSON|@file.json] [--events[=FILE]] [--timeout MS] [--workers N] [--fail-fast]
//                   [--start-at NODE | --only NODE] [--record FILE | --replay FILE]`
// --start-at runs from NODE and --only runs NODE alone, both with --input as the whole state.
// --record writes every model exchange (llm.*) to a cassette; --replay answers from one, no network.
// Prints the final state as JSON on stdout; RunEvents as NDJSON on stderr (or FILE) with --events.
import { availableParallelism } from 'node:os';
import { Engine, WorkflowInvalidError, buildGraph, loadWorkflowFile } from '../index.ts';
import { jsonBoundsProblem, MAX_POOL_WORKERS, MAX_TIMEOUT_MS } from '../limits.ts';
import { defaultPoolSize } from '../run/pool.ts';
import type { WorkflowModel } from '../workflow/types.ts';
import { intOption, parseCommandLine, UsageError } from './args.ts';
import { openEventSink } from './event-sink.ts';
import type { EventSink } from './event-sink.ts';
import { formatProblem } from './format.ts';
import { readRunInput } from './run-input.ts';
import { Cassette, CassetteError } from '../llm/cassette.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { openHostQueue } from '../queue/host-queue.ts';
import type { HostQueue } from '../queue/host-queue.ts';

const USAGE = `usage: fanout run FILE [--input JSON|@file.json] [--events[=FILE]] [--timeout MS] [--workers N]
                 [--fail-fast] [--start-at NODE | --only NODE] [--record FILE | --replay FILE]
                 [--redis URL]
`;

interface RunArgs {
  file: string;
  input?: Record<string, unknown>;
  /** true = stderr, a string = a file. */
  events?: string | true;
  timeoutMs?: number;
  workers?: number;
  failFast?: boolean;
  startAt?: string;
  only?: string;
  record?: string;
  replay?: string;
  /** Queue mode: fan-out branches run on `fanout worker`s through this Redis (docs/queue.md). */
  redis?: string;
}

const OPTIONS = {
  input: { type: 'string' },
  events: { type: 'string' },
  timeout: { type: 'string' },
  workers: { type: 'string' },
  'fail-fast': { type: 'boolean' },
  'start-at': { type: 'string' },
  only: { type: 'string' },
  record: { type: 'string' },
  replay: { type: 'string' },
  redis: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Stands for a bare `--events` (stderr) in the parsed values; not a path anyone can pass. */
const EVENTS_TO_STDERR = '\0stderr';

/**
 * `--events` is both a flag (stderr) and `--events=FILE`, which parseArgs cannot express: a bare
 * `--events` (before any `--`) is rewritten to `--events=<marker>` first. A following argument is
 * never taken as its value, exactly as before.
 */
function withEventsFlag(args: string[]): string[] {
  const end = args.indexOf('--');
  return args.map((arg, i) =>
    arg === '--events' && (end < 0 || i < end) ? `--events=${EVENTS_TO_STDERR}` : arg,
  );
}

function parseRunArgs(args: string[]): RunArgs {
  const { values, positionals } = parseCommandLine({
    args: withEventsFlag(args),
    options: OPTIONS,
    allowPositionals: true,
  });
  if (positionals.length === 0) throw new UsageError('missing FILE');
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  const out: RunArgs = { file: positionals[0]! };
  if (values.input !== undefined) out.input = readRunInput(values.input);
  if (values.events === EVENTS_TO_STDERR) out.events = true;
  else if (values.events === '') throw new UsageError('--events=FILE needs a file name');
  else if (values.events !== undefined) out.events = values.events;
  if (values.timeout !== undefined) out.timeoutMs = intOption('--timeout', values.timeout, 1, MAX_TIMEOUT_MS);
  if (values.workers !== undefined) out.workers = intOption('--workers', values.workers, 1, MAX_POOL_WORKERS);
  if (values['fail-fast']) out.failFast = true;
  if (values['start-at'] !== undefined) out.startAt = values['start-at'];
  if (values.only !== undefined) out.only = values.only;
  if (out.startAt !== undefined && out.only !== undefined) {
    throw new UsageError('give --start-at or --only, not both');
  }
  if (values.record !== undefined) out.record = nonEmpty('--record', values.record);
  if (values.replay !== undefined) out.replay = nonEmpty('--replay', values.replay);
  if (values.redis !== undefined) out.redis = nonEmpty('--redis', values.redis);
  if (out.record !== undefined && out.replay !== undefined) {
    throw new UsageError('give --record or --replay, not both');
  }
  return out;
}

function nonEmpty(option: string, value: string): string {
  if (value === '') throw new UsageError(`${option} needs a file name`);
  return value;
}

/** The run's cassette: empty for --record, read from the file for --replay (a bad file is a usage error). */
async function cassetteFor(parsed: RunArgs): Promise<Cassette | undefined> {
  if (parsed.record !== undefined) return new Cassette('record');
  if (parsed.replay === undefined) return undefined;
  try {
    return await Cassette.load(parsed.replay);
  } catch (error) {
    if (error instanceof CassetteError) throw new UsageError(error.message);
    throw error;
  }
}

/** A one-shot CLI run starts only the workers its widest fan-out can use (plus the main VM's). */
function workersFor(model: WorkflowModel): number {
  const widest = Math.max(0, ...buildGraph(model).fanOuts.map((f) => f.branches.length));
  return Math.max(1, Math.min(defaultPoolSize(), widest));
}

/**
 * Workers to start before any fan-out asks (the first alone, the others once it is ready); the rest
 * start when a fan-out queues work for them. A worker's start is CPU-bound (~80 ms of CPU), so more
 * starts than cores only slow each other: on 2 cores (docs/benchmarks.md, start-up notes) a 4-way
 * fan-out of 100 ms sleeps took 587 / 560 / 554 / 585 ms with 1 / 2 / 3 / 4 started at once, and
 * starting the others after the first was ready beat starting them beside it (932 vs 1,008 ms at
 * load 10). One per core besides the first.
 */
function workersToStartNow(poolSize: number): number {
  return Math.min(poolSize, availableParallelism() + 1);
}

export async function runCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let parsed: RunArgs;
  try {
    parsed = parseRunArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`fanout run: ${error.message}\n${USAGE}`);
    return 2;
  }
  let engine: Engine | undefined;
  let queue: HostQueue | undefined;
  let events: EventSink | undefined;
  const onSignal = () => handle?.cancel();
  let handle: ReturnType<Engine['run']> | undefined;
  try {
    const load = await loadWorkflowFile(parsed.file);
    if (!load.model || load.problems.some((p) => p.severity === 'error')) {
      for (const p of load.problems) process.stderr.write(formatProblem(p) + '\n');
      return 2;
    }
    if (parsed.events !== undefined) {
      try {
        events = openEventSink(parsed.events);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        process.stderr.write(`fanout run: ${error.message}\n`);
        return 2;
      }
    }
    let cassette: Cassette | undefined;
    try {
      cassette = await cassetteFor(parsed);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`fanout run: ${error.message}\n`);
      return 2;
    }
    queue = await openHostQueue(load, parsed.redis);
    if (!queue.ok) {
      if ('problems' in queue) for (const p of queue.problems) process.stderr.write(formatProblem(p) + '\n');
      else process.stderr.write(`fanout run: ${queue.message}\n`);
      return 'problems' in queue ? 2 : 1;
    }
    // Queue mode: the branches' Lua runs on the workers; here only the main line's VM.
    const size = parsed.workers ?? (queue.runner ? 1 : workersFor(load.model));
    engine = new Engine({
      size,
      // A fan-out wider than the workers started below grows the pool a core's worth at a time.
      maxStarting: availableParallelism(),
      ...(queue.runner ? { remoteBranches: queue.runner } : {}),
    });
    // An explicit --workers N asks for N processes: those start at once. Else the first worker (forked
    // ahead by cli.ts) starts alone and the others once it is ready.
    if (parsed.workers !== undefined) engine.service.pool.prestart(parsed.workers);
    else engine.service.pool.prestartAfterFirst(workersToStartNow(size));
    try {
      handle = engine.run(load, {
        ...(parsed.input ? { input: parsed.input } : {}),
        ...(parsed.timeoutMs ? { timeoutMs: parsed.timeoutMs } : {}),
        ...(parsed.failFast ? { failFast: true } : {}),
        ...(parsed.startAt !== undefined ? { startAt: parsed.startAt } : {}),
        ...(parsed.only !== undefined ? { only: parsed.only } : {}),
        ...(events ? { onEvent: events.write } : {}),
        ...(cassette ? { llm: { exchanges: cassette } } : {}),
      });
    } catch (error) {
      if (error instanceof WorkflowInvalidError) {
        for (const p of error.problems) process.stderr.write(formatProblem(p) + '\n');
        return 2;
      }
      throw error;
    }
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const result = await handle.result;
    // Written whatever the run's status: the exchanges that happened are worth replaying.
    if (cassette && parsed.record !== undefined) {
      try {
        await writeFileAtomic(parsed.record, JSON.stringify(cassette, null, 2) + '\n');
        process.stderr.write(`fanout run: recorded ${cassette.size} model exchange(s) to ${parsed.record}\n`);
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        process.stderr.write(`fanout run: cannot write the cassette ${parsed.record}: ${reason}\n`);
        return 1;
      }
    }
    // The engine bounds every state it produces; this keeps a printing failure a message, not a stack.
    const problem = jsonBoundsProblem(result.state, 'the final state');
    if (problem) {
      process.stderr.write(`fanout run: the final state cannot be printed: ${problem}\n`);
      return 1;
    }
    process.stdout.write(JSON.stringify(result.state, null, 2) + '\n');
    if (result.status !== 'succeeded') {
      process.stderr.write(`fanout run: ${result.status}${result.error ? `: ${result.error}` : ''}\n`);
      return 1;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine?.close();
    if (queue?.ok) await queue.runner?.close();
    await events?.close();
  }
}
