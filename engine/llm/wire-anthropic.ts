// Anthropic's Messages API: system prompt apart from the turns, max_tokens required, content blocks,
// and its own SSE event names. Text chat and streaming only (llm.tools uses the OpenAI format).
import type { ChatAnswer, ChatRequest } from './wire-openai.ts';
import { WireFormatError, isObject, usageOf } from './wire-openai.ts';
import type { LlmUsage } from './types.ts';

const DEFAULT_MAX_TOKENS = 1024;

export function anthropicBody(request: ChatRequest, stream: boolean): Record<string, unknown> {
  const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content ?? '');
  const body: Record<string, unknown> = {
    ...request.extra,
    model: request.model,
    max_tokens: request.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages: request.messages
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: m.content ?? '' })),
  };
  if (system.length) body['system'] = system.join('\n\n');
  if (request.temperature !== undefined) body['temperature'] = request.temperature;
  if (request.stop !== undefined)
    body['stop_sequences'] = Array.isArray(request.stop) ? request.stop : [request.stop];
  if (stream) body['stream'] = true;
  return body;
}

export function parseAnthropicAnswer(json: unknown): ChatAnswer {
  if (!isObject(json)) throw new WireFormatError('the answer is not a JSON object');
  if (isObject(json['error']))
    throw new WireFormatError(`the server answered with an error: ${String(json['error']['message'] ?? '')}`);
  if (!Array.isArray(json['content'])) throw new WireFormatError('the answer has no content blocks');
  const text = json['content']
    .filter((b): b is Record<string, unknown> => isObject(b) && b['type'] === 'text')
    .map((b) => String(b['text'] ?? ''))
    .join('');
  return {
    content: text,
    usage: usageOf(json['usage']),
    finishReason: typeof json['stop_reason'] === 'string' ? json['stop_reason'] : null,
  };
}

/** Folds Anthropic's stream events (message_start, content_block_delta, message_delta, error). */
export class AnthropicStreamAccumulator {
  private readonly parts: string[] = [];
  private input = 0;
  private output = 0;
  private stop: string | null = null;
  done = false;

  push(event: string | undefined, data: unknown): string {
    if (!isObject(data)) throw new WireFormatError('a streamed event is not a JSON object');
    const type = event ?? String(data['type'] ?? '');
    if (type === 'error')
      throw new WireFormatError(`the stream carried an error: ${JSON.stringify(data['error'] ?? data)}`);
    if (type === 'message_start' && isObject(data['message']))
      this.input = usageOf(data['message']['usage']).prompt_tokens;
    if (type === 'message_delta') {
      this.output = usageOf(data['usage']).completion_tokens || this.output;
      if (isObject(data['delta']) && typeof data['delta']['stop_reason'] === 'string')
        this.stop = data['delta']['stop_reason'];
    }
    if (type === 'message_stop') this.done = true;
    if (
      type === 'content_block_delta' &&
      isObject(data['delta']) &&
      typeof data['delta']['text'] === 'string'
    ) {
      this.parts.push(data['delta']['text']);
      return data['delta']['text'];
    }
    return '';
  }

  answer(): ChatAnswer {
    const usage: LlmUsage = {
      prompt_tokens: this.input,
      completion_tokens: this.output,
      total_tokens: this.input + this.output,
    };
    return { content: this.parts.join(''), usage, finishReason: this.stop };
  }
}
