// The form model of llm.* nodes and of settings.llm: which fields each action has, how a field's text
// maps to its YAML value (and back), what a field inherits from settings.llm, the model suggestions per
// provider, response_format and messages in the shapes the form edits. Pure: the React side
// (LlmFields.tsx) only renders this and sends the resulting path edits.
// ?raw: the renderer's tsconfig has no JSON modules; the table is small and parsed once.
import pricesText from '../../../../engine/llm/prices.json?raw';
import {
  DEFAULT_LLM_RETRIES,
  DEFAULT_LLM_TIMEOUT_S,
  DEFAULT_LLM_TOOL_ROUNDS,
  MAX_LLM_RETRIES,
  MAX_LLM_TIMEOUT_S,
  MAX_LLM_TOOL_ROUNDS,
} from '../../../../engine/limits.ts';
import type { Parsed } from './fields.ts';

export const LLM_ACTIONS = ['llm.call', 'llm.stream', 'llm.chat', 'llm.embed', 'llm.tools'] as const;
export type LlmAction = (typeof LLM_ACTIONS)[number];

/** The llm.* action a `uses:` names (TEA Python's `actions.llm_call` aliases too), else null. */
export function llmActionOf(uses: string | undefined): LlmAction | null {
  if (uses === undefined) return null;
  const name = uses.startsWith('actions.llm_') ? `llm.${uses.slice('actions.llm_'.length)}` : uses;
  return (LLM_ACTIONS as readonly string[]).includes(name) ? (name as LlmAction) : null;
}

export interface ProviderInfo {
  id: string;
  /** One line: what the provider needs to work. */
  needs: string;
}

/** TEA's providers, `auto` first (docs/llm.md: detection order and where each reads its endpoint). */
export const LLM_PROVIDERS: readonly ProviderInfo[] = [
  {
    id: 'auto',
    needs: 'Picks ollama if OLLAMA_API_BASE is set, azure if its key and endpoint are, else openai',
  },
  { id: 'openai', needs: 'OPENAI_API_KEY; api_base or OPENAI_BASE_URL for other OpenAI-compatible servers' },
  { id: 'azure', needs: 'AZURE_OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT (or api_base); model = deployment' },
  {
    id: 'ollama',
    needs: 'A running Ollama: api_base or OLLAMA_API_BASE (default http://localhost:11434/v1)',
  },
  { id: 'litellm', needs: 'A LiteLLM proxy: api_base or LITELLM_API_BASE (default http://localhost:4000)' },
  { id: 'anthropic', needs: 'ANTHROPIC_API_KEY (Messages API: no tools, no embeddings)' },
  { id: 'mock', needs: 'Nothing: echoes the last user message, or answers mock_response(s)' },
];

export function providerInfo(id: string | undefined): ProviderInfo | undefined {
  return LLM_PROVIDERS.find((p) => p.id === (id ?? '').toLowerCase());
}

// ---- fields ---------------------------------------------------------------------------------------

export type LlmFieldKind = 'provider' | 'model' | 'text' | 'number' | 'int';

export interface LlmFieldDef {
  key: string;
  label: string;
  kind: LlmFieldKind;
  min?: number;
  max?: number;
  /** What the engine uses when neither the node nor settings.llm sets the key. */
  fallback?: string;
  /** The placeholder when nothing is inherited and there is no single default value. */
  emptyText?: string;
  hint?: string;
}

