// Cassettes for deterministic runs: `fanout run --record FILE` keeps every model exchange (request and
// answer, never headers or keys) and writes them as JSON; `--replay FILE` answers from them with no
// network. Replay matches a call by its node and the hash of its request; identical requests of one
// node (a loop) get their recorded answers in order, the last one again once they run out.
// The app's host records every run (engine/host/run-recordings.ts): there a recording is bounded in
// bytes (`maxBytes`); exchanges past the bound are not kept and `incomplete` says so.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { MAX_CASSETTE_BYTES } from '../limits.ts';
import { isObject } from './wire-openai.ts';
import type { ExchangeStore, RecordedAnswer, RecordedExchange } from './types.ts';

export const CASSETTE_VERSION = 1;

export interface CassetteFile {
  version: number;
  exchanges: RecordedExchange[];
}

export class CassetteError extends Error {}

/** The replay key of a request: a hash of its canonical JSON (object keys sorted). */
export function exchangeKey(request: Record<string, unknown>): string {
  return createHash('sha256').update(canonical(request)).digest('hex').slice(0, 32);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export interface CassetteOptions {
  /** Record: most bytes (JSON) of exchanges kept; later ones are dropped and `incomplete` is set. */
  maxBytes?: number;
  /** Replay: what a miss's error advises (default: record again with --record, as the CLI does). */
  missAdvice?: string;
}

export class Cassette implements ExchangeStore {
  private readonly exchanges: RecordedExchange[] = [];
  private readonly queues = new Map<string, { exchanges: RecordedExchange[]; used: number }>();
  private readonly maxBytes: number;
  /** Bytes (JSON) of the exchanges kept. */
  bytes = 0;
  /** True once an exchange was not kept because the recording reached `maxBytes`. */
  incomplete = false;
  readonly missAdvice: string | undefined;

  constructor(
    readonly mode: 'record' | 'replay',
    exchanges: RecordedExchange[] = [],
    options: CassetteOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.missAdvice = options.missAdvice;
    for (const e of exchanges) {
      const id = `${e.node}\0${e.key}`;
      const queue = this.queues.get(id) ?? { exchanges: [], used: 0 };
      queue.exchanges.push(e);
      this.queues.set(id, queue);
    }
  }

  lookup(node: string, key: string): RecordedAnswer | null {
    return this.lookupExchange(node, key)?.answer ?? null;
  }

  /** Replay: the whole recorded exchange for this request (the next one of its queue), or null. */
  lookupExchange(node: string, key: string): RecordedExchange | null {
    const queue = this.queues.get(`${node}\0${key}`);
    if (!queue) return null;
    const exchange = queue.exchanges[Math.min(queue.used, queue.exchanges.length - 1)]!;
    queue.used++;
    return exchange;
  }

  record(exchange: RecordedExchange): void {
    if (this.incomplete) return;
    const bytes =
      this.maxBytes === Number.POSITIVE_INFINITY ? 0 : Buffer.byteLength(JSON.stringify(exchange));
    if (this.bytes + bytes > this.maxBytes) {
      this.incomplete = true;
      return;
    }
    this.bytes += bytes;
    this.exchanges.push(exchange);
  }

  get size(): number {
    return this.exchanges.length;
  }

  /** The exchanges kept, in the order they were recorded (shared, not copied: treat as read-only). */
  recorded(): readonly RecordedExchange[] {
    return this.exchanges;
  }

  toJSON(): CassetteFile {
    return { version: CASSETTE_VERSION, exchanges: this.exchanges };
  }

  static async load(path: string): Promise<Cassette> {
    let text: string;
    try {
      const buffer = await readFile(path);
      if (buffer.byteLength > MAX_CASSETTE_BYTES) {
        throw new CassetteError(`cassette ${path} is larger than ${MAX_CASSETTE_BYTES} bytes`);
      }
      text = buffer.toString('utf8');
    } catch (error) {
      if (error instanceof CassetteError) throw error;
      throw new CassetteError(
        `cannot read cassette ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CassetteError(`cassette ${path} is not JSON`);
    }
    if (!isObject(json) || json['version'] !== CASSETTE_VERSION || !Array.isArray(json['exchanges'])) {
      throw new CassetteError(`cassette ${path} is not a version ${CASSETTE_VERSION} Fanout cassette`);
    }
    const exchanges = json['exchanges'].filter(
      (e): e is RecordedExchange =>
        isObject(e) && typeof e['node'] === 'string' && typeof e['key'] === 'string' && isObject(e['answer']),
    );
    return new Cassette('replay', exchanges);
  }
}
