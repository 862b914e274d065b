/**
 * TEA's LLM actions: llm.call, llm.stream, llm.chat, llm.embed, llm.tools (and TEA Python's
 * actions.llm_* aliases). Parameters and result shapes follow TEA Python's llm_actions.py; defaults
 * come from settings.llm, then TEA's defaults. Differences: failures fail the node (TEA Python often
 * returns {error, success: false}); retries default to DEFAULT_LLM_RETRIES; keys never come from the YAML.
 */
import {
  DEFAULT_LLM_RETRIES,
  DEFAULT_LLM_TIMEOUT_S,
  DEFAULT_LLM_TOOL_ROUNDS,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_LLM_RETRIES,
  MAX_LLM_TIMEOUT_S,
  MAX_LLM_TOOL_ROUNDS,
  truncateText,
} from '../limits.ts';
import { callChat, callEmbed } from '../llm/model-call.ts';
import type { CallDeps, CallOptions, ChatResult } from '../llm/model-call.ts';
import { LlmSession } from '../llm/session.ts';
import type { ChatMessage, ToolCall } from '../llm/types.ts';
import type { ChatRequest } from '../llm/wire-openai.ts';
import { ActionError } from './registry.ts';
import { aliasInfo } from './catalogue.ts';
import type { ActionContext, ActionRegistry } from './registry.ts';

/** Parameters passed through to the API as they are (TEA passes **kwargs). */
const PASS_THROUGH = ['top_p', 'seed', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'user', 'n'];
const ROLES = new Set(['system', 'user', 'assistant', 'tool', 'developer']);
const SECRET_PARAMS = ['api_key', 'apiKey', 'key', 'token', 'openai_api_key', 'anthropic_api_key'];

type Params = Record<string, unknown>;

/** settings.llm first, then the node's `with:` (the node wins). */
function pick(params: Params, defaults: Params, key: string): unknown {
  return params[key] !== undefined && params[key] !== null ? params[key] : defaults[key];
}

function sessionOf(ctx: ActionContext): LlmSession {
  return ctx.llm ?? new LlmSession({ baseDir: ctx.baseDir });
}

function deps(ctx: ActionContext, session: LlmSession): CallDeps {
  return { session, emit: ctx.emit ?? (() => {}), ...(ctx.signal ? { signal: ctx.signal } : {}) };
}

function fail(action: string, node: string, message: string): never {
  throw new ActionError(`${action} in node '${node}': ${message}`, action);
}

function numberParam(
  action: string,
  node: string,
  value: unknown,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) {
    fail(action, node, `'${name}' must be a number from ${min} to ${max}`);
  }
  return n;
}

function refuseSecrets(action: string, node: string, params: Params, defaults: Params): void {
  for (const key of SECRET_PARAMS) {
    if (params[key] !== undefined || defaults[key] !== undefined) {
      fail(
        action,
        node,
        `'${key}' is not read from the workflow file: put the key in the environment or in a .env file beside the workflow (see docs/llm.md)`,
      );
    }
  }
}

/** TEA's messages, or `prompt` (+ `system`) turned into messages (TEA-LLM-005). */
export function messagesOf(action: string, node: string, params: Params): ChatMessage[] {
  const raw = params['messages'];
  if (raw === undefined || raw === null) {
    const prompt = params['prompt'];
    if (typeof prompt !== 'string')
      fail(action, node, "missing 'messages' (a list of {role, content}) or 'prompt'");
    const out: ChatMessage[] = [];
    if (typeof params['system'] === 'string') out.push({ role: 'system', content: params['system'] });
    out.push({ role: 'user', content: prompt });
    return out;
  }
  if (!Array.isArray(raw) || raw.length === 0)
    fail(action, node, "'messages' must be a non-empty list of {role, content}");
  return raw.map((m, i) => {
    if (typeof m !== 'object' || m === null || Array.isArray(m))
      fail(action, node, `messages[${i}] must be a mapping {role, content}`);
    const msg = m as Params;
    const role = msg['role'];
    if (typeof role !== 'string' || !ROLES.has(role)) {
      fail(action, node, `messages[${i}].role must be one of ${[...ROLES].join(', ')}`);
    }
    const content = msg['content'];
    const out: ChatMessage = {
      role,
      content:
        typeof content === 'string' || content === null
          ? content
          : content === undefined
            ? ''
            : JSON.stringify(content),
    };
    if (Array.isArray(msg['tool_calls'])) out.tool_calls = msg['tool_calls'] as ToolCall[];
    if (typeof msg['tool_call_id'] === 'string') out.tool_call_id = msg['tool_call_id'];
    if (typeof msg['name'] === 'string') out.name = msg['name'];
    return out;
  });
}

