// Sticky notes on the canvas: drawn in React Flow's viewport (so they pan and zoom with the graph) and
// under the nodes, outside React Flow's node list (notes are not workflow nodes: no handles, never in
// the node selection, copy or delete-nodes). Drag the header to move, the corner to resize, double-click
// to write; every gesture is one document edit (note-edits.ts), so undo/redo covers it.
import { ViewportPortal, useStore as useFlowStore } from '@xyflow/react';
import { memo, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useStore } from 'zustand';
import { MAX_NOTE_TEXT } from '../../../../../engine/workflow/limits.ts';
import { NOTE_COLORS, type CanvasNote, type NoteColor } from '../../../../../engine/workflow/types.ts';
import { runEdit, useCanvasStores } from '../context.ts';
import { GRID } from '../geometry.ts';
import { deleteNotes, moveNote, setNoteColor, setNoteText } from './note-actions.ts';
import { parseNoteText, type Inline } from './note-text.ts';
import './notes.css';

const NO_NOTES: CanvasNote[] = [];

export function NotesLayer() {
  const { doc } = useCanvasStores();
  const notes = useStore(doc, (s) => (s.graph ?? s.lastGoodGraph)?.notes ?? NO_NOTES);
  if (notes.length === 0) return null;
  return (
    <ViewportPortal>
      <div className="fs-notes">
        {notes.map((note) => (
          <StickyNote key={note.id} note={note} />
        ))}
      </div>
    </ViewportPortal>
  );
}

const snap = (v: number) => Math.round(v / GRID) * GRID;

type Gesture = { kind: 'move' | 'resize'; startX: number; startY: number; dx: number; dy: number };

const StickyNote = memo(function StickyNote({ note }: { note: CanvasNote }) {
  const stores = useCanvasStores();
  const { ui } = stores;
  const zoom = useFlowStore((s) => s.transform[2]);
  const selected = useStore(ui, (s) => s.selection.notes?.includes(note.id) ?? false);
  const [gesture, setGesture] = useState<Gesture | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(note.text);
  const [colours, setColours] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const tooLong = note.text.length > MAX_NOTE_TEXT;

  const select = () => {
    const { selection } = ui.getState();
    if (selection.notes?.length === 1 && selection.notes[0] === note.id && selection.nodes.length === 0)
      return;
    ui.getState().select({ nodes: [], edges: [], notes: [note.id] });
  };
  const edit = (fn: (t: string) => string, label: string) => runEdit(stores, fn, label);

  const startGesture = (event: PointerEvent<HTMLElement>, kind: Gesture['kind']) => {
    if (event.button !== 0 || editing) return;
    event.stopPropagation();
    event.currentTarget.setPointerCapture(event.pointerId);
    select();
    setGesture({ kind, startX: event.clientX, startY: event.clientY, dx: 0, dy: 0 });
  };
  const moveGesture = (event: PointerEvent<HTMLElement>) => {
    if (!gesture) return;
    setGesture({
      ...gesture,
      dx: (event.clientX - gesture.startX) / zoom,
      dy: (event.clientY - gesture.startY) / zoom,
    });
  };
  const endGesture = () => {
    if (!gesture) return;
    setGesture(null);
    if (Math.abs(gesture.dx) < 2 && Math.abs(gesture.dy) < 2) return;
    if (gesture.kind === 'move') {
      edit(moveNote(note.id, { x: snap(note.x + gesture.dx), y: snap(note.y + gesture.dy) }), 'Move note');
    } else {
      edit(
        moveNote(note.id, { width: snap(note.width + gesture.dx), height: snap(note.height + gesture.dy) }),
        'Resize note',
      );
    }
  };

  const startEditing = () => {
    if (tooLong) {
      stores.local.getState().setNotice('This note is too long to edit on the canvas: edit it in the YAML');
      return;
    }
    setDraft(note.text);
    setEditing(true);
  };
  const commitText = () => {
    setEditing(false);
    if (draft !== note.text) edit(setNoteText(note.id, draft), 'Edit note');
    rootRef.current?.focus();
  };
  const remove = () => {
    if (edit(deleteNotes([note.id]), 'Delete note')) {
      const { selection } = ui.getState();
      ui.getState().select({ ...selection, notes: (selection.notes ?? []).filter((id) => id !== note.id) });
      rootRef.current?.closest<HTMLElement>('[data-testid="designer-canvas"]')?.focus();
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (editing || event.target !== event.currentTarget) return;
    if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault();
      event.stopPropagation();
      remove();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      startEditing();
    } else if (event.key === 'Escape') {
      ui.getState().select({ ...ui.getState().selection, notes: [] });
    }
  };

  const moved = gesture?.kind === 'move' ? gesture : null;
  const sized = gesture?.kind === 'resize' ? gesture : null;
  const style = {
    transform: `translate(${note.x + (moved?.dx ?? 0)}px, ${note.y + (moved?.dy ?? 0)}px)`,
    width: Math.max(120, note.width + (sized?.dx ?? 0)),
    height: Math.max(64, note.height + (sized?.dy ?? 0)),
  };
  return (
    <div
      ref={rootRef}
      className={`fs-note fs-note-${note.color} nopan nodrag nowheel${selected ? ' fs-note-selected' : ''}`}
      style={style}
      data-testid={`note-${note.id}`}
      data-note-id={note.id}
      role="note"
      aria-label={`Note ${note.id}${note.text ? `: ${note.text.split('\n')[0]}` : ''}`}
      tabIndex={0}
      onPointerDown={(event) => {
        event.stopPropagation();
        select();
      }}
      onDoubleClick={(event) => {
        event.stopPropagation();
        if (!editing) startEditing();
      }}
      onKeyDown={onKeyDown}
    >
      <div
        className="fs-note-head"
        title="Drag to move · double-click the note to write"
        onPointerDown={(event) => startGesture(event, 'move')}
        onPointerMove={moveGesture}
        onPointerUp={endGesture}
        onPointerCancel={() => setGesture(null)}
      >
        <span className="fs-note-grip" aria-hidden="true">
          ⋮⋮
        </span>
        {selected && (
          <span className="fs-note-tools" onPointerDown={(event) => event.stopPropagation()}>
            <button
              type="button"
              className="fs-note-colour-button"
              data-testid={`note-colour-${note.id}`}
              aria-label="Note colour"
              aria-expanded={colours}
              title="Colour"
              onClick={() => setColours(!colours)}
            />
            <button
              type="button"
              className="fs-note-delete"
              data-testid={`note-delete-${note.id}`}
              aria-label="Delete note"
              title="Delete note (Delete)"
              onClick={remove}
            >
              ×
            </button>
          </span>
        )}
      </div>
      {colours && selected && (
        <ColourPicker
          current={note.color}
          onPick={(color) => {
            setColours(false);
            if (color !== note.color) edit(setNoteColor(note.id, color), 'Note colour');
            rootRef.current?.focus();
          }}
          onClose={() => {
            setColours(false);
            rootRef.current?.focus();
          }}
        />
      )}
      {editing ? (
        <textarea
          className="fs-note-editor"
          data-testid={`note-editor-${note.id}`}
          aria-label="Note text"
          autoFocus
          value={draft}
          placeholder="Write a note… (# heading, - bullet, **bold**, `code`)"
          onChange={(event) => setDraft(event.target.value)}
          onBlur={commitText}
          onPointerDown={(event) => event.stopPropagation()}
          onKeyDown={(event) => {
            event.stopPropagation(); // typing must not trigger canvas keys
            if (event.key === 'Escape') {
              setDraft(note.text);
              setEditing(false);
              rootRef.current?.focus();
            } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
              event.preventDefault();
              commitText();
            }
          }}
        />
      ) : (
        <NoteBody text={note.text} />
      )}
      <div
        className="fs-note-resize"
        data-testid={`note-resize-${note.id}`}
        aria-hidden="true"
        title="Drag to resize"
        onPointerDown={(event) => startGesture(event, 'resize')}
        onPointerMove={moveGesture}
        onPointerUp={endGesture}
        onPointerCancel={() => setGesture(null)}
      />
    </div>
  );
});

