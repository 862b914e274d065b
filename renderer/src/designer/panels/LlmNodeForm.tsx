// The inspector of an llm.* node: provider and model (with what each inherits from settings.llm),
// sampling and call limits, response format with a JSON schema editor, messages (or TEA's prompt
// shorthand), llm.tools' tools, llm.embed's input, mock answers when the provider is mock. Every
// control edits one key under `with:` with setNodePath, so the YAML changes only there.
import { useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { ACTION_CATALOGUE } from '../../../../engine/actions/catalogue.ts';
import {
  appendNodeSeqItem,
  moveNodeSeqItem,
  removeNodeSeqItem,
  setNodeField,
  setNodePath,
} from '../../../../engine/workflow/edit.ts';
import type { NodeSpec } from '../../../../engine/workflow/types.ts';
import type { DocumentStore } from '../document-store.ts';
import type { UiStore } from '../ui-store.ts';
import { ActionButton } from '../../actions/ActionButton.tsx';
import { useRunBridge } from '../../run/run-context.ts';
import { CodeEditor } from './CodeEditor.tsx';
import { TextField, tryEdit } from './Fields.tsx';
import { LlmField } from './LlmFields.tsx';
import {
  asMap,
  checkJsonSchema,
  effectiveProvider,
  formatLlmValue,
  llmFields,
  llmProblemField,
  readMessages,
  readResponseFormat,
  readTools,
  responseFormatValue,
  settingsLlm,
  toolForAction,
} from './llm-form.ts';
import type { LlmAction, ResponseFormatForm, ResponseFormatKind } from './llm-form.ts';
import { MessagesEditor } from './MessagesEditor.tsx';
import { problemText } from './problems.ts';
import { mainLineRowKey } from './run-section.ts';
import { NO_RUNS, NO_VIEW } from './run-stores.ts';
import { stateKeysAt, templateCompletion } from './template-completion.ts';

/** `with:` keys this form edits; the rest are listed as "also set in the YAML". */
const FORM_KEYS = new Set([
  // Every scalar field any node form shows (llm.tools' list is the widest).
  ...llmFields('llm.tools').map((f) => f.key),
  'messages',
  'prompt',
  'system',
  'response_format',
  'mock_response',
  'mock_responses',
  'tools',
  'text',
]);

/** The state the last run had when it reached `node` (main line), if any. */
function useRunStateAt(node: string): Record<string, unknown> | undefined {
  const bridge = useRunBridge();
  const runId = useStore(bridge?.view ?? NO_VIEW, (s) => s.canvasRunId);
  return useStore(bridge?.runs ?? NO_RUNS, (s) => {
    const run = runId ? s.runs[runId] : undefined;
    const key = mainLineRowKey(run, node);
    return key === undefined ? undefined : run!.nodeStates.get(key)?.before;
  });
}

export function LlmNodeForm({
  doc,
  ui,
  spec,
  action,
}: {
  doc: DocumentStore;
  ui: UiStore;
  spec: NodeSpec;
  action: LlmAction;
}) {
  const model = useStore(doc, (s) => s.load.model)!;
  const graph = useStore(doc, (s) => s.graph);
  const problems = useStore(doc, (s) => s.problems);
  const runState = useRunStateAt(spec.name);
  const name = spec.name;
  const withMap = asMap(spec.raw['with']);
  const settings = settingsLlm(model.raw);
  const provider = effectiveProvider(withMap, settings);
  const limiters = Object.keys(asMap(asMap(model.raw['settings'])['rate_limiters']));

  const keys = useMemo(() => stateKeysAt(model, graph, name, runState), [model, graph, name, runState]);
  const complete = (before: string, explicit: boolean) => templateCompletion(before, keys, explicit);

  const setPath = (path: (string | number)[], value: unknown, label: string): string | null =>
    tryEdit(() =>
      doc.getState().edit((t) => setNodePath(t, name, ['with', ...path], value), {
        label: `${label} of ${name}`,
        coalesceKey: `llm:${name}:${path.join('.')}`,
      }),
    );
  const setKey = (key: string, value: unknown, label: string) => setPath([key], value, label);
  const setMany = (changes: [string, unknown][], label: string): string | null =>
    tryEdit(() =>
      doc
        .getState()
        .edit((t) => changes.reduce((acc, [key, value]) => setNodePath(acc, name, ['with', key], value), t), {
          label: `${label} of ${name}`,
        }),
    );
  const listEdit = (fn: (t: string) => string, label: string): string | null =>
    tryEdit(() => doc.getState().edit(fn, { label: `${label} of ${name}` }));
  const M = ['with', 'messages'];
  const undo = () => doc.getState().undo();
  const redo = () => doc.getState().redo();

  // Validation problems of this node, placed under the part they name (the rest at the top).
  const byField = new Map<string, ReactNode>();
  const general: ReactNode[] = [];
  problems
    .filter((p) => p.node === name && /^LLM/.test(p.code))
    .forEach((p, i) => {
      const line = (
        <button
          key={i}
          type="button"
          className="llm-problem"
          data-severity={p.severity}
          data-testid="llm-problem"
          onClick={() => ui.getState().requestFocus({ node: name, line: p.line })}
        >
          {problemText(p)}
        </button>
      );
      const field = llmProblemField(p.message);
      if (field === null) general.push(line);
      else byField.set(field, line);
    });

  const usesKey = spec.raw['uses'] === undefined && spec.raw['action'] !== undefined ? 'action' : 'uses';
  const canStream = action === 'llm.call' || action === 'llm.stream';
  const others = Object.keys(withMap).filter((k) => !FORM_KEYS.has(k));
  const fieldDefs = llmFields(action);
  const field = (key: string) => {
    const def = fieldDefs.find((f) => f.key === key);
    return def ? (
      <LlmField
        key={key}
        action={action}
        def={def}
        value={withMap[key]}
        settings={settings}
        provider={provider}
        limiters={limiters}
        onSet={setKey}
        testPrefix="llm"
        problem={byField.get(key)}
      />
    ) : null;
  };

  const rawWith = spec.raw['with'];
  if (rawWith !== undefined && rawWith !== null && (typeof rawWith !== 'object' || Array.isArray(rawWith))) {
    // `with:` is a template or a list: the form cannot edit its parts (and must not write over it).
    return (
      <div className="fp-section llm-form" data-testid="llm-form" data-action={action}>
        <div className="fp-field">
          <span className="fp-label">Parameters (with:)</span>
          <div className="llm-raw fp-mono">{formatLlmValue(rawWith)}</div>
          <div className="fp-hint">Not a mapping: edit it in the YAML panel.</div>
        </div>
      </div>
    );
  }
  return (
    <div className="fp-section llm-form" data-testid="llm-form" data-action={action}>
      {general.length > 0 ? <div className="llm-problems">{general}</div> : null}
      {/* Full width: "inherits gpt-4o-mini from settings.llm" must be readable in a narrow inspector. */}
      {field('provider')}
      {field('model')}
      {canStream ? (
        <label className="llm-toggle" data-testid="llm-stream">
          <input
            type="checkbox"
            checked={action === 'llm.stream'}
            onChange={(e) =>
              tryEdit(() =>
                doc
                  .getState()
                  .edit((t) => setNodeField(t, name, usesKey, e.target.checked ? 'llm.stream' : 'llm.call'), {
                    label: `${e.target.checked ? 'Stream' : 'Stop streaming'} ${name}`,
                  }),
              )
            }
          />
          Stream tokens live (llm.stream)
        </label>
      ) : null}

      {action === 'llm.embed' ? (
        <EmbedInput value={withMap['text']} setKey={setKey} complete={complete} undo={undo} redo={redo} />
      ) : (
        <MessagesEditor
          form={readMessages(withMap)}
          onSetPath={setPath}
          onAppend={(m) => listEdit((t) => appendNodeSeqItem(t, name, M, m), 'Add message')}
          onRemove={(i) => listEdit((t) => removeNodeSeqItem(t, name, M, i), 'Remove message')}
          onMove={(from, to) => listEdit((t) => moveNodeSeqItem(t, name, M, from, to), 'Reorder messages')}
          onSetMany={setMany}
          complete={complete}
          onUndo={undo}
          onRedo={redo}
          problems={byField}
        />
      )}

      {action !== 'llm.embed' ? (
        <>
          {field('temperature')}
          <ResponseFormatEditor
            value={withMap['response_format']}
            setKey={setKey}
            problem={byField.get('response_format')}
          />
        </>
      ) : null}

      {action === 'llm.tools' ? <ToolsEditor value={withMap['tools']} setKey={setKey} /> : null}

      {provider === 'mock' ? <MockFields withMap={withMap} setKey={setKey} /> : null}

      <details
        className="llm-more"
        open={fieldDefs.some(
          (f) =>
            f.key !== 'provider' &&
            f.key !== 'model' &&
            f.key !== 'temperature' &&
            withMap[f.key] !== undefined,
        )}
      >
        <summary>Endpoint and limits</summary>
        <div className="llm-more-body">
          {field('api_base')}
          <div className="llm-grid">
            {field('max_tokens')}
            {field('timeout')}
            {field('max_retries')}
            {field('max_tool_rounds')}
          </div>
          {field('rate_limiter')}
        </div>
      </details>

      {others.length > 0 ? (
        <div className="fp-hint" data-testid="llm-other-keys">
          Also set in the YAML: {others.join(', ')}
        </div>
      ) : null}
      <ProviderKeysHint />

      <TextField
        label="Output"
        value={spec.output ?? ''}
        placeholder="state key for the result"
        testId="inspector-output"
        monospace
        onCommit={(v) =>
          tryEdit(() =>
            doc
              .getState()
              .edit((t) => setNodeField(t, name, 'output', v.trim() === '' ? undefined : v.trim()), {
                label: `Set output of ${name}`,
                coalesceKey: `field:${name}:output`,
              }),
          )
        }
      />
    </div>
  );
}

type SetKey = (key: string, value: unknown, label: string) => string | null;

/** Where keys live instead of the file, with the Providers page one click away (registry action). */
export function ProviderKeysHint() {
  return (
    <div className="fp-hint llm-keys" data-testid="llm-keys-hint">
      API keys never go in the workflow: they come from the environment, a .env beside the file, or{' '}
      <span className="llm-keys-link">
        <ActionButton id="settings:providers" testId="llm-open-providers">
          Providers and API keys…
        </ActionButton>
      </span>
    </div>
  );
}

function EmbedInput(props: {
  value: unknown;
  setKey: SetKey;
  complete: (before: string, explicit: boolean) => ReturnType<typeof templateCompletion>;
  undo: () => void;
  redo: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  if (props.value !== undefined && typeof props.value !== 'string') {
    return (
      <div className="fp-field" data-testid="llm-embed-text">
        <span className="fp-label">Input text</span>
        <div className="llm-raw fp-mono">{formatLlmValue(props.value)}</div>
        <div className="fp-hint">A list of texts: edit it in the YAML panel.</div>
      </div>
    );
  }
  return (
    <div className="fp-field" data-testid="llm-embed-text">
      <span className="fp-label">Input text (a string, or a template giving a list)</span>
      <CodeEditor
        language="text"
        compact
        value={props.value ?? ''}
        placeholder="{{ state.document }}"
        ariaLabel="Text to embed"
        complete={props.complete}
        onUndo={props.undo}
        onRedo={props.redo}
        onChange={(v) => setError(props.setKey('text', v === '' ? undefined : v, 'Edit input'))}
      />
      {error !== null ? <div className="fp-error">{error}</div> : null}
    </div>
  );
}

const FORMAT_LABEL: Record<ResponseFormatKind, string> = {
  text: 'Text',
  json_object: 'JSON object',
  json_schema: 'JSON schema',
};

/** True when `draft` is the JSON that `pretty` prints (formatting aside). */
function sameJson(draft: string, pretty: string): boolean {
  try {
    return JSON.stringify(JSON.parse(draft), null, 2) === pretty;
  } catch {
    return false;
  }
}

/** The schema text as typed, kept until the document's schema really differs from it. */
function useSchemaDraft(form: ResponseFormatForm): [string, (v: string) => void] {
  const docKey = form.kind === 'json_schema' ? form.schemaText : '';
  const [draft, setDraft] = useState(form.schemaText);
  const [seen, setSeen] = useState(docKey);
  if (docKey !== seen) {
    setSeen(docKey);
    if (!sameJson(draft, form.schemaText)) setDraft(form.schemaText);
  }
  return [draft, setDraft];
}

function ResponseFormatEditor(props: { value: unknown; setKey: SetKey; problem: ReactNode }) {
  const form = readResponseFormat(props.value);
  const [draft, setDraft] = useSchemaDraft(form);
  const [error, setError] = useState<string | null>(null);
  const check = form.kind === 'json_schema' ? checkJsonSchema(draft) : null;
  const write = (next: ResponseFormatForm, label: string) => {
    const value = responseFormatValue(next);
    setError(value.ok ? props.setKey('response_format', value.value, label) : value.error);
  };
  if (form.unreadable !== undefined) {
    return (
      <div className="fp-field" data-testid="llm-response-format">
        <span className="fp-label">Response format</span>
        <div className="llm-raw fp-mono">{form.unreadable}</div>
        {props.problem ?? <div className="fp-hint">Not a shape the form edits: see the YAML panel.</div>}
      </div>
    );
  }
  return (
    <div className="fp-field" data-testid="llm-response-format">
      <span className="fp-label" id="llm-format-label">
        Response format
      </span>
      <div className="llm-segmented" role="radiogroup" aria-labelledby="llm-format-label">
        {(Object.keys(FORMAT_LABEL) as ResponseFormatKind[]).map((kind) => (
          <label key={kind} data-checked={form.kind === kind ? 'true' : undefined}>
            <input
              type="radio"
              name="llm-response-format"
              value={kind}
              checked={form.kind === kind}
              onChange={() => write({ ...form, kind, schemaText: draft }, 'Set response format')}
            />
            {FORMAT_LABEL[kind]}
          </label>
        ))}
      </div>
      {form.kind === 'json_schema' ? (
        <div className="llm-schema">
          <div className="llm-grid">
            <TextField
              label="Schema name"
              value={form.name}
              testId="llm-schema-name"
              monospace
              onCommit={(v) => {
                const value = responseFormatValue({ ...form, name: v, schemaText: draft });
                return value.ok
                  ? props.setKey('response_format', value.value, 'Set schema name')
                  : value.error;
              }}
            />
            <label className="llm-toggle">
              <input
                type="checkbox"
                checked={form.strict}
                onChange={(e) =>
                  write({ ...form, strict: e.target.checked, schemaText: draft }, 'Set strict')
                }
              />
              Strict
            </label>
          </div>
          <CodeEditor
            language="text"
            compact
            value={draft}
            ariaLabel="JSON schema"
            testId="llm-schema-editor"
            markers={
              check && !check.ok && check.line !== undefined
                ? [
                    {
                      line: check.line,
                      col: check.col ?? 1,
                      severity: 'error',
                      code: 'JSON',
                      message: check.error!,
                    },
                  ]
                : []
            }
            onChange={(text) => {
              setDraft(text);
              // Written only when valid: the YAML never holds a half-typed schema.
              if (checkJsonSchema(text).ok) write({ ...form, schemaText: text }, 'Edit JSON schema');
            }}
          />
          {check && !check.ok ? (
            <div className="fp-error" role="alert" data-testid="llm-schema-error">
              {check.error}
            </div>
          ) : (
            <div className="fp-hint" data-testid="llm-schema-ok">
              Valid schema · the model must answer with JSON matching it
            </div>
          )}
        </div>
      ) : null}
      {error !== null ? (
        <div className="fp-error" role="alert">
          {error}
        </div>
      ) : (
        props.problem
      )}
    </div>
  );
}

function MockFields({ withMap, setKey }: { withMap: Record<string, unknown>; setKey: SetKey }) {
  const responses = withMap['mock_responses'];
  return (
    <div className="llm-mock" data-testid="llm-mock">
      <TextField
        label="Mock response"
        multiline
        value={formatLlmValue(withMap['mock_response'])}
        placeholder="[mock] echoes the last user message"
        hint="What the mock provider answers (Ctrl+Enter or leaving the field saves it)."
        testId="llm-mock-response"
        onCommit={(v) => setKey('mock_response', v === '' ? undefined : v, 'Set mock response')}
      />
      <TextField
        label="Mock responses (JSON list, one per turn)"
        multiline
        monospace
        value={responses === undefined ? '' : JSON.stringify(responses, null, 2)}
        placeholder='["first answer", {"content": "", "tool_calls": [{"name": "t", "arguments": {}}]}]'
        testId="llm-mock-responses"
        onCommit={(v) => {
          if (v.trim() === '') return setKey('mock_responses', undefined, 'Clear mock responses');
          let parsed: unknown;
          try {
            parsed = JSON.parse(v);
          } catch (e) {
            return `Mock responses: not valid JSON (${(e as Error).message})`;
          }
          if (!Array.isArray(parsed)) return 'Mock responses must be a JSON list';
          return setKey('mock_responses', parsed, 'Set mock responses');
        }}
      />
    </div>
  );
}

const TOOL_ACTIONS = ACTION_CATALOGUE.filter((a) => !a.name.startsWith('llm.'));

function ToolsEditor({ value, setKey }: { value: unknown; setKey: SetKey }) {
  const [error, setError] = useState<string | null>(null);
  const tools = readTools(value);
  if (tools === null) {
    return (
      <div className="fp-field" data-testid="llm-tools">
        <span className="fp-label">Tools</span>
        <div className="llm-raw fp-mono">{formatLlmValue(value)}</div>
        <div className="fp-hint">A template: edit it in the YAML panel.</div>
      </div>
    );
  }
  const raw = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  const write = (next: Record<string, unknown>[], label: string) =>
    setError(setKey('tools', next.length === 0 ? undefined : next, label));
  return (
    <div className="fp-field" data-testid="llm-tools">
      <span className="fp-label">Tools the model may call</span>
      <ul className="llm-tools">
        {tools.map((t, i) => (
          <li key={i}>
            <span className="fp-mono">{t.name || '(no name)'}</span>
            <span className="fp-hint"> → {t.action || 'no action'}</span>
            <button
              type="button"
              className="fp-icon"
              aria-label={`Remove tool ${t.name}`}
              title="Remove"
              onClick={() =>
                write(
                  raw.filter((_, j) => j !== i),
                  'Remove tool',
                )
              }
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <select
        aria-label="Add a tool from the registered actions"
        data-testid="llm-tools-add"
        value=""
        onChange={(e) => {
          const entry = TOOL_ACTIONS.find((a) => a.name === e.target.value);
          if (!entry) return;
          write(
            [
              ...raw,
              toolForAction(
                entry.name,
                entry.description,
                tools.map((t) => t.name),
                entry.params,
              ),
            ],
            'Add tool',
          );
        }}
      >
        <option value="">+ Add a tool (a registered action)…</option>
        {TOOL_ACTIONS.map((a) => (
          <option key={a.name} value={a.name}>
            {a.name}
          </option>
        ))}
      </select>
      {error !== null ? <div className="fp-error">{error}</div> : null}
    </div>
  );
}
