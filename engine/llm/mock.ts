// The `mock` provider: answers with no network and no key, so templates, examples and tests run
// anywhere. Canned answers come from `mock_response` / `mock_responses` (in `with:` or settings.llm);
// without them it echoes the last user message. In a tool conversation, answer i is used for the
// model's i-th turn, so a canned list can ask for tools first and answer after.
import { createHash } from 'node:crypto';
import type { ChatAnswer, ChatRequest } from './wire-openai.ts';
import { isObject } from './wire-openai.ts';
import type { LlmUsage, ToolCall } from './types.ts';

export interface MockConfig {
  response?: unknown;
  responses?: unknown;
}

export class MockConfigError extends Error {}

export function mockChat(request: ChatRequest, config: MockConfig): ChatAnswer {
  const turn = request.messages.filter((m) => m.role === 'assistant').length;
  let canned = config.response;
  if (Array.isArray(config.responses) && config.responses.length > 0) {
    canned = config.responses[Math.min(turn, config.responses.length - 1)];
  }
  const prompt = request.messages.map((m) => m.content ?? '').join('\n');
  if (canned === undefined || canned === null) {
    const last = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const jsonMode = isObject(request.response_format) && request.response_format['type'] !== 'text';
    const content = jsonMode ? JSON.stringify({ echo: last }) : `[mock] ${last}`;
    return { content, usage: usage(prompt, content), finishReason: 'stop' };
  }
  if (typeof canned === 'string')
    return { content: canned, usage: usage(prompt, canned), finishReason: 'stop' };
  if (isObject(canned)) {
    const content = typeof canned['content'] === 'string' ? canned['content'] : null;
    const calls = Array.isArray(canned['tool_calls']) ? canned['tool_calls'].map(mockToolCall) : [];
    const answer: ChatAnswer = {
      content,
      usage: usage(prompt, content ?? JSON.stringify(calls)),
      finishReason: calls.length ? 'tool_calls' : 'stop',
    };
    if (calls.length) answer.toolCalls = calls;
    return answer;
  }
  throw new MockConfigError('mock_response must be a string or {content, tool_calls: [{name, arguments}]}');
}

function mockToolCall(raw: unknown, index: number): ToolCall {
  if (!isObject(raw) || typeof raw['name'] !== 'string') {
    throw new MockConfigError('each mock tool_calls entry needs a name (and optional arguments)');
  }
  const args = raw['arguments'];
  return {
    id: `mock_call_${index}`,
    type: 'function',
    function: { name: raw['name'], arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) },
  };
}

/** A deterministic unit vector per text, so similarity between equal texts is 1. */
export function mockEmbedding(text: string, dimensions = 16): number[] {
  const bytes = createHash('sha256').update(text).digest();
  const v = Array.from({ length: dimensions }, (_, i) => bytes[i % bytes.length]! / 255 - 0.5);
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => Math.round((x / norm) * 1e6) / 1e6);
}

/** Roughly four characters per token, as OpenAI's rule of thumb. */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function usage(prompt: string, completion: string): LlmUsage {
  const p = approxTokens(prompt);
  const c = approxTokens(completion);
  return { prompt_tokens: p, completion_tokens: c, total_tokens: p + c };
}

/** Splits text into word-sized pieces, as a streaming server would send it. */
export function streamPieces(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}