function responseFormat(action: string, node: string, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  const type = typeof value === 'string' ? value : (value as Params)['type'];
  if (type !== 'text' && type !== 'json_object' && type !== 'json_schema') {
    fail(action, node, 'response_format.type must be text, json_object or json_schema');
  }
  if (type === 'json_schema' && typeof (value as Params)['json_schema'] !== 'object') {
    fail(action, node, 'response_format json_schema needs a json_schema: {name, schema}');
  }
  return typeof value === 'string' ? { type } : value;
}

function callOptions(action: string, ctx: ActionContext, params: Params, defaults: Params): CallOptions {
  const node = ctx.node;
  refuseSecrets(action, node, params, defaults);
  const timeoutS =
    numberParam(action, node, pick(params, defaults, 'timeout'), 'timeout', 0.001, MAX_LLM_TIMEOUT_S) ??
    DEFAULT_LLM_TIMEOUT_S;
  const retries =
    numberParam(action, node, pick(params, defaults, 'max_retries'), 'max_retries', 0, MAX_LLM_RETRIES) ??
    DEFAULT_LLM_RETRIES;
  const baseDelay =
    numberParam(action, node, pick(params, defaults, 'base_delay'), 'base_delay', 0, 600) ?? 1;
  const maxDelay = numberParam(action, node, pick(params, defaults, 'max_delay'), 'max_delay', 0, 3600) ?? 60;
  const options: CallOptions = {
    node,
    provider: { model: '' },
    timeoutMs: timeoutS * 1000,
    retry: { maxRetries: Math.floor(retries), baseDelayMs: baseDelay * 1000, maxDelayMs: maxDelay * 1000 },
    mock: {
      response: pick(params, defaults, 'mock_response'),
      responses: pick(params, defaults, 'mock_responses'),
    },
  };
  const provider = pick(params, defaults, 'provider');
  if (provider !== undefined) options.provider.provider = String(provider);
  const apiBase = pick(params, defaults, 'api_base');
  if (typeof apiBase === 'string' && apiBase !== '') options.provider.apiBase = apiBase;
  const deployment = pick(params, defaults, 'deployment');
  if (typeof deployment === 'string' && deployment !== '') options.provider.deployment = deployment;
  const limiter = pick(params, defaults, 'rate_limiter');
  if (typeof limiter === 'string' && limiter !== '') options.rateLimiter = limiter;
  const delay = numberParam(
    action,
    node,
    pick(params, defaults, 'mock_delay_ms'),
    'mock_delay_ms',
    0,
    600_000,
  );
  if (delay) options.mockDelayMs = delay;
  return options;
}

function modelOf(
  action: string,
  node: string,
  params: Params,
  defaults: Params,
  options: CallOptions,
  key = 'model',
): string {
  const model = pick(params, defaults, key);
  if (typeof model === 'string' && model !== '') return model;
  if ((options.provider.provider ?? '').toLowerCase() === 'mock') return 'mock';
  return fail(action, node, `missing '${key}' (set it in with: or in settings.llm.${key})`);
}

function chatRequest(
  action: string,
  ctx: ActionContext,
  params: Params,
  defaults: Params,
  options: CallOptions,
): ChatRequest {
  const node = ctx.node;
  const model = modelOf(action, node, params, defaults, options);
  options.provider.model = model;
  const request: ChatRequest = { model, messages: messagesOf(action, node, params) };
  const temperature = numberParam(action, node, pick(params, defaults, 'temperature'), 'temperature', 0, 2);
  request.temperature = temperature ?? 0.7; // TEA's default
  const maxTokens = numberParam(
    action,
    node,
    pick(params, defaults, 'max_tokens'),
    'max_tokens',
    1,
    10_000_000,
  );
  if (maxTokens !== undefined) request.max_tokens = Math.floor(maxTokens);
  const format = responseFormat(action, node, params['response_format']);
  if (format !== undefined) request.response_format = format;
  if (params['stop'] !== undefined && params['stop'] !== null) request.stop = params['stop'];
  const extra: Params = {};
  for (const key of PASS_THROUGH) if (params[key] !== undefined) extra[key] = params[key];
  if (Object.keys(extra).length) request.extra = extra;
  return request;
}

