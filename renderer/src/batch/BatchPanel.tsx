// The Batch tab: run the open workflow over a dataset (a .jsonl / .csv file or a folder of text files
// on the host), watch the rows fill in, filter the failed ones, open any finished row's run in the run
// view (its real events, kept by the host), cancel, and export the results as JSONL or CSV.
import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { BatchApi, BatchRowView } from '../../../engine/batch/view-types.ts';
import type { DocumentStore } from '../designer/document-store.ts';
import type { UiStore } from '../designer/ui-store.ts';
import { useRunBridge } from '../run/run-context.ts';
import { BatchTable } from './BatchTable.tsx';
import { DatasetPicker } from './DatasetPicker.tsx';
import { createBatchStore, formatEta, isFailedRow, type BatchStore } from './batch-store.ts';
import { exportTarget, folderOfPath } from './export-path.ts';
import './batch.css';

/** One store per host for the window's life: switching tabs keeps the batch and its table. */
const stores = new WeakMap<BatchApi, BatchStore>();
function storeFor(api: BatchApi): BatchStore {
  let store = stores.get(api);
  if (!store) stores.set(api, (store = createBatchStore(api)));
  return store;
}

type Note = { kind: 'info' | 'error'; text: string } | null;
type ExportState = { path: string; exists: boolean; busy: boolean } | null;

