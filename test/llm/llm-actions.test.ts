// TEA's llm.* actions in real runs (real workers, real wasmoon) against a real local HTTP server that
// speaks OpenAI's wire format. Nothing inside the engine is mocked: requests go over fetch to the
// server, answers come back as JSON or SSE.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowInvalidError } from '../../engine/index.ts';
import type { RunEvent, RunOptions } from '../../engine/index.ts';
import { engineForFile, fanOutYaml } from '../helpers.ts';
import { completion, sendJson, sleep, startOpenAiServer, streamPieces, words } from './openai-server.ts';
import type { OpenAiServer } from './openai-server.ts';

// Four workers: each parallel branch holds one while it runs (engine/run/scheduler.ts), and one test runs 3 at once.
const engine = engineForFile({ size: 4 });
let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(async () => {
  await server.close();
});

type LlmEv<T extends string> = Extract<RunEvent, { type: T }>;

/** One llm.* node between start and end; `withYaml` is indented under `with:`. */
function oneCall(uses: string, withYaml: string, extra = ''): string {
  const body = withYaml
    .trim()
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
  return `name: t\n${extra}nodes:\n  - name: ask\n    uses: ${uses}\n    with:\n${body}\n    output: answer\nedges:\n  - {from: __start__, to: ask}\n  - {from: ask, to: __end__}\n`;
}

async function run(yaml: string, options: RunOptions = {}) {
  const events: RunEvent[] = [];
  const handle = engine().run(yaml, { llm: { env: {} }, ...options, onEvent: (e) => events.push(e) });
  const result = await handle.result;
  return { result, events, handle };
}

function ofType<T extends RunEvent['type']>(events: RunEvent[], type: T): LlmEv<T>[] {
  return events.filter((e): e is LlmEv<T> => e.type === type);
}

