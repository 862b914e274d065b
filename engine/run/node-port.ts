// WorkerPort adapter for plain Node: each worker is a `child_process.fork` of the worker script next to
// this module — dist/worker.cjs when the engine runs compiled (scripts/build-engine.mjs: a CommonJS
// entry that runs the worker bundle with a V8 code cache), worker.ts through tsx in development. The
// Electron shell has its own adapter (utilityProcess); the pool sees no difference.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ChannelOutbox, emptyTraffic, unpack } from './channel-outbox.ts';
import type { FromWorker, ToWorker, WorkerPort } from './protocol.ts';
import { workerEnv } from './worker-env.ts';
import { ONE_SHOT_WORKER_EXEC_ARGV, WORKER_ENV, WORKER_EXEC_ARGV } from './worker-flags.ts';

/**
 * Bundled, this module is part of dist/cli.js, next to worker.cjs. (Electron's out/main/index.js has it
 * too, but forks its own out/main/worker.js through utility-port.ts.)
 */
const compiled = !import.meta.url.endsWith('.ts');
const workerScript = fileURLToPath(new URL(compiled ? './worker.cjs' : './worker.ts', import.meta.url));

/**
 * Development only: TypeScript workers run through `--import tsx`, resolved here (not against the
 * current directory) so the worker starts wherever the CLI is launched from. Looked up lazily: a
 * compiled engine forks JavaScript and has no tsx to find.
 */
let tsxLoader: string | undefined;
function execArgvFor(script: string): string[] {
  if (!script.endsWith('.ts')) return [];
  tsxLoader ??= pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsxLoader];
}

/** Children still alive, so they can be killed if this process exits without closing its pool. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Covers normal exit and process.exit(). A parent killed by a signal closes the IPC channel
  // instead, and the worker exits on 'disconnect'.
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

/**
 * Process-wide like `preforked` below (both copies of this module in a compiled `fanout run` see it):
 * whether workers are forked for one short-lived run (ONE_SHOT_WORKER_EXEC_ARGV) or a warm pool.
 */
const profile = ((globalThis as unknown as Record<symbol, { oneShot: boolean } | undefined>)[
  Symbol.for('fanout.workerProfile')
] ??= { oneShot: false });

/**
 * Workers forked from now on serve one short run that ends with the process (`fanout run`): they get
 * ONE_SHOT_WORKER_EXEC_ARGV. Called before the first fork; `false` restores the default (tests).
 */
export function useOneShotWorkers(oneShot = true): void {
  profile.oneShot = oneShot;
}

export interface ForkOptions {
  /** Script to run instead of the worker (tests use a plain .mjs worker that misbehaves on purpose). */
  script?: string;
}

/**
 * Worker processes forked ahead of any pool (preforkWorkers), handed out by the next forkWorker().
 * Process-wide, not per copy of this module: the compiled CLI's entry forks the first one from a small
 * bundle of this module before the CLI bundle is even loaded (engine/boot/cli-entry.mjs), and the CLI
 * bundle's own copy hands it out.
 */
const preforked: WorkerPort[] = ((globalThis as unknown as Record<symbol, WorkerPort[] | undefined>)[
  Symbol.for('fanout.preforkedWorkers')
] ??= []);

/**
 * Makes sure `count` workers are forked ahead, before the caller has a pool: `fanout run` calls this
 * first thing, so the workers' start (~80 ms of CPU each) overlaps the CLI's own module loading and
 * parsing of the file instead of following it. The pool's next forkWorker() calls take them, ready or
 * not (their early messages are kept for the pool's listener). Leftovers must go through
 * discardPreforked().
 */
export function preforkWorkers(count: number): void {
  while (preforked.length < count) preforked.push(spawnWorkerProcess(workerScript));
}

/** Kills workers forked ahead and never taken (a run that stopped at a usage or workflow error). */
export function discardPreforked(): void {
  for (const port of preforked.splice(0)) port.kill();
}

export function forkWorker(options: ForkOptions = {}): WorkerPort {
  const script = options.script ?? workerScript;
  if (script === workerScript) {
    const ahead = preforked.shift();
    if (ahead) return ahead;
  }
  return spawnWorkerProcess(script);
}

