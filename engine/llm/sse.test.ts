import { describe, expect, it } from 'vitest';
import { SseLineTooLongError, SseParser } from './sse.ts';
import { ChatStreamAccumulator } from './wire-openai.ts';
import { parseRetryAfter } from './transport.ts';
import { retryDelayMs } from './retry.ts';
import { LlmHttpError } from './transport.ts';

describe('SseParser', () => {
  const text =
    ': keep-alive\r\ndata: {"a":1}\r\n\r\nevent: delta\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n';

  it('gives the same events however the text is split (CRLF, comments, multi-line data, named events)', () => {
    const whole = new SseParser().push(text);
    expect(whole).toEqual([
      { data: '{"a":1}' },
      { event: 'delta', data: 'line1\nline2' },
      { data: '[DONE]' },
    ]);
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser();
      expect([...p.push(text.slice(0, cut)), ...p.push(text.slice(cut)), ...p.end()]).toEqual(whole);
    }
  });

  it('a final event without its blank line still counts; an endless line is refused', () => {
    const p = new SseParser();
    expect(p.push('data: x')).toEqual([]);
    expect(p.end()).toEqual([{ data: 'x' }]);
    expect(() => new SseParser(10).push('data: ' + 'y'.repeat(20))).toThrow(SseLineTooLongError);
  });
});

describe('streamed chat chunks', () => {
  it('folds content, tool-call deltas by index and the usage chunk', () => {
    const acc = new ChatStreamAccumulator();
    acc.push({ choices: [{ delta: { role: 'assistant', content: '' } }] });
    acc.push({
      choices: [
        { delta: { tool_calls: [{ index: 0, id: 'c1', function: { name: 'get', arguments: '{"q"' } }] } },
      ],
    });
    acc.push({ choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] } }] });
    acc.push({ choices: [{ delta: {}, finish_reason: 'tool_calls' }] });
    acc.push({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } });
    expect(acc.answer()).toEqual({
      content: null,
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
      finishReason: 'tool_calls',
      toolCalls: [{ id: 'c1', type: 'function', function: { name: 'get', arguments: '{"q":1}' } }],
    });
  });
});

describe('retry timing', () => {
  it('Retry-After in seconds or as a date; backoff with jitter between half and all of base * 2^(n-1), capped', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    const policy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 300 };
    expect(retryDelayMs(new Error('x'), 1, policy, () => 0)).toBe(50);
    expect(retryDelayMs(new Error('x'), 2, policy, () => 1)).toBe(200);
    expect(retryDelayMs(new Error('x'), 5, policy, () => 1)).toBe(300);
    expect(retryDelayMs(new LlmHttpError('429', 429, 10_000), 1, policy)).toBe(300);
  });
});
