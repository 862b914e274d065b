// One model call from start to finish: resolve the endpoint, emit llm-call-started, answer from the
// cassette (--replay), the mock provider or the network (rate limiter, retries, streaming with
// coalesced token events), then llm-call-finished with latency, time to first token, tokens and cost.
// Every call has a deadline and follows the run's AbortSignal; every error leaves here redacted.
import { performance } from 'node:perf_hooks';
import { MAX_ERROR_MESSAGE_CHARS, truncateText } from '../limits.ts';
import { costUsd } from './cost.ts';
import { exchangeKey } from './cassette.ts';
import { mockChat, mockEmbedding, approxTokens, streamPieces } from './mock.ts';
import type { MockConfig } from './mock.ts';
import { resolveEndpoint, resolveProviderName } from './providers.ts';
import type { Endpoint, ProviderName, ProviderRequest } from './providers.ts';
import { RetriesExhaustedError, sleep, withRetries } from './retry.ts';
import type { RetryPolicy } from './retry.ts';
import type { LlmSession } from './session.ts';
import { TokenBatcher } from './token-batcher.ts';
import { LlmHttpError, LlmNetworkError, postJson, postStream } from './transport.ts';
import { AnthropicStreamAccumulator, anthropicBody, parseAnthropicAnswer } from './wire-anthropic.ts';
import {
  ChatStreamAccumulator,
  WireFormatError,
  chatBody,
  embeddingsBody,
  parseChatAnswer,
  parseEmbeddings,
} from './wire-openai.ts';
import type { ChatAnswer, ChatRequest } from './wire-openai.ts';
import type { LlmAnswerSource, LlmCallKind, LlmEvent, LlmUsage, RecordedAnswer } from './types.ts';

export interface CallOptions {
  node: string;
  provider: ProviderRequest;
  /** Whole-call deadline, retries and waits included. */
  timeoutMs: number;
  retry: RetryPolicy;
  rateLimiter?: string;
  mock: MockConfig;
  /** Simulated latency of the mock provider (tests, demos). */
  mockDelayMs?: number;
}

export interface CallDeps {
  session: LlmSession;
  emit: (event: LlmEvent) => void;
  signal?: AbortSignal;
}

export interface ChatResult extends ChatAnswer {
  provider: ProviderName;
  model: string;
  attempts: number;
  totalDelayMs: number;
  /** Streamed pieces received (llm.stream's chunk_count). */
  chunks: number;
}

/** A model call failed; the message names the node, is free of secrets and says what to do where it can. */
export class LlmCallError extends Error {}

export async function callChat(
  request: ChatRequest,
  stream: boolean,
  options: CallOptions,
  deps: CallDeps,
): Promise<ChatResult> {
  const call = new CallRun(options, deps, 'chat', stream, request.model);
  const recordRequest = { kind: 'chat', provider: call.provider, ...chatBody(request, false) };
  return call.run(recordRequest, async (answerFrom) => {
    if (answerFrom.kind === 'replay') {
      const r = answerFrom.answer;
      if (stream) await call.replayPieces(r.chunks ?? (r.content ? [r.content] : []), 0);
      return { answer: chatAnswerOf(r), attempts: 1, totalDelayMs: 0 };
    }
    if (answerFrom.kind === 'mock') {
      const answer = mockChat(request, options.mock);
      const pieces = stream ? streamPieces(answer.content ?? '') : [];
      if (options.mockDelayMs) await sleep(options.mockDelayMs, call.signal);
      if (stream) await call.replayPieces(pieces, 0);
      return { answer, attempts: 1, totalDelayMs: 0, chunks: pieces };
    }
    const endpoint = answerFrom.endpoint;
    const outcome = await withRetries(
      () => (stream ? call.streamOnce(endpoint, request) : call.once(endpoint, request)),
      options.retry,
      call.signal,
      call.deadline,
    );
    return {
      answer: outcome.value.answer,
      attempts: outcome.attempts,
      totalDelayMs: outcome.totalDelayMs,
      chunks: outcome.value.chunks,
    };
  });
}

