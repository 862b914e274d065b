// The in-app file dialog of the browser host (Electron keeps native dialogs): browse folders under the
// served root (breadcrumb, parent, a list with size and modified time, keyboard navigation,
// type-to-filter), make, rename and delete entries (confirmed here, never window.confirm), and pick a
// file to open or a name to save as. A save never replaces a file silently: the host answers EXISTS
// and the dialog asks "a.yaml exists — Replace / Cancel"; Cancel leaves the old file as it was.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { FileEntry, HostApi } from '../../../engine/host/types.ts';
import { fileNameProblem, workflowFileNameProblem } from '../../../engine/host/names.ts';
import type { DialogRequest } from './file-flows.ts';
import { coalesce, listFresh, listingOrder, sameListing } from './follow-disk.ts';
import {
  afterListing,
  baseName,
  breadcrumb,
  filterEntries,
  folderOf,
  formatModified,
  formatSize,
  joinPath,
  withYamlExtension,
} from './paths.ts';
import './files.css';

export interface FileDialogProps {
  host: HostApi;
  request: DialogRequest;
  /** The open document's path (marked in the list). */
  currentPath: string | null;
  onCancel(): void;
  /** An entry was renamed (the open document may live in it). */
  onRenamed(from: string, to: string): void;
  /** Files changed (the app's file list refreshes). */
  onChanged(): void;
  /** Export: copy the portable text. */
  onCopy?(text: string): void;
}

type Edit =
  | { kind: 'new-folder'; name: string; error: string | null }
  | { kind: 'rename'; entry: FileEntry; name: string; error: string | null }
  | { kind: 'delete'; entry: FileEntry; error: string | null }
  | { kind: 'replace'; path: string };

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), [tabindex="0"]';

