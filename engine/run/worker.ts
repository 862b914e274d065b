// Worker process entry: holds sandboxed Lua VMs by id and serves the pool's requests (protocol.ts).
// Runs under child_process.fork (Node) or utilityProcess.fork (Electron); only `transport` differs.
import { MAX_ERROR_MESSAGE_CHARS, jsonBoundsProblem, truncateText } from '../limits.ts';
import { checkLuaSyntax, createLuaFactory, openVm, type LuaFactory, type LuaVm } from '../lua/vm.ts';
import { ChannelOutbox, unpack, type Packet } from './channel-outbox.ts';
import { ParentWatch } from './parent-watch.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

/** Samples are throttled to one per this interval while Lua runs (the protocol promises <= 100 ms). */
const SAMPLE_INTERVAL_MS = 90;
/**
 * Replies queued when an exec starts (a branch's vm-opened, which the host reports as the branch's
 * start) leave at the exec's first tick, this soon, if it has not ended by then: a trivial exec
 * (~0.1 ms) ends first and they share one channel message with its result.
 */
const FLUSH_DURING_EXEC_MS = 2;

/** The raw channel: writes one packet (throws when it cannot be serialized), delivers each request. */
interface Transport {
  write(packet: Packet<FromWorker>): void;
  onMessage(listener: (message: ToWorker) => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function createTransport(): Transport {
  const parentPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) {
    // Electron utilityProcess: the process is torn down with its parent, so no disconnect handling.
    return {
      write: (packet) => parentPort.postMessage(packet),
      onMessage: (listener) => parentPort.on('message', (event) => unpack(event.data, listener)),
    };
  }
  if (!process.send) throw new Error('worker.ts must be started with an IPC channel (child_process.fork)');
  // The parent is gone (its end of the channel closed): so is every reason to run. A worker busy in
  // Lua cannot see this event; the ParentWatch polled from the exec's ticks covers that case.
  process.on('disconnect', () => process.exit(0));
  return {
    write: (packet) => {
      // The parent may be gone (EPIPE): the callback swallows that, and exiting on 'disconnect' follows.
      if (process.connected) process.send!(packet, undefined, undefined, () => {});
    },
    onMessage: (listener) => process.on('message', (packet) => unpack(packet, listener)),
  };
}

/**
 * Once the host says `batching`, the replies of one event-loop turn leave in one channel message
 * (channel-outbox.ts). A reply that cannot be serialized even alone fails its own request, as
 * `request-failed`.
 */
function createOutbox(transport: Transport): ChannelOutbox<FromWorker> {
  return new ChannelOutbox<FromWorker>({
    write: (packet) => transport.write(packet),
    onUnsent: (message, err) => {
      const text = `could not send the reply to the host: ${err instanceof Error ? err.message : String(err)}`;
      if (!('reqId' in message)) {
        process.stderr.write(`[fanout worker ${process.pid}] ${text}\n`);
        return;
      }
      transport.write({
        type: 'request-failed',
        reqId: message.reqId,
        message: truncateText(text, MAX_ERROR_MESSAGE_CHARS),
      });
    },
  });
}

class WorkerHost {
  private readonly vms = new Map<string, LuaVm>();
  private runningVm: string | null = null;
  private lastSampleAt = 0;
  /** Name of the node the current exec runs (for messages). */
  private execNode = '';
  /** Requests are handled strictly in arrival order (vm-open is async; exec must wait for it). */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly factory: LuaFactory,
    private readonly outbox: ChannelOutbox<FromWorker>,
    private readonly parentWatch: ParentWatch | null,
  ) {}

