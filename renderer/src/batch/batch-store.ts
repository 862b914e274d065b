// The Batch tab's state: the form (dataset, concurrency, expect), the batch the host runs and its table,
// kept in step by polling the host's status with a cursor (rows changed since the last answer, a page
// at a time). Pure store + a poll loop; the component only renders it.
import { createStore } from 'zustand/vanilla';
import type { BatchApi, BatchPhase, BatchRowView, BatchStatus } from '../../../engine/batch/view-types.ts';

/** How often a running batch is asked for news (a page is asked for again at once while `more`). */
export const POLL_MS = 250;

export type BatchFilter = 'all' | 'failed';

export interface BatchForm {
  dataset: string;
  concurrency: string;
  expect: string;
  csvTypes: boolean;
}

export interface BatchState {
  form: BatchForm;
  /** 'idle' before the first batch; 'starting' while the host reads the dataset. */
  phase: BatchPhase | 'idle' | 'starting';
  batchId: string | null;
  /** Row views in dataset order (row n at index n - 1). */
  rows: BatchRowView[];
  progress: Omit<BatchStatus, 'batchId' | 'phase' | 'seq' | 'rows' | 'more' | 'error'>;
  /** Why the batch could not start or stopped; shown above the table. */
  error: string | null;
  /** The expect in force and skipped files, as the host answered at start. */
  expectInForce: string | null;
  skipped: { binary: number; tooLarge: number } | null;
  filter: BatchFilter;
  setForm(patch: Partial<BatchForm>): void;
  setFilter(filter: BatchFilter): void;
  start(document: { text: string; path: string | null }): Promise<void>;
  cancel(): Promise<void>;
  /** Stops polling (the tab unmounts); the batch goes on in the host. */
  dispose(): void;
}

const emptyProgress = (): BatchState['progress'] => ({
  total: 0,
  done: 0,
  running: 0,
  failed: 0,
  expectPassed: 0,
  expectFailed: 0,
  rate: 0,
  etaMs: null,
  elapsedMs: 0,
});

/** A row counts as failed in the filter when its run failed or its expect did. */
export const isFailedRow = (row: BatchRowView) => row.status === 'failed' || row.expect === 'fail';

export function createBatchStore(api: BatchApi, options: { pollMs?: number } = {}) {
  const pollMs = options.pollMs ?? POLL_MS;
  /** Bumped by every start and dispose: an older poll loop sees it and stops. */
  let generation = 0;
  return createStore<BatchState>()((set, get) => {
    const apply = (status: BatchStatus) => {
      const rows = get().rows.slice();
      for (const row of status.rows) rows[row.row - 1] = row;
      const { batchId: _id, phase, seq: _seq, rows: _rows, more: _more, error, ...progress } = status;
      set({ rows, phase, progress, error: error ?? null });
    };

    const poll = async (batchId: string, mine: number) => {
      let since = 0;
      while (mine === generation) {
        const answer = await api.status(batchId, since);
        if (mine !== generation) return;
        if (!answer.ok) {
          set({ error: `${answer.error.code}: ${answer.error.message}`, phase: 'stopped' });
          return;
        }
        apply(answer.value);
        since = answer.value.seq;
        if (answer.value.more) continue;
        if (answer.value.phase !== 'running') return;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    };

    return {
      form: { dataset: '', concurrency: '', expect: '', csvTypes: false },
      phase: 'idle',
      batchId: null,
      rows: [],
      progress: emptyProgress(),
      error: null,
      expectInForce: null,
      skipped: null,
      filter: 'all',
      setForm: (patch) => set({ form: { ...get().form, ...patch } }),
      setFilter: (filter) => set({ filter }),
      async start(document) {
        const { form } = get();
        const concurrency = form.concurrency.trim() === '' ? undefined : Number(form.concurrency);
        if (
          concurrency !== undefined &&
          !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 256)
        ) {
          set({ error: 'Concurrency must be a whole number from 1 to 256 (empty: the host’s workers).' });
          return;
        }
        if (form.dataset.trim() === '') {
          set({ error: 'Choose a dataset: a .jsonl or .csv file, or a folder of text files.' });
          return;
        }
        const mine = ++generation;
        set({ phase: 'starting', error: null, rows: [], progress: emptyProgress(), batchId: null });
        const answer = await api.start({
          text: document.text,
          ...(document.path ? { path: document.path } : {}),
          dataset: form.dataset.trim(),
          ...(concurrency !== undefined ? { concurrency } : {}),
          ...(form.expect.trim() ? { expect: form.expect.trim() } : {}),
          ...(form.csvTypes ? { csvTypes: true } : {}),
        });
        if (mine !== generation) return;
        if (!answer.ok) {
          set({ phase: 'idle', error: answer.error.message });
          return;
        }
        const { batchId, total, skipped, expect } = answer.value;
        set({
          batchId,
          phase: 'running',
          rows: Array.from({ length: total }, (_, i) => ({ row: i + 1, id: '', status: 'queued' as const })),
          progress: { ...emptyProgress(), total },
          expectInForce: expect ?? null,
          skipped: skipped && skipped.binary + skipped.tooLarge > 0 ? skipped : null,
        });
        await poll(batchId, mine);
      },
      async cancel() {
        const { batchId, phase } = get();
        if (batchId && phase === 'running') await api.cancel(batchId);
      },
      dispose() {
        generation++;
      },
    };
  });
}

export type BatchStore = ReturnType<typeof createBatchStore>;

/** "2m 05s" / "45s" / "0.8s": durations in the summary. */
export function formatEta(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
