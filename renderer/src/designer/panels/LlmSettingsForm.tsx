// The workflow's model-call defaults: `settings.llm` (the same fields as a node, which every llm.*
// node inherits) and `settings.rate_limiters` (TEA: a name → `rpm` or `rps`; calls naming one limiter
// are spaced out across the run). Each control edits one key with setTopLevelPath.
import { useState } from 'react';
import { setTopLevelPath } from '../../../../engine/workflow/edit.ts';
import type { DocumentStore } from '../document-store.ts';
import { tryEdit } from './Fields.tsx';
import { LlmField } from './LlmFields.tsx';
import { ProviderKeysHint } from './LlmNodeForm.tsx';
import { asMap, effectiveProvider, llmFields, parseLlmField } from './llm-form.ts';
import type { LlmFieldDef } from './llm-form.ts';

const RATE: Record<'rpm' | 'rps', LlmFieldDef> = {
  rpm: { key: 'rpm', label: 'Requests per minute', kind: 'number', min: 0.001, max: 1_000_000 },
  rps: { key: 'rps', label: 'Requests per second', kind: 'number', min: 0.001, max: 1_000_000 },
};

/** The call limits, side by side (short numbers). */
const GRID_KEYS = new Set(['max_tokens', 'timeout', 'max_retries']);

export function LlmSettingsForm({
  doc,
  settings,
}: {
  doc: DocumentStore;
  settings: Record<string, unknown>;
}) {
  const llm = asMap(settings['llm']);
  const limiters = asMap(settings['rate_limiters']);
  const set = (path: string[], value: unknown, label: string): string | null =>
    tryEdit(() =>
      doc.getState().edit((t) => setTopLevelPath(t, ['settings', ...path], value), {
        label,
        coalesceKey: `settings:${path.join('.')}`,
      }),
    );
  const provider = effectiveProvider({}, llm);
  return (
    <div className="fp-section llm-form" data-testid="settings-llm">
      <h3>Model calls (settings.llm)</h3>
      <div className="fp-hint">Defaults for every llm.* node; a node&apos;s own value wins.</div>
      <div className="llm-stack">
        {llmFields('settings')
          .filter((d) => d.key === 'provider' || d.key === 'model')
          .map((def) => (
            <LlmField
              key={def.key}
              action="settings"
              def={def}
              value={llm[def.key]}
              settings={llm}
              provider={provider}
              onSet={(key, value) => set(['llm', key], value, `Set settings.llm.${key}`)}
              testPrefix="settings-llm"
            />
          ))}
      </div>
      {llmFields('settings')
        .filter((d) => !GRID_KEYS.has(d.key) && d.key !== 'provider' && d.key !== 'model')
        .map((def) => (
          <LlmField
            key={def.key}
            action="settings"
            def={def}
            value={llm[def.key]}
            settings={llm}
            provider={provider}
            limiters={Object.keys(limiters)}
            onSet={(key, value) => set(['llm', key], value, `Set settings.llm.${key}`)}
            testPrefix="settings-llm"
          />
        ))}
      <div className="llm-grid">
        {llmFields('settings')
          .filter((d) => GRID_KEYS.has(d.key))
          .map((def) => (
            <LlmField
              key={def.key}
              action="settings"
              def={def}
              value={llm[def.key]}
              settings={llm}
              onSet={(key, value) => set(['llm', key], value, `Set settings.llm.${key}`)}
              testPrefix="settings-llm"
            />
          ))}
      </div>
      <RateLimiters limiters={limiters} set={set} />
      <ProviderKeysHint />
    </div>
  );
}

function RateLimiters({
  limiters,
  set,
}: {
  limiters: Record<string, unknown>;
  set: (path: string[], value: unknown, label: string) => string | null;
}) {
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState('');
  const names = Object.keys(limiters);
  const add = () => {
    const name = adding.trim();
    if (name === '') return;
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) return setError('A limiter name: 1–64 letters, digits, _ . -');
    if (names.includes(name)) return setError(`A limiter named '${name}' exists`);
    const failed = set(['rate_limiters', name], { rpm: 60 }, `Add rate limiter ${name}`);
    setError(failed);
    if (failed === null) setAdding('');
  };
  return (
    <fieldset className="fp-rows" data-testid="settings-rate-limiters">
      <legend>Rate limiters (settings.rate_limiters)</legend>
      <div className="fp-hint">
        TEA spaces calls naming a limiter: rps wins over rpm; neither means 1 per second.
      </div>
      {names.length > 0 ? (
        <div className="llm-limiter-row llm-limiter-head" aria-hidden="true">
          <span>name</span>
          <span>rpm</span>
          <span>rps</span>
          <span />
        </div>
      ) : null}
      {names.map((name) => (
        <LimiterRow key={name} name={name} value={asMap(limiters[name])} set={set} onError={setError} />
      ))}
      <div className="llm-limiter-row">
        <input
          type="text"
          value={adding}
          placeholder="new limiter name"
          aria-label="New rate limiter name"
          data-testid="settings-limiter-new"
          onChange={(e) => setAdding(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && add()}
        />
        <button type="button" className="fp-add" onClick={add} disabled={adding.trim() === ''}>
          + Add
        </button>
      </div>
      {error !== null ? (
        <div className="fp-error" role="alert">
          {error}
        </div>
      ) : null}
    </fieldset>
  );
}

function LimiterRow(props: {
  name: string;
  value: Record<string, unknown>;
  set: (path: string[], value: unknown, label: string) => string | null;
  onError: (e: string | null) => void;
}) {
  const rate = (k: 'rpm' | 'rps') => (
    <RateInput
      def={RATE[k]}
      value={props.value[k]}
      label={`${props.name} ${k}`}
      onCommit={(v) => props.set(['rate_limiters', props.name, k], v, `Set ${props.name}.${k}`)}
      onError={props.onError}
    />
  );
  return (
    <div className="llm-limiter-row" data-testid={`settings-limiter-${props.name}`}>
      <span className="fp-mono">{props.name}</span>
      {rate('rpm')}
      {rate('rps')}
      <button
        type="button"
        className="fp-icon"
        aria-label={`Remove rate limiter ${props.name}`}
        title="Remove"
        onClick={() =>
          props.onError(props.set(['rate_limiters', props.name], undefined, `Remove ${props.name}`))
        }
      >
        ×
      </button>
    </div>
  );
}

function RateInput(props: {
  def: LlmFieldDef;
  value: unknown;
  label: string;
  onCommit: (v: unknown) => string | null;
  onError: (e: string | null) => void;
}) {
  const current = props.value === undefined ? '' : String(props.value);
  const [draft, setDraft] = useState(current);
  const [seen, setSeen] = useState(current);
  if (current !== seen) {
    setSeen(current);
    setDraft(current);
  }
  const commit = () => {
    if (draft === current) return;
    const parsed = parseLlmField(props.def, draft);
    props.onError(parsed.ok ? props.onCommit(parsed.value) : parsed.error);
  };
  return (
    <input
      type="text"
      inputMode="decimal"
      value={draft}
      placeholder={props.def.key}
      title={props.def.label}
      aria-label={`${props.label} (${props.def.label.toLowerCase()})`}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && commit()}
    />
  );
}
