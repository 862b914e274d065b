// `fanout serve [--port N] [--open] [--root DIR] [--static DIR] [--workers N]`: starts the browser host
// and prints exactly one line, `Fanout Studio: URL`, on stdout; everything else goes to stderr.
import { spawn } from 'node:child_process';
import { startServer } from '../serve/server.ts';
import type { ServeOptions } from '../serve/server.ts';
import { MAX_POOL_WORKERS } from '../limits.ts';
import { intOption, parseCommandLine, UsageError } from './args.ts';
import { serveQueue } from '../queue/host-queue.ts';

const USAGE =
  'usage: fanout serve [--port N] [--open] [--root DIR] [--static DIR] [--workers N] [--redis URL]\n';

const OPTIONS = {
  port: { type: 'string' },
  open: { type: 'boolean' },
  root: { type: 'string' },
  static: { type: 'string' },
  workers: { type: 'string' },
  redis: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseServeArgs(args: string[]): ServeOptions & { open: boolean; redis?: string } {
  const { values } = parseCommandLine({ args, options: OPTIONS, allowPositionals: false });
  const out: ServeOptions & { open: boolean; redis?: string } = { open: values.open === true };
  if (values.redis !== undefined) out.redis = values.redis;
  if (values.port !== undefined) out.port = intOption('--port', values.port, 0, 65535);
  if (values.root !== undefined) out.root = values.root;
  if (values.static !== undefined) out.staticDir = values.static;
  if (values.workers !== undefined) out.workers = intOption('--workers', values.workers, 1, MAX_POOL_WORKERS);
  return out;
}

/** Opens `url` in the system browser; a failure only prints a message (the URL is on stdout). */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  const fail = (why: string) =>
    process.stderr.write(`fanout serve: could not open a browser (${why}); open the URL yourself\n`);
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code) => code && fail(`${command} exited with ${code}`));
    child.unref();
  } catch (error) {
    fail((error as Error).message);
  }
}

export async function serveCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let options: ReturnType<typeof parseServeArgs>;
  try {
    options = parseServeArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`fanout serve: ${error.message}\n${USAGE}`);
    return 2;
  }
  const { open, redis, ...serveOptions } = options;
  let server: Awaited<ReturnType<typeof startServer>>;
  const queue = await serveQueue(redis);
  if (!queue.ok) {
    process.stderr.write(`fanout serve: ${queue.message}\n`);
    return 2;
  }
  try {
    server = await startServer({
      ...serveOptions,
      ...(queue.runner ? { remoteBranches: queue.runner } : {}),
    });
  } catch (error) {
    await queue.runner?.close();
    process.stderr.write(`fanout serve: ${(error as Error).message}\n`);
    return 2;
  }
  process.stdout.write(`Fanout Studio: ${server.url}\n`);
  if (open) openBrowser(server.url);
  // Runs until SIGINT/SIGTERM; then a clean shutdown and exit code 0.
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stderr.write(`fanout serve: ${signal}, shutting down\n`);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  await queue.runner?.close();
  return 0;
}
