// `fanout worker --redis URL [--concurrency N] [--id NAME] [--workers N] [--lock-ms MS]
//                [--stalled-ms MS] [--queue-prefix P]`
// A queue worker: the same warm pool of fresh-VM Lua workers as every host, taking branch jobs from
// BullMQ on Redis (docs/queue.md). Prints `fanout worker ID ready` on stderr once it takes jobs, one
// line per job; the Redis password is never printed. Runs until SIGINT/SIGTERM.
import {
  MAX_POOL_WORKERS,
  MAX_QUEUE_CONCURRENCY,
  MAX_QUEUE_WORKER_ID_CHARS,
  MAX_TIMEOUT_MS,
} from '../limits.ts';
import { QueueWorker } from '../queue/queue-worker.ts';
import type { QueueWorkerOptions } from '../queue/queue-worker.ts';
import { checkWorkerId } from '../queue/names.ts';
import { RedisUrlError, redactPassword, redisOptions } from '../queue/redis-url.ts';
import { intOption, parseCommandLine, UsageError } from './args.ts';

const USAGE = `usage: fanout worker [--redis URL] [--concurrency N] [--id NAME] [--workers N]
                     [--lock-ms MS] [--stalled-ms MS] [--queue-prefix P]
  --redis URL         redis://[:password@]host:port[/db] or rediss:// (TLS); default FANOUT_REDIS_URL
  --concurrency N     jobs at once (default: the Lua worker count)
  --id NAME           shown in the timeline (default host:pid)
  --lock-ms MS        a worker silent this long counts as dead (BullMQ lockDuration, default 30000)
  --stalled-ms MS     how often to look for dead workers' jobs (BullMQ stalledInterval, default 30000)
`;

const OPTIONS = {
  redis: { type: 'string' },
  concurrency: { type: 'string' },
  id: { type: 'string' },
  workers: { type: 'string' },
  'lock-ms': { type: 'string' },
  'stalled-ms': { type: 'string' },
  'queue-prefix': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseWorkerArgs(args: string[]): QueueWorkerOptions {
  const { values } = parseCommandLine({ args, options: OPTIONS, allowPositionals: false });
  const redisUrl = values.redis ?? process.env['FANOUT_REDIS_URL'];
  if (!redisUrl) throw new UsageError('give --redis URL (or set FANOUT_REDIS_URL)');
  try {
    redisOptions(redisUrl);
  } catch (error) {
    if (error instanceof RedisUrlError) throw new UsageError(error.message);
    throw error;
  }
  const out: QueueWorkerOptions = {
    redisUrl,
    log: (line) => process.stderr.write(`fanout worker: ${line}\n`),
  };
  if (values.concurrency !== undefined) {
    out.concurrency = intOption('--concurrency', values.concurrency, 1, MAX_QUEUE_CONCURRENCY);
  }
  if (values.workers !== undefined) out.workers = intOption('--workers', values.workers, 1, MAX_POOL_WORKERS);
  if (values.id !== undefined) {
    const problem = checkWorkerId(values.id, MAX_QUEUE_WORKER_ID_CHARS);
    if (problem) throw new UsageError(`--id: ${problem}`);
    out.id = values.id;
  }
  if (values['lock-ms'] !== undefined)
    out.lockDurationMs = intOption('--lock-ms', values['lock-ms'], 500, MAX_TIMEOUT_MS);
  if (values['stalled-ms'] !== undefined) {
    out.stalledIntervalMs = intOption('--stalled-ms', values['stalled-ms'], 200, MAX_TIMEOUT_MS);
  }
  const prefix = values['queue-prefix'] ?? process.env['FANOUT_QUEUE_PREFIX'];
  if (prefix !== undefined) out.prefix = prefix;
  return out;
}

export async function workerCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let options: QueueWorkerOptions;
  try {
    options = parseWorkerArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`fanout worker: ${error.message}\n${USAGE}`);
    return 2;
  }
  const worker = new QueueWorker(options);
  try {
    await worker.start();
  } catch (error) {
    process.stderr.write(`fanout worker: ${redactPassword((error as Error).message, options.redisUrl)}\n`);
    await worker.close();
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stderr.write(`fanout worker: ${signal}, finishing\n`);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await worker.close();
  return 0;
}