export interface EmbedResult {
  provider: ProviderName;
  model: string;
  embeddings: number[][];
  usage: LlmUsage;
}

export async function callEmbed(
  model: string,
  input: string[],
  options: CallOptions,
  deps: CallDeps,
): Promise<EmbedResult> {
  const call = new CallRun(options, deps, 'embed', false, model);
  const result = await call.run(
    { kind: 'embed', provider: call.provider, model, input },
    async (answerFrom) => {
      if (answerFrom.kind === 'replay') {
        return {
          answer: chatAnswerOf(answerFrom.answer),
          embeddings: answerFrom.answer.embeddings ?? [],
          attempts: 1,
          totalDelayMs: 0,
        };
      }
      if (answerFrom.kind === 'mock') {
        const tokens = input.reduce((n, t) => n + approxTokens(t), 0);
        const usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
        return {
          answer: { content: null, usage },
          embeddings: input.map((t) => mockEmbedding(t)),
          attempts: 1,
          totalDelayMs: 0,
        };
      }
      const endpoint = answerFrom.endpoint;
      const outcome = await withRetries(
        async () =>
          parseEmbeddings(
            await postJson({
              url: endpoint.url,
              headers: endpoint.headers,
              body: embeddingsBody(endpoint.model, input),
              signal: call.signal,
            }),
          ),
        options.retry,
        call.signal,
        call.deadline,
      );
      return {
        answer: { content: null, usage: outcome.value.usage },
        embeddings: outcome.value.embeddings,
        attempts: outcome.attempts,
        totalDelayMs: outcome.totalDelayMs,
      };
    },
  );
  return { provider: result.provider, model, embeddings: result.embeddings ?? [], usage: result.usage };
}

type AnswerFrom =
  { kind: 'replay'; answer: RecordedAnswer } | { kind: 'mock' } | { kind: 'network'; endpoint: Endpoint };

interface Answered {
  answer: ChatAnswer;
  attempts: number;
  totalDelayMs: number;
  chunks?: string[];
  embeddings?: number[][];
}

/** The bookkeeping of one call: ids, deadline, signals, token batching, events, recording. */
class CallRun {
  readonly provider: ProviderName;
  readonly callId: string;
  readonly signal: AbortSignal;
  readonly deadline: number;
  private readonly deadlineSignal: AbortSignal;
  private readonly started = performance.now();
  private firstTokenAt: number | undefined;
  private readonly batcher: TokenBatcher;

  constructor(
    private readonly options: CallOptions,
    private readonly deps: CallDeps,
    private readonly kind: LlmCallKind,
    private readonly stream: boolean,
    private readonly model: string,
  ) {
    const { session } = deps;
    this.provider = resolveProviderName(options.provider.provider, session.env);
    this.callId = session.nextCallId(options.node);
    this.deadline = Date.now() + options.timeoutMs;
    this.deadlineSignal = AbortSignal.timeout(options.timeoutMs);
    this.signal = deps.signal ? AbortSignal.any([deps.signal, this.deadlineSignal]) : this.deadlineSignal;
    // A server that quotes a key back in its answer must not put it in events or the state either.
    this.batcher = new TokenBatcher((text, chunks) =>
      deps.emit({
        type: 'llm-tokens',
        node: options.node,
        callId: this.callId,
        text: session.redactor.redact(text),
        chunks,
      }),
    );
  }

