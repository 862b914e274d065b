// Form fields of model calls, shared by an llm.* node's inspector (LlmNodeForm.tsx) and the workflow's
// settings.llm defaults (LlmSettingsForm.tsx). Each field edits one key through `onSet` (a path edit:
// only that line of the YAML changes); an empty field deletes the key, so the node inherits again.
import { useId, useState } from 'react';
import type { ReactNode } from 'react';
import {
  inheritedPlaceholder,
  LLM_PROVIDERS,
  modelSuggestions,
  parseLlmField,
  providerInfo,
} from './llm-form.ts';
import type { LlmAction, LlmFieldDef } from './llm-form.ts';
import './llm-fields.css';

/** Sets one key (undefined deletes it); returns an error message or null. */
export type SetKey = (key: string, value: unknown, label: string) => string | null;

/** Keeps a local draft in step with `value` when the document changes underneath (undo, YAML typing). */
function useDraft(value: string): [string, (v: string) => void] {
  const [draft, setDraft] = useState(value);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    setDraft(value);
  }
  return [draft, setDraft];
}

/** Label row with the reset-to-inherited control (shown only while the key is set here). */
function FieldHead(props: {
  id: string;
  label: string;
  isSet: boolean;
  onReset: () => void;
  resetTitle: string;
}) {
  return (
    <div className="llm-field-head">
      <label htmlFor={props.id}>{props.label}</label>
      {props.isSet ? (
        <button
          type="button"
          className="llm-reset"
          title={props.resetTitle}
          aria-label={`${props.resetTitle}: ${props.label}`}
          onClick={props.onReset}
        >
          ↺
        </button>
      ) : null}
    </div>
  );
}

export interface LlmFieldProps {
  action: LlmAction | 'settings';
  def: LlmFieldDef;
  value: unknown;
  settings: Record<string, unknown>;
  onSet: SetKey;
  /** The provider the call uses (model suggestions follow it). */
  provider?: string | undefined;
  /** Names for the rate limiter's suggestions. */
  limiters?: readonly string[];
  testPrefix: string;
  /** A validation problem of this field, shown under it. */
  problem?: ReactNode;
}

/** One scalar field: provider select, model combobox, temperature slider, or a text/number input. */
export function LlmField(props: LlmFieldProps) {
  const { def } = props;
  if (def.kind === 'provider') return <ProviderField {...props} />;
  if (def.key === 'temperature') return <TemperatureField {...props} />;
  return <InputField {...props} />;
}

function resetTitle(action: LlmFieldProps['action']): string {
  return action === 'settings' ? 'Remove (use the default)' : 'Reset to inherited';
}

function InputField(props: LlmFieldProps) {
  const { def, action } = props;
  const id = useId();
  const listId = useId();
  const current = props.value === undefined || props.value === null ? '' : String(props.value);
  const [draft, setDraft] = useDraft(current);
  const [error, setError] = useState<string | null>(null);
  const placeholder = inheritedPlaceholder(action, def, props.settings);
  const suggestions =
    def.kind === 'model'
      ? modelSuggestions(props.provider, action === 'llm.embed' || def.key === 'embedding_model')
      : def.key === 'rate_limiter'
        ? [...(props.limiters ?? [])]
        : [];
  const commit = (text: string) => {
    if (text === current) return setError(null);
    const parsed = parseLlmField(def, text);
    setError(parsed.ok ? props.onSet(def.key, parsed.value, `Set ${def.key}`) : parsed.error);
  };
  return (
    <div className="fp-field llm-field" data-testid={`${props.testPrefix}-${def.key}`}>
      <FieldHead
        id={id}
        label={def.label}
        isSet={current !== ''}
        resetTitle={resetTitle(action)}
        onReset={() => setError(props.onSet(def.key, undefined, `Reset ${def.key}`))}
      />
      <input
        id={id}
        type="text"
        value={draft}
        placeholder={placeholder.text}
        inputMode={def.kind === 'number' || def.kind === 'int' ? 'decimal' : undefined}
        list={suggestions.length > 0 ? listId : undefined}
        className={def.kind === 'model' || def.key === 'api_base' ? 'fp-mono' : undefined}
        aria-invalid={error !== null}
        spellCheck={false}
        onChange={(e) => {
          setDraft(e.target.value);
          // Picking a datalist suggestion is a complete choice: commit it at once.
          if (suggestions.includes(e.target.value)) commit(e.target.value);
        }}
        onBlur={() => commit(draft)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit(draft);
          if (e.key === 'Escape') {
            setDraft(current);
            setError(null);
          }
        }}
      />
      {suggestions.length > 0 ? (
        <datalist id={listId}>
          {suggestions.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
      ) : null}
      {error !== null ? (
        <div className="fp-error" role="alert">
          {error}
        </div>
      ) : (
        (props.problem ?? (def.hint ? <div className="fp-hint">{def.hint}</div> : null))
      )}
    </div>
  );
}

