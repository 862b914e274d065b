import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { setNodePath, setTopLevelPath } from '../../../../engine/workflow/edit.ts';
import { buildGraph } from '../../../../engine/workflow/graph.ts';
import { loadWorkflow } from '../../../../engine/workflow/load.ts';
import { validateWorkflow } from '../../../../engine/workflow/validate.ts';
import {
  checkJsonSchema,
  effectiveProvider,
  inheritedPlaceholder,
  llmActionOf,
  llmFields,
  llmProblemField,
  messagesValue,
  modelSuggestions,
  parseLlmField,
  readMessages,
  readResponseFormat,
  readTools,
  responseFormatValue,
  settingsLlm,
  toolForAction,
} from './llm-form.ts';
import { luaReturnKeys, stateKeysAt, templateCompletion } from './template-completion.ts';

const FLOW = [
  'name: t',
  'state_schema:',
  '  question: str',
  'initial_state:',
  '  topic: cats',
  'settings:',
  '  llm:',
  '    provider: mock # no key needed',
  '    model: gpt-4o-mini',
  'nodes:',
  '  - name: plan',
  '    language: lua',
  '    run: |',
  '      local x = { ignored = 1 }',
  "      return { angles = { 'a', 'b' }, count = #x, label = 'x, y = z' }",
  '  - name: fetch',
  '    uses: http.get',
  '    with: { url: "https://example.com" }',
  '    output: page',
  '  - name: ask',
  '    uses: llm.call',
  '    with:',
  '      # keep me',
  '      temperature: 0.2',
  '      messages:',
  '        - role: system',
  '          content: Be brief.',
  '        - { role: user, content: "{{ state.question }}" }',
  '    output: answer',
  '  - name: later',
  '    run: return {}',
  '    language: lua',
  'edges:',
  '  - {from: __start__, to: plan}',
  '  - {from: plan, to: fetch}',
  '  - {from: fetch, to: ask}',
  '  - {from: ask, to: later}',
  '  - {from: later, to: __end__}',
  '',
].join('\n');

const field = (action: Parameters<typeof llmFields>[0], key: string) =>
  llmFields(action).find((f) => f.key === key)!;

describe('llm form: fields and YAML', () => {
  it('knows the llm actions and their TEA Python aliases', () => {
    expect(llmActionOf('llm.call')).toBe('llm.call');
    expect(llmActionOf('actions.llm_stream')).toBe('llm.stream');
    expect(llmActionOf('json.parse')).toBeNull();
    expect(llmActionOf(undefined)).toBeNull();
  });

  it('gives each action its fields (tools: max rounds; embed: no temperature; settings: embedding model)', () => {
    expect(llmFields('llm.call').map((f) => f.key)).toEqual([
      'provider',
      'model',
      'api_base',
      'temperature',
      'max_tokens',
      'timeout',
      'max_retries',
      'rate_limiter',
    ]);
    expect(llmFields('llm.tools').map((f) => f.key)).toContain('max_tool_rounds');
    expect(llmFields('llm.embed').map((f) => f.key)).not.toContain('temperature');
    expect(llmFields('settings').map((f) => f.key)).toContain('embedding_model');
  });

  it('shows what an empty field inherits from settings.llm, else the engine default', () => {
    const settings = settingsLlm(parse(FLOW));
    expect(inheritedPlaceholder('llm.call', field('llm.call', 'model'), settings)).toEqual({
      text: 'inherits gpt-4o-mini from settings.llm',
      inherited: true,
    });
    expect(inheritedPlaceholder('llm.call', field('llm.call', 'temperature'), settings).text).toBe(
      'default 0.7',
    );
    // llm.embed's model inherits settings.llm.embedding_model, not settings.llm.model.
    expect(inheritedPlaceholder('llm.embed', field('llm.embed', 'model'), settings).text).toBe(
      'default text-embedding-ada-002',
    );
    expect(
      inheritedPlaceholder('llm.embed', field('llm.embed', 'model'), { embedding_model: 'nomic' }).text,
    ).toBe('inherits nomic from settings.llm');
    expect(inheritedPlaceholder('llm.call', field('llm.call', 'api_base'), settings).text).toBe(
      "the provider's default",
    );
    expect(
      inheritedPlaceholder('llm.call', field('llm.call', 'api_base'), { api_base: 'http://x/v1' }).text,
    ).toBe('inherits http://x/v1 from settings.llm');
    // The settings form itself inherits nothing.
    expect(inheritedPlaceholder('settings', field('settings', 'model'), settings).inherited).toBe(false);
  });

  it('parses field text into typed YAML values, empty = inherit (key deleted)', () => {
    const t = field('llm.call', 'temperature');
    expect(parseLlmField(t, '0.5')).toEqual({ ok: true, value: 0.5 });
    expect(parseLlmField(t, '')).toEqual({ ok: true, value: undefined });
    expect(parseLlmField(t, '3')).toEqual({ ok: false, error: 'Temperature must be between 0 and 2' });
    expect(parseLlmField(t, 'warm')).toEqual({ ok: false, error: 'Temperature must be a number' });
    expect(parseLlmField(t, '{{ state.t }}')).toEqual({ ok: true, value: '{{ state.t }}' });
    expect(parseLlmField(field('llm.call', 'max_tokens'), '1.5').ok).toBe(false);
    expect(parseLlmField(field('llm.call', 'model'), ' gpt-4o ')).toEqual({ ok: true, value: 'gpt-4o' });
  });

  it('a field edit through the path edit changes exactly its line and keeps the comment', () => {
    const parsed = parseLlmField(field('llm.call', 'temperature'), '0.9');
    const out = setNodePath(FLOW, 'ask', ['with', 'temperature'], parsed.ok ? parsed.value : null);
    const before = FLOW.split('\n');
    expect(out.split('\n').filter((l, i) => l !== before[i])).toEqual(['      temperature: 0.9']);
    const cleared = setNodePath(out, 'ask', ['with', 'temperature'], undefined);
    expect(cleared).toContain('# keep me');
    expect(parse(cleared).nodes[2].with.temperature).toBeUndefined();
    const settings = setTopLevelPath(FLOW, ['settings', 'llm', 'provider'], 'openai');
    expect(settings).toContain('    provider: openai # no key needed');
  });

  it('suggests the priced models a provider serves', () => {
    expect(modelSuggestions('anthropic', false).every((m) => m.startsWith('claude'))).toBe(true);
    expect(modelSuggestions('openai', false)).toContain('gpt-4o-mini');
    expect(modelSuggestions('openai', false)).not.toContain('claude-opus-4');
    expect(modelSuggestions('openai', true)).toEqual(expect.arrayContaining(['text-embedding-3-small']));
    expect(modelSuggestions('openai', true).some((m) => m.startsWith('gpt'))).toBe(false);
    expect(modelSuggestions('ollama', false)).toEqual([]);
    expect(modelSuggestions('mock', false)).toEqual(expect.arrayContaining(['gpt-4o', 'claude-opus-4']));
    expect(effectiveProvider({}, { provider: 'Mock' })).toBe('mock');
    expect(effectiveProvider({ provider: 'openai' }, { provider: 'mock' })).toBe('openai');
  });
});