export function FileDialog({
  host,
  request,
  currentPath,
  onCancel,
  onRenamed,
  onChanged,
  onCopy,
}: FileDialogProps) {
  const id = useId();
  const saving = request.mode !== 'open';
  const [dir, setDir] = useState(request.startDir);
  const [entries, setEntries] = useState<FileEntry[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [active, setActive] = useState(0);
  const [name, setName] = useState(request.initialName);
  const [edit, setEdit] = useState<Edit | null>(null);
  const [busy, setBusy] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const cancelReplaceRef = useRef<HTMLButtonElement>(null);
  const deleteCancelRef = useRef<HTMLButtonElement>(null);

  // The folder shown follows the disk while the dialog is open (the host pushes changes): the filter
  // stays and the active row stays on the same entry; a listing that changed nothing changes nothing.
  const shownRef = useRef<{ dir: string; entries: FileEntry[] | null; active: FileEntry | undefined }>({
    dir: '',
    entries: null,
    active: undefined,
  });
  const filterRef = useRef('');
  // Listings answer in any order: of two navigations the later one wins (Backspace pressed while the
  // first folder is still listing must not be undone by that listing), and a navigation beats a
  // background re-list; a change pushed while a navigation lists makes it read again (listFresh).
  const [order] = useState(listingOrder);

  const load = useCallback(
    async (target: string, select?: string): Promise<void> => {
      const turn = order.start(false)!;
      const listed = await listFresh(turn, () => host.listFiles(target === '' ? undefined : target));
      if (!turn.finish()) return;
      if (!listed.ok) {
        // A folder that vanished (or was never there): fall back to the root once.
        if (target !== '' && listed.error.code === 'NOT_FOUND') return load('', select);
        setListError(`${listed.error.code}: ${listed.error.message}`);
        setEntries([]);
        return;
      }
      setListError(null);
      const now = shownRef.current;
      const next = afterListing(
        { dir: now.dir, listed: now.entries !== null, filter: filterRef.current },
        target,
        listed.value,
        select,
      );
      setDir(target);
      setEntries(listed.value);
      setFilter(next.filter);
      setActive(next.active);
    },
    [host, order],
  );

  useEffect(() => {
    void load(request.startDir);
  }, [load, request.startDir]);

  useEffect(() => {
    if (!host.onFilesChanged) return;
    const refresh = coalesce(async () => {
      const turn = order.start(true);
      if (!turn) return; // the navigation under way reads again
      const { dir: folder } = shownRef.current;
      const listed = await host.listFiles(folder === '' ? undefined : folder);
      if (!turn.finish()) return;
      const now = shownRef.current;
      if (!listed.ok || now.dir !== folder || !now.entries) return; // moved on, or the next action says why
      if (sameListing(now.entries, listed.value)) return;
      const keep = now.active?.path;
      setEntries(listed.value);
      setActive((at) => {
        const next = filterEntries(listed.value, filterRef.current).findIndex((e) => e.path === keep);
        return next >= 0 ? next : Math.min(at, Math.max(0, listed.value.length - 1));
      });
    });
    return host.onFilesChanged(() => void refresh());
  }, [host, order]);

  // Focus: the name field when saving, else the list; restored to where it was on close.
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    if (saving) {
      const input = nameRef.current;
      input?.focus();
      // Select the stem, not the extension, as desktop dialogs do.
      const dot = request.initialName.lastIndexOf('.');
      input?.setSelectionRange(0, dot > 0 ? dot : request.initialName.length);
    } else listRef.current?.focus();
    return () => before?.focus?.();
  }, [saving, request.initialName]);

  useEffect(() => {
    if (edit?.kind === 'replace') cancelReplaceRef.current?.focus();
    if (edit?.kind === 'delete') deleteCancelRef.current?.focus();
  }, [edit?.kind]);

  const shown = useMemo(() => filterEntries(entries ?? [], filter), [entries, filter]);
  const current = shown[Math.min(active, shown.length - 1)];
  shownRef.current = { dir, entries, active: current };
  filterRef.current = filter;

  // Keep the active row in view.
  useEffect(() => {
    if (!current) return;
    document.getElementById(`${id}-row-${current.path}`)?.scrollIntoView({ block: 'nearest' });
  }, [current, id]);

  const fileName = withYamlExtension(name);
  const nameProblem = saving
    ? name.trim() === ''
      ? 'Type a file name'
      : workflowFileNameProblem(fileName)
    : null;
  const taken = saving && !nameProblem && entries?.some((e) => e.name === fileName);
  const takenByFolder = taken && entries?.find((e) => e.name === fileName)?.kind === 'dir';

  const enter = (entry: FileEntry) => void load(entry.path);
  const parent = dir === '' ? null : folderOf(dir);

  async function submit(path: string, replace: boolean) {
    setBusy(true);
    setSubmitError(null);
    const error = await request.submit(path, replace);
    setBusy(false);
    if (!error) return;
    if (error.code === 'EXISTS' && !replace) setEdit({ kind: 'replace', path });
    else {
      setEdit(null);
      setSubmitError(error.message);
    }
  }

  function confirm(entry = current) {
    if (busy) return;
    if (!saving) {
      if (!entry) return;
      if (entry.kind === 'dir') return enter(entry);
      void submit(entry.path, false);
      return;
    }
    if (nameProblem || takenByFolder) return nameRef.current?.focus();
    void submit(joinPath(dir, fileName), false);
  }

  function choose(entry: FileEntry) {
    if (entry.kind === 'dir') return enter(entry);
    if (saving) {
      setName(entry.name);
      nameRef.current?.focus();
      return;
    }
    confirm(entry);
  }

  async function commitEdit() {
    if (!edit) return;
    if (edit.kind === 'new-folder') {
      if (fileNameProblem(edit.name.trim())) return;
      const made = await host.createFolder(joinPath(dir, edit.name.trim()));
      if (!made.ok) return setEdit({ ...edit, error: made.error.message });
      setEdit(null);
      onChanged();
      // Into the new folder: what one makes a folder for in a save dialog.
      await load(made.value.path);
      (saving ? nameRef : listRef).current?.focus();
    } else if (edit.kind === 'rename') {
      const to = edit.name.trim();
      if (to === edit.entry.name) return setEdit(null);
      if (renameProblem(edit.entry, to)) return;
      const renamed = await host.renameEntry(edit.entry.path, to);
      if (!renamed.ok) return setEdit({ ...edit, error: renamed.error.message });
      setEdit(null);
      onRenamed(edit.entry.path, renamed.value.path);
      onChanged();
      await load(dir, renamed.value.path);
      listRef.current?.focus();
    } else if (edit.kind === 'delete') {
      const deleted = await host.deleteEntry(edit.entry.path);
      if (!deleted.ok) return setEdit({ ...edit, error: deleted.error.message });
      setEdit(null);
      onChanged();
      await load(dir);
      listRef.current?.focus();
    }
  }

  function onListKey(event: KeyboardEvent<HTMLDivElement>) {
    const move = (to: number) => {
      event.preventDefault();
      setActive(Math.max(0, Math.min(shown.length - 1, to)));
    };
    const at = Math.min(active, shown.length - 1);
    switch (event.key) {
      case 'ArrowDown':
        return move(at + 1);
      case 'ArrowUp':
        return move(at - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(shown.length - 1);
      case 'PageDown':
        return move(at + 10);
      case 'PageUp':
        return move(at - 10);
      case 'Enter':
        event.preventDefault();
        if (current) choose(current);
        return;
      case 'Backspace':
        event.preventDefault();
        if (filter !== '') setFilter(filter.slice(0, -1));
        else if (parent !== null) void load(parent, dir);
        return;
      case 'F2':
        event.preventDefault();
        if (current) setEdit({ kind: 'rename', entry: current, name: current.name, error: null });
        return;
      case 'Delete':
        event.preventDefault();
        if (current) setEdit({ kind: 'delete', entry: current, error: null });
        return;
      case 'Escape':
        if (filter !== '') {
          event.preventDefault();
          event.stopPropagation();
          setFilter('');
        }
        return;
    }
    // Type to filter: printable keys go to the filter.
    if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      setFilter(filter + event.key);
      setActive(0);
    }
  }

  function onDialogKey(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      if (edit) {
        const back = edit.kind === 'replace' ? nameRef : listRef;
        setEdit(null);
        back.current?.focus();
      } else onCancel();
    } else if (event.key === 'Tab') {
      // Keep focus inside the dialog (it is modal).
      const items = [...(dialogRef.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
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
    // The app's own shortcuts (Ctrl+S, Delete on the canvas…) must not fire behind a modal dialog.
    event.stopPropagation();
  }

  const download = () => {
    if (!request.portable) return;
    const url = URL.createObjectURL(new Blob([request.portable.text], { type: 'application/yaml' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName || 'workflow.portable.yaml';
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  };

  const warnings = request.portable?.problems.filter((p) => p.severity !== 'error') ?? [];
  return (
    <div className="fd-overlay" onMouseDown={(e) => e.target === e.currentTarget && onCancel()}>
      <div
        ref={dialogRef}
        className="fd-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        data-testid="file-dialog"
        data-mode={request.mode}
        onKeyDown={onDialogKey}
      >
        <header className="fd-head">
          <strong id={`${id}-title`}>{request.title}</strong>
          <button type="button" className="fd-close" aria-label="Close" onClick={onCancel}>
            ×
          </button>
        </header>

        <div className="fd-bar">
          <button
            type="button"
            className="fd-icon-button"
            aria-label="Parent folder"
            title="Parent folder (Backspace)"
            disabled={parent === null}
            data-testid="file-dialog-up"
            onClick={() => parent !== null && void load(parent, dir)}
          >
            <UpIcon />
          </button>
          <nav className="fd-crumbs" aria-label="Folder">
            <ol>
              {breadcrumb(dir).map((crumb, i, all) => (
                <li key={crumb.path}>
                  {i === all.length - 1 ? (
                    <span aria-current="location" className="fd-crumb-here">
                      {crumb.name}
                    </span>
                  ) : (
                    <button
                      type="button"
                      className="fd-crumb"
                      onClick={() => void load(crumb.path, all[i + 1]?.path)}
                    >
                      {crumb.name}
                    </button>
                  )}
                </li>
              ))}
            </ol>
          </nav>
          <input
            className="fd-filter"
            type="search"
            placeholder="Filter"
            aria-label="Filter this folder"
            data-testid="file-dialog-filter"
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value);
              setActive(0);
            }}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown') {
                e.preventDefault();
                listRef.current?.focus();
              }
            }}
          />
          <button
            type="button"
            className="fd-new-folder"
            data-testid="file-dialog-new-folder"
            onClick={() => setEdit({ kind: 'new-folder', name: 'New folder', error: null })}
          >
            <FolderIcon /> New folder
          </button>
        </div>

        {edit?.kind === 'new-folder' && (
          <InlineName
            label="New folder name"
            value={edit.name}
            problem={fileNameProblem(edit.name.trim())}
            error={edit.error}
            testId="file-dialog-new-folder-name"
            onChange={(value) => setEdit({ ...edit, name: value, error: null })}
            onCommit={() => void commitEdit()}
            onCancel={() => {
              setEdit(null);
              listRef.current?.focus();
            }}
            commitLabel="Create"
          />
        )}

        <div className="fd-columns" aria-hidden="true">
          <span>Name</span>
          <span>Size</span>
          <span>Modified</span>
        </div>
        <div
          ref={listRef}
          className="fd-list"
          role="listbox"
          tabIndex={0}
          aria-label={`Contents of ${dir === '' ? 'the root folder' : dir}`}
          aria-activedescendant={current ? `${id}-row-${current.path}` : undefined}
          data-testid="file-dialog-list"
          onKeyDown={onListKey}
        >
          {entries === null && <p className="fd-empty">Loading…</p>}
          {listError && (
            <p className="fd-empty fd-error" role="alert">
              {listError}
            </p>
          )}
          {entries !== null && !listError && shown.length === 0 && (
            <p className="fd-empty">{filter ? `Nothing here matches “${filter}”` : 'This folder is empty'}</p>
          )}
          {shown.map((entry, i) => {
            const renaming = edit?.kind === 'rename' && edit.entry.path === entry.path ? edit : null;
            return (
              <div
                key={entry.path}
                id={`${id}-row-${entry.path}`}
                role="option"
                aria-selected={entry === current}
                className={`fd-row${entry === current ? ' fd-active' : ''}${entry.path === currentPath ? ' fd-open' : ''}`}
                data-testid="file-dialog-entry"
                data-name={entry.name}
                data-kind={entry.kind}
                onClick={() => {
                  setActive(i);
                  if (saving && entry.kind === 'file') setName(entry.name);
                }}
                onDoubleClick={() => choose(entry)}
              >
                <span className="fd-name">
                  {entry.kind === 'dir' ? <FolderIcon /> : <FileIcon />}
                  {renaming ? (
                    <InlineName
                      label={`New name for ${entry.name}`}
                      value={renaming.name}
                      problem={renameProblem(entry, renaming.name.trim())}
                      error={renaming.error}
                      testId="file-dialog-rename-name"
                      onChange={(value) => setEdit({ ...renaming, name: value, error: null })}
                      onCommit={() => void commitEdit()}
                      onCancel={() => {
                        setEdit(null);
                        listRef.current?.focus();
                      }}
                      commitLabel="Rename"
                      inline
                    />
                  ) : (
                    <span className="fd-name-text">
                      {entry.name}
                      {entry.path === currentPath && <span className="fd-tag">open</span>}
                    </span>
                  )}
                </span>
                <span className="fd-size">{entry.kind === 'file' ? formatSize(entry.size) : ''}</span>
                <span className="fd-time">{formatModified(entry.mtimeMs)}</span>
                {!renaming && (
                  <span className="fd-row-actions">
                    <button
                      type="button"
                      tabIndex={-1}
                      aria-label={`Rename ${entry.name}`}
                      title="Rename (F2)"
                      onClick={(e) => {
                        e.stopPropagation();
                        setActive(i);
                        setEdit({ kind: 'rename', entry, name: entry.name, error: null });
                      }}
                    >
                      <PenIcon />
                    </button>
                    <button
                      type="button"
                      tabIndex={-1}
                      aria-label={`Delete ${entry.name}`}
                      title={entry.kind === 'dir' ? 'Delete (empty folders only)' : 'Delete'}
                      onClick={(e) => {
                        e.stopPropagation();
                        setActive(i);
                        setEdit({ kind: 'delete', entry, error: null });
                      }}
                    >
                      <TrashIcon />
                    </button>
                  </span>
                )}
              </div>
            );
          })}
        </div>

        {edit?.kind === 'delete' && (
          <div
            className="fd-confirm fd-danger"
            role="alertdialog"
            aria-labelledby={`${id}-delete`}
            data-testid="file-dialog-delete-confirm"
          >
            <span id={`${id}-delete`}>
              {edit.error ??
                (edit.entry.kind === 'dir'
                  ? `Delete the folder “${edit.entry.name}”? Only an empty folder can be deleted.`
                  : `Delete “${edit.entry.name}”? This cannot be undone.`)}
            </span>
            <button
              type="button"
              ref={deleteCancelRef}
              onClick={() => {
                setEdit(null);
                listRef.current?.focus();
              }}
            >
              Cancel
            </button>
            {!edit.error && (
              <button
                type="button"
                className="fd-danger-button"
                data-testid="file-dialog-delete"
                onClick={() => void commitEdit()}
              >
                Delete
              </button>
            )}
          </div>
        )}

        {edit?.kind === 'replace' ? (
          <div
            className="fd-confirm"
            role="alertdialog"
            aria-labelledby={`${id}-replace`}
            data-testid="file-dialog-replace-confirm"
          >
            <span id={`${id}-replace`}>
              <strong>{baseName(edit.path)}</strong> exists
              {folderOf(edit.path) ? ` in ${folderOf(edit.path)}` : ''} — replace it?
            </span>
            <button
              type="button"
              ref={cancelReplaceRef}
              data-testid="file-dialog-replace-cancel"
              onClick={() => {
                setEdit(null);
                nameRef.current?.focus();
              }}
            >
              Cancel
            </button>
            <button
              type="button"
              className="fd-danger-button"
              data-testid="file-dialog-replace"
              disabled={busy}
              onClick={() => {
                const path = edit.path;
                setEdit(null);
                void submit(path, true);
              }}
            >
              Replace
            </button>
          </div>
        ) : (
          <footer className="fd-foot">
            {saving ? (
              <div className="fd-name-field">
                <label htmlFor={`${id}-name`}>{request.mode === 'export' ? 'Export as' : 'File name'}</label>
                <input
                  id={`${id}-name`}
                  ref={nameRef}
                  value={name}
                  spellCheck={false}
                  autoComplete="off"
                  aria-invalid={nameProblem || takenByFolder ? true : undefined}
                  aria-describedby={`${id}-name-hint`}
                  data-testid="file-dialog-name"
                  onChange={(e) => {
                    setName(e.target.value);
                    setSubmitError(null);
                    // The file the name would replace is shown as the list's selection.
                    const at = shown.findIndex((entry) => entry.name === withYamlExtension(e.target.value));
                    if (at >= 0) setActive(at);
                  }}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') {
                      e.preventDefault();
                      confirm();
                    } else if (e.key === 'ArrowDown') {
                      e.preventDefault();
                      listRef.current?.focus();
                    }
                  }}
                />
                <small
                  id={`${id}-name-hint`}
                  className={`fd-hint${nameProblem || takenByFolder || submitError ? ' fd-hint-error' : taken ? ' fd-hint-warn' : ''}`}
                  role="status"
                  data-testid="file-dialog-name-hint"
                >
                  {submitError ??
                    (nameProblem
                      ? capitalise(nameProblem)
                      : takenByFolder
                        ? `A folder is called ${fileName}`
                        : taken
                          ? `${fileName} exists — you will be asked before it is replaced`
                          : fileName !== name.trim()
                            ? `Saves as ${fileName}`
                            : `In ${dir === '' ? 'the root folder' : dir}`)}
                </small>
              </div>
            ) : (
              <div className="fd-name-field">
                <span className="fd-hint" role="status">
                  {submitError ??
                    (current?.kind === 'file'
                      ? current.name
                      : 'Choose a workflow file (Enter opens a folder, Backspace goes up, type to filter)')}
                </span>
              </div>
            )}
            <div className="fd-buttons">
              {request.portable && (
                <>
                  <button
                    type="button"
                    data-testid="file-dialog-copy"
                    onClick={() => onCopy?.(request.portable!.text)}
                  >
                    Copy YAML
                  </button>
                  <button type="button" data-testid="file-dialog-download" onClick={download}>
                    Download
                  </button>
                </>
              )}
              <button type="button" onClick={onCancel}>
                Cancel
              </button>
              <button
                type="button"
                className="fd-primary"
                data-testid="file-dialog-confirm"
                disabled={busy || (saving ? !!nameProblem || !!takenByFolder : current?.kind !== 'file')}
                onClick={() => confirm()}
              >
                {request.confirmLabel}
              </button>
            </div>
          </footer>
        )}
        {warnings.length > 0 && (
          <p className="fd-warnings" role="note">
            {warnings.length === 1
              ? warnings[0]!.message
              : `${warnings.length} notes: ${warnings[0]!.message} …`}
          </p>
        )}
      </div>
    </div>
  );
}

