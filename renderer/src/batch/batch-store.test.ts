// The Batch tab's store against a scripted host (the host's own behaviour is tested over real HTTP in
// test/batch-host.test.ts): the cursor protocol (pages while `more`, then polls until the batch ends),
// refusals shown as errors, form checks before anything is sent.
import { describe, expect, it } from 'vitest';
import type { BatchApi, BatchRowView, BatchStatus } from '../../../engine/batch/view-types.ts';
import { createBatchStore, formatEta, isFailedRow } from './batch-store.ts';
import { exportTarget, folderOfPath } from './export-path.ts';

/** A host whose batch of `total` rows finishes `perPoll` rows per status call, `page` rows per answer. */
function scriptedHost(total: number, perPoll: number, page: number) {
  const changes: BatchRowView[] = [];
  let done = 0;
  const calls: Array<{ since: number }> = [];
  const started: unknown[] = [];
  const api: BatchApi = {
    list: async () => ({ ok: true, value: [] }),
    start: async (request) => {
      started.push(request);
      for (let i = 1; i <= total; i++) changes.push({ row: i, id: String(i), status: 'queued' });
      return { ok: true, value: { batchId: 'b1', total } };
    },
    status: async (_id, since) => {
      calls.push({ since });
      if (since >= changes.length && done < total) {
        for (let k = 0; k < perPoll && done < total; k++) {
          done++;
          changes.push({
            row: done,
            id: String(done),
            status: done % 5 === 0 ? 'failed' : 'succeeded',
            ms: 3,
          });
        }
      }
      const rows = changes.slice(since, since + page);
      const seq = since + rows.length;
      const value: BatchStatus = {
        batchId: 'b1',
        phase: done === total ? 'finished' : 'running',
        total,
        done,
        running: 0,
        failed: Math.floor(done / 5),
        expectPassed: 0,
        expectFailed: 0,
        rate: 10,
        etaMs: 100,
        elapsedMs: 10,
        seq,
        rows,
        more: seq < changes.length,
      };
      return { ok: true, value };
    },
    row: async () => ({ ok: false, error: { code: 'NOT_FOUND', message: 'x' } }),
    cancel: async () => ({ ok: true, value: true }),
    export: async () => ({ ok: true, value: { path: 'r.csv' } }),
  };
  return { api, calls, started };
}

describe('batch store', () => {
  it('follows the cursor: pages while more, polls until finished, the table ends complete', async () => {
    const host = scriptedHost(25, 7, 10);
    const store = createBatchStore(host.api, { pollMs: 1 });
    store.getState().setForm({ dataset: 'data/x.jsonl', concurrency: '2', expect: ' state.ok ' });
    await store.getState().start({ text: 'name: x', path: 'wf.yaml' });
    const s = store.getState();
    expect(s.phase).toBe('finished');
    expect(s.rows).toHaveLength(25);
    expect(s.rows.every((r) => r.status !== 'queued')).toBe(true);
    expect(s.rows.filter(isFailedRow).map((r) => r.row)).toEqual([5, 10, 15, 20, 25]);
    expect(host.started[0]).toEqual({
      text: 'name: x',
      path: 'wf.yaml',
      dataset: 'data/x.jsonl',
      concurrency: 2,
      expect: 'state.ok',
    });
    // Every answer's seq was the next call's cursor.
    const sinces = host.calls.map((c) => c.since);
    expect(sinces[0]).toBe(0);
    expect([...sinces].sort((a, b) => a - b)).toEqual(sinces);
  });

  it('refuses a bad concurrency or an empty dataset before calling the host; shows a host refusal', async () => {
    const host = scriptedHost(3, 3, 10);
    const store = createBatchStore(host.api, { pollMs: 1 });
    store.getState().setForm({ dataset: 'd.jsonl', concurrency: '0' });
    await store.getState().start({ text: 'x', path: null });
    expect(store.getState().error).toMatch(/Concurrency/);
    store.getState().setForm({ dataset: ' ', concurrency: '' });
    await store.getState().start({ text: 'x', path: null });
    expect(store.getState().error).toMatch(/Choose a dataset/);
    expect(host.started).toHaveLength(0);
    const refusing = createBatchStore({
      ...host.api,
      start: async () => ({ ok: false, error: { code: 'BAD_REQUEST', message: 'd.jsonl:2: not JSON' } }),
    });
    refusing.getState().setForm({ dataset: 'd.jsonl' });
    await refusing.getState().start({ text: 'x', path: null });
    expect(refusing.getState()).toMatchObject({ phase: 'idle', error: 'd.jsonl:2: not JSON' });
  });

  it('formats ETAs and export names', () => {
    expect([null, 800, 45_000, 125_000, 7_500_000].map(formatEta)).toEqual([
      '–',
      '0.8s',
      '45s',
      '2m 05s',
      '2h 05m',
    ]);
    expect(folderOfPath('data/sub/x.jsonl')).toBe('data/sub');
    expect(folderOfPath('x.jsonl')).toBe('');
    expect(exportTarget(' out/r.CSV ')).toEqual({ path: 'out/r.CSV', format: 'csv' });
    expect(exportTarget('r.jsonl')).toEqual({ path: 'r.jsonl', format: 'jsonl' });
    expect(exportTarget('r.txt')).toBeNull();
  });
});
