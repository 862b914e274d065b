// Settings › Providers: the API keys model calls use, one card per provider. Keys are write-only: the
// host answers only whether a key is kept or set in its environment, and the key field is cleared as
// soon as the host has it (an uncontrolled input, so no key ever sits in a React prop or DOM attribute).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { KeyedProvider } from '../../../engine/host/provider-vars.ts';
import type { HostApi, ProviderKeysInfo, ProviderTestResult } from '../../../engine/host/types.ts';
import { KEY_STATE_TEXT, PROVIDER_ROWS, isKeyed, keyState, type ProviderRow } from './provider-catalogue.ts';
import '../commands/commands.css';
import './settings.css';

export type ProvidersHost = Pick<HostApi, 'kind' | 'providerKeys' | 'setProviderKey' | 'testProvider'>;

export function ProvidersDialog({ host, onClose }: { host: ProvidersHost; onClose: () => void }) {
  const [info, setInfo] = useState<ProviderKeysInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const firstField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    void host.providerKeys().then((result) => {
      if (!live) return;
      if (result.ok) setInfo(result.value);
      else setLoadError(result.error.message);
    });
    return () => {
      live = false;
    };
  }, [host]);
  // Focus goes back where it was (the palette's caller, the start page button) when the dialog closes.
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return () => before?.focus();
  }, []);
  const loaded = info !== null;
  useEffect(() => {
    if (loaded) firstField.current?.focus(); // once, when the status arrives
  }, [loaded]);
  // Escape also closes the dialog when focus is on nothing in particular (the page's body).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented && event.target === document.body) {
        event.preventDefault();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <div className="cmd-overlay" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div
        className="cmd-dialog prov-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="providers-title"
        data-testid="providers-dialog"
        onKeyDown={(event) => {
          if (event.key === 'Escape' && !event.defaultPrevented) {
            event.preventDefault();
            onClose();
          } else if (event.key === 'Tab') keepFocusInside(event);
          // The app's own shortcuts must not fire behind a modal dialog.
          event.stopPropagation();
        }}
      >
        <header className="cmd-dialog-head">
          <strong id="providers-title">Providers and API keys</strong>
          <button type="button" onClick={onClose} aria-label="Close">
            ×
          </button>
        </header>
        <div className="prov-body">
          <p className="prov-intro">
            Model calls read a provider&rsquo;s key from the environment first, then from a <code>.env</code>{' '}
            beside the workflow, then from here. Keys are never written into a workflow file, and a key saved
            here is never shown again.
          </p>
          {info && <StorageNote info={info} />}
          {loadError && (
            <p className="prov-banner prov-error" role="alert">
              {loadError}
            </p>
          )}
          {!info && !loadError && <p className="prov-muted">Loading…</p>}
          {info && (
            <ul className="prov-list">
              {PROVIDER_ROWS.map((row, i) => (
                <ProviderCard
                  key={row.id}
                  row={row}
                  info={info}
                  host={host}
                  onInfo={setInfo}
                  fieldRef={i === 0 ? firstField : undefined}
                />
              ))}
            </ul>
          )}
        </div>
      </div>
    </div>
  );
}

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

/** Tab from the last control goes to the first, Shift+Tab from the first to the last (modal). */
function keepFocusInside(event: React.KeyboardEvent<HTMLElement>) {
  const items = [...event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = items[0];
  const last = items.at(-1);
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last?.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first?.focus();
  }
}

function StorageNote({ info }: { info: ProviderKeysInfo }) {
  if (info.unavailable) {
    return (
      <p className="prov-banner prov-warn" role="status" data-testid="providers-unavailable">
        Keys cannot be saved here: {info.unavailable}.
      </p>
    );
  }
  return (
    <p className="prov-storage" data-testid="providers-storage">
      {info.storage.kind === 'keychain' ? (
        <>
          Saved keys are encrypted with the OS keychain (Electron safeStorage) in{' '}
          <code>{info.storage.path}</code>.
        </>
      ) : (
        <>
          Saved keys are kept in <code>{info.storage.path}</code>, readable by your user only (mode 0600).
        </>
      )}
    </p>
  );
}

