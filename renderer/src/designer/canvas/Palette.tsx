// Palette of new nodes: drag an item onto the canvas (dropped at the cursor) or click it (added at the
// centre of the view). The drop itself is handled by the canvas; this panel only starts the drag.
import { useContext, useMemo, type DragEvent } from 'react';
import { useStore } from 'zustand';
import type { DocumentStore } from '../document-store.ts';
import type { UiStore } from '../ui-store.ts';
import { addedNodes, dropPaletteItem, type PaletteKind } from './canvas-edits.ts';
import { CanvasContext, createCanvasLocalStore, runEdit, viewCentre } from './context.ts';
import './canvas.css';

/** dataTransfer type carrying the palette kind. */
export const PALETTE_MIME = 'application/x-fanout-palette';

export const PALETTE_ITEMS: readonly { kind: PaletteKind; label: string; hint: string; icon: string }[] = [
  { kind: 'lua', label: 'Lua node', hint: 'Runs a Lua chunk (language: lua)', icon: '☾' },
  { kind: 'action', label: 'Action', hint: 'Calls a built-in action (uses: json.parse)', icon: '⚙' },
  { kind: 'while', label: 'While loop', hint: 'Repeats its body while a condition holds', icon: '↻' },
  { kind: 'parallel', label: 'Parallel branches', hint: 'A fan-out to 3 branches and a fan-in', icon: '⇉' },
];

export function isPaletteKind(value: string): value is PaletteKind {
  return PALETTE_ITEMS.some((item) => item.kind === value);
}

export function Palette({ doc, ui }: { doc: DocumentStore; ui: UiStore }) {
  const shared = useContext(CanvasContext);
  const fallback = useMemo(() => createCanvasLocalStore(), []);
  const local = shared?.doc === doc ? shared.local : fallback;
  const notice = useStore(local, (s) => (shared?.doc === doc ? null : s.notice));

  const add = (kind: PaletteKind) => {
    const before = doc.getState().text;
    const label = `Add ${PALETTE_ITEMS.find((i) => i.kind === kind)!.label}`;
    if (runEdit({ doc, local }, (t) => dropPaletteItem(t, kind, viewCentre(doc)), label)) {
      ui.getState().select({ nodes: addedNodes(before, doc.getState().text), edges: [] });
    }
  };
  const onDragStart = (event: DragEvent<HTMLButtonElement>, kind: PaletteKind) => {
    event.dataTransfer.setData(PALETTE_MIME, kind);
    event.dataTransfer.setData('text/plain', kind);
    event.dataTransfer.effectAllowed = 'copy';
  };

  return (
    <div className="fs-palette" data-testid="palette" aria-label="Node palette">
      <div className="fs-palette-title">Add</div>
      {PALETTE_ITEMS.map((item) => (
        <button
          key={item.kind}
          type="button"
          className="fs-palette-item"
          draggable
          data-testid={`palette-item-${item.kind}`}
          title={`${item.hint} — drag onto the canvas or click`}
          onDragStart={(event) => onDragStart(event, item.kind)}
          onClick={() => add(item.kind)}
        >
          <span className="fs-palette-icon" aria-hidden>
            {item.icon}
          </span>
          {item.label}
        </button>
      ))}
      {notice && <div className="fs-palette-notice">{notice}</div>}
    </div>
  );
}