const FIELD: Record<string, LlmFieldDef> = {
  provider: { key: 'provider', label: 'Provider', kind: 'provider', fallback: 'auto' },
  model: { key: 'model', label: 'Model', kind: 'model' },
  api_base: {
    key: 'api_base',
    label: 'API base URL',
    kind: 'text',
    emptyText: "the provider's default",
    hint: 'Any OpenAI-compatible server',
  },
  temperature: {
    key: 'temperature',
    label: 'Temperature',
    kind: 'number',
    min: 0,
    max: 2,
    fallback: '0.7',
  },
  max_tokens: {
    key: 'max_tokens',
    label: 'Max tokens',
    kind: 'int',
    min: 1,
    max: 10_000_000,
    emptyText: "the model's limit",
  },
  timeout: {
    key: 'timeout',
    label: 'Timeout (s)',
    kind: 'number',
    min: 0.001,
    max: MAX_LLM_TIMEOUT_S,
    fallback: String(DEFAULT_LLM_TIMEOUT_S),
    hint: 'The whole call, retries included',
  },
  max_retries: {
    key: 'max_retries',
    label: 'Max retries',
    kind: 'int',
    min: 0,
    max: MAX_LLM_RETRIES,
    fallback: String(DEFAULT_LLM_RETRIES),
  },
  rate_limiter: {
    key: 'rate_limiter',
    label: 'Rate limiter',
    kind: 'text',
    emptyText: 'none',
    hint: 'A name from settings.rate_limiters',
  },
  embedding_model: {
    key: 'embedding_model',
    label: 'Embedding model',
    kind: 'model',
    fallback: 'text-embedding-ada-002',
  },
  max_tool_rounds: {
    key: 'max_tool_rounds',
    label: 'Max tool rounds',
    kind: 'int',
    min: 1,
    max: MAX_LLM_TOOL_ROUNDS,
    fallback: String(DEFAULT_LLM_TOOL_ROUNDS),
  },
};

const CHAT_FIELDS = [
  'provider',
  'model',
  'api_base',
  'temperature',
  'max_tokens',
  'timeout',
  'max_retries',
  'rate_limiter',
];

/** The scalar fields of an action's form (messages, response format, tools, input are their own parts). */
export function llmFields(action: LlmAction | 'settings'): LlmFieldDef[] {
  if (action === 'llm.embed') {
    return ['provider', 'model', 'api_base', 'timeout', 'max_retries'].map((k) => {
      const def = FIELD[k]!;
      // An embed node's model falls back to settings.llm.embedding_model, not settings.llm.model.
      return k === 'model' ? { ...def, fallback: 'text-embedding-ada-002' } : def;
    });
  }
  const keys = action === 'settings' ? [...CHAT_FIELDS, 'embedding_model'] : CHAT_FIELDS;
  const out = keys.map((k) => FIELD[k]!);
  if (action === 'llm.tools') out.push(FIELD.max_tool_rounds!);
  return out;
}

