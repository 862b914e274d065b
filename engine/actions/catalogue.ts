// The built-in actions as pure data (name, description, parameters): the one place they are described.
// The registry takes each built-in's description from here (register() without info), and the
// renderer's node picker reads it directly (the registry's handlers import Node modules, this list does
// not). catalogue.test.ts keeps it equal to createDefaultRegistry() (TEA Python's `actions.*` aliases
// left out: the picker offers each action once).
export interface ActionCatalogueEntry {
  name: string;
  description?: string;
  params?: Record<string, string>;
}

/** The parameters every chat-model action shares. */
const LLM_PARAMS = {
  model: 'model name (default settings.llm.model)',
  messages: 'list of {role, content}; or prompt (+ system)',
  temperature: 'optional: 0..2 (default 0.7)',
  max_tokens: 'optional: most tokens to generate',
  provider: 'optional: auto | openai | azure | ollama | litellm | anthropic | mock',
  api_base: 'optional: base URL of an OpenAI-compatible server',
  timeout: 'optional: deadline of the whole call in seconds (default 300)',
  max_retries: 'optional: retries on 429/5xx/network errors (default 2)',
  rate_limiter: 'optional: a name from settings.rate_limiters',
};

export const ACTION_CATALOGUE: readonly ActionCatalogueEntry[] = [
  {
    name: 'core.return',
    description:
      'Set the final values of a path: every parameter becomes a state key. Ends nothing by itself (route to __end__).',
    params: {
      '*': 'any key: the value to store under it',
    },
  },
  {
    name: 'core.switch',
    description:
      "Route on a value: returns {_route: value} for a goto mapping keyed by _route ('true'/'false'…).",
    params: {
      value: 'value to route on (booleans become "true"/"false")',
    },
  },
  {
    name: 'data.merge',
    description: 'Merge a list of objects. Returns {result, source_count, success}.',
    params: {
      sources: 'list of objects, later ones win',
      strategy: "optional: 'deep' (default), 'shallow' or 'replace'",
    },
  },
  {
    name: 'file.exists',
    description: 'Check a path inside the workflow folder. Returns {exists, is_file, is_dir}.',
    params: {
      path: 'path, relative to the workflow folder',
    },
  },
  {
    name: 'file.list',
    description:
      'List a folder inside the workflow folder. Returns {files: [{name, path, is_file, is_dir}]}.',
    params: {
      path: "optional: folder, relative to the workflow folder (default '.')",
      pattern: 'optional: substring, or glob with * and ?, the names must match',
    },
  },
  {
    name: 'file.read',
    description: 'Read a text file inside the workflow folder. Returns {content, success}.',
    params: {
      path: 'file path, relative to the workflow folder',
      encoding: "optional: text encoding (default 'utf-8')",
    },
  },
  {
    name: 'file.write',
    description:
      'Atomically write a text file inside the workflow folder (creates parent folders). Returns {path, success}.',
    params: {
      path: 'file path, relative to the workflow folder',
      content: 'text to write (other values as JSON)',
    },
  },
  {
    name: 'http.get',
    description: 'HTTP GET. Returns the decoded JSON body (text when not JSON); non-2xx fails.',
    params: {
      url: 'http(s) url',
      headers: 'optional: map of header values',
      timeout: 'optional: seconds (default 30)',
    },
  },
  {
    name: 'http.post',
    description:
      'HTTP POST with a JSON or text body. Returns the decoded JSON body (text when not JSON); non-2xx fails.',
    params: {
      url: 'http(s) url',
      json: 'optional: value sent as a JSON body',
      body: 'optional: raw text body (when json is absent)',
      headers: 'optional: map of header values',
      timeout: 'optional: seconds (default 30)',
    },
  },
  {
    name: 'json.parse',
    description:
      'Parse a JSON string. Returns {data, success} or {success: false, error, error_type, position}.',
    params: {
      text: 'JSON text to parse',
      strict: 'optional: false allows comments and trailing commas (default true)',
      default: 'optional: value returned as data when parsing fails and strict is false',
    },
  },
  {
    name: 'json.stringify',
    description: 'Serialize a value to JSON text (Python json.dumps formatting). Returns {text, success}.',
    params: {
      data: 'value to serialize',
      indent: 'optional: spaces per indentation level (compact when absent)',
      sort_keys: 'optional: sort object keys (default false)',
    },
  },
  {
    name: 'llm.call',
    description: 'Call a chat model. Returns {content, usage}.',
    params: {
      ...LLM_PARAMS,
      response_format: 'optional: {type: json_object | json_schema, …}',
    },
  },
  {
    name: 'llm.chat',
    description: 'Chat completion. Returns {content, model, usage}.',
    params: {
      ...LLM_PARAMS,
    },
  },
  {
    name: 'llm.embed',
    description: 'Text embeddings. Returns {embedding, dimensions} ({embeddings, …} for a list).',
    params: {
      text: 'a string or a list of strings',
      model: 'optional: default settings.llm.embedding_model',
      provider: LLM_PARAMS.provider,
      api_base: LLM_PARAMS.api_base,
    },
  },
  {
    name: 'llm.stream',
    description: 'Call a chat model streaming tokens live. Returns {content, usage, streamed, chunk_count}.',
    params: {
      ...LLM_PARAMS,
    },
  },
  {
    name: 'llm.tools',
    description:
      'Function calling: tools map to registered actions. Returns {content, tool_calls, tool_results, rounds}.',
    params: {
      ...LLM_PARAMS,
      tools: 'list of {name, description, parameters, action}',
      tool_choice: 'optional: auto | none | a tool name',
      max_tool_rounds: 'optional: default 10',
    },
  },
  {
    name: 'lua.eval',
    description: "Run Lua code with `state` in the run's sandboxed VM. Returns what the code returns.",
    params: {
      code: 'Lua source (a chunk; `return` its result)',
    },
  },
  {
    name: 'memory.retrieve',
    description:
      'Read a stored value. Returns {value, found, key}; value is `default` when missing or expired.',
    params: {
      key: 'key to read',
      default: 'optional: value returned when the key is missing',
      namespace: "optional: key namespace (default 'default')",
    },
  },
  {
    name: 'memory.store',
    description: 'Store a value for the rest of the run. Returns {stored, key, namespace}.',
    params: {
      key: 'key to store under',
      value: 'value to store',
      ttl: 'optional: seconds until the value expires',
      namespace: "optional: key namespace (default 'default')",
    },
  },
  {
    name: 'retry.loop',
    description:
      'Validate, and on failure run a correction node and validate again. Returns the state with _retry_count, _retry_errors, _retry_result, _retry_exhausted and the last validation result.',
    params: {
      validate: 'validation action to call (e.g. validate.input)',
      validate_args: 'optional: parameters for the validation action',
      correct: 'name of the node that corrects the state',
      max_retries: 'optional: correction attempts (default 1)',
      retry_delay: 'optional: seconds between attempts (default 0, at most 60)',
    },
  },
  {
    name: 'return',
    description: "TEA WASM's return: `value` is the result (a mapping is merged into the state).",
    params: {
      value: 'value to return (templates rendered)',
    },
  },
  {
    name: 'schema.merge',
    description:
      'Deep-merge JSON Schemas (kubectl-style; later wins). Returns {success, <output_key>, validation?}.',
    params: {
      schemas: 'list of sources: {inline: schema} or {path: file.json|.yaml} (in the workflow folder)',
      validate: 'optional: check the merged schema is valid JSON Schema (default false)',
      output_key: "optional: result key for the merged schema (default 'merged_schema')",
    },
  },
  {
    name: 'state.set',
    description: 'Set state keys: every parameter becomes a key of the state (values are templates).',
    params: {
      '*': 'any key: the value to store under it',
    },
  },
  {
    name: 'template',
    description: 'Render a Jinja template to text. Returns the text (as `result` unless `output:` is set).',
    params: {
      template: 'the template text',
    },
  },
  {
    name: 'template.render',
    description: 'Render a Jinja template to text (TEA docs name). Returns the text.',
    params: {
      template: 'the template text',
    },
  },
  {
    name: 'validate.input',
    description:
      'Validate data against a field schema, with TEA coercion. Returns {valid, data} or {valid: false, errors}.',
    params: {
      schema:
        'mapping: field -> {type, required, default, min_length, max_length, pattern, min, max, choices, properties, items}',
      data: 'optional: the value to validate (default: the whole state)',
      raise_on_error: 'optional: fail the node instead of returning errors (default false)',
    },
  },
  {
    name: 'validate.schema',
    description:
      'Check a field schema for validate.input. Returns {schema, valid} or {schema: null, valid: false, error}.',
    params: {
      schema: 'mapping: field -> field schema',
    },
  },
];

const BY_NAME = new Map(ACTION_CATALOGUE.map((entry) => [entry.name, entry]));

/** The catalogue's description and parameters of a built-in action, or undefined. */
export function catalogueInfo(name: string): Omit<ActionCatalogueEntry, 'name'> | undefined {
  const entry = BY_NAME.get(name);
  return (
    entry && {
      ...(entry.description ? { description: entry.description } : {}),
      ...(entry.params ? { params: entry.params } : {}),
    }
  );
}

/** Registration info of TEA Python's `actions.*` alias of a built-in: its parameters, "Alias of …". */
export function aliasInfo(target: string): { description: string; params?: Record<string, string> } {
  const params = BY_NAME.get(target)?.params;
  return { description: `Alias of ${target} (TEA Python).`, ...(params ? { params } : {}) };
}