  /**
   * Every reply leaves through here. A node result is bounded before it is posted (the host's
   * deserializer recurses per level and would overflow on a deep value, taking the host down), and a
   * message that still cannot be serialized fails its request (createOutbox) instead of escaping as an
   * exception.
   */
  private reply(message: FromWorker): void {
    let outgoing = message;
    if (message.type === 'exec-done' && message.outcome.ok) {
      const problem = jsonBoundsProblem(message.outcome.value, `result of node '${this.execNode}'`);
      if (problem) {
        const { logs, elapsedMs } = message.outcome;
        outgoing = {
          ...message,
          outcome: { ok: false, error: { kind: 'limit', message: problem }, logs, elapsedMs },
        };
      }
    }
    this.outbox.send(outgoing);
  }

  receive(message: ToWorker): void {
    this.chain = this.chain
      .then(() => this.handle(message))
      .catch((err: unknown) => {
        // Only reachable if even the failure reply could not be sent; keep serving the next request.
        process.stderr.write(
          `[fanout worker ${process.pid}] ${err instanceof Error ? err.message : String(err)}\n`,
        );
      });
  }

  sample(): void {
    this.lastSampleAt = performance.now();
    const vmId = this.runningVm;
    let luaHeapBytes: number | undefined;
    if (vmId !== null) {
      try {
        luaHeapBytes = this.vms.get(vmId)?.memory().heapBytes;
      } catch {
        luaHeapBytes = undefined;
      }
    }
    this.outbox.send({
      type: 'sample',
      vmId,
      ...(luaHeapBytes === undefined ? {} : { luaHeapBytes }),
      rssBytes: process.memoryUsage.rss(),
      // All VMs share the factory's WASM linear memory, which only grows: the pool recycles on it.
      wasmHeapBytes: this.factory.stats().wasmMemoryBytes,
    });
  }

  private readonly onTick = (): void => {
    this.parentWatch?.poll();
    if (performance.now() - this.lastSampleAt >= SAMPLE_INTERVAL_MS) this.sample();
  };

  /** A tick from inside Lua: no later turn comes until the exec ends, so what is queued leaves now. */
  private readonly onExecTick = (): void => {
    this.onTick();
    this.outbox.flush();
  };

  private async handle(message: ToWorker): Promise<void> {
    try {
      switch (message.type) {
        case 'vm-open': {
          if (this.vms.has(message.vmId)) throw new Error(`VM '${message.vmId}' is already open`);
          const started = performance.now();
          const vm = await openVm(this.factory, message.limits);
          this.vms.set(message.vmId, vm);
          const ms = performance.now() - started;
          this.reply({
            type: 'vm-opened',
            reqId: message.reqId,
            vmId: message.vmId,
            ms,
            memory: vm.memory(),
          });
          this.onTick(); // throttled: a burst of short branches must not flood the host
          return;
        }
        case 'exec': {
          const vm = this.requireVm(message.vmId);
          this.runningVm = message.vmId;
          this.execNode = message.chunkName;
          this.onTick(); // throttled: a burst of short branches must not flood the host
          // Lua blocks this process: replies queued so far leave at its first tick (see
          // FLUSH_DURING_EXEC_MS) or, if it ends first, with its result.
          const early = this.outbox.queued > 0 ? { firstTickMs: FLUSH_DURING_EXEC_MS } : {};
          try {
            const outcome = vm.exec(message.code, message.state, {
              chunkName: message.chunkName,
              timeoutMs: message.timeoutMs,
              onTick: this.onExecTick,
              ...early,
            });
            const memory = vm.memory();
            this.reply({
              type: 'exec-done',
              reqId: message.reqId,
              vmId: message.vmId,
              outcome,
              memory,
            });
          } finally {
            this.runningVm = null;
            // The host forgot this VM as it sent the exec: closed here even when the exec threw.
            if (message.close && this.vms.delete(message.vmId)) vm.close();
          }
          this.onTick(); // throttled: a burst of short branches must not flood the host
          return;
        }
        case 'vm-close': {
          const vm = this.requireVm(message.vmId);
          this.vms.delete(message.vmId);
          const memory = vm.close();
          this.reply({ type: 'vm-closed', reqId: message.reqId, vmId: message.vmId, memory });
          this.onTick(); // throttled: a burst of short branches must not flood the host
          return;
        }
        case 'syntax': {
          const result = checkLuaSyntax(this.factory, message.code, message.chunkName);
          this.reply({ type: 'syntax-done', reqId: message.reqId, result });
          return;
        }
        case 'batching':
          // The host reads packets of several replies; a raw reader that never says so gets one each.
          this.outbox.batching = true;
          return;
        default: {
          const unknown = message as { type?: unknown; reqId?: unknown };
          if (typeof unknown.reqId === 'number') {
            throw new Error(`unknown request type '${String(unknown.type)}'`);
          }
          process.stderr.write(`[fanout worker ${process.pid}] ignoring malformed message\n`);
        }
      }
    } catch (err) {
      const reqId = (message as { reqId?: unknown }).reqId;
      const text = truncateText(err instanceof Error ? err.message : String(err), MAX_ERROR_MESSAGE_CHARS);
      if (typeof reqId === 'number') this.reply({ type: 'request-failed', reqId, message: text });
      else process.stderr.write(`[fanout worker ${process.pid}] ${text}\n`);
    }
  }

