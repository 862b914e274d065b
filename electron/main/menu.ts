// The native menu as a pure template: every app item sends a MenuCommandMessage to the focused
// window's renderer (which owns the document); text-editing items use Electron's built-in roles.
import { basename } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand, MenuCommandMessage } from '../shared/channels.ts';

export const HELP_URL = 'https://github.com/fabceolin/the_edge_agent';

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

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const { send } = options;
  const mac = options.platform === 'darwin';
  const item = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    ...(accelerator ? { accelerator } : {}),
    click: () => send({ command }),
  });

  const recentItems: MenuItemConstructorOptions[] = options.recent.map((path) => ({
    label: basename(path),
    sublabel: path,
    toolTip: path,
    click: () => send({ command: 'file:open-path', path }),
  }));
  const openRecent: MenuItemConstructorOptions[] = [
    ...(recentItems.length > 0 ? recentItems : [{ label: 'No Recent Files', enabled: false }]),
    { type: 'separator' },
    { label: 'Clear Recently Opened', enabled: recentItems.length > 0, click: () => options.clearRecent() },
  ];

  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
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
  template.push(
    {
      label: '&File',
      submenu: [
        item('New', 'file:new', 'CmdOrCtrl+N'),
        item('Open…', 'file:open', 'CmdOrCtrl+O'),
        { label: 'Open Recent', submenu: openRecent },
        { type: 'separator' },
        item('Save', 'file:save', 'CmdOrCtrl+S'),
        item('Save As…', 'file:save-as', 'Shift+CmdOrCtrl+S'),
        item('Export Portable YAML…', 'file:export', 'CmdOrCtrl+E'),
        { type: 'separator' },
        item('Close', 'file:close', 'CmdOrCtrl+W'),
        ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
      ],
    },
    {
      label: '&Edit',
      submenu: [
        // Undo/redo act on the document's history (the renderer's), not on a single text field.
        item('Undo', 'edit:undo', 'CmdOrCtrl+Z'),
        item('Redo', 'edit:redo', mac ? 'Shift+CmdOrCtrl+Z' : 'CmdOrCtrl+Y'),
        { type: 'separator' },
        { role: 'cut', accelerator: 'CmdOrCtrl+X' },
        { role: 'copy', accelerator: 'CmdOrCtrl+C' },
        { role: 'paste', accelerator: 'CmdOrCtrl+V' },
        { role: 'selectAll', accelerator: 'CmdOrCtrl+A' },
      ],
    },
    {
      label: '&Run',
      submenu: [item('Run', 'run:run', 'F5'), item('Cancel Run', 'run:cancel', 'Shift+F5')],
    },
    {
      label: '&View',
      submenu: [
        item('Zoom In', 'view:zoom-in', 'CmdOrCtrl+='),
        item('Zoom Out', 'view:zoom-out', 'CmdOrCtrl+-'),
        item('Actual Size', 'view:zoom-reset', 'CmdOrCtrl+0'),
        item('Fit to Window', 'view:fit', 'CmdOrCtrl+1'),
        { type: 'separator' },
        item('Toggle Panels', 'view:toggle-panels', 'CmdOrCtrl+B'),
        ...(options.dev
          ? [{ type: 'separator' } as const, { role: 'reload' } as const, { role: 'toggleDevTools' } as const]
          : []),
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: '&Help',
      role: 'help',
      submenu: [
        item(`About ${options.appName}`, 'help:about'),
        { label: 'The Edge Agent Documentation', click: () => options.openExternal(HELP_URL) },
      ],
    },
  );
  return template;
}
