import { describe, expect, it } from 'vitest';
import { createDocumentStore } from '../designer/document-store.ts';
import {
  autosaveDecision,
  clearRecovery,
  createAutosaver,
  listRecoveries,
  readRecovery,
  recoveryKey,
  shouldOfferRecovery,
  writeRecovery,
  type RecoveryStorage,
} from './recovery.ts';

/** In-memory Storage with the DOM's key()/length semantics; `failWrites` simulates a full quota. */
class FakeStorage implements RecoveryStorage {
  map = new Map<string, string>();
  failWrites = false;
  get length() {
    return this.map.size;
  }
  key(index: number) {
    return [...this.map.keys()][index] ?? null;
  }
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    if (this.failWrites) throw new Error('QuotaExceededError');
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
}

/** Manual timers: run() fires whatever is due. */
function fakeTimers() {
  let clock = 0;
  const timers = new Map<number, { fn: () => void; at: number }>();
  let seq = 0;
  return {
    now: () => clock,
    setTimer: (fn: () => void, ms: number) => {
      timers.set(++seq, { fn, at: clock + ms });
      return seq;
    },
    clearTimer: (h: unknown) => void timers.delete(h as number),
    advance(ms: number) {
      clock += ms;
      for (const [id, t] of [...timers]) {
        if (t.at <= clock) {
          timers.delete(id);
          t.fn();
        }
      }
    },
    pending: () => timers.size,
  };
}

const DOC = 'name: demo\nnodes: []\n';
const EDITED = 'name: demo2\nnodes: []\n';

function setup() {
  const storage = new FakeStorage();
  const timers = fakeTimers();
  const doc = createDocumentStore();
  const saver = createAutosaver({ storage, scope: () => 'root', delayMs: 1000, ...timers });
  doc.subscribe((next, previous) => saver.onChange(next, previous));
  return { storage, timers, doc, saver };
}

describe('recovery entries', () => {
  it('round-trips per path and per scope, newest first', () => {
    const storage = new FakeStorage();
    writeRecovery(storage, { path: 'a.yaml', text: 'A', savedText: 'a', at: 10 }, 's');
    writeRecovery(storage, { path: null, text: 'U', savedText: '', at: 30 }, 's');
    writeRecovery(storage, { path: 'a.yaml', text: 'other', savedText: 'a', at: 20 }, 'elsewhere');
    expect(readRecovery(storage, 'a.yaml', 's')?.text).toBe('A');
    expect(readRecovery(storage, 'a.yaml', 'elsewhere')?.text).toBe('other');
    expect(listRecoveries(storage, 's').map((e) => e.path)).toEqual([null, 'a.yaml']);
    clearRecovery(storage, 'a.yaml', 's');
    expect(readRecovery(storage, 'a.yaml', 's')).toBeNull();
    expect(readRecovery(storage, 'a.yaml', 'elsewhere')).not.toBeNull();
  });

  it('ignores corrupt entries and storage that refuses writes', () => {
    const storage = new FakeStorage();
    storage.setItem(recoveryKey('bad.yaml'), '{not json');
    storage.setItem(recoveryKey('half.yaml'), JSON.stringify({ path: 'half.yaml', text: 1 }));
    expect(readRecovery(storage, 'bad.yaml')).toBeNull();
    expect(listRecoveries(storage)).toEqual([]);
    storage.failWrites = true;
    expect(writeRecovery(storage, { path: 'x', text: 't', savedText: '', at: 1 })).toBe(false);
  });

  it('offers a copy only when it differs from the file on disk', () => {
    const entry = { path: 'a.yaml', text: 'edited', savedText: 'orig', at: 1 };
    expect(shouldOfferRecovery(entry, 'orig')).toBe(true);
    expect(shouldOfferRecovery(entry, 'edited')).toBe(false); // saved meanwhile (or by another window)
    expect(shouldOfferRecovery(entry, null)).toBe(true); // file deleted: the copy is all there is
    const untitled = { path: null, text: 'tpl', savedText: 'tpl', at: 1 };
    expect(shouldOfferRecovery(untitled, null)).toBe(false);
    expect(shouldOfferRecovery({ ...untitled, text: 'tpl + edits' }, null)).toBe(true);
  });
});

