// Command palette (Ctrl+K): a search box over commands, templates, files and nodes. Arrow keys move,
// Enter runs, Escape or a click outside closes. Filtering and ranking live in rank.ts.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { moveHighlight, rankItems, type PaletteItem } from './rank.ts';
import './commands.css';

export function CommandPalette({
  items,
  initialQuery = '',
  onRun,
  onClose,
}: {
  items: readonly PaletteItem[];
  initialQuery?: string;
  onRun: (item: PaletteItem) => void;
  onClose: () => void;
}) {
  const [query, setQuery] = useState(initialQuery);
  const [highlight, setHighlight] = useState(0);
  const shown = useMemo(() => rankItems(items, query), [items, query]);
  const listRef = useRef<HTMLUListElement>(null);
  const active = Math.min(highlight, Math.max(shown.length - 1, 0));

  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [active, shown]);

  const choose = (item: PaletteItem | undefined) => {
    if (!item || item.disabled) return;
    onClose();
    onRun(item);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setHighlight(moveHighlight(active, event.key === 'ArrowDown' ? 1 : -1, shown.length));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      choose(shown[active]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
    }
    event.stopPropagation(); // keys typed here are not canvas or app shortcuts
  };

  return (
    <div className="cmd-overlay" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div
        className="cmd-palette"
        role="dialog"
        aria-modal="true"
        aria-label="Command palette"
        data-testid="command-palette"
      >
        <input
          className="cmd-input"
          data-testid="command-palette-input"
          autoFocus
          placeholder="Type a command, a file or a node…"
          aria-controls="cmd-list"
          aria-activedescendant={shown[active] ? `cmd-item-${active}` : undefined}
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
            setHighlight(0);
          }}
          onKeyDown={onKeyDown}
        />
        <ul className="cmd-list" id="cmd-list" role="listbox" ref={listRef}>
          {shown.map((item, index) => (
            <li
              key={item.id}
              id={`cmd-item-${index}`}
              role="option"
              aria-selected={index === active}
              aria-disabled={item.disabled || undefined}
              data-testid="command-palette-item"
              className={`cmd-item${index === active ? ' active' : ''}${item.disabled ? ' disabled' : ''}`}
              onMouseMove={() => index !== active && setHighlight(index)}
              title={item.disabled ? item.reason : undefined}
              onClick={() => choose(item)}
            >
              <span className="cmd-group">{item.group}</span>
              <span className="cmd-title">{item.title}</span>
              {item.disabled && item.reason ? (
                <span className="cmd-item-reason">{item.reason}</span>
              ) : (
                item.keys && <kbd className="cmd-keys">{item.keys}</kbd>
              )}
            </li>
          ))}
          {shown.length === 0 && <li className="cmd-empty">No matches</li>}
        </ul>
      </div>
    </div>
  );
}
