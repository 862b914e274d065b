// Shapes shared by the model-call modules, the LLM RunEvents and the hosts. Pure types (no runtime
// imports): engine/run/types.ts folds the events into the RunEvent union the renderer reads too.

/** Token counts as the OpenAI wire format reports them (and TEA returns them). */
export interface LlmUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** One tool call the model asked for (OpenAI wire shape). */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One chat message as sent on the wire. */
export interface ChatMessage {
  role: string;
  content: string | null;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  name?: string;
}

export type LlmCallKind = 'chat' | 'embed';

/** Where an answer came from: the network, a recorded cassette (--replay), or the mock provider. */
export type LlmAnswerSource = 'network' | 'replay' | 'mock';

/** RunEvents of model calls (stamped and placed — main line or branch — by the engine). */
export type LlmEvent =
  | {
      type: 'llm-call-started';
      node: string;
      /** `<node>#<n>`: ties the call's token and finish events together. */
      callId: string;
      provider: string;
      model: string;
      kind: LlmCallKind;
      stream: boolean;
    }
  /** Streamed text of one call, coalesced over ~50 ms (LLM_TOKEN_BATCH_MS) so event counts stay bounded. */
  | { type: 'llm-tokens'; node: string; callId: string; text: string; chunks: number }
  | {
      type: 'llm-call-finished';
      node: string;
      callId: string;
      provider: string;
      model: string;
      kind: LlmCallKind;
      ok: boolean;
      /** The failure, already free of secrets. */
      error?: string;
      /** Status of the last HTTP answer, when there was one. */
      status?: number;
      latencyMs: number;
      /** Time to the first streamed token (streamed calls that produced one). */
      ttftMs?: number;
      promptTokens: number;
      completionTokens: number;
      costUsd: number;
      attempts: number;
      source: LlmAnswerSource;
    };

export type LlmEventType = LlmEvent['type'];

/** Sums over model calls. */
export interface LlmTotals {
  calls: number;
  failedCalls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

/** The run's model-call totals, on run-finished: whole run, per node, per branch (`fanOut/branch`). */
export interface LlmRunTotals extends LlmTotals {
  byNode: Record<string, LlmTotals>;
  byBranch: Record<string, LlmTotals>;
}

/** One recorded model exchange: the request that identifies it and the answer (never headers or keys). */
export interface RecordedExchange {
  node: string;
  /** Hash of the request (kind, provider, model, messages, parameters): what replay matches on. */
  key: string;
  kind: LlmCallKind;
  provider: string;
  model: string;
  request: Record<string, unknown>;
  answer: RecordedAnswer;
}

export interface RecordedAnswer {
  content: string | null;
  toolCalls?: ToolCall[];
  usage: LlmUsage;
  finishReason?: string | null;
  /** The streamed text pieces, so a replayed stream emits tokens as the original did. */
  chunks?: string[];
  /** llm.embed's vectors. */
  embeddings?: number[][];
}

/**
 * Record/replay for a run (`fanout run --record FILE` / `--replay FILE`): replay answers from recorded
 * exchanges with no network; record keeps every exchange. Implemented by engine/llm/cassette.ts.
 */
export interface ExchangeStore {
  readonly mode: 'record' | 'replay';
  /** Replay: the recorded answer for this request, or null (a miss). */
  lookup(node: string, key: string): RecordedAnswer | null;
  /** Record: keeps one exchange. */
  record(exchange: RecordedExchange): void;
  /** Replay: what a miss's error advises instead of recording again with --record (the app's re-run). */
  readonly missAdvice?: string | undefined;
}

/** Per-run model-call options a host passes in RunOptions.llm. */
export interface LlmRunOptions {
  exchanges?: ExchangeStore;
  /** Environment to read keys and endpoints from (default: process.env, then a `.env` beside the workflow). */
  env?: Record<string, string | undefined>;
  /** Keys kept by the app's Providers page (as variables: OPENAI_API_KEY, …): read after env and `.env`. */
  storedKeys?: Record<string, string>;
}