/** The key of settings.llm a node field inherits from (embed's model reads embedding_model). */
export function inheritedKey(action: LlmAction | 'settings', key: string): string | null {
  if (action === 'settings') return null;
  if (key === 'max_tool_rounds') return null; // not read from settings.llm
  if (action === 'llm.embed' && key === 'model') return 'embedding_model';
  return key;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function asMap(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}

/** settings.llm of a model's raw top level. */
export function settingsLlm(raw: Record<string, unknown>): Record<string, unknown> {
  return asMap(asMap(raw['settings'])['llm']);
}

/** A field value as the form shows it (templates and lists as written). */
export function formatLlmValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The placeholder of an empty field: the value it inherits from settings.llm ("inherits gpt-4o-mini
 * from settings.llm"), else the engine's default, else nothing.
 */
export function inheritedPlaceholder(
  action: LlmAction | 'settings',
  def: LlmFieldDef,
  settings: Record<string, unknown>,
): { text: string; inherited: boolean } {
  const from = inheritedKey(action, def.key);
  if (from !== null && settings[from] !== undefined && settings[from] !== null) {
    return { text: `inherits ${formatLlmValue(settings[from])} from settings.llm`, inherited: true };
  }
  if (def.fallback !== undefined) return { text: `default ${def.fallback}`, inherited: false };
  if (def.emptyText !== undefined) return { text: def.emptyText, inherited: false };
  if (def.key === 'model') return { text: 'set here or in settings.llm', inherited: false };
  return { text: '', inherited: false };
}

const isTemplate = (s: string) => /{{|{%/.test(s);

/** A field's text → its YAML value; '' → undefined (the key is deleted: the node inherits again). */
export function parseLlmField(def: LlmFieldDef, input: string): Parsed<unknown> {
  const s = input.trim();
  if (s === '') return { ok: true, value: undefined };
  if (def.kind !== 'number' && def.kind !== 'int') return { ok: true, value: s };
  if (isTemplate(s)) return { ok: true, value: s };
  const n = Number(s);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) || !Number.isFinite(n)) {
    return { ok: false, error: `${def.label} must be a number` };
  }
  if (def.kind === 'int' && !Number.isInteger(n)) {
    return { ok: false, error: `${def.label} must be a whole number` };
  }
  if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) {
    return { ok: false, error: `${def.label} must be between ${def.min} and ${def.max}` };
  }
  return { ok: true, value: n };
}

// ---- model suggestions ----------------------------------------------------------------------------

const PRICED_MODELS = Object.keys(JSON.parse(pricesText) as Record<string, unknown>).filter(
  (k) => !k.startsWith('_'),
);
const isEmbedding = (m: string) => m.includes('embedding');
const isClaude = (m: string) => m.startsWith('claude');

/** Models known to prices.json that `provider` serves (embedding models for llm.embed only). */
export function modelSuggestions(provider: string | undefined, embed: boolean): string[] {
  const p = (provider ?? 'auto').toLowerCase();
  const kind = PRICED_MODELS.filter((m) => isEmbedding(m) === embed);
  if (p === 'anthropic') return embed ? [] : kind.filter(isClaude);
  if (p === 'ollama') return [];
  // The mock stands in for a real model: any name goes, and the price table still costs the run.
  if (p === 'mock') return kind;
  // openai, azure, litellm and auto speak OpenAI's wire: OpenAI's models (LiteLLM proxies any of them).
  return p === 'litellm' ? kind : kind.filter((m) => !isClaude(m));
}

/** The provider a node's call uses: its own, else settings.llm's (auto when neither sets one). */
export function effectiveProvider(
  withMap: Record<string, unknown>,
  settings: Record<string, unknown>,
): string | undefined {
  const own = withMap['provider'] ?? settings['provider'];
  return typeof own === 'string' ? own.toLowerCase() : undefined;
}

// ---- response_format ------------------------------------------------------------------------------

export type ResponseFormatKind = 'text' | 'json_object' | 'json_schema';

export interface ResponseFormatForm {
  kind: ResponseFormatKind;
  name: string;
  /** The schema as pretty JSON text (json_schema only). */
  schemaText: string;
  strict: boolean;
  /** The value is a template or another shape the form cannot edit. */
  unreadable?: string;
}

export const DEFAULT_SCHEMA_TEXT = JSON.stringify(
  { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] },
  null,
  2,
);

export function readResponseFormat(value: unknown): ResponseFormatForm {
  const base: ResponseFormatForm = {
    kind: 'text',
    name: 'result',
    schemaText: DEFAULT_SCHEMA_TEXT,
    strict: true,
  };
  if (value === undefined || value === null) return base;
  const type = typeof value === 'string' ? value : asMap(value)['type'];
  if (type !== 'text' && type !== 'json_object' && type !== 'json_schema') {
    return { ...base, unreadable: formatLlmValue(value) };
  }
  if (type !== 'json_schema') return { ...base, kind: type };
  const js = asMap(asMap(value)['json_schema']);
  return {
    kind: 'json_schema',
    name: typeof js['name'] === 'string' ? js['name'] : 'result',
    schemaText: js['schema'] === undefined ? DEFAULT_SCHEMA_TEXT : JSON.stringify(js['schema'], null, 2),
    strict: js['strict'] !== false,
  };
}

export interface SchemaCheck {
  ok: boolean;
  value?: Record<string, unknown>;
  error?: string;
  line?: number;
  col?: number;
}

const SCHEMA_TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

/** Line and column (1-based) of a character offset. */
function lineColOf(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, col: lines[lines.length - 1]!.length + 1 };
}

