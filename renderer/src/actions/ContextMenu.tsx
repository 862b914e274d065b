// A context menu listing registry actions in groups: keyboard-accessible (arrows, Home/End, Enter,
// Escape, Tab), closes on a click outside, stays on screen near the window's edges. Disabled items stay
// visible with the reason as their tooltip, so no item is silently dead.
import { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import type { ActionId } from '../../../electron/shared/actions.ts';
import { placeMenu } from './menu-position.ts';
import type { ActionState } from './registry.ts';
import './context-menu.css';

export interface ContextMenuProps {
  /** Viewport coordinates of the click. */
  at: { x: number; y: number };
  label: string;
  groups: readonly (readonly ActionState[])[];
  keysOf(id: ActionId): string | undefined;
  onChoose(id: ActionId): void;
  onClose(): void;
}

export function ContextMenu({ at, label, groups, keysOf, onChoose, onClose }: ContextMenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState<{ left: number; top: number } | null>(null);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const { width, height } = el.getBoundingClientRect();
    setPlace(placeMenu(at, { width, height }, { width: window.innerWidth, height: window.innerHeight }));
  }, [at]);
  // Focus the first item once the menu is placed (a hidden element cannot take focus), and again on
  // the next frame: a right-click's mousedown focuses the node under it after the menu has opened.
  const placed = place !== null;
  useLayoutEffect(() => {
    if (!placed) return;
    items()[0]?.focus();
    const frame = requestAnimationFrame(() => {
      if (!ref.current?.contains(document.activeElement)) items()[0]?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [placed]);

  // A press anywhere else, a resize or leaving the window closes the menu.
  useLayoutEffect(() => {
    const outside = (event: PointerEvent) => {
      if (!ref.current?.contains(event.target as Node)) onClose();
    };
    window.addEventListener('pointerdown', outside, true);
    window.addEventListener('resize', onClose);
    window.addEventListener('blur', onClose);
    return () => {
      window.removeEventListener('pointerdown', outside, true);
      window.removeEventListener('resize', onClose);
      window.removeEventListener('blur', onClose);
    };
  }, [onClose]);

  const items = () => [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => list[(to + list.length) % list.length]?.focus();
    if (event.key === 'ArrowDown') move(at + 1);
    else if (event.key === 'ArrowUp') move(at < 0 ? -1 : at - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(-1);
    else if (event.key === 'Escape' || event.key === 'Tab') onClose();
    else return;
    event.preventDefault();
    event.stopPropagation();
  };

  return createPortal(
    <div
      ref={ref}
      className="fs-context-menu"
      role="menu"
      aria-label={label}
      data-testid="context-menu"
      style={place ? { left: place.left, top: place.top } : { left: at.x, top: at.y, visibility: 'hidden' }}
      onKeyDown={onKeyDown}
      onContextMenu={(event) => event.preventDefault()}
    >
      {groups.map((group, g) => (
        <div key={g} role="group" className="fs-context-group">
          {group.map((item) => {
            const disabled = item.enabled !== true;
            const keys = keysOf(item.id);
            return (
              <button
                key={item.id}
                type="button"
                role="menuitem"
                className="fs-context-item"
                data-action={item.id}
                aria-disabled={disabled || undefined}
                title={disabled ? (item.enabled as string) : undefined}
                onClick={() => {
                  if (disabled) return;
                  onClose();
                  onChoose(item.id);
                }}
              >
                <span className="fs-context-title">{item.title}</span>
                {disabled ? (
                  <span className="fs-context-reason">{item.enabled as string}</span>
                ) : (
                  keys && <kbd className="fs-context-keys">{keys}</kbd>
                )}
              </button>
            );
          })}
        </div>
      ))}
    </div>,
    document.body,
  );
}