describe('llm form: problems under their field', () => {
  it('places validation messages on the part they name', () => {
    const load = loadWorkflow(
      FLOW.replace('- role: system', '- role: robot').replace(
        'temperature: 0.2',
        'provider: nope\n      response_format: {type: xml}',
      ),
    );
    const problems = validateWorkflow(load, { graph: buildGraph(load.model!) }).filter(
      (p) => p.node === 'ask',
    );
    const fields = problems.map((p) => llmProblemField(p.message)).sort();
    expect(fields).toEqual(['messages.0', 'provider', 'response_format']);
  });
});

describe('llm form: response format', () => {
  it('reads and writes the three kinds', () => {
    expect(readResponseFormat(undefined).kind).toBe('text');
    expect(readResponseFormat({ type: 'json_object' }).kind).toBe('json_object');
    expect(readResponseFormat('{{ state.fmt }}').unreadable).toBe('{{ state.fmt }}');
    const form = readResponseFormat({
      type: 'json_schema',
      json_schema: { name: 'verdict', schema: { type: 'object' }, strict: false },
    });
    expect(form).toMatchObject({ kind: 'json_schema', name: 'verdict', strict: false });
    expect(responseFormatValue(form)).toEqual({
      ok: true,
      value: {
        type: 'json_schema',
        json_schema: { name: 'verdict', schema: { type: 'object' }, strict: false },
      },
    });
    expect(responseFormatValue({ ...form, kind: 'text' })).toEqual({ ok: true, value: undefined });
    expect(responseFormatValue({ ...form, name: 'no spaces allowed' }).ok).toBe(false);
  });

  it('validates a schema as typed: JSON syntax with line:col, then its shape', () => {
    const bad = checkJsonSchema('{\n  "type": "object",\n  "properties": }');
    expect(bad.ok).toBe(false);
    expect(bad.line).toBe(3);
    expect(bad.error).toMatch(/^Not valid JSON/);
    expect(checkJsonSchema('{"type": "obj"}').error).toMatch(/type must be one of/);
    expect(
      checkJsonSchema('{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["b"]}').error,
    ).toBe("schema.required names 'b', which is not in properties");
    expect(checkJsonSchema('[]').error).toBe('The schema must be a JSON object');
    expect(checkJsonSchema('{"type": "object", "properties": {"a": {"type": "string"}}}').ok).toBe(true);
  });
});

