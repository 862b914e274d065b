// "Restore unsaved changes from <time>?" after a crash: Restore puts the recovered text back as an
// undoable edit over the file on disk; Discard deletes the copy.
import { useEffect, useRef } from 'react';
import { describeRecoveryTime, type RecoveryEntry } from './recovery.ts';
import './documents.css';

export function RecoveryDialog({
  entry,
  onRestore,
  onDiscard,
}: {
  entry: RecoveryEntry;
  onRestore: () => void;
  onDiscard: () => void;
}) {
  const restoreRef = useRef<HTMLButtonElement>(null);
  useEffect(() => restoreRef.current?.focus(), []);
  const name = entry.path ? (entry.path.split('/').at(-1) ?? entry.path) : 'the untitled document';
  return (
    <div className="doc-overlay">
      <div
        className="doc-dialog"
        role="alertdialog"
        aria-labelledby="recovery-title"
        aria-describedby="recovery-detail"
        data-testid="recovery-dialog"
      >
        <p id="recovery-title">
          <strong>Restore unsaved changes from {describeRecoveryTime(entry.at)}?</strong>
        </p>
        <p id="recovery-detail" className="doc-dialog-detail">
          Fanout Studio kept a copy of your unsaved edits to {name}
          {entry.path ? ' that differs from the file on disk' : ''}.
        </p>
        <div className="doc-dialog-buttons">
          <button type="button" data-testid="recovery-discard" onClick={onDiscard}>
            Discard
          </button>
          <button
            type="button"
            className="doc-primary"
            data-testid="recovery-restore"
            ref={restoreRef}
            onClick={onRestore}
          >
            Restore
          </button>
        </div>
      </div>
    </div>
  );
}