/** Offset and reason of the first JSON syntax error in `text` (a small recursive-descent scan). */
export function jsonErrorOffset(text: string): { offset: number; reason: string } {
  let i = 0;
  const fail = (reason: string): never => {
    throw { offset: i, reason };
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail('unexpected character');
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text[i] === '\n') fail('line break inside a string');
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
  };
  const value = (depth: number): void => {
    if (depth > 256) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a "key" in double quotes');
        string();
        ws();
        if (text[i] !== ':') fail("expected ':' after the key");
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    const num = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) return void (i += num[0].length);
    fail(c === undefined ? 'unexpected end' : 'expected a value');
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail('unexpected text after the value');
    return { offset: text.length, reason: 'not valid JSON' };
  } catch (e) {
    return e as { offset: number; reason: string };
  }
}

/** Validates a JSON schema as the user types: JSON syntax (with line:col), then the shape OpenAI needs. */
export function checkJsonSchema(text: string): SchemaCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // V8's message does not always carry a position: find the first bad character ourselves.
    const at = jsonErrorOffset(text);
    const pos = lineColOf(text, at.offset);
    return { ok: false, error: `Not valid JSON: ${at.reason} (line ${pos.line}, column ${pos.col})`, ...pos };
  }
  if (!isObject(value)) return { ok: false, error: 'The schema must be a JSON object', line: 1, col: 1 };
  const problem = schemaShapeProblem(value, 'schema', 0);
  return problem ? { ok: false, error: problem } : { ok: true, value };
}

function schemaShapeProblem(s: Record<string, unknown>, where: string, depth: number): string | null {
  if (depth > 32) return `${where}: nested too deeply`;
  const type = s['type'];
  const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
  for (const t of types) {
    if (typeof t !== 'string' || !SCHEMA_TYPES.has(t)) {
      return `${where}.type must be one of ${[...SCHEMA_TYPES].join(', ')}`;
    }
  }
  if (s['properties'] !== undefined) {
    if (!isObject(s['properties'])) return `${where}.properties must be an object`;
    for (const [k, v] of Object.entries(s['properties'])) {
      if (!isObject(v)) return `${where}.properties.${k} must be a schema object`;
      const inner = schemaShapeProblem(v, `${where}.properties.${k}`, depth + 1);
      if (inner) return inner;
    }
  }
  const required = s['required'];
  if (required !== undefined) {
    if (!Array.isArray(required) || required.some((r) => typeof r !== 'string')) {
      return `${where}.required must be a list of property names`;
    }
    const props = asMap(s['properties']);
    const missing = required.find((r) => !(r in props));
    if (missing !== undefined) return `${where}.required names '${missing}', which is not in properties`;
  }
  if (s['items'] !== undefined) {
    if (!isObject(s['items'])) return `${where}.items must be a schema object`;
    return schemaShapeProblem(s['items'], `${where}.items`, depth + 1);
  }
  return null;
}

/** The YAML value for a response format (undefined for text: TEA's default, the key goes away). */
export function responseFormatValue(form: ResponseFormatForm): Parsed<unknown> {
  if (form.kind === 'text') return { ok: true, value: undefined };
  if (form.kind === 'json_object') return { ok: true, value: { type: 'json_object' } };
  const checked = checkJsonSchema(form.schemaText);
  if (!checked.ok) return { ok: false, error: checked.error! };
  const name = form.name.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    return { ok: false, error: 'Schema name: 1–64 letters, digits, _ or -' };
  }
  return {
    ok: true,
    value: { type: 'json_schema', json_schema: { name, schema: checked.value, strict: form.strict } },
  };
}

// ---- messages -------------------------------------------------------------------------------------

export const MESSAGE_ROLES = ['system', 'user', 'assistant'] as const;

export interface MessageItem {
  role: string;
  content: string;
}