describe('llm form: messages', () => {
  it('reads a list, the prompt shorthand, or keeps other shapes raw', () => {
    const withMap = parse(FLOW).nodes[2].with;
    expect(readMessages(withMap)).toEqual({
      form: 'list',
      items: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: '{{ state.question }}' },
      ],
    });
    expect(readMessages({ prompt: 'Hi', system: 'Be kind' })).toEqual({
      form: 'prompt',
      prompt: 'Hi',
      system: 'Be kind',
    });
    expect(readMessages({ messages: '{{ state.messages }}' })).toEqual({
      form: 'raw',
      text: '{{ state.messages }}',
    });
    // A tool_calls message would lose its extra keys in the list editor: kept raw.
    expect(readMessages({ messages: [{ role: 'assistant', content: '', tool_calls: [] }] }).form).toBe('raw');
    expect(readMessages({})).toEqual({ form: 'list', items: [] });
  });

  it('writes a list back as {role, content} items, none as no key', () => {
    expect(messagesValue([])).toBeUndefined();
    expect(messagesValue([{ role: 'user', content: 'b' }])).toEqual([{ role: 'user', content: 'b' }]);
  });

  it('makes a tool entry from a registered action with a unique callable name', () => {
    expect(toolForAction('http.get', 'GET a URL', ['http_get'])).toEqual({
      name: 'http_get_2',
      description: 'GET a URL',
      action: 'http.get',
    });
    expect(
      toolForAction('json.parse', 'Parse', [], {
        text: 'JSON text',
        strict: 'optional: false allows comments',
      }).parameters,
    ).toEqual({
      text: { type: 'string', description: 'JSON text', required: true },
      strict: { type: 'string', description: 'false allows comments' },
    });
  });
});

describe('template completion', () => {
  const load = loadWorkflow(FLOW);
  const model = load.model!;
  const graph = buildGraph(model);

  it('finds the keys a Lua node returns, not its locals or strings', () => {
    expect(
      luaReturnKeys("local x = { ignored = 1 }\nreturn { angles = { 'a' }, count = #x, label = 'x, y = z' }"),
    ).toEqual(['angles', 'count', 'label']);
    expect(luaReturnKeys('if a == b then return { ok = true } end')).toEqual(['ok']);
  });

  it('knows the state at a node: run state, upstream outputs, schema, initial state', () => {
    const keys = stateKeysAt(model, graph, 'ask', { question: 'q', from_run: 1 });
    expect(keys.map((k) => k.key)).toEqual([
      'question',
      'from_run',
      'page',
      'angles',
      'count',
      'label',
      'topic',
    ]);
    expect(keys.find((k) => k.key === 'page')).toEqual({ key: 'page', source: 'upstream', from: 'fetch' });
    // A downstream node's output is not known before it runs.
    expect(stateKeysAt(model, graph, 'ask').map((k) => k.key)).not.toContain('answer');
    expect(stateKeysAt(model, graph, 'later').map((k) => k.key)).toContain('answer');
  });

  it('completes state keys after `state.` and filters after `|`, only inside a template', () => {
    const keys = stateKeysAt(model, graph, 'ask');
    const c = templateCompletion('Topic: {{ state.to', keys)!;
    expect(c.from).toBe('Topic: {{ state.'.length);
    expect(c.items.map((i) => i.label)).toEqual(['topic']);
    expect(c.items[0]!.detail).toBe('initial_state');
    expect(templateCompletion('plain state.to', keys)).toBeNull();
    expect(templateCompletion('{{ state.topic }} and state.', keys)).toBeNull();
    const f = templateCompletion('{{ state.topic | up', keys)!;
    expect(f.items.map((i) => i.label)).toEqual(['upper']);
    expect(templateCompletion('{% for a in state.', keys)!.items.length).toBe(keys.length);
    expect(templateCompletion('{{ ', keys, true)!.items.map((i) => i.label)).toContain('state.question');
  });
});

describe('llm form: odd values in the file never break the form', () => {
  it('reads any shape the YAML can hold into something it can show', () => {
    expect(readMessages({ messages: ['hi', 3] }).form).toBe('raw');
    expect(readMessages({ messages: [{ role: 'user', content: { a: 1 } }] })).toEqual({
      form: 'list',
      items: [{ role: 'user', content: '{"a":1}' }],
    });
    expect(readMessages({ messages: null, prompt: 5 })).toEqual({ form: 'list', items: [] });
    expect(readTools('{{ state.tools }}')).toBeNull();
    expect(readTools([1])).toBeNull();
    expect(readTools([{ name: 7 }])).toEqual([{ name: '', action: '', description: '' }]);
    expect(readResponseFormat({ type: 'json_schema', json_schema: 5 })).toMatchObject({
      kind: 'json_schema',
      name: 'result',
    });
    expect(readResponseFormat(42).unreadable).toBe('42');
    const t = llmFields('llm.call').find((f) => f.key === 'max_tokens')!;
    expect(parseLlmField(t, 'Infinity').ok).toBe(false);
    expect(parseLlmField(t, '1e400').ok).toBe(false);
    expect(parseLlmField(t, '0x10').ok).toBe(false);
  });

  it('bounds the JSON checks: deep nesting is an error, not a stack overflow', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect(checkJsonSchema(deep).ok).toBe(false);
    expect(checkJsonSchema('['.repeat(100_000)).error).toMatch(/nested too deeply/);
    const deepSchema = JSON.stringify(
      Array.from({ length: 100 }).reduce<object>((inner) => ({ type: 'object', properties: { a: inner } }), {
        type: 'string',
      }),
    );
    expect(checkJsonSchema(deepSchema).error).toMatch(/nested too deeply/);
    expect(checkJsonSchema('{"a": 1').error).toMatch(/line 1, column 8/);
  });
});
