// One side of a worker channel (host -> worker, worker -> host): the messages it sends within one
// event-loop turn leave as ONE channel message, an array in send order. A fan-out of short branches
// otherwise costs a write syscall, a serialization and a wake-up of the other process per message
// (profiled: 3 channel messages each way per branch, each waking the other process). Only towards a
// peer that said it reads batches (protocol.ts: the worker's `ready.batches`, the host's `batching`);
// until then every message is written at once, as before. A lone message leaves as itself.
import { MAX_CHANNEL_BATCH_MESSAGES } from '../limits.ts';

/** What crosses the channel: one message, or several in order. */
export type Packet<T> = T | T[];

/** Counted where messages leave and arrive, so tests and benchmarks can see what a run costs. */
export interface ChannelTraffic {
  /** Channel messages written (one per batch). */
  packetsSent: number;
  /** Protocol messages inside them. */
  messagesSent: number;
  packetsReceived: number;
  messagesReceived: number;
}

export function emptyTraffic(): ChannelTraffic {
  return { packetsSent: 0, messagesSent: 0, packetsReceived: 0, messagesReceived: 0 };
}

/** Delivers each message of a packet in order (an array is a batch; a message is never an array). */
export function unpack<T>(packet: unknown, deliver: (message: T) => void, traffic?: ChannelTraffic): void {
  const messages = Array.isArray(packet) ? (packet as T[]) : [packet as T];
  if (traffic) {
    traffic.packetsReceived += 1;
    traffic.messagesReceived += messages.length;
  }
  for (const message of messages) deliver(message);
}

export interface OutboxOptions<T> {
  /** Writes one packet; throws when it cannot be serialized (nothing of it was written then). */
  write: (packet: Packet<T>) => void;
  /** A message that could not be written even alone (its own value cannot be serialized). */
  onUnsent: (message: T, error: unknown) => void;
  traffic?: ChannelTraffic;
}

export class ChannelOutbox<T> {
  /** The peer reads batches: messages wait for the end of the turn. Until then each is written at once. */
  batching = false;
  private queue: T[] = [];
  /** Per message, a caller's own failure callback (the pool fails that request only). */
  private callbacks: (((error: unknown) => void) | undefined)[] = [];
  private scheduled: NodeJS.Immediate | null = null;

  constructor(private readonly options: OutboxOptions<T>) {}

  get queued(): number {
    return this.queue.length;
  }

  /**
   * Queues `message` for the end of this event-loop turn (setImmediate: after the microtasks and the
   * other I/O callbacks of this turn, so replies to several peers' packets share a write too).
   */
  send(message: T, onUnsent?: (error: unknown) => void): void {
    if (!this.batching) {
      this.writeAlone(message, onUnsent);
      return;
    }
    this.queue.push(message);
    this.callbacks.push(onUnsent);
    if (this.queue.length >= MAX_CHANNEL_BATCH_MESSAGES) this.flush();
    else this.scheduled ??= setImmediate(this.flush);
  }

  /** Writes what is queued now, in order (before blocking work, or before the process waits in Lua). */
  readonly flush = (): void => {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    const batch = this.queue;
    const callbacks = this.callbacks;
    if (batch.length === 0) return;
    this.queue = [];
    this.callbacks = [];
    if (batch.length > 1 && this.tryWrite(batch, batch.length)) return;
    // One message of the batch cannot be serialized: each alone, so only that one fails.
    batch.forEach((message, i) => this.writeAlone(message, callbacks[i]));
  };

  /** Drops what is queued (the channel is gone; the callers' requests fail by other means). */
  clear(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    this.queue = [];
    this.callbacks = [];
  }

  private writeAlone(message: T, onUnsent: ((error: unknown) => void) | undefined): void {
    try {
      this.write(message, 1);
    } catch (error) {
      if (onUnsent) onUnsent(error);
      else this.options.onUnsent(message, error);
    }
  }

  private tryWrite(batch: T[], count: number): boolean {
    try {
      this.write(batch, count);
      return true;
    } catch {
      return false;
    }
  }

  private write(packet: Packet<T>, count: number): void {
    this.options.write(packet);
    const traffic = this.options.traffic;
    if (traffic) {
      traffic.packetsSent += 1;
      traffic.messagesSent += count;
    }
  }
}