function usageOut(result: ChatResult): Params {
  return { ...result.usage };
}

async function llmCall(params: Params, ctx: ActionContext): Promise<unknown> {
  const session = sessionOf(ctx);
  const options = callOptions('llm.call', ctx, params, session.defaults);
  const request = chatRequest('llm.call', ctx, params, session.defaults, options);
  const result = await callChat(request, false, options, deps(ctx, session));
  const out: Params = { content: result.content, usage: usageOut(result) };
  // TEA adds attempts and total_delay (seconds) when max_retries is given.
  if (params['max_retries'] !== undefined)
    Object.assign(out, { attempts: result.attempts, total_delay: result.totalDelayMs / 1000 });
  if (result.toolCalls) out['tool_calls'] = result.toolCalls;
  return out;
}

async function llmStream(params: Params, ctx: ActionContext): Promise<unknown> {
  const session = sessionOf(ctx);
  const options = callOptions('llm.stream', ctx, params, session.defaults);
  const request = chatRequest('llm.stream', ctx, params, session.defaults, options);
  const result = await callChat(request, true, options, deps(ctx, session));
  return {
    content: result.content ?? '',
    usage: usageOut(result),
    streamed: true,
    chunk_count: result.chunks,
  };
}

async function llmChat(params: Params, ctx: ActionContext): Promise<unknown> {
  const session = sessionOf(ctx);
  const options = callOptions('llm.chat', ctx, params, session.defaults);
  const request = chatRequest('llm.chat', ctx, params, session.defaults, options);
  const result = await callChat(request, false, options, deps(ctx, session));
  return { content: result.content ?? '', model: result.model, usage: usageOut(result) };
}

async function llmEmbed(params: Params, ctx: ActionContext): Promise<unknown> {
  const session = sessionOf(ctx);
  const defaults = session.defaults;
  const options = callOptions('llm.embed', ctx, params, defaults);
  const text = params['text'] ?? params['input'];
  const many = Array.isArray(text);
  const input = many ? text : [text];
  if (input.length === 0 || input.some((t) => typeof t !== 'string')) {
    fail('llm.embed', ctx.node, "'text' must be a string or a list of strings");
  }
  const model =
    typeof params['model'] === 'string' && params['model'] !== ''
      ? params['model']
      : typeof defaults['embedding_model'] === 'string'
        ? defaults['embedding_model']
        : 'text-embedding-ada-002'; // TEA's default
  options.provider.model = model;
  const result = await callEmbed(model, input as string[], options, deps(ctx, session));
  const dimensions = result.embeddings[0]?.length ?? 0;
  return many
    ? { embeddings: result.embeddings, dimensions, model }
    : { embedding: result.embeddings[0] ?? [], dimensions, model };
}

interface ToolSpec {
  name: string;
  action?: string;
  openai: Record<string, unknown>;
}

/** TEA's tool definitions: YAML style ({name, description, parameters, action}) or OpenAI style. */
function toolsOf(params: Params, registry: ActionRegistry, node: string): ToolSpec[] {
  const raw = params['tools'];
  if (!Array.isArray(raw) || raw.length === 0) fail('llm.tools', node, "'tools' must be a non-empty list");
  return raw.map((t, i) => {
    if (typeof t !== 'object' || t === null) fail('llm.tools', node, `tools[${i}] must be a mapping`);
    const def = t as Params;
    const action = typeof def['action'] === 'string' ? def['action'] : undefined;
    if (action !== undefined && !registry.has(action)) {
      fail('llm.tools', node, `tools[${i}] maps to action '${action}', which is not available`);
    }
    if (typeof def['function'] === 'object' && def['function'] !== null) {
      const name = (def['function'] as Params)['name'];
      if (typeof name !== 'string' || !name) fail('llm.tools', node, `tools[${i}].function needs a name`);
      return { name, ...(action ? { action } : {}), openai: { type: 'function', function: def['function'] } };
    }
    const name = def['name'];
    if (typeof name !== 'string' || !name) fail('llm.tools', node, `tools[${i}] needs a name`);
    const properties: Params = {};
    const required: string[] = [];
    for (const [p, spec] of Object.entries((def['parameters'] ?? {}) as Params)) {
      if (typeof spec === 'object' && spec !== null) {
        const s = spec as Params;
        properties[p] = {
          type: s['type'] ?? 'string',
          description: s['description'] ?? '',
          ...(s['enum'] ? { enum: s['enum'] } : {}),
        };
        if (s['required'] === true) required.push(p);
      } else properties[p] = { type: String(spec) };
    }
    return {
      name,
      ...(action ? { action } : {}),
      openai: {
        type: 'function',
        function: {
          name,
          description: def['description'] ?? '',
          parameters: { type: 'object', properties, required },
        },
      },
    };
  });
}

