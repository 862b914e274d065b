// Canvas note gestures -> document text, through the graph edit dispatcher (one undo step each).
import { applyGraphEdit } from '../../../../../engine/workflow/graph-edit.ts';
import type { NoteBox, NoteEdit } from '../../../../../engine/workflow/edit/graph/note-edits.ts';
import { freshNoteId, NOTE_DEFAULT_SIZE } from '../../../../../engine/workflow/notes.ts';
import { loadWorkflow } from '../../../../../engine/workflow/load.ts';
import type { NoteColor, Position } from '../../../../../engine/workflow/types.ts';
import { snapPosition } from '../geometry.ts';

export const noteEdit =
  (edit: NoteEdit) =>
  (text: string): string =>
    applyGraphEdit(text, { type: 'notes', edit }).text;

/** A new note centred on `at` (snapped); returns the edit and the id it gets. */
export function addNoteAt(
  text: string,
  at: Position,
  color: NoteColor = 'yellow',
): { fn: (t: string) => string; id: string } {
  const id = freshNoteId(loadWorkflow(text).model?.notes);
  const corner = snapPosition({
    x: at.x - NOTE_DEFAULT_SIZE.width / 2,
    y: at.y - NOTE_DEFAULT_SIZE.height / 2,
  });
  return { id, fn: noteEdit({ op: 'add', note: { id, box: corner, color, text: '' } }) };
}

export const moveNote = (id: string, box: Partial<NoteBox>) => noteEdit({ op: 'update', id, box });
export const setNoteText = (id: string, text: string) => noteEdit({ op: 'update', id, text });
export const setNoteColor = (id: string, color: NoteColor) => noteEdit({ op: 'update', id, color });
export const deleteNotes = (ids: string[]) => noteEdit({ op: 'delete', ids });
