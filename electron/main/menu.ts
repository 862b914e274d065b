// The native menu as a pure template, built from the action manifest (electron/shared/actions.ts): each
// placed action becomes an item that sends its id to the focused window's renderer, which performs it
// through its action registry. Text-editing items use Electron's built-in roles.
import { basename } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import {
  ACTION_SPECS,
  DOCS_URL,
  HELP_URL,
  toAccelerator,
  type ActionSpec,
  type MenuSection,
} from '../shared/actions.ts';
import type { MenuCommandMessage } from '../shared/channels.ts';

export { HELP_URL };

export interface MenuOptions {
  platform: NodeJS.Platform;
  appName: string;
  recent: readonly string[];
  send(message: MenuCommandMessage): void;
  clearRecent(): void;
  openExternal(url: string): void;
  /** Adds reload / developer tools (development builds only). */
  dev?: boolean;
}

const SECTIONS: readonly MenuSection[] = ['File', 'Edit', 'Run', 'View', 'Help'];

/**
 * The renderer performs every key itself (it knows where focus is: Delete on the canvas, not in a text
 * field), so the menu only shows accelerators. macOS has no `registerAccelerator: false`: there the
 * menu performs the window-wide (global) ones, which the renderer then leaves alone, and shows none
 * for the rest (Backspace must stay Backspace in a text field).
 */
function acceleratorOf(spec: ActionSpec, mac: boolean): Partial<MenuItemConstructorOptions> {
  const combo = spec.keys?.[0];
  if (!combo) return {};
  const accelerator = toAccelerator(combo);
  if (spec.menu?.role) return { accelerator };
  if (!mac) return { accelerator, registerAccelerator: false };
  return spec.scope === 'global' ? { accelerator } : {};
}

function sectionItems(section: MenuSection, options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const items: MenuItemConstructorOptions[] = [];
  let group: number | null = null;
  for (const spec of ACTION_SPECS as readonly ActionSpec[]) {
    const menu = spec.menu;
    if (!menu || menu.section !== section) continue;
    if (group !== null && menu.group !== group) items.push({ type: 'separator' });
    group = menu.group;
    const label =
      section === 'Help' && spec.id === 'help:about'
        ? `About ${options.appName}`
        : (menu.label ?? spec.title);
    if (menu.role) items.push({ role: menu.role, label, ...acceleratorOf(spec, mac) });
    else
      items.push({
        label,
        ...acceleratorOf(spec, mac),
        // The documentation opens from main, so it works with no window open too.
        click:
          spec.id === 'help:docs'
            ? () => options.openExternal(DOCS_URL)
            : () => options.send({ command: spec.id as MenuCommandMessage['command'] }),
      });
    if (spec.id === 'file:open') items.push({ label: 'Open Recent', submenu: openRecent(options) });
  }
  return items;
}

function openRecent(options: MenuOptions): MenuItemConstructorOptions[] {
  const recentItems: MenuItemConstructorOptions[] = options.recent.map((path) => ({
    label: basename(path),
    sublabel: path,
    toolTip: path,
    click: () => options.send({ command: 'file:open-path', path }),
  }));
  return [
    ...(recentItems.length > 0 ? recentItems : [{ label: 'No Recent Files', enabled: false }]),
    { type: 'separator' },
    { label: 'Clear Recently Opened', enabled: recentItems.length > 0, click: () => options.clearRecent() },
  ];
}

/** Items Electron provides that are not app actions, appended to a section. */
function extras(section: MenuSection, options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  if (section === 'File' && !mac) return [{ type: 'separator' }, { role: 'quit' }];
  if (section === 'View') {
    return [
      ...(options.dev
        ? [{ type: 'separator' } as const, { role: 'reload' } as const, { role: 'toggleDevTools' } as const]
        : []),
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ];
  }
  return [];
}

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const template: MenuItemConstructorOptions[] = [];
  if (options.platform === 'darwin') {
    template.push({
      label: options.appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  for (const section of SECTIONS) {
    template.push({
      label: `&${section}`,
      ...(section === 'Help' ? { role: 'help' as const } : {}),
      submenu: [...sectionItems(section, options), ...extras(section, options)],
    });
  }
  return template;
}
