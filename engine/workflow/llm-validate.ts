// Load-time checks of llm.* nodes, with line:col: `messages` shaped as the APIs need, a known
// `provider`, a usable `response_format`, and no API key written into the file (keys belong in the
// environment or a `.env` beside the workflow; a key in YAML would be saved, exported and shared).
// Values that are templates are left to run time. Pure (no Node imports).
import type { Locator } from './validate.ts';
import type { NodeSpec, Problem, SourcePos, WorkflowModel } from './types.ts';

const PROVIDERS = [
  'auto',
  'openai',
  'azure',
  'azure_openai',
  'azureopenai',
  'ollama',
  'litellm',
  'anthropic',
  'mock',
];
/** TEA Python's providers that Fanout does not have: the file is fine, a run fails at the node. */
const TEA_ONLY_PROVIDERS = ['shell', 'local'];
const ROLES = ['system', 'user', 'assistant', 'tool', 'developer'];
const FORMATS = ['text', 'json_object', 'json_schema'];
const SECRET_KEYS = ['api_key', 'apiKey', 'key', 'token', 'openai_api_key', 'anthropic_api_key'];
const KEY_HINT =
  'put it in the environment or in a .env file beside the workflow (OPENAI_API_KEY, ANTHROPIC_API_KEY, …; see docs/llm.md)';

const isTemplate = (v: unknown) => typeof v === 'string' && /{{|{%/.test(v);
/** `${VAR}` / `${VAR:-default}`: TEA's reference to the environment, where keys belong — not a key. */
const isEnvReference = (v: unknown) =>
  typeof v === 'string' && /^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$/.test(v.trim());
const isWrittenKey = (v: unknown) => v !== undefined && v !== null && !isEnvReference(v) && !isTemplate(v);
const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems of every llm.* node (top level) and of settings.llm. */
export function llmProblems(model: WorkflowModel, locator: Locator, file?: string): Problem[] {
  const problems: Problem[] = [];
  const push = (
    code: string,
    message: string,
    at: SourcePos | null,
    node?: string,
    severity: Problem['severity'] = 'error',
  ) => {
    const p: Problem = { severity, code, message, line: at?.line ?? 1, col: at?.col ?? 1 };
    if (node !== undefined) p.node = node;
    if (file !== undefined) p.file = file;
    problems.push(p);
  };
  const settings = isMap(model.raw['settings']) ? model.raw['settings'] : {};
  const llm = isMap(settings['llm']) ? settings['llm'] : {};
  for (const key of SECRET_KEYS) {
    if (isWrittenKey(llm[key])) {
      push(
        'LLM_KEY_IN_FILE',
        `settings.llm.${key}: an API key does not belong in the workflow file; ${KEY_HINT}`,
        locator.at(['settings', 'llm', key]),
      );
    }
  }
  if (llm['provider'] !== undefined)
    checkProvider(llm['provider'], () => locator.at(['settings', 'llm', 'provider'], 'value'), undefined);
  model.nodes.forEach((node, index) => {
    if (!node.uses || !/^(llm\.|actions\.llm_)/.test(node.uses) || !isMap(node.with)) return;
    checkNode(node, index, node.with);
  });
  return problems;

  // `at` is a thunk: positions need a second parse of the document, so only a problem asks for one.
  function checkProvider(value: unknown, at: () => SourcePos | null, node: string | undefined): void {
    if (typeof value !== 'string' || isTemplate(value)) return;
    if (TEA_ONLY_PROVIDERS.includes(value.toLowerCase())) {
      push(
        'LLM_PROVIDER_UNAVAILABLE',
        `provider '${value}' (TEA Python's) is not available in Fanout; a run fails at this node`,
        at(),
        node,
        'warning',
      );
      return;
    }
    if (!PROVIDERS.includes(value.toLowerCase())) {
      push(
        'LLM_UNKNOWN_PROVIDER',
        `unknown provider '${value}' (known: ${PROVIDERS.filter((p) => !p.startsWith('azure')).join(', ')}, azure)`,
        at(),
        node,
      );
    }
  }

  function checkNode(node: NodeSpec, index: number, params: Record<string, unknown>): void {
    const path = (...rest: (string | number)[]) => ['nodes', index, 'with', ...rest];
    const at = (part: 'key' | 'value', ...rest: (string | number)[]) => locator.at(path(...rest), part);
    for (const key of SECRET_KEYS) {
      if (isWrittenKey(params[key])) {
        push(
          'LLM_KEY_IN_FILE',
          `node '${node.name}': '${key}' — an API key does not belong in the workflow file; ${KEY_HINT}`,
          at('key', key),
          node.name,
        );
      }
    }
    checkProvider(params['provider'], () => at('value', 'provider'), node.name);
    const messages = params['messages'];
    if (messages !== undefined && !isTemplate(messages)) {
      if (!Array.isArray(messages) || messages.length === 0) {
        push(
          'LLM_BAD_MESSAGES',
          `node '${node.name}': 'messages' must be a non-empty list of {role, content}`,
          at('value', 'messages'),
          node.name,
        );
      } else {
        messages.forEach((m, i) => {
          if (isTemplate(m)) return;
          if (!isMap(m)) {
            push(
              'LLM_BAD_MESSAGES',
              `node '${node.name}': messages[${i}] must be a mapping {role, content}`,
              at('value', 'messages', i),
              node.name,
            );
            return;
          }
          const role = m['role'];
          if (!isTemplate(role) && (typeof role !== 'string' || !ROLES.includes(role))) {
            push(
              'LLM_BAD_MESSAGES',
              `node '${node.name}': messages[${i}].role must be one of ${ROLES.join(', ')}`,
              at('value', 'messages', i, ...(role === undefined ? [] : ['role'])),
              node.name,
            );
          }
          if (!('content' in m) && !('tool_calls' in m)) {
            push(
              'LLM_BAD_MESSAGES',
              `node '${node.name}': messages[${i}] has no content`,
              at('value', 'messages', i),
              node.name,
            );
          }
        });
      }
    } else if (
      messages === undefined &&
      params['prompt'] === undefined &&
      node.uses !== 'llm.embed' &&
      node.uses !== 'actions.llm_embed'
    ) {
      // A warning, not an error: overlays and partial files leave them out, and TEA only fails at run time.
      push(
        'LLM_MISSING_MESSAGES',
        `node '${node.name}': ${node.uses} needs 'messages' (a list of {role, content}) or 'prompt'; a run fails at this node`,
        locator.at(['nodes', index, 'with']),
        node.name,
        'warning',
      );
    }
    const format = params['response_format'];
    if (format !== undefined && !isTemplate(format)) {
      const type = typeof format === 'string' ? format : isMap(format) ? format['type'] : undefined;
      if (typeof type !== 'string' || !FORMATS.includes(type)) {
        push(
          'LLM_BAD_RESPONSE_FORMAT',
          `node '${node.name}': response_format.type must be one of ${FORMATS.join(', ')}`,
          at('value', 'response_format'),
          node.name,
        );
      } else if (type === 'json_schema' && !(isMap(format) && isMap(format['json_schema']))) {
        push(
          'LLM_BAD_RESPONSE_FORMAT',
          `node '${node.name}': response_format json_schema needs json_schema: {name, schema}`,
          at('value', 'response_format'),
          node.name,
        );
      }
    }
  }
}
