// OpenAI's chat-completions and embeddings wire format (also Azure, Ollama's /v1, vLLM, llama.cpp,
// LM Studio, LiteLLM's proxy): request bodies, whole answers, and streamed chunks folded into one answer.
import type { ChatMessage, LlmUsage, ToolCall } from './types.ts';

/** A chat request in the engine's terms; `extra` holds pass-through parameters (top_p, seed, …). */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  max_tokens?: number;
  response_format?: unknown;
  tools?: unknown[];
  tool_choice?: unknown;
  stop?: unknown;
  extra?: Record<string, unknown>;
}

export interface ChatAnswer {
  content: string | null;
  toolCalls?: ToolCall[];
  usage: LlmUsage;
  finishReason?: string | null;
}

/** The answer did not have the expected shape: a node failure quoting what came back. */
export class WireFormatError extends Error {}

export function chatBody(request: ChatRequest, stream: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...request.extra,
    model: request.model,
    messages: request.messages,
  };
  if (request.temperature !== undefined) body['temperature'] = request.temperature;
  if (request.max_tokens !== undefined) body['max_tokens'] = request.max_tokens;
  if (request.response_format !== undefined) body['response_format'] = request.response_format;
  if (request.tools !== undefined && request.tools.length > 0) {
    body['tools'] = request.tools;
    if (request.tool_choice !== undefined) body['tool_choice'] = request.tool_choice;
  }
  if (request.stop !== undefined) body['stop'] = request.stop;
  // include_usage: the last chunk carries the token counts (OpenAI, vLLM, Ollama ≥ 0.5).
  if (stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  return body;
}

export function usageOf(raw: unknown): LlmUsage {
  const u = (raw ?? {}) as Record<string, unknown>;
  const prompt = count(u['prompt_tokens'] ?? u['input_tokens']);
  const completion = count(u['completion_tokens'] ?? u['output_tokens']);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: count(u['total_tokens']) || prompt + completion,
  };
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;
}

/** A whole (non-streamed) chat-completions answer. */
export function parseChatAnswer(json: unknown): ChatAnswer {
  const choice = firstChoice(json);
  const message = choice['message'];
  if (!isObject(message)) throw new WireFormatError('the answer has no choices[0].message');
  const content = message['content'];
  const answer: ChatAnswer = {
    content:
      typeof content === 'string'
        ? content
        : content === null || content === undefined
          ? null
          : JSON.stringify(content),
    usage: usageOf((json as Record<string, unknown>)['usage']),
    finishReason: typeof choice['finish_reason'] === 'string' ? choice['finish_reason'] : null,
  };
  const calls = message['tool_calls'];
  if (Array.isArray(calls) && calls.length > 0) answer.toolCalls = calls.map(toolCallOf);
  return answer;
}

function firstChoice(json: unknown): Record<string, unknown> {
  if (!isObject(json)) throw new WireFormatError('the answer is not a JSON object');
  if (isObject(json['error'])) {
    throw new WireFormatError(
      `the server answered with an error: ${String(json['error']['message'] ?? JSON.stringify(json['error']))}`,
    );
  }
  const choices = json['choices'];
  if (!Array.isArray(choices) || !isObject(choices[0]))
    throw new WireFormatError('the answer has no choices');
  return choices[0];
}

function toolCallOf(raw: unknown, index: number): ToolCall {
  const c = isObject(raw) ? raw : {};
  const fn = isObject(c['function']) ? c['function'] : {};
  const args = fn['arguments'];
  return {
    id: typeof c['id'] === 'string' ? c['id'] : `call_${index}`,
    type: 'function',
    function: {
      name: typeof fn['name'] === 'string' ? fn['name'] : '',
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    },
  };
}

/**
 * Folds streamed chunks (`data: {...}` payloads, `[DONE]` excluded) into one answer: content deltas,
 * tool-call deltas by index (id and name first, arguments in pieces), the usage chunk, the finish reason.
 */
export class ChatStreamAccumulator {
  private readonly parts: string[] = [];
  private readonly calls = new Map<number, { id: string; name: string; args: string[] }>();
  private usage: LlmUsage | null = null;
  private finishReason: string | null = null;
  chunks = 0;

  /** Takes one chunk; returns its text delta ('' when it has none). */
  push(chunk: unknown): string {
    if (!isObject(chunk)) throw new WireFormatError('a streamed chunk is not a JSON object');
    if (isObject(chunk['error'])) {
      throw new WireFormatError(`the stream carried an error: ${String(chunk['error']['message'] ?? '')}`);
    }
    this.chunks++;
    if (chunk['usage'] !== undefined && chunk['usage'] !== null) this.usage = usageOf(chunk['usage']);
    const choices = chunk['choices'];
    if (!Array.isArray(choices) || !isObject(choices[0])) return '';
    const choice = choices[0];
    if (typeof choice['finish_reason'] === 'string') this.finishReason = choice['finish_reason'];
    const delta = isObject(choice['delta']) ? choice['delta'] : {};
    for (const raw of Array.isArray(delta['tool_calls']) ? delta['tool_calls'] : []) {
      if (!isObject(raw)) continue;
      const index = typeof raw['index'] === 'number' ? raw['index'] : this.calls.size;
      const call = this.calls.get(index) ?? { id: '', name: '', args: [] };
      if (typeof raw['id'] === 'string') call.id = raw['id'];
      const fn = isObject(raw['function']) ? raw['function'] : {};
      if (typeof fn['name'] === 'string') call.name += fn['name'];
      if (typeof fn['arguments'] === 'string') call.args.push(fn['arguments']);
      this.calls.set(index, call);
    }
    const text = typeof delta['content'] === 'string' ? delta['content'] : '';
    if (text) this.parts.push(text);
    return text;
  }

  answer(): ChatAnswer {
    const content = this.parts.join('');
    const answer: ChatAnswer = {
      content: content === '' && this.calls.size > 0 ? null : content,
      usage: this.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      finishReason: this.finishReason,
    };
    if (this.calls.size > 0) {
      answer.toolCalls = [...this.calls.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([i, c]) => ({
          id: c.id || `call_${i}`,
          type: 'function',
          function: { name: c.name, arguments: c.args.join('') },
        }));
    }
    return answer;
  }
}

export function embeddingsBody(model: string, input: string[]): Record<string, unknown> {
  return { model, input };
}

export function parseEmbeddings(json: unknown): { embeddings: number[][]; usage: LlmUsage } {
  if (!isObject(json) || !Array.isArray(json['data']))
    throw new WireFormatError('the answer has no data list');
  const rows = [...json['data']].sort((a, b) =>
    isObject(a) && isObject(b) ? Number(a['index'] ?? 0) - Number(b['index'] ?? 0) : 0,
  );
  const embeddings = rows.map((row) => {
    const v = isObject(row) ? row['embedding'] : undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number'))
      throw new WireFormatError('an embedding is not a list of numbers');
    return v as number[];
  });
  return { embeddings, usage: usageOf(json['usage']) };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