function makeLlmTools(registry: ActionRegistry) {
  return async function llmTools(params: Params, ctx: ActionContext): Promise<unknown> {
    const session = sessionOf(ctx);
    const options = callOptions('llm.tools', ctx, params, session.defaults);
    const request = chatRequest('llm.tools', ctx, params, session.defaults, options);
    const tools = toolsOf(params, registry, ctx.node);
    request.tools = tools.map((t) => t.openai);
    if (params['tool_choice'] !== undefined) {
      const choice = params['tool_choice'];
      request.tool_choice =
        typeof choice === 'string' && choice !== 'auto' && choice !== 'none' && choice !== 'required'
          ? { type: 'function', function: { name: choice } }
          : choice;
    }
    const maxRounds =
      numberParam(
        'llm.tools',
        ctx.node,
        params['max_tool_rounds'],
        'max_tool_rounds',
        1,
        MAX_LLM_TOOL_ROUNDS,
      ) ?? DEFAULT_LLM_TOOL_ROUNDS;
    const byName = new Map(tools.map((t) => [t.name, t]));
    const toolCalls: Params[] = [];
    const toolResults: Params[] = [];
    const messages = [...request.messages];
    for (let rounds = 0; rounds < maxRounds;) {
      const result = await callChat(
        { ...request, messages: [...messages] },
        false,
        options,
        deps(ctx, session),
      );
      if (!result.toolCalls || result.toolCalls.length === 0) {
        return { content: result.content ?? '', tool_calls: toolCalls, tool_results: toolResults, rounds };
      }
      rounds++;
      messages.push({ role: 'assistant', content: result.content, tool_calls: result.toolCalls });
      for (const call of result.toolCalls) {
        let args: Params = {};
        try {
          const parsed: unknown = JSON.parse(call.function.arguments || '{}');
          if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
            args = parsed as Params;
        } catch {
          // TEA: unreadable arguments become {}
        }
        toolCalls.push({ id: call.id, name: call.function.name, arguments: args });
        const content = await runTool(
          registry,
          byName.get(call.function.name),
          call.function.name,
          args,
          ctx,
        );
        toolResults.push({ tool_call_id: call.id, name: call.function.name, result: content });
        messages.push({ role: 'tool', tool_call_id: call.id, content });
      }
    }
    return {
      content: '',
      tool_calls: toolCalls,
      tool_results: toolResults,
      rounds: maxRounds,
      warning: `Max tool rounds (${maxRounds}) reached`,
    };
  };
}

/** Runs a tool's action as the model asked (TEA: errors become {"error": …} for the model to read). */
async function runTool(
  registry: ActionRegistry,
  tool: ToolSpec | undefined,
  name: string,
  args: Params,
  ctx: ActionContext,
): Promise<string> {
  if (!tool?.action)
    return JSON.stringify({ note: `Tool '${name}' called but no action mapped`, arguments: args });
  try {
    const value = await registry.call(tool.action, args, ctx);
    return JSON.stringify(value ?? null);
  } catch (error) {
    if (ctx.signal?.aborted) throw error;
    return JSON.stringify({
      error: truncateText(error instanceof Error ? error.message : String(error), MAX_ERROR_MESSAGE_CHARS),
    });
  }
}

export function registerLlmActions(registry: ActionRegistry): void {
  const entries: Array<[string, (p: Params, c: ActionContext) => Promise<unknown>]> = [
    ['llm.call', llmCall],
    ['llm.stream', llmStream],
    ['llm.chat', llmChat],
    ['llm.embed', llmEmbed],
    ['llm.tools', makeLlmTools(registry)],
  ];
  // Descriptions and parameters are the catalogue's (engine/actions/catalogue.ts).
  for (const [name, handler] of entries) {
    registry.register(name, handler);
    registry.register(`actions.${name.replace('.', '_')}`, handler, aliasInfo(name));
  }
}