function renameProblem(entry: FileEntry, name: string): string | null {
  return entry.kind === 'dir' ? fileNameProblem(name) : workflowFileNameProblem(name);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A name typed in place (new folder, rename), checked as it is typed. */
function InlineName(props: {
  label: string;
  value: string;
  problem: string | null;
  error: string | null;
  testId: string;
  commitLabel: string;
  inline?: boolean;
  onChange(value: string): void;
  onCommit(): void;
  onCancel(): void;
}) {
  const id = useId();
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const input = ref.current;
    if (!input) return;
    input.focus();
    const dot = input.value.lastIndexOf('.');
    input.setSelectionRange(0, dot > 0 ? dot : input.value.length);
  }, []);
  const message = props.error ?? (props.problem ? capitalise(props.problem) : null);
  return (
    <span
      className={props.inline ? 'fd-inline fd-inline-row' : 'fd-inline'}
      onClick={(e) => e.stopPropagation()}
    >
      <input
        ref={ref}
        aria-label={props.label}
        aria-invalid={message ? true : undefined}
        aria-describedby={`${id}-msg`}
        data-testid={props.testId}
        value={props.value}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => props.onChange(e.target.value)}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Enter') {
            e.preventDefault();
            if (!props.problem) props.onCommit();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            props.onCancel();
          }
        }}
      />
      <button type="button" disabled={!!props.problem} onClick={props.onCommit}>
        {props.commitLabel}
      </button>
      <small id={`${id}-msg`} className="fd-hint fd-hint-error" role="status">
        {message ?? ''}
      </small>
    </span>
  );
}