export function BatchPanel({ api, doc, ui }: { api: BatchApi; doc: DocumentStore; ui: UiStore }) {
  const store = storeFor(api);
  const state = useStore(store);
  const bridge = useRunBridge();
  const [picking, setPicking] = useState(false);
  const [opening, setOpening] = useState<number | null>(null);
  const [note, setNote] = useState<Note>(null);
  const [exporting, setExporting] = useState<ExportState>(null);

  const { form, phase, progress, rows, filter } = state;
  const shown = useMemo(() => (filter === 'failed' ? rows.filter(isFailedRow) : rows), [rows, filter]);
  const running = phase === 'running' || phase === 'starting';
  const percent = progress.total > 0 ? (progress.done / progress.total) * 100 : 0;

  const start = () => {
    setNote(null);
    const { text, path } = doc.getState();
    void store.getState().start({ text, path });
  };

  const openRow = async (row: BatchRowView) => {
    if (!state.batchId || !bridge) return;
    setOpening(row.row);
    const answer = await api.row(state.batchId, row.id);
    setOpening(null);
    if (!answer.ok) return setNote({ kind: 'error', text: answer.error.message });
    const events = answer.value.events;
    if (!events || events.length === 0) {
      return setNote({
        kind: 'info',
        text: `Row ${row.row}'s events were not kept (the batch kept too many); its result is in the export.`,
      });
    }
    const runs = bridge.runs;
    const runId = events[0]!.runId;
    if (!runs.getState().runs[runId]) {
      runs.getState().ingest(events);
      runs.getState().flush();
    }
    runs.getState().assign(runId, bridge.view.getState().fileKey);
    runs.getState().select(runId);
    ui.getState().showPanel('run');
  };

  const saveExport = async (overwrite: boolean) => {
    if (!exporting || !state.batchId) return;
    const target = exportTarget(exporting.path);
    if (!target) return setNote({ kind: 'error', text: 'Export to a name ending in .jsonl or .csv.' });
    setExporting({ ...exporting, busy: true });
    const answer = await api.export(state.batchId, target.path, target.format, overwrite);
    if (!answer.ok && answer.error.code === 'EXISTS')
      return setExporting({ ...exporting, exists: true, busy: false });
    setExporting(null);
    setNote(
      answer.ok
        ? { kind: 'info', text: `Exported ${progress.done} rows to ${answer.value.path}` }
        : { kind: 'error', text: answer.error.message },
    );
  };

  return (
    <section className="bt" aria-label="Batch">
      <form
        className="bt-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!running) start();
        }}
      >
        <label className="bt-field bt-dataset">
          <span>Dataset</span>
          <span className="bt-input-row">
            <input
              value={form.dataset}
              placeholder="rows.jsonl, rows.csv or a folder"
              aria-label="Dataset path"
              data-testid="batch-dataset"
              onChange={(e) => store.getState().setForm({ dataset: e.target.value })}
            />
            <button
              type="button"
              onClick={() => setPicking((p) => !p)}
              aria-expanded={picking}
              data-testid="batch-browse"
            >
              Browse…
            </button>
          </span>
        </label>
        <label className="bt-field bt-narrow">
          <span>Concurrency</span>
          <input
            inputMode="numeric"
            value={form.concurrency}
            placeholder="auto"
            aria-label="Concurrency"
            onChange={(e) => store.getState().setForm({ concurrency: e.target.value })}
          />
        </label>
        <label className="bt-field bt-expect-field">
          <span>Expect</span>
          <input
            value={form.expect}
            placeholder="state.ok == true (optional)"
            aria-label="Expect expression"
            data-testid="batch-expect"
            spellCheck={false}
            onChange={(e) => store.getState().setForm({ expect: e.target.value })}
          />
        </label>
        <label className="bt-check" title="CSV: read numbers and true/false as JSON values">
          <input
            type="checkbox"
            checked={form.csvTypes}
            onChange={(e) => store.getState().setForm({ csvTypes: e.target.checked })}
          />
          CSV types
        </label>
        {running ? (
          <button
            type="button"
            className="bt-cancel"
            onClick={() => void store.getState().cancel()}
            data-testid="batch-cancel"
          >
            Cancel
          </button>
        ) : (
          <button type="submit" className="bt-run" data-testid="batch-run">
            Run batch
          </button>
        )}
        {picking && (
          <DatasetPicker
            api={api}
            startDir={folderOfPath(form.dataset || doc.getState().path || '')}
            onPick={(path) => {
              store.getState().setForm({ dataset: path });
              setPicking(false);
            }}
            onClose={() => setPicking(false)}
          />
        )}
      </form>

      {phase !== 'idle' && (
        <div className="bt-summary" data-testid="batch-summary" aria-live="polite">
          <div
            className="bt-bar"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={progress.total}
            aria-valuenow={progress.done}
          >
            <div className="bt-bar-fill" style={{ width: `${percent}%` }} />
            {progress.failed > 0 && (
              <div
                className="bt-bar-failed"
                style={{ width: `${(progress.failed / Math.max(1, progress.total)) * 100}%` }}
              />
            )}
          </div>
          <span className="bt-count">
            <strong>{progress.done}</strong> / {progress.total} rows
          </span>
          <span className="bt-phase" data-phase={phase}>
            {phase === 'starting' ? 'reading the dataset…' : phase}
          </span>
          {progress.running > 0 && <span className="bt-muted">{progress.running} running</span>}
          <span className="bt-muted">{progress.rate.toFixed(progress.rate < 10 ? 1 : 0)} rows/s</span>
          {phase === 'running' && <span className="bt-muted">ETA {formatEta(progress.etaMs)}</span>}
          <span className={progress.failed > 0 ? 'bt-error' : 'bt-muted'}>{progress.failed} failed</span>
          {state.expectInForce !== null && (
            <span className="bt-muted" title={`expect: ${state.expectInForce}`}>
              expect {progress.expectPassed} ✓ {progress.expectFailed} ✗
            </span>
          )}
          <span className="bt-tools">
            <label className="bt-check">
              <input
                type="checkbox"
                checked={filter === 'failed'}
                data-testid="batch-failed-only"
                onChange={(e) => store.getState().setFilter(e.target.checked ? 'failed' : 'all')}
              />
              Failed only
            </label>
            <button
              type="button"
              disabled={!state.batchId || progress.done === 0}
              data-testid="batch-export"
              onClick={() =>
                setExporting({
                  path: `${folderOfPath(form.dataset)}${folderOfPath(form.dataset) ? '/' : ''}results.csv`,
                  exists: false,
                  busy: false,
                })
              }
            >
              Export…
            </button>
          </span>
        </div>
      )}

      {exporting && (
        <form
          className="bt-export"
          onSubmit={(e) => {
            e.preventDefault();
            void saveExport(false);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setExporting(null);
          }}
        >
          {exporting.exists ? (
            <>
              <span role="alert">{exporting.path} exists.</span>
              <button type="button" onClick={() => void saveExport(true)} data-testid="batch-export-replace">
                Replace
              </button>
              <button type="button" onClick={() => setExporting({ ...exporting, exists: false })} autoFocus>
                Cancel
              </button>
            </>
          ) : (
            <>
              <label className="bt-field bt-dataset">
                <span>Export as (.jsonl or .csv)</span>
                <input
                  autoFocus
                  value={exporting.path}
                  aria-label="Export path"
                  data-testid="batch-export-path"
                  onChange={(e) => setExporting({ ...exporting, path: e.target.value })}
                />
              </label>
              <button type="submit" disabled={exporting.busy} data-testid="batch-export-save">
                Save
              </button>
              <button type="button" onClick={() => setExporting(null)}>
                Cancel
              </button>
            </>
          )}
        </form>
      )}

      {(state.error || note || state.skipped) && (
        <div className="bt-notes">
          {state.error && (
            <p className="bt-error" role="alert" data-testid="batch-error">
              {state.error}
            </p>
          )}
          {note && <p className={note.kind === 'error' ? 'bt-error' : 'bt-muted'}>{note.text}</p>}
          {state.skipped && (
            <p className="bt-muted">
              Skipped {state.skipped.binary} binary and {state.skipped.tooLarge} too large file(s).
            </p>
          )}
        </div>
      )}

      {phase === 'idle' && !state.error ? (
        <div className="bt-empty">
          <p>Run this workflow once per row of a dataset.</p>
          <p className="bt-muted">
            JSONL: one object per line · CSV: a header row gives the keys · a folder: one row per text file as{' '}
            <code>{'{path, name, text}'}</code>. Each row is merged into the initial state. Same as{' '}
            <code>fanout batch</code>.
          </p>
        </div>
      ) : (
        <BatchTable rows={shown} onOpen={(row) => void openRow(row)} opening={opening} />
      )}
    </section>
  );
}
