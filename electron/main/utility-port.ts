// WorkerPort adapter for Electron: each worker is a `utilityProcess.fork` of the built worker script
// (out/main/worker.js). The worker sees `process.parentPort` and receives `event.data` of each
// `child.postMessage(message)`; it replies with `parentPort.postMessage`, which arrives here as
// `child.on('message', message)`. The pool cannot tell this adapter from the Node one.
import type { UtilityProcess } from 'electron';
import { ChannelOutbox, emptyTraffic, unpack } from '../../engine/run/channel-outbox.ts';
import type { FromWorker, ToWorker, WorkerPort } from '../../engine/run/protocol.ts';
import { workerEnv } from '../../engine/run/worker-env.ts';
import { WORKER_ENV, WORKER_EXEC_ARGV } from '../../engine/run/worker-flags.ts';

export const WORKER_SERVICE_NAME = 'fanout-worker';

/** `utilityProcess` from 'electron' (a fake in tests). */
export interface UtilityProcessModule {
  fork(
    modulePath: string,
    args?: string[],
    options?: {
      serviceName?: string;
      stdio?: 'pipe' | 'ignore' | 'inherit';
      execArgv?: string[];
      env?: Record<string, string | undefined>;
    },
  ): Pick<UtilityProcess, 'pid' | 'postMessage' | 'on' | 'kill' | 'stdout' | 'stderr'>;
}

export function forkUtilityWorker(
  scriptPath: string,
  utilityProcess: UtilityProcessModule,
  log: (line: string) => void = (line) => process.stderr.write(line),
): WorkerPort {
  // The same V8 flags and environment as node-port's workers (engine/run/worker-flags.ts). Not checked
  // on an Electron binary here: Electron may apply only some V8 flags after its own start, and glibc's
  // malloc settings do nothing where Chromium's allocator replaces malloc; neither can stop the start.
  const child = utilityProcess.fork(scriptPath, [], {
    serviceName: WORKER_SERVICE_NAME,
    stdio: 'pipe',
    execArgv: [...WORKER_EXEC_ARGV],
    env: { ...workerEnv(), ...WORKER_ENV },
  });
  let exited = false;
  /** kill() was called: what is still queued is moot (as in node-port.ts). */
  let killed = false;
  // As node-port.ts: requests of one event-loop turn leave as one message once the worker reads them.
  const traffic = emptyTraffic();
  const outbox = new ChannelOutbox<ToWorker>({
    write: (packet) => {
      if (!exited && !killed) child.postMessage(packet);
    },
    onUnsent: (message, err) =>
      log(`[fanout worker ${child.pid ?? '?'}] could not send '${message.type}': ${String(err)}\n`),
    traffic,
  });
  const exitListeners: ((info: { code: number | null; signal: string | null }) => void)[] = [];
  const finish = (code: number | null, signal: string | null): void => {
    if (exited) return;
    exited = true;
    outbox.clear();
    for (const listener of exitListeners) listener({ code, signal });
  };

  // Worker output goes to main's stderr, prefixed, like the Node adapter.
  const prefix = (): string => `[fanout worker ${child.pid ?? '?'}] `;
  child.stdout?.on('data', (chunk: Buffer | string) => log(prefix() + String(chunk)));
  child.stderr?.on('data', (chunk: Buffer | string) => log(prefix() + String(chunk)));

  child.on('exit', (code: number) => finish(code, null));
  // A fatal error (V8 OOM, native crash) is followed by 'exit'; report it and make sure exit is seen.
  child.on('error', (type: string, location: string) => {
    log(`${prefix()}${type} at ${location}\n`);
  });

  return {
    get pid() {
      return child.pid;
    },
    postMessage(message: ToWorker, onUnsent?: (error: unknown) => void) {
      if (!exited && !killed) outbox.send(message, onUnsent);
    },
    onMessage(listener: (message: FromWorker) => void) {
      child.on('message', (packet: unknown) =>
        unpack<FromWorker>(
          packet,
          (message) => {
            if (message.type === 'ready' && message.batches === true && !outbox.batching) {
              outbox.batching = true;
              outbox.send({ type: 'batching' });
            }
            listener(message);
          },
          traffic,
        ),
      );
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    kill() {
      if (exited) return;
      killed = true;
      outbox.clear();
      // kill() returns false when the process is already gone; the exit event may never come then.
      if (!child.kill()) finish(null, 'SIGKILL');
    },
    traffic,
  };
}