const icon = { width: 16, height: 16, viewBox: '0 0 16 16', 'aria-hidden': true, focusable: false } as const;

function FolderIcon() {
  return (
    <svg {...icon} className="fd-svg fd-folder-icon">
      <path d="M1.5 3.5a1 1 0 0 1 1-1h3.6l1.5 1.5h5.9a1 1 0 0 1 1 1v7.5a1 1 0 0 1-1 1h-11a1 1 0 0 1-1-1z" />
    </svg>
  );
}

function FileIcon() {
  return (
    <svg {...icon} className="fd-svg fd-file-icon">
      <path d="M3.5 1.5h6l3 3v10h-9z" />
      <path d="M9.5 1.5v3h3" fill="none" />
    </svg>
  );
}

function UpIcon() {
  return (
    <svg {...icon} className="fd-svg">
      <path d="M8 13V3M3.5 7.5 8 3l4.5 4.5" fill="none" />
    </svg>
  );
}

function PenIcon() {
  return (
    <svg {...icon} className="fd-svg">
      <path d="M3 13l.6-2.8L10.8 3l2.2 2.2-7.2 7.2z" fill="none" />
    </svg>
  );
}

function TrashIcon() {
  return (
    <svg {...icon} className="fd-svg">
      <path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 9h5.6l.7-9" fill="none" />
    </svg>
  );
}