export type MessagesForm =
  | { form: 'list'; items: MessageItem[] }
  /** `prompt:` (+ `system:`), TEA's shorthand. */
  | { form: 'prompt'; prompt: string; system: string | undefined }
  /** A template (`{{ state.messages }}`) or a shape the list editor cannot show. */
  | { form: 'raw'; text: string };

export function readMessages(withMap: Record<string, unknown>): MessagesForm {
  const messages = withMap['messages'];
  if (messages === undefined || messages === null) {
    if (typeof withMap['prompt'] === 'string') {
      const system = withMap['system'];
      return {
        form: 'prompt',
        prompt: withMap['prompt'],
        system: typeof system === 'string' ? system : undefined,
      };
    }
    return { form: 'list', items: [] };
  }
  if (!Array.isArray(messages)) return { form: 'raw', text: formatLlmValue(messages) };
  const items: MessageItem[] = [];
  for (const m of messages) {
    if (!isObject(m) || typeof m['role'] !== 'string') return { form: 'raw', text: JSON.stringify(messages) };
    const extra = Object.keys(m).filter((k) => k !== 'role' && k !== 'content');
    // tool_calls, name …: the list editor would drop them on a reorder; keep such lists as written.
    if (extra.length > 0) return { form: 'raw', text: JSON.stringify(messages) };
    const c = m['content'];
    items.push({
      role: m['role'],
      content: typeof c === 'string' ? c : c === undefined || c === null ? '' : JSON.stringify(c),
    });
  }
  return { form: 'list', items };
}

/** The `messages:` value written after a structural change (add, remove, reorder). */
export function messagesValue(items: readonly MessageItem[]): unknown {
  return items.length === 0 ? undefined : items.map((m) => ({ role: m.role, content: m.content }));
}

/** `prompt` (+ `system`) as the equivalent messages list (TEA-LLM-005). */
export function promptToMessages(prompt: string, system: string | undefined): MessageItem[] {
  return [
    ...(system !== undefined ? [{ role: 'system', content: system }] : []),
    { role: 'user', content: prompt },
  ];
}

// ---- llm.tools ------------------------------------------------------------------------------------

export interface ToolItem {
  name: string;
  action: string;
  description: string;
}

export function readTools(value: unknown): ToolItem[] | null {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return null;
  const out: ToolItem[] = [];
  for (const t of value) {
    if (!isObject(t)) return null;
    out.push({
      name: typeof t['name'] === 'string' ? t['name'] : '',
      action: typeof t['action'] === 'string' ? t['action'] : '',
      description: typeof t['description'] === 'string' ? t['description'] : '',
    });
  }
  return out;
}

/**
 * A tool entry for a registered action: a name the model can call (letters, digits, _), its
 * description, and its parameters from the catalogue (those not marked optional are required).
 */
export function toolForAction(
  action: string,
  description: string | undefined,
  taken: readonly string[],
  params: Record<string, string> = {},
): Record<string, unknown> {
  const base = action.replace(/[^A-Za-z0-9_]/g, '_');
  let name = base;
  for (let i = 2; taken.includes(name); i++) name = `${base}_${i}`;
  const parameters: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(params)) {
    if (key === '*') continue;
    const optional = text.startsWith('optional:');
    parameters[key] = {
      type: 'string',
      description: optional ? text.slice('optional:'.length).trim() : text,
      ...(optional ? {} : { required: true }),
    };
  }
  return {
    name,
    description: description ?? action,
    ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
    action,
  };
}

// ---- problems under their field -------------------------------------------------------------------

/**
 * The form part a validation message of an llm node belongs to (llm-validate.ts words them with the
 * parameter's name): 'messages.<i>', 'messages', 'response_format', 'provider', or null (general).
 */
export function llmProblemField(message: string): string | null {
  const item = /messages\[(\d+)\]/.exec(message);
  if (item) return `messages.${item[1]}`;
  if (/'messages'/.test(message)) return 'messages';
  if (/response_format/.test(message)) return 'response_format';
  if (/provider '/.test(message)) return 'provider';
  return null;
}