  private requireVm(vmId: string): LuaVm {
    const vm = this.vms.get(vmId);
    if (!vm) throw new Error(`no open VM '${vmId}' in worker ${process.pid}`);
    return vm;
  }
}

/** Compiles the WASM module and runs a few chunks so the first real VM pays neither cost. */
async function warmUp(factory: LuaFactory): Promise<void> {
  // Several rounds through state conversion, tables, strings and sleep get the JS side JIT-compiled too.
  const code =
    'local t = {} for i = 1, 200 do t[i] = tostring(i) .. state.s end sleep(0) return { n = #t, s = state.s }';
  for (let round = 0; round < 3; round++) {
    const vm = await openVm(factory, { memoryBytes: 16 * 1024 * 1024 });
    try {
      const outcome = vm.exec(code, { s: 'x' }, { chunkName: 'warmup', timeoutMs: 5_000 });
      if (!outcome.ok) throw new Error(`warm-up chunk failed: ${outcome.error.message}`);
    } finally {
      vm.close();
    }
  }
}

/** Exits once the host is gone, checked from a timer and from every exec tick (see ParentWatch). */
function watchParent(): ParentWatch | null {
  const parentPid = process.ppid;
  if (!parentPid) return null;
  const watch = new ParentWatch(parentPid, () => process.exit(0));
  watch.start();
  return watch;
}

async function main(): Promise<void> {
  const transport = createTransport();
  const outbox = createOutbox(transport);
  const started = performance.now();
  // Buffer requests that arrive while warming up; the pool only sends after `ready`, but be safe.
  const early: ToWorker[] = [];
  let host: WorkerHost | null = null;
  transport.onMessage((message) => (host ? host.receive(message) : early.push(message)));

  const parentWatch = watchParent();
  const factory = await createLuaFactory();
  await warmUp(factory);
  host = new WorkerHost(factory, outbox, parentWatch);
  outbox.send({ type: 'ready', pid: process.pid, warmupMs: performance.now() - started, batches: true });
  host.sample();
  for (const message of early) host.receive(message);
  // The compiled worker's entry (engine/boot/worker-entry.cjs) writes its V8 code cache from here.
  (process as NodeJS.EventEmitter).emit('fanout-worker-ready');
}

process.on('uncaughtException', (err) => {
  // Not tied to a request: report loudly and exit so the pool replaces this worker.
  process.stderr.write(`[fanout worker ${process.pid}] uncaught: ${err.stack ?? err.message}\n`);
  process.exit(70);
});
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`[fanout worker ${process.pid}] unhandled rejection: ${String(reason)}\n`);
  process.exit(70);
});

main().catch((err: unknown) => {
  process.stderr.write(
    `[fanout worker ${process.pid}] failed to start: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(71);
});