function NoteBody({ text }: { text: string }) {
  if (text.trim() === '') {
    return <div className="fs-note-body fs-note-empty">Double-click to write a note</div>;
  }
  return (
    <div className="fs-note-body">
      {parseNoteText(text).map((block, i) =>
        block.kind === 'blank' ? (
          <div key={i} className="fs-note-gap" />
        ) : block.kind === 'heading' ? (
          <div key={i} className="fs-note-h">
            <Inlines inline={block.inline} />
          </div>
        ) : block.kind === 'bullet' ? (
          <div key={i} className="fs-note-li">
            <Inlines inline={block.inline} />
          </div>
        ) : (
          <div key={i}>
            <Inlines inline={block.inline} />
          </div>
        ),
      )}
    </div>
  );
}

function Inlines({ inline }: { inline: Inline[] }) {
  return (
    <>
      {inline.map((part, i) =>
        part.kind === 'bold' ? (
          <b key={i}>{part.text}</b>
        ) : part.kind === 'code' ? (
          <code key={i}>{part.text}</code>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </>
  );
}

function ColourPicker({
  current,
  onPick,
  onClose,
}: {
  current: NoteColor;
  onPick: (color: NoteColor) => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('[aria-checked="true"]')?.focus();
  }, []);
  return (
    <div
      ref={ref}
      className="fs-note-colours"
      role="radiogroup"
      aria-label="Note colour"
      onPointerDown={(event) => event.stopPropagation()}
      onKeyDown={(event) => {
        event.stopPropagation();
        if (event.key === 'Escape') onClose();
      }}
    >
      {NOTE_COLORS.map((color) => (
        <button
          key={color}
          type="button"
          role="radio"
          aria-checked={color === current}
          aria-label={color}
          title={color}
          data-testid={`note-colour-option-${color}`}
          className={`fs-note-swatch fs-note-${color}`}
          onClick={() => onPick(color)}
        />
      ))}
    </div>
  );
}