describe('llm.call against an OpenAI-compatible server', () => {
  it("returns TEA's {content, usage}; the request carries model, messages, temperature 0.7 and the key from the environment; events have tokens, latency and cost", async () => {
    const yaml = oneCall(
      'llm.call',
      `model: gpt-4o-mini\napi_base: ${server.base}\nmessages:\n  - {role: system, content: be brief}\n  - {role: user, content: "hello {{ state.who }}"}`,
    );
    const before = server.requests.length;
    const { result, events } = await run(yaml, {
      input: { who: 'world' },
      llm: { env: { OPENAI_API_KEY: 'sk-test-123456' } },
    });
    expect(result.status).toBe('succeeded');
    const answer = result.state['answer'] as { content: string; usage: Record<string, number> };
    expect(answer.content).toBe('echo: hello world');
    expect(Object.keys(answer).sort()).toEqual(['content', 'usage']);
    expect(answer.usage['completion_tokens']).toBe(3);
    const req = server.requests[before]!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers['authorization']).toBe('Bearer sk-test-123456');
    expect(req.body).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.7,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello world' },
      ],
    });
    const [started] = ofType(events, 'llm-call-started');
    const [finished] = ofType(events, 'llm-call-finished');
    expect(started).toMatchObject({ node: 'ask', provider: 'openai', model: 'gpt-4o-mini', stream: false });
    expect(finished).toMatchObject({
      ok: true,
      node: 'ask',
      provider: 'openai',
      attempts: 1,
      completionTokens: 3,
      source: 'network',
    });
    expect(finished!.promptTokens).toBeGreaterThan(0);
    expect(finished!.costUsd).toBeGreaterThan(0); // gpt-4o-mini is in engine/llm/prices.json
    expect(finished!.latencyMs).toBeGreaterThan(0);
    const end = events.at(-1) as LlmEv<'run-finished'>;
    expect(end.llm).toMatchObject({ calls: 1, failedCalls: 0, completionTokens: 3 });
    expect(end.llm!.byNode['ask']!.calls).toBe(1);
  });

  it('settings.llm gives defaults (model, api_base, temperature); a node overrides them', async () => {
    const yaml = oneCall(
      'llm.call',
      `temperature: 0.2\nprompt: hi\nsystem: sys`,
      `settings:\n  llm:\n    model: from-settings\n    api_base: ${server.base}\n    temperature: 0.9\n    max_tokens: 50\n`,
    );
    const before = server.requests.length;
    const { result } = await run(yaml);
    expect(result.status).toBe('succeeded');
    expect(server.requests[before]!.body).toMatchObject({
      model: 'from-settings',
      temperature: 0.2,
      max_tokens: 50,
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'hi' },
      ],
    });
  });

  it("TEA's provider detection: OLLAMA_API_BASE → ollama (no key, free); Azure env → deployment URL with api-key; an explicit provider wins", async () => {
    const msg = `messages: [{role: user, content: q}]`;
    let before = server.requests.length;
    const ollama = await run(oneCall('llm.call', `model: llama3.2\n${msg}`), {
      llm: {
        env: {
          OLLAMA_API_BASE: server.base,
          AZURE_OPENAI_API_KEY: 'az-key-999999',
          AZURE_OPENAI_ENDPOINT: server.url,
        },
      },
    });
    expect(ollama.result.status).toBe('succeeded');
    expect(server.requests[before]!.path).toBe('/v1/chat/completions');
    expect(server.requests[before]!.headers['authorization']).toBeUndefined();
    expect(ofType(ollama.events, 'llm-call-finished')[0]).toMatchObject({ provider: 'ollama', costUsd: 0 });

    before = server.requests.length;
    const azure = await run(oneCall('llm.call', `model: gpt-4o\n${msg}`), {
      llm: {
        env: {
          AZURE_OPENAI_API_KEY: 'az-key-999999',
          AZURE_OPENAI_ENDPOINT: server.url,
          AZURE_OPENAI_DEPLOYMENT: 'my-dep',
        },
      },
    });
    expect(azure.result.status).toBe('succeeded');
    expect(server.requests[before]!.path).toBe(
      '/openai/deployments/my-dep/chat/completions?api-version=2024-02-15-preview',
    );
    expect(server.requests[before]!.headers['api-key']).toBe('az-key-999999');

    const explicit = await run(
      oneCall('llm.call', `provider: ollama\napi_base: ${server.base}\nmodel: m\n${msg}`),
      { llm: { env: { AZURE_OPENAI_API_KEY: 'x', AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:9' } } },
    );
    expect(explicit.result.status).toBe('succeeded');
    expect(ofType(explicit.events, 'llm-call-started')[0]!.provider).toBe('ollama');
  });

  it('response_format json_object is sent as is; content is the JSON text (TEA)', async () => {
    server.script('json-model', ({ res, body }) =>
      sendJson(res, 200, completion(body, JSON.stringify({ format: body['response_format'] }))),
    );
    const { result } = await run(
      oneCall(
        'llm.call',
        `model: json-model\napi_base: ${server.base}\nprompt: x\nresponse_format: {type: json_object}`,
      ),
    );
    expect(JSON.parse((result.state['answer'] as { content: string }).content)).toEqual({
      format: { type: 'json_object' },
    });
  });

  it('llm.embed calls /embeddings and returns {embedding, dimensions}', async () => {
    const { result } = await run(
      oneCall('llm.embed', `model: text-embedding-3-small\napi_base: ${server.base}\ntext: abcd`),
    );
    expect(result.status).toBe('succeeded');
    expect(result.state['answer']).toMatchObject({ embedding: [4, 1, 0.5], dimensions: 3 });
    expect(server.requests.at(-1)!.path).toBe('/v1/embeddings');
  });

  it('llm.chat returns {content, model, usage}; Anthropic Messages API as a provider', async () => {
    server.script('claude-test', ({ res, body, req }) =>
      sendJson(res, 200, {
        type: 'message',
        content: [
          {
            type: 'text',
            text: `${req.url} ${String(body['system'])} ${String(body['max_tokens'])} ${String(req.headers['x-api-key'])}`,
          },
        ],
        usage: { input_tokens: 7, output_tokens: 4 },
        stop_reason: 'end_turn',
      }),
    );
    const { result } = await run(
      oneCall(
        'llm.chat',
        `provider: anthropic\napi_base: ${server.base}\nmodel: claude-test\nmessages: [{role: system, content: S}, {role: user, content: U}]`,
      ),
      { llm: { env: { ANTHROPIC_API_KEY: 'ant-key-0000000' } } },
    );
    expect(result.status).toBe('succeeded');
    expect(server.requests.at(-1)!.headers['x-api-key']).toBe('ant-key-0000000');
    // The server quoted the key back: it is scrubbed from the answer like from any error.
    expect(result.state['answer']).toEqual({
      content: '/v1/messages S 1024 [redacted]',
      model: 'claude-test',
      usage: { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 },
    });
  });
});

describe('llm.stream', () => {
  it('streams tokens as coalesced events; content, usage (include_usage) and chunk_count as TEA; time to first token measured', async () => {
    const text = Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ');
    server.script('slow-first', ({ res, body }) =>
      streamPieces(res, body, words(text), { firstMs: 300, gapMs: 4 }),
    );
    const { result, events } = await run(
      oneCall('llm.stream', `model: slow-first\napi_base: ${server.base}\nprompt: go`),
    );
    expect(result.status).toBe('succeeded');
    const answer = result.state['answer'] as Record<string, unknown>;
    expect(answer).toMatchObject({ content: text, streamed: true, chunk_count: 60 });
    expect((answer['usage'] as Record<string, number>)['completion_tokens']).toBe(60);
    const tokens = ofType(events, 'llm-tokens');
    expect(tokens.map((t) => t.text).join('')).toBe(text);
    expect(tokens.reduce((n, t) => n + t.chunks, 0)).toBe(60);
    expect(tokens.length).toBeLessThan(60); // coalesced (~50 ms per event)
    const [finished] = ofType(events, 'llm-call-finished');
    expect(finished!.ttftMs).toBeGreaterThanOrEqual(250);
    expect(finished!.latencyMs).toBeGreaterThan(finished!.ttftMs!);
  });

  it('a stream cut midway fails the node (not retried once tokens went out); the tokens already shown stay', async () => {
    server.script('cut', ({ res, body }) =>
      streamPieces(res, body, words('a b c d e f g h'), { cutAfter: 3, gapMs: 5 }),
    );
    const before = server.requests.length;
    const { result, events } = await run(
      oneCall('llm.stream', `model: cut\napi_base: ${server.base}\nprompt: go`),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/node 'ask'.*(cut|ended before)/);
    expect(server.requests.length - before).toBe(1);
    expect(
      ofType(events, 'llm-tokens')
        .map((t) => t.text)
        .join(''),
    ).toBe('a b c');
    expect(ofType(events, 'llm-call-finished')[0]).toMatchObject({ ok: false });
  });
});

describe('retries, deadlines, cancel', () => {
  it('429 with Retry-After is retried after the server-given delay', async () => {
    server.script('rate-limited', ({ res, body, count }) =>
      count === 0
        ? sendJson(res, 429, { error: { message: 'slow down' } }, { 'retry-after': '1' })
        : sendJson(res, 200, completion(body, 'finally')),
    );
    const t0 = performance.now();
    const { result, events } = await run(
      oneCall('llm.call', `model: rate-limited\napi_base: ${server.base}\nprompt: x\nmax_retries: 2`),
    );
    expect(result.status).toBe('succeeded');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    expect(result.state['answer']).toMatchObject({ content: 'finally', attempts: 2 });
    expect((result.state['answer'] as { total_delay: number }).total_delay).toBeCloseTo(1, 1);
    expect(ofType(events, 'llm-call-finished')[0]).toMatchObject({ ok: true, attempts: 2 });
  });

  it('500s are retried with backoff; a 4xx is not; retries used up name the attempts and status', async () => {
    server.script('flaky', ({ res, body, count }) =>
      count < 2
        ? sendJson(res, 500, { error: { message: 'oops' } })
        : sendJson(res, 200, completion(body, 'ok')),
    );
    const ok = await run(
      oneCall('llm.call', `model: flaky\napi_base: ${server.base}\nprompt: x\nbase_delay: 0.02`),
    );
    expect(ok.result.status).toBe('succeeded');
    expect(ofType(ok.events, 'llm-call-finished')[0]!.attempts).toBe(3);

    server.script('always-500', ({ res }) => sendJson(res, 503, { error: { message: 'down' } }));
    const down = await run(
      oneCall(
        'llm.call',
        `model: always-500\napi_base: ${server.base}\nprompt: x\nbase_delay: 0.01\nmax_retries: 1`,
      ),
    );
    expect(down.result.error).toMatch(/node 'ask'.*failed after 2 attempts: HTTP 503.*down/);
    expect(ofType(down.events, 'llm-call-finished')[0]).toMatchObject({
      ok: false,
      status: 503,
      attempts: 2,
    });

    server.script('bad-request', ({ res }) => sendJson(res, 400, { error: { message: 'bad messages' } }));
    const before = server.requests.length;
    const bad = await run(oneCall('llm.call', `model: bad-request\napi_base: ${server.base}\nprompt: x`));
    expect(bad.result.error).toMatch(/HTTP 400.*bad messages/);
    expect(server.requests.length - before).toBe(1);
  });

  it('HTML or garbage answers fail the node with the status and a short excerpt', async () => {
    server.script('html', ({ res }) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(`<html><body><h1>502 Bad Gateway</h1>${'x'.repeat(5000)}</body></html>`);
    });
    const html = await run(
      oneCall('llm.call', `model: html\napi_base: ${server.base}\nprompt: x\nmax_retries: 0`),
    );
    expect(html.result.error).toMatch(
      /HTTP 502 Bad Gateway from http:\/\/127\.0\.0\.1:\d+: <html><body><h1>502 Bad Gateway/,
    );
    expect(html.result.error!.length).toBeLessThan(500);

    server.script('garbage', ({ res }) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('\u0000\u0001 not json at all');
    });
    const garbage = await run(oneCall('llm.call', `model: garbage\napi_base: ${server.base}\nprompt: x`));
    expect(garbage.result.error).toMatch(/HTTP 200 answer is not JSON \(text\/plain\): .*not json at all/);

    server.script('wrong-shape', ({ res }) => sendJson(res, 200, { hello: 'world' }));
    const shape = await run(oneCall('llm.call', `model: wrong-shape\napi_base: ${server.base}\nprompt: x`));
    expect(shape.result.error).toMatch(/no choices/);
  });

  it('every call has a deadline: a server that never answers fails the node at `timeout`', async () => {
    server.script('hang', () => {});
    const t0 = performance.now();
    const { result } = await run(
      oneCall('llm.call', `model: hang\napi_base: ${server.base}\nprompt: x\ntimeout: 0.4`),
    );
    expect(result.error).toMatch(/deadline of 0.4 s/);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('cancelling the run mid-stream closes the connection to the server within ~1 s', async () => {
    server.script('endless', ({ res, body }) =>
      streamPieces(
        res,
        body,
        Array.from({ length: 10_000 }, () => ' tok'),
        { gapMs: 10 },
      ),
    );
    const events: RunEvent[] = [];
    const handle = engine().run(
      oneCall('llm.stream', `model: endless\napi_base: ${server.base}\nprompt: x`),
      {
        llm: { env: {} },
        onEvent: (e) => events.push(e),
      },
    );
    while (!events.some((e) => e.type === 'llm-tokens')) await sleep(10);
    const seen = server.requests.at(-1)!;
    expect(seen.closedAt).toBeUndefined();
    const cancelledAt = performance.now();
    handle.cancel();
    const result = await handle.result;
    expect(result.status).toBe('cancelled');
    while (seen.closedAt === undefined && performance.now() - cancelledAt < 2000) await sleep(10);
    expect(seen.closedAt).toBeDefined();
    expect(seen.closedAt! - cancelledAt).toBeLessThan(1000);
  });

  it('settings.rate_limiters (TEA: rpm/rps) space calls that name the limiter, across parallel branches', async () => {
    const yaml = fanOutYaml({
      settings: `rate_limiters:\n  api: {rps: 5}\nllm: {api_base: "${server.base}", model: m, rate_limiter: api}`,
      branches: Object.fromEntries(
        ['a', 'b', 'c'].map((b) => [b, { uses: 'llm.call', with: { prompt: b }, output: b }]),
      ),
    });
    const before = server.requests.length;
    const { result } = await run(yaml);
    expect(result.status).toBe('succeeded');
    const times = server.requests
      .slice(before)
      .map((r) => r.at)
      .sort((x, y) => x - y);
    expect(times).toHaveLength(3);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(350); // 3 calls at 5/s: >= 400 ms apart end to end
  });
});

describe('llm.tools', () => {
  it('function calling dispatches tools to registered actions and feeds results back; TEA result shape', async () => {
    server.script('tool-model', ({ res, body, count }) => {
      const messages = body['messages'] as Array<{ role: string; content: string }>;
      if (!messages.some((m) => m.role === 'tool')) {
        sendJson(
          res,
          200,
          completion(body, null, {
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'parse', arguments: JSON.stringify({ text: '{"sum": 5}' }) },
              },
            ],
          }),
        );
      } else {
        sendJson(
          res,
          200,
          completion(body, `tool said ${messages.find((m) => m.role === 'tool')!.content} (${count})`),
        );
      }
    });
    const yaml = oneCall(
      'llm.tools',
      `model: tool-model\napi_base: ${server.base}\nprompt: add\ntools:\n  - name: parse\n    description: parse JSON\n    parameters:\n      text: {type: string, required: true}\n    action: json.parse`,
    );
    const before = server.requests.length;
    const { result, events } = await run(yaml);
    expect(result.status).toBe('succeeded');
    const answer = result.state['answer'] as Record<string, unknown>;
    expect(answer['rounds']).toBe(1);
    expect(answer['tool_calls']).toEqual([
      { id: 'call_1', name: 'parse', arguments: { text: '{"sum": 5}' } },
    ]);
    expect(JSON.parse((answer['tool_results'] as Array<{ result: string }>)[0]!.result)).toMatchObject({
      data: { sum: 5 },
      success: true,
    });
    expect(answer['content']).toMatch(/^tool said .*"sum":5/);
    const first = server.requests[before]!.body;
    expect(first['tools']).toEqual([
      {
        type: 'function',
        function: {
          name: 'parse',
          description: 'parse JSON',
          parameters: {
            type: 'object',
            properties: { text: { type: 'string', description: '' } },
            required: ['text'],
          },
        },
      },
    ]);
    expect(ofType(events, 'llm-call-finished')).toHaveLength(2);
  });

  it('max_tool_rounds bounds a model that never stops calling tools', async () => {
    server.script('tool-loop', ({ res, body }) =>
      sendJson(
        res,
        200,
        completion(body, null, {
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'noop', arguments: '{}' } }],
        }),
      ),
    );
    const { result } = await run(
      oneCall(
        'llm.tools',
        `model: tool-loop\napi_base: ${server.base}\nprompt: x\nmax_tool_rounds: 3\ntools: [{name: noop, description: nothing}]`,
      ),
    );
    expect(result.state['answer']).toMatchObject({ rounds: 3, warning: 'Max tool rounds (3) reached' });
  });
});

