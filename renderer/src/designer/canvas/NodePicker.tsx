// The node picker: dropping an edge on empty canvas opens it there. Search as you type (Lua node,
// parallel branches, while loop, every built-in action with its description and parameters), arrows
// and Enter to pick, Escape to close. The picked node is added at the drop point and connected.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { PICKER_ITEMS, searchPicker, type PickerItem } from './structure-edits.ts';
import './structure.css';

export interface PickerRequest {
  source: string;
  /** Pane-relative pixel position of the drop. */
  at: { x: number; y: number };
  /** Flow position for the new node. */
  flow: { x: number; y: number };
}

export function NodePicker({
  request,
  onPick,
  onClose,
}: {
  request: PickerRequest;
  onPick(item: PickerItem): void;
  onClose(): void;
}) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const root = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const items = useMemo(() => searchPicker(PICKER_ITEMS, query), [query]);
  const current = items[Math.min(active, items.length - 1)];
  useEffect(() => {
    const away = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) onClose();
    };
    window.addEventListener('pointerdown', away, true);
    return () => window.removeEventListener('pointerdown', away, true);
  }, [onClose]);
  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [active, query]);

  const onKeyDown = (event: KeyboardEvent) => {
    event.stopPropagation();
    if (event.key === 'Escape') onClose();
    else if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((i) => Math.min(i + 1, items.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (event.key === 'Enter' && current) {
      event.preventDefault();
      onPick(current);
    }
  };
  const listId = 'fs-node-picker-list';
  return (
    <div
      ref={root}
      className="fs-popover fs-node-picker"
      role="dialog"
      aria-label={`Add a node after ${request.source}`}
      data-testid="node-picker"
      style={{ left: request.at.x, top: request.at.y }}
      onKeyDown={onKeyDown}
    >
      <div className="fs-popover-title">
        Add after {request.source === '__start__' ? 'Start' : request.source}
      </div>
      <input
        autoFocus
        className="nodrag"
        role="combobox"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={current ? `fs-pick-${current.id}` : undefined}
        aria-label="Search nodes and actions"
        placeholder="Search: lua, parallel, json, http…"
        data-testid="node-picker-search"
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          setActive(0);
        }}
      />
      <ul ref={list} id={listId} role="listbox" className="fs-picker-list">
        {items.length === 0 && <li className="fs-picker-empty">Nothing matches “{query}”</li>}
        {items.map((item, i) => (
          <li
            key={item.id}
            id={`fs-pick-${item.id}`}
            role="option"
            aria-selected={item === current}
            data-testid={`node-picker-item-${item.id}`}
            className={item === current ? 'fs-picker-item fs-active' : 'fs-picker-item'}
            onPointerEnter={() => setActive(i)}
            onClick={() => onPick(item)}
          >
            <span className="fs-picker-label">{item.label}</span>
            <span className="fs-picker-desc">{item.description}</span>
            {item === current && item.params.length > 0 && (
              <span className="fs-picker-params">
                {item.params.map(([name, help]) => (
                  <span key={name} title={help}>
                    <code>{name}</code> {help}
                  </span>
                ))}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
