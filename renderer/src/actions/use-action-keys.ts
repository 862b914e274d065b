// The one key dispatcher: a window listener (capture phase, so editors do not swallow Ctrl+S or
// Ctrl+Enter) that performs the registry action a key press names, where its scope allows.
import { useEffect } from 'react';
import type { ActionsApi } from './actions-context.ts';
import { actionForKey, type KeyPlace } from './registry.ts';

export function keyPlace(target: EventTarget | null): KeyPlace {
  const el = target instanceof Element ? target : null;
  const html = el as HTMLElement | null;
  const typing =
    !!html &&
    (html.tagName === 'INPUT' ||
      html.tagName === 'TEXTAREA' ||
      html.tagName === 'SELECT' ||
      html.isContentEditable);
  return {
    typing,
    inCanvas: !!el?.closest('[data-testid="designer-canvas"]'),
    inOverlay: !!el?.closest('[role="dialog"], [role="menu"]'),
  };
}

/**
 * `menuOwnsGlobalKeys`: in Electron on macOS the native menu's accelerators perform the window-wide
 * (global) actions it lists, so they are not performed here a second time. Elsewhere the menu only
 * shows its accelerators (menu.ts) and every key comes through here.
 */
export function useActionKeys(api: ActionsApi, menuOwnsGlobalKeys: boolean): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const action = actionForKey(event, keyPlace(event.target));
      if (!action) return;
      if (menuOwnsGlobalKeys && action.menu && !action.menu.role && action.scope === 'global') return;
      // A disabled canvas or app action leaves the key to the browser (Ctrl+D with nothing selected is
      // a bookmark); window-wide keys never fall through (Ctrl+S must not save the web page).
      if (api.perform(action.id) !== true && action.scope !== 'global') return;
      event.preventDefault();
      event.stopPropagation();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [api, menuOwnsGlobalKeys]);
}
