// `fanout run FILE [--input JSON|@file.json] [--events[=FILE]] [--timeout MS] [--workers N] [--fail-fast]
//                   [--start-at NODE | --only NODE]`
// --start-at runs from NODE and --only runs NODE alone, both with --input as the whole state.
// Prints the final state as JSON on stdout; RunEvents as NDJSON on stderr (or FILE) with --events.
import { createWriteStream, readFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { Engine, WorkflowInvalidError, buildGraph, loadWorkflowFile } from '../index.ts';
import { defaultPoolSize } from '../run/pool.ts';
import type { WorkflowModel } from '../workflow/types.ts';
import type { RunEvent } from '../run/types.ts';
import { formatProblem } from './format.ts';

interface RunArgs {
  file: string;
  input?: Record<string, unknown>;
  events?: string | true;
  timeoutMs?: number;
  workers?: number;
  failFast?: boolean;
  startAt?: string;
  only?: string;
}

class UsageError extends Error {}

function parseArgs(args: string[]): RunArgs {
  const out: Partial<RunArgs> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--input') out.input = parseInput(value());
    else if (arg === '--events') out.events = true;
    else if (arg.startsWith('--events=')) out.events = arg.slice('--events='.length);
    else if (arg === '--timeout') out.timeoutMs = positiveInt(arg, value());
    else if (arg === '--workers') out.workers = positiveInt(arg, value());
    else if (arg === '--fail-fast') out.failFast = true;
    else if (arg === '--start-at') out.startAt = value();
    else if (arg === '--only') out.only = value();
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else if (out.file === undefined) out.file = arg;
    else throw new UsageError(`unexpected argument ${arg}`);
  }
  if (!out.file) throw new UsageError('missing FILE');
  if (out.startAt !== undefined && out.only !== undefined) {
    throw new UsageError('give --start-at or --only, not both');
  }
  return out as RunArgs;
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} needs a positive integer, got '${text}'`);
  return n;
}

function parseInput(text: string): Record<string, unknown> {
  let source = text;
  let where = '--input';
  if (text.startsWith('@')) {
    where = text.slice(1);
    try {
      source = readFileSync(where, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read input file ${where}: ${(error as Error).message}`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new UsageError(`${where}: invalid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${where}: the input must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** A one-shot CLI run starts only the workers its widest fan-out can use (plus the main VM's). */
function workersFor(model: WorkflowModel): number {
  const widest = Math.max(0, ...buildGraph(model).fanOuts.map((f) => f.branches.length));
  return Math.max(1, Math.min(defaultPoolSize(), widest));
}

export async function runCommand(args: string[]): Promise<number> {
  let parsed: RunArgs;
  try {
    parsed = parseArgs(args);
  } catch (error) {
    process.stderr.write(`fanout run: ${(error as Error).message}\n`);
    return 2;
  }
  let engine: Engine | undefined;
  let eventStream: WriteStream | undefined;
  const onSignal = () => handle?.cancel();
  let handle: ReturnType<Engine['run']> | undefined;
  try {
    const load = await loadWorkflowFile(parsed.file);
    if (!load.model || load.problems.some((p) => p.severity === 'error')) {
      for (const p of load.problems) process.stderr.write(formatProblem(p) + '\n');
      return 2;
    }
    engine = new Engine({ size: parsed.workers ?? workersFor(load.model) });
    let write: ((event: RunEvent) => void) | undefined;
    if (parsed.events === true) write = (e) => process.stderr.write(JSON.stringify(e) + '\n');
    else if (typeof parsed.events === 'string') {
      const stream = createWriteStream(parsed.events);
      eventStream = stream;
      write = (e) => stream.write(JSON.stringify(e) + '\n');
    }
    try {
      handle = engine.run(load, {
        ...(parsed.input ? { input: parsed.input } : {}),
        ...(parsed.timeoutMs ? { timeoutMs: parsed.timeoutMs } : {}),
        ...(parsed.failFast ? { failFast: true } : {}),
        ...(parsed.startAt !== undefined ? { startAt: parsed.startAt } : {}),
        ...(parsed.only !== undefined ? { only: parsed.only } : {}),
        ...(write ? { onEvent: write } : {}),
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
    if (eventStream) await new Promise((r) => eventStream!.end(r));
  }
}