function spawnWorkerProcess(script: string): WorkerPort {
  installExitHook();
  const child = fork(script, [], {
    execArgv: [
      ...WORKER_EXEC_ARGV,
      ...(profile.oneShot ? ONE_SHOT_WORKER_EXEC_ARGV : []),
      ...execArgvFor(script),
    ],
    env: { ...workerEnv(), ...WORKER_ENV },
    serialization: 'advanced',
    // Worker stdout goes to our stderr so it can never corrupt machine-readable CLI output.
    stdio: ['ignore', 2, 'inherit', 'ipc'],
  });
  liveChildren.add(child);

  let exited: { code: number | null; signal: string | null } | null = null;
  /** kill() was called: what is still queued or in flight is moot, and its EPIPE is no news. */
  let killed = false;
  const traffic = emptyTraffic();
  const sendCallback = (err: Error | null): void => {
    // The channel may close between the check and the write; the exit event reports that.
    if (err && !exited && !killed)
      process.stderr.write(`[fanout worker ${child.pid}] send failed: ${err.message}\n`);
  };
  // Requests of one event-loop turn leave as one channel message, once the worker said it reads them.
  const outbox = new ChannelOutbox<ToWorker>({
    write: (packet) => {
      if (!exited && !killed && child.connected) child.send(packet, sendCallback);
    },
    onUnsent: (message, err) =>
      process.stderr.write(
        `[fanout worker ${child.pid}] could not send '${message.type}': ${err instanceof Error ? err.message : String(err)}\n`,
      ),
    traffic,
  });
  const exitListeners: ((info: { code: number | null; signal: string | null }) => void)[] = [];
  const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (exited) return;
    exited = { code, signal };
    outbox.clear();
    liveChildren.delete(child);
    for (const listener of exitListeners) listener(exited);
  };
  // A worker forked ahead may say `ready` before anyone listens: keep its messages until someone does.
  const messageListeners: ((message: FromWorker) => void)[] = [];
  const early: FromWorker[] = [];
  const deliver = (message: FromWorker): void => {
    for (const listener of messageListeners) {
      // An exception here would escape Node's IPC handler and take the host down with it.
      try {
        listener(message);
      } catch (err) {
        process.stderr.write(
          `[fanout worker ${child.pid}] message handler failed: ${err instanceof Error ? err.message : String(err)}\n`,
        );
      }
    }
  };
  const receive = (message: FromWorker): void => {
    if (message.type === 'ready' && message.batches === true && !outbox.batching) {
      outbox.batching = true;
      outbox.send({ type: 'batching' }); // and so may its replies be
    }
    if (messageListeners.length === 0) early.push(message);
    else deliver(message);
  };
  child.on('message', (packet) => unpack(packet, receive, traffic));
  child.on('exit', onExit);
  // A failed spawn emits 'error' and may never emit 'exit'.
  child.on('error', (err) => {
    process.stderr.write(`[fanout worker ${child.pid ?? '?'}] ${err.message}\n`);
    if (child.pid === undefined || child.exitCode !== null) onExit(child.exitCode, null);
  });

  return {
    get pid() {
      return child.pid;
    },
    postMessage(message: ToWorker, onUnsent?: (error: unknown) => void) {
      if (exited || killed || !child.connected) return;
      // Until the worker reads batches this writes at once; a message that cannot be serialized
      // goes to onUnsent either way.
      outbox.send(message, onUnsent);
    },
    onMessage(listener: (message: FromWorker) => void) {
      messageListeners.push(listener);
      // Kept messages arrive a microtask later, as a live one would: after the caller's set-up.
      if (messageListeners.length === 1 && early.length > 0) {
        queueMicrotask(() => {
          for (const message of early.splice(0)) deliver(message);
        });
      }
    },
    onExit(listener) {
      exitListeners.push(listener);
      // Already gone before this listener came (a worker forked ahead that died): tell it now.
      if (exited) {
        const info = exited;
        queueMicrotask(() => listener(info));
      }
    },
    kill() {
      if (exited) return;
      killed = true;
      outbox.clear();
      child.kill('SIGKILL');
    },
    traffic,
  };
}