describe('3 parallel branches stream at once', () => {
  it('each branch streams its own tokens concurrently; totals per branch on run-finished', async () => {
    server.script('para', ({ res, body }) =>
      streamPieces(
        res,
        body,
        words(`${String((body['messages'] as Array<{ content: string }>)[0]!.content)} ` + 'x '.repeat(30)),
        { gapMs: 10 },
      ),
    );
    const yaml = fanOutYaml({
      settings: `llm: {api_base: "${server.base}", model: para}`,
      branches: Object.fromEntries(
        ['a', 'b', 'c'].map((b) => [b, { uses: 'llm.stream', with: { prompt: b.toUpperCase() }, output: b }]),
      ),
    });
    const { result, events } = await run(yaml);
    expect(result.status).toBe('succeeded');
    const tokens = ofType(events, 'llm-tokens');
    for (const b of ['a', 'b', 'c']) expect(tokens.filter((t) => t.branch === b).length).toBeGreaterThan(1);
    // Concurrent: every branch had streamed before any branch finished its call.
    const firstFinish = events.findIndex((e) => e.type === 'llm-call-finished');
    for (const b of ['a', 'b', 'c'])
      expect(events.findIndex((e) => e.type === 'llm-tokens' && e.branch === b)).toBeLessThan(firstFinish);
    const totals = (events.at(-1) as LlmEv<'run-finished'>).llm!;
    expect(Object.keys(totals.byBranch).sort()).toEqual(['source/a', 'source/b', 'source/c']);
    expect(totals.calls).toBe(3);
  });
});