  async run(
    recordRequest: Record<string, unknown>,
    answer: (from: AnswerFrom) => Promise<Answered>,
  ): Promise<ChatResult & { embeddings?: number[][] }> {
    const { session } = this.deps;
    const store = session.exchanges;
    const key = exchangeKey(recordRequest);
    let from: AnswerFrom;
    let source: LlmAnswerSource;
    if (store?.mode === 'replay') {
      const recorded = store.lookup(this.options.node, key);
      if (!recorded) {
        throw new LlmCallError(
          `node '${this.options.node}': the cassette has no recorded answer for this ${this.kind} request ` +
            `(provider ${this.provider}, model ${this.model}); ${store.missAdvice ?? 'record the run again with --record'}`,
        );
      }
      from = { kind: 'replay', answer: recorded };
      source = 'replay';
    } else if (this.provider === 'mock') {
      from = { kind: 'mock' };
      source = 'mock';
    } else {
      // Resolved before the started event: a missing key or bad api_base is a setup error, not a call.
      from = { kind: 'network', endpoint: this.endpoint() };
      source = 'network';
    }
    this.deps.emit({
      type: 'llm-call-started',
      node: this.options.node,
      callId: this.callId,
      provider: this.provider,
      model: this.model,
      kind: this.kind,
      stream: this.stream,
    });
    let attempts = 1;
    try {
      if (from.kind === 'network' && this.options.rateLimiter) {
        await session.rateLimiters().acquire(this.options.rateLimiter, this.signal);
      }
      const done = await answer(from);
      if (typeof done.answer.content === 'string') {
        done.answer.content = session.redactor.redact(done.answer.content);
      }
      attempts = done.attempts;
      this.batcher.flush();
      const usage = done.answer.usage;
      this.finished(true, source, attempts, usage);
      if (store?.mode === 'record') {
        const recorded: RecordedAnswer = {
          content: done.answer.content,
          usage,
          finishReason: done.answer.finishReason ?? null,
        };
        if (done.answer.toolCalls) recorded.toolCalls = done.answer.toolCalls;
        if (this.stream && done.chunks) recorded.chunks = done.chunks;
        if (done.embeddings) recorded.embeddings = done.embeddings;
        store.record({
          node: this.options.node,
          key,
          kind: this.kind,
          provider: this.provider,
          model: this.model,
          request: recordRequest,
          answer: recorded,
        });
      }
      return {
        ...done.answer,
        provider: this.provider,
        model: this.model,
        attempts,
        totalDelayMs: done.totalDelayMs,
        chunks: this.batcher.received,
        ...(done.embeddings ? { embeddings: done.embeddings } : {}),
      };
    } catch (error) {
      this.batcher.flush();
      if (error instanceof RetriesExhaustedError) attempts = error.attempts;
      const message = this.failure(error, attempts);
      const status = statusOf(error);
      this.finished(false, source, attempts, undefined, message, status);
      throw new LlmCallError(message, { cause: error });
    }
  }

  private endpoint(): Endpoint {
    const { session } = this.deps;
    return resolveEndpoint(
      this.options.provider,
      this.kind,
      session.env,
      session.redactor,
      session.dotenvPath,
    );
  }

  /** One non-streamed attempt. */
  async once(endpoint: Endpoint, request: ChatRequest): Promise<{ answer: ChatAnswer; chunks?: string[] }> {
    const req = { ...request, model: endpoint.model };
    const anthropic = endpoint.wire === 'anthropic';
    const json = await postJson({
      url: endpoint.url,
      headers: endpoint.headers,
      body: anthropic ? anthropicBody(req, false) : chatBody(req, false),
      signal: this.signal,
    });
    return { answer: anthropic ? parseAnthropicAnswer(json) : parseChatAnswer(json) };
  }

