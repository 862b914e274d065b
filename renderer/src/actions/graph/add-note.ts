// "Add sticky note": at the context menu's click, else at the view's centre (palette, Shift+S); the new
// note is selected, ready for a double-click (or Enter) to write in it.
import { addNoteAt } from '../../designer/canvas/notes/note-actions.ts';
import { addPosition, needsCanvas, runEdit } from '../conditions.ts';
import { defineAction } from '../define.ts';

export const addNote = defineAction('graph:add-note', {
  enabled: needsCanvas,
  perform: (ctx) => {
    const { id, fn } = addNoteAt(ctx.doc.getState().text, addPosition(ctx));
    if (runEdit(ctx, fn, 'Add note')) ctx.ui.getState().select({ nodes: [], edges: [], notes: [id] });
  },
});