function ProviderField(props: LlmFieldProps) {
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const current = typeof props.value === 'string' ? props.value : '';
  const placeholder = inheritedPlaceholder(props.action, props.def, props.settings);
  const shown = providerInfo(current || props.provider || 'auto');
  const known = current === '' || LLM_PROVIDERS.some((p) => p.id === current.toLowerCase());
  return (
    <div className="fp-field llm-field" data-testid={`${props.testPrefix}-provider`}>
      <FieldHead
        id={id}
        label="Provider"
        isSet={current !== ''}
        resetTitle={resetTitle(props.action)}
        onReset={() => setError(props.onSet('provider', undefined, 'Reset provider'))}
      />
      <select
        id={id}
        value={current}
        onChange={(e) =>
          setError(
            props.onSet('provider', e.target.value === '' ? undefined : e.target.value, 'Set provider'),
          )
        }
      >
        {/* Short enough for a half-width select; the full "inherits … from settings.llm" is its title. */}
        <option value="" title={placeholder.text}>
          {inheritedOption(props.action, props.settings)}
        </option>
        {LLM_PROVIDERS.map((p) => (
          <option key={p.id} value={p.id}>
            {p.id}
          </option>
        ))}
        {known ? null : <option value={current}>{current} (unknown)</option>}
      </select>
      {error !== null ? (
        <div className="fp-error" role="alert">
          {error}
        </div>
      ) : (
        (props.problem ??
        (shown ? (
          <div className="fp-hint" data-testid={`${props.testPrefix}-provider-hint`}>
            {shown.needs}
          </div>
        ) : null))
      )}
    </div>
  );
}

/** The empty choice of the provider select: "mock (inherited)", or "auto (default)". */
function inheritedOption(action: LlmFieldProps['action'], settings: Record<string, unknown>): string {
  const inherited = action === 'settings' ? undefined : settings['provider'];
  return typeof inherited === 'string' ? `${inherited} (inherited)` : 'auto (default)';
}

function TemperatureField(props: LlmFieldProps) {
  const id = useId();
  const { def } = props;
  const current = typeof props.value === 'number' ? props.value : undefined;
  const written = props.value === undefined || props.value === null ? '' : String(props.value);
  const [draft, setDraft] = useDraft(written);
  const [error, setError] = useState<string | null>(null);
  const placeholder = inheritedPlaceholder(props.action, def, props.settings);
  const inherited = props.action === 'settings' ? undefined : props.settings['temperature'];
  const sliderValue = current ?? (typeof inherited === 'number' ? inherited : 0.7);
  const commit = (text: string) => {
    if (text === written) return setError(null);
    const parsed = parseLlmField(def, text);
    setError(parsed.ok ? props.onSet('temperature', parsed.value, 'Set temperature') : parsed.error);
  };
  return (
    <div className="fp-field llm-field" data-testid={`${props.testPrefix}-temperature`}>
      <FieldHead
        id={id}
        label="Temperature"
        isSet={written !== ''}
        resetTitle={resetTitle(props.action)}
        onReset={() => setError(props.onSet('temperature', undefined, 'Reset temperature'))}
      />
      <div className="llm-slider">
        <input
          type="range"
          min={0}
          max={2}
          step={0.05}
          value={sliderValue}
          aria-label="Temperature slider"
          data-inherited={current === undefined ? 'true' : undefined}
          onChange={(e) => {
            setDraft(e.target.value);
            setError(props.onSet('temperature', Number(e.target.value), 'Set temperature'));
          }}
        />
        <input
          id={id}
          type="text"
          inputMode="decimal"
          value={draft}
          placeholder={placeholder.text.replace(' from settings.llm', '')}
          title={placeholder.text}
          aria-invalid={error !== null}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => commit(draft)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit(draft);
            if (e.key === 'Escape') {
              setDraft(written);
              setError(null);
            }
          }}
        />
      </div>
      {error !== null ? (
        <div className="fp-error" role="alert">
          {error}
        </div>
      ) : (
        (props.problem ?? (
          <div className="fp-hint">
            {!placeholder.inherited
              ? 'Lower is more focused, higher more varied'
              : written === ''
                ? placeholder.text
                : placeholder.text.replace(/^inherits/, 'overrides')}
          </div>
        ))
      )}
    </div>
  );
}
