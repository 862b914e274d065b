// A small popover listing the host's folders and dataset files (.jsonl, .csv): click a folder to go
// in, a file to choose it, "Use this folder" for a folder dataset. Escape closes; focus returns to the
// button that opened it.
import { useEffect, useRef, useState } from 'react';
import type { BatchApi } from '../../../engine/batch/view-types.ts';
import type { FileEntry } from '../../../engine/host/types.ts';

export function DatasetPicker({
  api,
  startDir,
  onPick,
  onClose,
}: {
  api: BatchApi;
  startDir: string;
  onPick(path: string): void;
  onClose(): void;
}) {
  const [dir, setDir] = useState(startDir);
  const [entries, setEntries] = useState<FileEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    setEntries(null);
    void api.list(dir === '' ? undefined : dir).then((answer) => {
      if (!live) return;
      if (answer.ok) {
        setEntries(answer.value);
        setError(null);
      } else if (dir !== '') setDir('');
      else setError(answer.error.message);
    });
    return () => {
      live = false;
    };
  }, [api, dir]);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('button')?.focus();
  }, [entries]);

  const parent = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
  return (
    <div
      ref={ref}
      className="bt-picker"
      role="dialog"
      aria-label="Choose a dataset"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="bt-picker-head">
        <span className="bt-picker-dir" title={dir || 'the root folder'}>
          {dir || 'Root folder'}
        </span>
        {dir !== '' && (
          <button type="button" onClick={() => onPick(dir)} data-testid="batch-use-folder">
            Use this folder
          </button>
        )}
        <button type="button" aria-label="Close" onClick={onClose}>
          ✕
        </button>
      </div>
      <ul className="bt-picker-list">
        {dir !== '' && (
          <li>
            <button type="button" onClick={() => setDir(parent)}>
              <span aria-hidden>↰</span> ..
            </button>
          </li>
        )}
        {entries?.map((entry) => (
          <li key={entry.path}>
            <button
              type="button"
              data-testid={`batch-pick-${entry.name}`}
              onClick={() => (entry.kind === 'dir' ? setDir(entry.path) : onPick(entry.path))}
            >
              <span aria-hidden>{entry.kind === 'dir' ? '📁' : '📄'}</span> {entry.name}
              {entry.kind === 'dir' && <span className="bt-muted"> /</span>}
            </button>
          </li>
        ))}
        {entries?.length === 0 && (
          <li className="bt-muted bt-picker-empty">No folders or .jsonl / .csv files here</li>
        )}
        {entries === null && !error && <li className="bt-muted bt-picker-empty">Loading…</li>}
        {error && <li className="bt-error bt-picker-empty">{error}</li>}
      </ul>
    </div>
  );
}