describe('secrets', () => {
  it('missing key names the variable and where to put it; a key in the YAML is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-llm-'));
    const { result } = await run(oneCall('llm.call', `model: gpt-4o\nprompt: x`), { baseDir: dir });
    expect(result.error).toMatch(/set OPENAI_API_KEY in the environment or in .*\.env/);
    // A key in the file is refused before the run (validation), and never echoed.
    let refused: unknown;
    try {
      await run(oneCall('llm.call', `model: gpt-4o\nprompt: x\napi_key: sk-inline-0000`), { baseDir: dir });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(WorkflowInvalidError);
    const problems = (refused as WorkflowInvalidError).problems;
    expect(problems.map((p) => `${p.code} ${p.line}:${p.col}`)).toEqual(['LLM_KEY_IN_FILE 8:7']);
    expect(JSON.stringify(problems)).not.toContain('sk-inline-0000');
  });

  it('a .env beside the workflow provides the key; the environment wins over it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-llm-'));
    await writeFile(join(dir, '.env'), '# keys\nexport OPENAI_API_KEY="sk-from-dotenv-1"\n');
    const yaml = oneCall('llm.call', `model: m\napi_base: ${server.base}\nprompt: x`);
    await run(yaml, { baseDir: dir });
    expect(server.requests.at(-1)!.headers['authorization']).toBe('Bearer sk-from-dotenv-1');
    await run(yaml, { baseDir: dir, llm: { env: { OPENAI_API_KEY: 'sk-from-env-22' } } });
    expect(server.requests.at(-1)!.headers['authorization']).toBe('Bearer sk-from-env-22');
  });

  it('a planted key never appears in any event, log line, error or result — even when the server echoes it back', async () => {
    const key = 'sk-PLANTED-do-not-leak-0123456789';
    server.script('echo-auth', ({ req, res }) =>
      sendJson(res, 401, {
        error: { message: `Incorrect API key provided: ${String(req.headers['authorization'])} and ${key}` },
      }),
    );
    server.script('echo-auth-ok', ({ res, body }) => sendJson(res, 200, completion(body, 'fine')));
    const yaml = `name: leak
settings:
  llm: {api_base: "${server.base}"}
nodes:
  - {name: good, uses: llm.stream, with: {model: echo-auth-ok, prompt: x}, output: good}
  - {name: bad, uses: llm.call, with: {model: echo-auth, prompt: x}, output: bad}
edges:
  - {from: __start__, to: good}
  - {from: good, to: bad}
  - {from: bad, to: __end__}
`;
    const { result, events } = await run(yaml, { llm: { env: { OPENAI_API_KEY: key } } });
    expect(server.requests.at(-1)!.headers['authorization']).toBe(`Bearer ${key}`); // it was really sent
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/HTTP 401.*\[redacted\]/);
    const everything = JSON.stringify({ events, result });
    expect(everything).not.toContain(key);
    expect(everything).not.toContain('PLANTED');
  });
});

describe('bad input', () => {
  it('unknown provider and missing model are clear errors naming the node', async () => {
    // Templated values pass validation (llm-validate.ts checks literal ones) and are checked at run time.
    const p = await run(oneCall('llm.call', `provider: "{{ state.p }}"\nmodel: m\nprompt: x`), {
      input: { p: 'skynet' },
    });
    expect(p.result.error).toMatch(
      /unknown provider 'skynet' \(known: auto, openai, azure, ollama, litellm, anthropic, mock/,
    );
    const m = await run(oneCall('llm.call', `prompt: x`));
    expect(m.result.error).toMatch(/llm.call in node 'ask': missing 'model'/);
    const msgs = await run(oneCall('llm.call', `model: m\nmessages: [{role: "{{ state.r }}", content: x}]`), {
      input: { r: 'wizard' },
    });
    expect(msgs.result.error).toMatch(/messages\[0\]\.role must be one of/);
  });
});
