// What the file flows show over the app: the in-app file dialog (browser host), the "changed on disk"
// dialog and a short notice ("Exported to …"). The disk check itself (focus, folder changes pushed by
// the host) is started by follow-disk.ts.
import { useEffect } from 'react';
import { useStore } from 'zustand';
import type { HostApi } from '../../../engine/host/types.ts';
import type { DocumentStore } from '../designer/document-store.ts';
import { ConflictDialog } from './ConflictDialog.tsx';
import { FileDialog } from './FileDialog.tsx';
import { QuestionDialog } from './QuestionDialog.tsx';
import type { FileFlows } from './file-flows.ts';
import './files.css';

/** A notice stays this long unless dismissed. */
const NOTICE_MS = 5_000;

export function FileFlowsLayer({
  flows,
  host,
  doc,
  onFilesChanged,
}: {
  flows: FileFlows;
  host: HostApi;
  doc: DocumentStore;
  onFilesChanged(): void;
}) {
  const dialog = useStore(flows.store, (s) => s.dialog);
  const conflict = useStore(flows.store, (s) => s.conflict);
  const question = useStore(flows.store, (s) => s.question);
  const notice = useStore(flows.store, (s) => s.notice);
  const path = useStore(doc, (s) => s.path);
  const text = useStore(doc, (s) => s.text);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => flows.dismissNotice(), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice, flows]);

  return (
    <>
      {dialog && (
        <FileDialog
          key={`${dialog.mode}:${dialog.startDir}`}
          host={host}
          request={dialog}
          currentPath={path}
          onCancel={flows.closeDialog}
          onRenamed={(from, to) => flows.entryRenamed(from, to)}
          onChanged={onFilesChanged}
          onCopy={(portable) => void flows.copyPortable(portable)}
        />
      )}
      {conflict && (
        <ConflictDialog
          conflict={conflict}
          mine={text}
          onReload={() => void flows.reload()}
          onOverwrite={(merged) => void flows.overwrite(merged)}
          onCompare={() => void flows.compare()}
          onDismiss={() => flows.dismissConflict()}
        />
      )}
      {question && <QuestionDialog question={question} />}
      {notice && (
        <p className="fd-notice" role="status" data-testid="file-notice">
          {notice}
          <button type="button" aria-label="Dismiss" onClick={() => flows.dismissNotice()}>
            ×
          </button>
        </p>
      )}
    </>
  );
}
