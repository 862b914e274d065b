// The model exchanges of the runs a host executed, kept so the app can "Re-run with recorded
// responses": every run records (a Cassette in record mode, bounded per run); a run asked to replay
// another answers each model call from that run's recording. Kept in memory with the host, like the
// session's run history, and bounded in count and bytes (engine/limits.ts): the oldest go first.
import { Cassette } from '../llm/cassette.ts';
import type { ExchangeStore, RecordedAnswer, RecordedExchange } from '../llm/types.ts';
import { MAX_KEPT_RECORDINGS, MAX_RECORDING_BYTES, MAX_RECORDINGS_TOTAL_BYTES } from '../limits.ts';
import { HostFailure } from './errors.ts';

export interface RecordingLimits {
  count: number;
  bytesPerRun: number;
  totalBytes: number;
}

interface Kept {
  /** The run's own recording, or for a replay the recording it answered from. */
  source: Cassette | { exchanges: readonly RecordedExchange[]; bytes: number; incomplete: boolean };
  /** A replay: the run it answered from. */
  replayOf?: string;
}

const DEFAULT_LIMITS: RecordingLimits = {
  count: MAX_KEPT_RECORDINGS,
  bytesPerRun: MAX_RECORDING_BYTES,
  totalBytes: MAX_RECORDINGS_TOTAL_BYTES,
};

/**
 * One run's exchange store: records what the run asks the models, and answers from another run's
 * recording once switched to it — by "Continue with recorded responses" at a breakpoint. From then on
 * each replayed exchange is recorded too, so the run's recording holds every exchange it used.
 */
export class RunExchanges implements ExchangeStore {
  private replay: Cassette | null = null;

  constructor(readonly recorder: Cassette) {}

  get mode(): 'record' | 'replay' {
    return this.replay ? 'replay' : 'record';
  }

  get missAdvice(): string | undefined {
    return this.replay?.missAdvice;
  }

  lookup(node: string, key: string): RecordedAnswer | null {
    const hit = this.replay?.lookupExchange(node, key) ?? null;
    if (hit) this.recorder.record(hit);
    return hit?.answer ?? null;
  }

  record(exchange: RecordedExchange): void {
    this.recorder.record(exchange);
  }

  /** Answers the run's next model calls from `store` (null: ask the models again). */
  switchTo(store: Cassette | null): void {
    this.replay = store;
  }

  get replaying(): boolean {
    return this.replay !== null;
  }
}

export class RunRecordings {
  /** runId → recording, oldest first (Map keeps insertion order). */
  private readonly kept = new Map<string, Kept>();

  constructor(private readonly limits: RecordingLimits = DEFAULT_LIMITS) {}

  /** A fresh recorder for a run about to start (record mode, bounded per run). */
  recorder(): Cassette {
    return new Cassette('record', [], { maxBytes: this.limits.bytesPerRun });
  }

  /** The switchable store of a recording run (a Continue may turn it to replay). */
  runExchanges(): RunExchanges {
    return new RunExchanges(this.recorder());
  }

  /**
   * The replay store for a run answering from `runId`'s recording. NOT_FOUND when the host does not
   * keep it (never recorded here, or dropped as the oldest).
   */
  replayFrom(runId: string): { store: Cassette; exchanges: Kept['source'] } {
    const kept = this.kept.get(runId);
    if (!kept) {
      throw new HostFailure(
        'NOT_FOUND',
        `run ${runId} has no recorded responses on this host (it keeps the last ${this.limits.count} runs' recordings)`,
      );
    }
    const exchanges = exchangesOf(kept.source);
    const incomplete = kept.source.incomplete
      ? ` (its recording stopped at ${this.limits.bytesPerRun} bytes)`
      : '';
    const store = new Cassette('replay', [...exchanges], {
      missAdvice: `run ${shortId(runId)}${incomplete} made no such call: run without recorded responses to ask the model`,
    });
    return { store, exchanges: kept.source };
  }

  /** Keeps a run's recording: its own recorder, or (a replay) the recording it answers from. */
  keep(runId: string, source: Kept['source'] | RunExchanges, replayOf?: string): void {
    if (source instanceof RunExchanges) source = source.recorder;
    this.kept.delete(runId);
    this.kept.set(runId, replayOf ? { source, replayOf } : { source });
    this.trim();
  }

  /** Drops the oldest recordings past the count and total-bytes bounds (recorders grow while running). */
  trim(): void {
    while (this.kept.size > this.limits.count) this.dropOldest();
    // A replay shares its source's exchanges: count each source once.
    const total = () => {
      const sources = new Set<Kept['source']>();
      for (const k of this.kept.values()) sources.add(k.source);
      let bytes = 0;
      for (const s of sources) bytes += s.bytes;
      return bytes;
    };
    while (this.kept.size > 1 && total() > this.limits.totalBytes) this.dropOldest();
  }

  has(runId: string): boolean {
    return this.kept.has(runId);
  }

  /** How many exchanges a run's recording holds (undefined: not kept). */
  exchangeCount(runId: string): number | undefined {
    const kept = this.kept.get(runId);
    return kept ? exchangesOf(kept.source).length : undefined;
  }

  /** Bytes (JSON) of a run's recording (undefined: not kept). */
  bytes(runId: string): number | undefined {
    return this.kept.get(runId)?.source.bytes;
  }

  get size(): number {
    return this.kept.size;
  }

  private dropOldest(): void {
    const oldest = this.kept.keys().next();
    if (!oldest.done) this.kept.delete(oldest.value);
  }
}

function exchangesOf(source: Kept['source']): readonly RecordedExchange[] {
  return source instanceof Cassette ? source.recorded() : source.exchanges;
}

const shortId = (runId: string) => runId.slice(0, 8);