  /** One streamed attempt: tokens go out as they come; a stream cut after tokens cannot be retried. */
  async streamOnce(
    endpoint: Endpoint,
    request: ChatRequest,
  ): Promise<{ answer: ChatAnswer; chunks: string[] }> {
    const req = { ...request, model: endpoint.model };
    const anthropic = endpoint.wire === 'anthropic';
    const openai = new ChatStreamAccumulator();
    const claude = new AnthropicStreamAccumulator();
    const pieces: string[] = [];
    let done = false;
    const received = () => pieces.length > 0 || this.batcher.received > 0;
    try {
      const whole = await postStream(
        {
          url: endpoint.url,
          headers: endpoint.headers,
          body: anthropic ? anthropicBody(req, true) : chatBody(req, true),
          signal: this.signal,
        },
        (event) => {
          if (event.data === '[DONE]') {
            done = true;
            return;
          }
          let data: unknown;
          try {
            data = JSON.parse(event.data);
          } catch {
            throw new WireFormatError(`a streamed event is not JSON: ${event.data.slice(0, 120)}`);
          }
          const text = anthropic ? claude.push(event.event, data) : openai.push(data);
          if (text) {
            this.firstTokenAt ??= performance.now();
            pieces.push(text);
            this.batcher.push(text);
          }
        },
      );
      if (whole !== null)
        return { answer: anthropic ? parseAnthropicAnswer(whole) : parseChatAnswer(whole), chunks: [] };
    } catch (error) {
      if (error instanceof LlmNetworkError && received()) {
        throw new LlmNetworkError(
          `the stream was cut after ${pieces.length} chunks: ${error.message}`,
          false,
          error.status,
        );
      }
      throw error;
    }
    if (anthropic ? !claude.done : !done) {
      throw new LlmNetworkError(
        `the stream ended before its end marker (${anthropic ? 'message_stop' : '[DONE]'}) after ${pieces.length} chunks`,
        !received(),
      );
    }
    return { answer: anthropic ? claude.answer() : openai.answer(), chunks: pieces };
  }

  /** Replays recorded or mock pieces as token events (spaced by `gapMs`). */
  async replayPieces(pieces: string[], gapMs: number): Promise<void> {
    for (const piece of pieces) {
      this.firstTokenAt ??= performance.now();
      this.batcher.push(piece);
      if (gapMs > 0) await sleep(gapMs, this.signal);
    }
  }

  private failure(error: unknown, attempts: number): string {
    const node = this.options.node;
    let reason: string;
    if (this.deps.signal?.aborted) reason = 'cancelled';
    else if (this.deadlineSignal.aborted)
      reason = `no answer within the call's deadline of ${this.options.timeoutMs / 1000} s (timeout)`;
    else {
      const cause = error instanceof RetriesExhaustedError ? error.last : error;
      reason = cause instanceof Error ? cause.message : String(cause);
    }
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    const text = `node '${node}': ${this.provider} ${this.kind === 'embed' ? 'embedding' : 'model'} call (model ${this.model}) failed${tries}: ${reason}`;
    return truncateText(this.deps.session.redactor.redact(text), MAX_ERROR_MESSAGE_CHARS);
  }

  private finished(
    ok: boolean,
    source: LlmAnswerSource,
    attempts: number,
    usage?: LlmUsage,
    error?: string,
    status?: number,
  ): void {
    const now = performance.now();
    const prompt = usage?.prompt_tokens ?? 0;
    const completion = usage?.completion_tokens ?? 0;
    this.deps.emit({
      type: 'llm-call-finished',
      node: this.options.node,
      callId: this.callId,
      provider: this.provider,
      model: this.model,
      kind: this.kind,
      ok,
      ...(error !== undefined ? { error } : {}),
      ...(status !== undefined ? { status } : {}),
      latencyMs: round(now - this.started),
      ...(this.firstTokenAt !== undefined ? { ttftMs: round(this.firstTokenAt - this.started) } : {}),
      promptTokens: prompt,
      completionTokens: completion,
      // A replayed answer cost nothing this time; the recording run counted it.
      costUsd: source === 'network' ? costUsd(this.provider, this.model, prompt, completion) : 0,
      attempts,
      source,
    });
  }
}

function chatAnswerOf(r: RecordedAnswer): ChatAnswer {
  const answer: ChatAnswer = { content: r.content, usage: r.usage, finishReason: r.finishReason ?? null };
  if (r.toolCalls) answer.toolCalls = r.toolCalls;
  return answer;
}

function statusOf(error: unknown): number | undefined {
  const e = error instanceof RetriesExhaustedError ? error.last : error;
  if (e instanceof LlmHttpError) return e.status;
  if (e instanceof LlmNetworkError) return e.status;
  return undefined;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