describe('autosaveDecision', () => {
  const snap = (path: string | null, text: string, savedText: string, past = 1) => ({
    path,
    text,
    savedText,
    past: new Array<number>(past).fill(0),
    future: [],
  });
  it('classifies open, edit, save, save-as and undo-to-saved', () => {
    expect(autosaveDecision(snap('a', 'x', 'x'), snap('a', 'x', 'x'))).toEqual({ kind: 'none' });
    expect(autosaveDecision(snap('a', 'x', 'y'), snap('b', 'b', 'b', 0))).toEqual({ kind: 'opened' });
    expect(autosaveDecision(snap('a', 'x', 'x'), snap('a', 'x2', 'x'))).toEqual({ kind: 'write', path: 'a' });
    expect(autosaveDecision(snap('a', 'x2', 'x'), snap('a', 'x2', 'x2'))).toEqual({
      kind: 'clear',
      paths: ['a'],
    });
    expect(autosaveDecision(snap(null, 'x2', 'x'), snap('new.yaml', 'x2', 'x2'))).toEqual({
      kind: 'clear',
      paths: [null, 'new.yaml'],
    });
    expect(autosaveDecision(snap('a', 'x2', 'x'), snap('a', 'x', 'x', 0))).toEqual({ kind: 'opened' });
    const undone = { ...snap('a', 'x', 'x', 0), future: [{}] };
    expect(autosaveDecision(snap('a', 'x2', 'x'), undone)).toEqual({ kind: 'clear', paths: ['a'] });
  });
});

describe('createAutosaver with a document store', () => {
  it('writes the latest text once, a debounce after the last edit', () => {
    const { storage, timers, doc } = setup();
    doc.getState().open(DOC, 'flow.yaml', 5);
    doc.getState().setText(EDITED, { label: 'a', now: 0 });
    timers.advance(600);
    doc.getState().setText(EDITED + '# more\n', { label: 'b', now: 600 });
    timers.advance(600);
    expect(readRecovery(storage, 'flow.yaml', 'root')).toBeNull(); // still debouncing
    timers.advance(500);
    expect(readRecovery(storage, 'flow.yaml', 'root')).toEqual({
      path: 'flow.yaml',
      text: EDITED + '# more\n',
      savedText: DOC,
      at: 1700,
    });
  });

  it('clears on save, on undo back to the saved text, and on discard', () => {
    const { storage, timers, doc, saver } = setup();
    doc.getState().open(DOC, 'flow.yaml', 5);
    doc.getState().setText(EDITED, { label: 'a' });
    timers.advance(1000);
    expect(readRecovery(storage, 'flow.yaml', 'root')).not.toBeNull();
    doc.getState().markSaved('flow.yaml', 6);
    expect(readRecovery(storage, 'flow.yaml', 'root')).toBeNull();

    doc.getState().setText(DOC, { label: 'b' });
    timers.advance(1000);
    expect(readRecovery(storage, 'flow.yaml', 'root')?.text).toBe(DOC);
    doc.getState().undo();
    expect(readRecovery(storage, 'flow.yaml', 'root')).toBeNull();

    doc.getState().redo();
    timers.advance(1000);
    expect(readRecovery(storage, 'flow.yaml', 'root')).not.toBeNull();
    doc.getState().setText(EDITED + '#x\n', { label: 'c' });
    saver.discard('flow.yaml');
    timers.advance(5000); // the pending write was dropped too
    expect(readRecovery(storage, 'flow.yaml', 'root')).toBeNull();
  });

  it('keeps an entry when its file is opened (it may be offered), drops a pending write of the previous file', () => {
    const { storage, timers, doc } = setup();
    writeRecovery(storage, { path: 'b.yaml', text: 'B edited', savedText: 'B', at: 1 }, 'root');
    doc.getState().open(DOC, 'a.yaml');
    doc.getState().setText(EDITED, { label: 'a' });
    doc.getState().open('B', 'b.yaml');
    timers.advance(2000);
    expect(timers.pending()).toBe(0);
    expect(readRecovery(storage, 'a.yaml', 'root')).toBeNull();
    expect(readRecovery(storage, 'b.yaml', 'root')?.text).toBe('B edited');
  });

  it('moves an untitled copy to its file on Save As', () => {
    const { storage, timers, doc } = setup();
    doc.getState().open(DOC, null);
    doc.getState().setText(EDITED, { label: 'a' });
    timers.advance(1000);
    expect(readRecovery(storage, null, 'root')?.text).toBe(EDITED);
    doc.getState().markSaved('new.yaml', 1);
    expect(readRecovery(storage, null, 'root')).toBeNull();
    expect(readRecovery(storage, 'new.yaml', 'root')).toBeNull();
  });

  it('flush() writes a pending copy immediately', () => {
    const { storage, timers, doc, saver } = setup();
    doc.getState().open(DOC, 'a.yaml');
    doc.getState().setText(EDITED, { label: 'a' });
    timers.advance(10);
    saver.flush();
    expect(readRecovery(storage, 'a.yaml', 'root')?.at).toBe(10);
    expect(timers.pending()).toBe(0);
  });
});
