// Small form controls shared by the inspector and the settings form. Text fields keep a local draft
// and commit on Enter or blur; the commit callback returns an error message (shown inline, nothing
// changed) or null.
import { useId, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { KeyValueRow } from './fields.ts';

export type Commit<T> = (value: T) => string | null;

/** Keeps `draft` in step with `value` when the document changes underneath (undo, YAML typing). */
function useDraft(value: string): [string, (v: string) => void] {
  const [draft, setDraft] = useState(value);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    setDraft(value);
  }
  return [draft, setDraft];
}

export interface TextFieldProps {
  label: string;
  value: string;
  onCommit: Commit<string>;
  multiline?: boolean;
  placeholder?: string;
  testId?: string;
  list?: string;
  /** Shown under the field when there is no error. */
  hint?: string;
  inputMode?: 'numeric' | 'text';
  monospace?: boolean;
}

export function TextField(props: TextFieldProps) {
  const id = useId();
  const [draft, setDraft] = useDraft(props.value);
  const [error, setError] = useState<string | null>(null);
  const commit = () => {
    if (draft === props.value) {
      setError(null);
      return;
    }
    setError(props.onCommit(draft));
  };
  const common = {
    id,
    value: draft,
    placeholder: props.placeholder,
    'data-testid': props.testId,
    'aria-invalid': error !== null,
    className: props.monospace ? 'fp-mono' : undefined,
    onChange: (e: { target: { value: string } }) => setDraft(e.target.value),
    onBlur: commit,
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setDraft(props.value);
        setError(null);
      } else if (e.key === 'Enter' && (!props.multiline || e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        commit();
      }
    },
  };
  return (
    <div className="fp-field">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={Math.min(12, Math.max(3, draft.split('\n').length))} />
      ) : (
        <input {...common} type="text" list={props.list} inputMode={props.inputMode} />
      )}
      {error !== null ? (
        <div className="fp-error" role="alert">
          {error}
        </div>
      ) : props.hint ? (
        <div className="fp-hint">{props.hint}</div>
      ) : null}
    </div>
  );
}

export function CheckField(props: {
  label: string;
  checked: boolean;
  onChange: Commit<boolean>;
  hint?: string;
}) {
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="fp-field fp-check">
      <label>
        <input
          type="checkbox"
          checked={props.checked}
          onChange={(e) => setError(props.onChange(e.target.checked))}
        />
        {props.label}
      </label>
      {error !== null ? (
        <div className="fp-error">{error}</div>
      ) : props.hint ? (
        <div className="fp-hint">{props.hint}</div>
      ) : null}
    </div>
  );
}

/** Editable key/value rows; committed as a whole when a row loses focus, is added or removed. */
export function KeyValueRows(props: {
  label: string;
  rows: KeyValueRow[];
  onCommit: Commit<KeyValueRow[]>;
  keyPlaceholder?: string;
  valuePlaceholder?: string;
  testId?: string;
}) {
  const key = JSON.stringify(props.rows);
  const [draft, setDraft] = useState(props.rows);
  const [seen, setSeen] = useState(key);
  const [error, setError] = useState<string | null>(null);
  if (key !== seen) {
    setSeen(key);
    setDraft(props.rows);
  }
  const commit = (rows: KeyValueRow[]) => {
    if (JSON.stringify(rows.filter((r) => r.key.trim() !== '')) === key) {
      setError(null);
      return;
    }
    setError(props.onCommit(rows));
  };
  const update = (i: number, patch: Partial<KeyValueRow>) =>
    setDraft(draft.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="fp-rows" data-testid={props.testId}>
      <legend>{props.label}</legend>
      {draft.map((row, i) => (
        <div className="fp-row" key={i}>
          <input
            aria-label={`${props.label} key ${i + 1}`}
            value={row.key}
            placeholder={props.keyPlaceholder ?? 'key'}
            onChange={(e) => update(i, { key: e.target.value })}
            onBlur={() => commit(draft)}
          />
          <input
            aria-label={`${props.label} value ${i + 1}`}
            className="fp-mono"
            value={row.value}
            placeholder={props.valuePlaceholder ?? 'value'}
            onChange={(e) => update(i, { value: e.target.value })}
            onBlur={() => commit(draft)}
            onKeyDown={(e) => e.key === 'Enter' && commit(draft)}
          />
          <button
            type="button"
            className="fp-icon"
            title="Remove"
            aria-label={`Remove ${row.key || 'row'}`}
            onClick={() => {
              const next = draft.filter((_, j) => j !== i);
              setDraft(next);
              commit(next);
            }}
          >
            ×
          </button>
        </div>
      ))}
      <button type="button" className="fp-add" onClick={() => setDraft([...draft, { key: '', value: '' }])}>
        + Add
      </button>
      {error !== null ? <div className="fp-error">{error}</div> : null}
    </fieldset>
  );
}

/** Runs an edit; returns the error message instead of throwing, for inline display. */
export function tryEdit(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
