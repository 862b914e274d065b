// Palette of new nodes: drag an item onto the canvas (dropped at the cursor) or click it (added at the
// centre of the view). The drop itself is handled by the canvas; this panel only starts the drag. It
// folds to its title (remembered) and filters as you type; "/" anywhere outside a text field finds it.
import { useContext, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { useStore } from 'zustand';
import { useActions } from '../../actions/actions-context.ts';
import type { DocumentStore } from '../document-store.ts';
import { readFlag, writeFlag } from '../layout-storage.ts';
import type { UiStore } from '../ui-store.ts';
import { addedNodes, dropPaletteItem, type PaletteKind } from './canvas-edits.ts';
import { CanvasContext, createCanvasLocalStore, runEdit, viewCentre } from './context.ts';
import { PALETTE_ITEMS, searchPalette } from './palette-search.ts';
import './canvas.css';

export { PALETTE_ITEMS };

/** dataTransfer type carrying the palette kind. */
export const PALETTE_MIME = 'application/x-fanout-palette';

export function isPaletteKind(value: string): value is PaletteKind {
  return PALETTE_ITEMS.some((item) => item.kind === value);
}

function isTextField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable)
  );
}

/** The sticky-note item is an action, not a node kind: shown while the query could mean it. */
function noteMatches(query: string): boolean {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return words.every((w) => ['sticky', 'note', 'comment', 'annotation'].some((k) => k.startsWith(w)));
}

export function Palette({ doc, ui }: { doc: DocumentStore; ui: UiStore }) {
  const shared = useContext(CanvasContext);
  const fallback = useMemo(() => createCanvasLocalStore(), []);
  const local = shared?.doc === doc ? shared.local : fallback;
  const notice = useStore(local, (s) => (shared?.doc === doc ? null : s.notice));
  const [collapsed, setCollapsed] = useState(() => readFlag('palette-collapsed', false));
  const [query, setQuery] = useState('');
  const searchRef = useRef<HTMLInputElement>(null);
  const shown = searchPalette(PALETTE_ITEMS, query);
  const actions = useActions();

  const fold = (next: boolean) => {
    setCollapsed(next);
    writeFlag('palette-collapsed', next);
  };

  // "/" from anywhere but a text field: unfold the palette and put the cursor in its search.
  const focusPending = useRef(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || isTextField(event.target))
        return;
      event.preventDefault();
      focusPending.current = true;
      setCollapsed(false);
      searchRef.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (!collapsed && focusPending.current) {
      focusPending.current = false;
      searchRef.current?.focus();
    }
  }, [collapsed]);

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
    <div
      className={collapsed ? 'fs-palette fs-palette-collapsed' : 'fs-palette'}
      data-testid="palette"
      role="group"
      aria-label="Node palette"
    >
      <div className="fs-palette-head">
        <button
          type="button"
          className="fs-palette-fold"
          data-testid="palette-collapse"
          aria-expanded={!collapsed}
          title={collapsed ? 'Show the node palette (/ to search it)' : 'Fold the node palette'}
          onClick={() => fold(!collapsed)}
        >
          <span className="fs-palette-title">Add node</span>
          <span aria-hidden>{collapsed ? '▸' : '▾'}</span>
        </button>
      </div>
      {!collapsed && (
        <>
          <input
            ref={searchRef}
            type="search"
            className="fs-palette-search"
            data-testid="palette-search"
            placeholder="Search  /"
            aria-label="Search the node palette"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && shown[0]) {
                event.preventDefault();
                add(shown[0].kind);
              } else if (event.key === 'Escape') {
                event.stopPropagation();
                if (query) setQuery('');
                else event.currentTarget.blur();
              }
            }}
          />
          {shown.map((item) => (
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
          {actions && noteMatches(query) && (
            <button
              type="button"
              className="fs-palette-item"
              data-testid="palette-item-note"
              title="A sticky note for comments on the canvas (Shift+S); saved in the YAML, ignored by TEA"
              onClick={() => actions.perform('graph:add-note')}
            >
              <span className="fs-palette-icon" aria-hidden>
                ▭
              </span>
              Sticky note
            </button>
          )}
          {shown.length === 0 && !noteMatches(query) && (
            <div className="fs-palette-none" data-testid="palette-none">
              No node matches “{query}”
            </div>
          )}
        </>
      )}
      {notice && <div className="fs-palette-notice">{notice}</div>}
    </div>
  );
}
