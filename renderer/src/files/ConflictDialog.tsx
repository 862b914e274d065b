// "The file changed on disk": offered when a save gets CONFLICT or the focus check finds another hash.
// Reload loses the edits (one undoable step, so Undo still brings them back), Overwrite replaces the
// disk version the user saw, Compare shows both side by side (@codemirror/merge) with arrows that take
// a disk change into your version before overwriting with the result.
import { useEffect, useId, useRef, useState } from 'react';
import { yaml } from '@codemirror/lang-yaml';
import { syntaxHighlighting } from '@codemirror/language';
import { MergeView } from '@codemirror/merge';
import { EditorState } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { editorHighlight, editorTheme } from '../designer/panels/editor-theme.ts';
import type { Conflict } from './file-flows.ts';
import { baseName } from './paths.ts';
import './files.css';

export interface ConflictDialogProps {
  conflict: Conflict;
  /** The document's text now (your version). */
  mine: string;
  onReload(): void;
  /** Overwrite with `text` (the compare view's right side) or the document as it is. */
  onOverwrite(text?: string): void;
  onCompare(): void;
  onDismiss(): void;
}

/**
 * What the dialog says: what happened to the file, whether the save was written (never, on a
 * conflict), and what each way out does. A file renamed or moved by another program looks deleted here.
 */
export function conflictWording(conflict: Pick<Conflict, 'path' | 'kind' | 'foundBy'>): {
  title: string;
  detail: string;
} {
  const name = baseName(conflict.path);
  if (conflict.kind === 'deleted') {
    return {
      title: `${name} is no longer on disk`,
      detail:
        (conflict.foundBy === 'save' ? 'Your save was not written: another' : 'Another') +
        ` program deleted, renamed or moved the file since you opened it. Your version is still here: Save again writes it back as ${conflict.path}, or keep editing and use Save as for another name.`,
    };
  }
  return {
    title: `${name} changed on disk`,
    detail:
      conflict.foundBy === 'save'
        ? 'Your save was not written: another program changed the file since you opened it, and saving would have replaced its changes.'
        : 'Another program changed the file since you opened it, and you have unsaved edits here.',
  };
}

export function ConflictDialog({
  conflict,
  mine,
  onReload,
  onOverwrite,
  onCompare,
  onDismiss,
}: ConflictDialogProps) {
  const id = useId();
  const comparing = conflict.diskText !== undefined;
  const mergeRef = useRef<MergeView | null>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const firstRef = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  // A new state of the conflict (Compare loaded the disk text) takes clicks again.
  useEffect(() => setBusy(false), [conflict]);

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    firstRef.current?.focus();
    return () => before?.focus?.();
  }, []);

  useEffect(() => {
    if (!comparing || !hostRef.current) return;
    const base = [
      lineNumbers(),
      yaml(),
      editorTheme,
      syntaxHighlighting(editorHighlight),
      EditorView.lineWrapping,
    ];
    const view = new MergeView({
      a: {
        doc: conflict.diskText ?? '',
        extensions: [...base, EditorState.readOnly.of(true), EditorView.editable.of(false)],
      },
      b: { doc: mine, extensions: base },
      parent: hostRef.current,
      revertControls: 'a-to-b',
      collapseUnchanged: { margin: 3, minSize: 6 },
    });
    mergeRef.current = view;
    return () => {
      view.destroy();
      mergeRef.current = null;
    };
    // The view is built once per disk text; later edits live in it.
  }, [comparing, conflict.diskText]);

  const act = (fn: () => void) => () => {
    if (busy) return;
    setBusy(true);
    fn();
  };

  const deleted = conflict.kind === 'deleted';
  const { title, detail } = conflictWording(conflict);
  return (
    <div className="fd-overlay">
      <div
        className={`fd-dialog fd-conflict${comparing ? ' fd-comparing' : ''}`}
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-detail`}
        data-testid="conflict-dialog"
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            onDismiss();
          }
          event.stopPropagation();
        }}
      >
        <header className="fd-head">
          <strong id={`${id}-title`}>{title}</strong>
          <button type="button" className="fd-close" aria-label="Keep editing" onClick={onDismiss}>
            ×
          </button>
        </header>
        <p id={`${id}-detail`} className="fd-conflict-detail">
          {detail}
          {comparing &&
            ' Arrows take a change from the disk into your version; the right side is what Overwrite writes.'}
        </p>
        {comparing && (
          <div className="fd-compare fp-panel">
            <div className="fd-compare-labels" aria-hidden="true">
              <span>On disk</span>
              <span>Your version</span>
            </div>
            <div ref={hostRef} className="fd-merge" data-testid="conflict-compare" />
          </div>
        )}
        <footer className="fd-foot fd-conflict-foot">
          <button type="button" ref={firstRef} onClick={onDismiss}>
            Keep editing
          </button>
          <span className="fd-buttons">
            {!deleted && !comparing && (
              <button type="button" data-testid="conflict-compare-button" onClick={act(onCompare)}>
                Compare
              </button>
            )}
            {!deleted && (
              <button
                type="button"
                className="fd-danger-button"
                data-testid="conflict-reload"
                title="Undo brings your edits back"
                onClick={act(onReload)}
              >
                Reload from disk (lose my edits)
              </button>
            )}
            <button
              type="button"
              className="fd-primary"
              data-testid="conflict-overwrite"
              onClick={act(() => onOverwrite(mergeRef.current?.b.state.doc.toString()))}
            >
              {deleted ? 'Save again' : comparing ? 'Overwrite with the right side' : 'Overwrite with mine'}
            </button>
          </span>
        </footer>
      </div>
    </div>
  );
}