type Note = { kind: 'ok' | 'error'; text: string } | null;

function ProviderCard(props: {
  row: ProviderRow;
  info: ProviderKeysInfo;
  host: ProvidersHost;
  onInfo: (info: ProviderKeysInfo) => void;
  fieldRef?: React.RefObject<HTMLInputElement | null> | undefined;
}) {
  const { row, info, host, onInfo, fieldRef } = props;
  const status = info.providers.find((p) => p.provider === row.id);
  const state = keyState(row, status);
  const variable = status?.variable ?? null;
  const text = KEY_STATE_TEXT[state];
  const ownField = useRef<HTMLInputElement>(null);
  const keyField = fieldRef ?? ownField;
  const baseField = useRef<HTMLInputElement>(null);
  const [hasText, setHasText] = useState(false);
  const [busy, setBusy] = useState<'save' | 'clear' | 'test' | null>(null);
  const [note, setNote] = useState<Note>(null);
  const [confirming, setConfirming] = useState(false);
  const [test, setTest] = useState<ProviderTestResult | { error: string } | null>(null);
  const clearButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const id = `prov-${row.id}`;

  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);

  const save = useCallback(
    async (provider: KeyedProvider, key: string | null) => {
      setBusy(key === null ? 'clear' : 'save');
      setNote(null);
      const result = await host.setProviderKey(provider, key);
      setBusy(null);
      if (result.ok) {
        onInfo(result.value);
        setNote({
          kind: 'ok',
          text: key === null ? 'Key cleared.' : 'Saved. The key will not be shown again.',
        });
      } else {
        setNote({ kind: 'error', text: result.error.message });
      }
      return result.ok;
    },
    [host, onInfo],
  );

  const submit = async () => {
    const field = keyField.current;
    if (busy !== null) return;
    if (!field || !isKeyed(row.id)) return;
    const key = field.value.trim();
    if (!key) return;
    // The key leaves the DOM now, whatever the host answers: a failed save is typed again.
    field.value = '';
    setHasText(false);
    await save(row.id, key);
  };

  const runTest = async () => {
    // Buttons stay enabled while busy (a disabled button drops the focus, and Escape with it).
    if (busy !== null) return;
    setBusy('test');
    setTest(null);
    setNote(null);
    const base = baseField.current?.value.trim() || undefined;
    const result = await host.testProvider(row.id, base);
    setBusy(null);
    setTest(result.ok ? result.value : { error: result.error.message });
  };

  const cannotStore = info.unavailable !== null;
  return (
    <li
      className="prov-card"
      data-testid={`provider-${row.id}`}
      data-state={state}
      aria-labelledby={`${id}-name`}
    >
      <div className="prov-head">
        <div className="prov-title">
          <strong id={`${id}-name`}>{row.label}</strong>
          {variable ? (
            <code className="prov-var" title="The environment variable this key stands for">
              {variable}
            </code>
          ) : null}
          <span
            className={`prov-badge prov-badge-${state}`}
            data-testid={`provider-${row.id}-status`}
            title={text.detail(variable ?? '')}
          >
            {text.badge}
          </span>
        </div>
        <span className="prov-blurb">{row.blurb}</span>
      </div>

      {row.keyed ? (
        <div className="prov-row">
          <label className="prov-label" htmlFor={`${id}-key`}>
            {state === 'stored' || state === 'both' ? 'Replace key' : 'API key'}
          </label>
          <input
            ref={keyField}
            id={`${id}-key`}
            className="prov-input"
            type="password"
            autoComplete="new-password"
            spellCheck={false}
            placeholder={cannotStore ? 'Cannot be saved on this system' : `Paste the ${variable ?? 'key'}`}
            disabled={cannotStore}
            data-testid={`provider-${row.id}-key`}
            aria-describedby={`${id}-detail`}
            onInput={(event) => setHasText(event.currentTarget.value.trim() !== '')}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                void submit();
              }
            }}
          />
          <button
            type="button"
            className="prov-button primary"
            disabled={!hasText}
            aria-busy={busy === 'save'}
            onClick={() => void submit()}
            data-testid={`provider-${row.id}-save`}
          >
            {busy === 'save' ? 'Saving…' : 'Save'}
          </button>
          {(state === 'stored' || state === 'both') && !confirming && (
            <button
              type="button"
              ref={clearButton}
              className="prov-button"
              onClick={() => busy === null && setConfirming(true)}
              data-testid={`provider-${row.id}-clear`}
            >
              Clear
            </button>
          )}
        </div>
      ) : null}

      {confirming && isKeyed(row.id) && (
        <div
          className="prov-confirm"
          role="alertdialog"
          aria-label={`Clear the ${row.label} key?`}
          data-testid={`provider-${row.id}-confirm`}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.preventDefault(); // closes this question, not the dialog
              setConfirming(false);
              requestAnimationFrame(() => clearButton.current?.focus());
            }
          }}
        >
          <span>
            Clear the {row.label} key? Runs will then need {variable} from the environment or a .env file.
          </span>
          <button
            type="button"
            ref={confirmButton}
            className="prov-button danger"
            onClick={() => {
              setConfirming(false);
              keyField.current?.focus(); // the Clear button is about to go
              void save(row.id as KeyedProvider, null);
            }}
            data-testid={`provider-${row.id}-confirm-clear`}
          >
            Clear key
          </button>
          <button
            type="button"
            className="prov-button"
            onClick={() => {
              setConfirming(false);
              clearButton.current?.focus();
            }}
          >
            Cancel
          </button>
        </div>
      )}

      <div className="prov-row">
        <label className="prov-label" htmlFor={`${id}-base`}>
          Test against
        </label>
        <input
          ref={baseField}
          id={`${id}-base`}
          className="prov-input"
          type="url"
          spellCheck={false}
          placeholder={
            row.defaultBase
              ? `${row.baseVariable} or ${row.defaultBase}`
              : `${row.baseVariable} (your resource URL)`
          }
          data-testid={`provider-${row.id}-base`}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              void runTest();
            }
          }}
        />
        <button
          type="button"
          className="prov-button"
          aria-busy={busy === 'test'}
          onClick={() => void runTest()}
          data-testid={`provider-${row.id}-test`}
          title="GET the provider's model list with the key a run would use"
        >
          {busy === 'test' ? 'Testing…' : 'Test'}
        </button>
      </div>

      <p id={`${id}-detail`} className="prov-detail">
        {text.detail(variable ?? '')}
      </p>
      <div aria-live="polite" className="prov-live">
        {note && (
          <p className={`prov-note prov-${note.kind}`} data-testid={`provider-${row.id}-note`}>
            {note.text}
          </p>
        )}
        {test && <TestAnswer test={test} testId={`provider-${row.id}-result`} />}
      </div>
    </li>
  );
}

const SOURCE_TEXT = { environment: 'the environment’s key', stored: 'the key saved here', none: 'no key' };

function TestAnswer({ test, testId }: { test: ProviderTestResult | { error: string }; testId: string }) {
  if ('error' in test) {
    return (
      <p className="prov-note prov-error" data-testid={testId} data-ok="false">
        {test.error}
      </p>
    );
  }
  return (
    <p
      className={`prov-note prov-${test.ok ? 'ok' : 'error'}`}
      data-testid={testId}
      data-ok={String(test.ok)}
    >
      <span aria-hidden>{test.ok ? '✓ ' : '✕ '}</span>
      {test.message}
      {test.url && (
        <span className="prov-muted">
          GET {test.url} with {SOURCE_TEXT[test.keySource]}
        </span>
      )}
    </p>
  );
}
