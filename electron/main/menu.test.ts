import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { MENU_COMMANDS, type MenuCommandMessage } from '../shared/channels.ts';
import { buildMenuTemplate, HELP_URL } from './menu.ts';

function build(platform: NodeJS.Platform, recent: string[] = ['/w/a.yaml', '/w/b.yml']) {
  const sent: MenuCommandMessage[] = [];
  const external: string[] = [];
  let cleared = 0;
  const template = buildMenuTemplate({
    platform,
    appName: 'Fanout Studio',
    recent,
    send: (m) => sent.push(m),
    clearRecent: () => cleared++,
    openExternal: (u) => external.push(u),
  });
  return { template, sent, external, cleared: () => cleared };
}

function find(template: MenuItemConstructorOptions[], ...labels: string[]): MenuItemConstructorOptions {
  let items = template;
  let found: MenuItemConstructorOptions | undefined;
  for (const label of labels) {
    found = items.find((i) => i.label?.replace('&', '') === label);
    if (!found) throw new Error(`no menu item ${labels.join(' > ')}`);
    items = (found.submenu as MenuItemConstructorOptions[] | undefined) ?? [];
  }
  return found!;
}

const click = (item: MenuItemConstructorOptions) => (item.click as unknown as () => void)();

const EXPECTED: [string[], MenuCommandMessage['command'], string | undefined][] = [
  [['File', 'New'], 'file:new', 'CmdOrCtrl+N'],
  [['File', 'Open…'], 'file:open', 'CmdOrCtrl+O'],
  [['File', 'Save'], 'file:save', 'CmdOrCtrl+S'],
  [['File', 'Save As…'], 'file:save-as', 'Shift+CmdOrCtrl+S'],
  [['File', 'Export Portable YAML…'], 'file:export', 'CmdOrCtrl+E'],
  [['File', 'Close'], 'file:close', 'CmdOrCtrl+W'],
  [['Edit', 'Undo'], 'edit:undo', 'CmdOrCtrl+Z'],
  [['Edit', 'Redo'], 'edit:redo', 'CmdOrCtrl+Y'],
  [['Run', 'Run'], 'run:run', 'F5'],
  [['Run', 'Cancel Run'], 'run:cancel', 'Shift+F5'],
  [['View', 'Zoom In'], 'view:zoom-in', 'CmdOrCtrl+='],
  [['View', 'Zoom Out'], 'view:zoom-out', 'CmdOrCtrl+-'],
  [['View', 'Actual Size'], 'view:zoom-reset', 'CmdOrCtrl+0'],
  [['View', 'Fit to Window'], 'view:fit', 'CmdOrCtrl+1'],
  [['View', 'Toggle Panels'], 'view:toggle-panels', 'CmdOrCtrl+B'],
  [['Help', 'About Fanout Studio'], 'help:about', undefined],
];

describe('menu template', () => {
  it.each(EXPECTED)('%j sends %s with its accelerator', (labels, command, accelerator) => {
    const { template, sent } = build('linux');
    const item = find(template, ...labels);
    expect(item.accelerator).toBe(accelerator);
    click(item);
    expect(sent).toEqual([{ command }]);
  });

  it('covers every menu command except the path-opening one', () => {
    const covered = new Set(EXPECTED.map(([, c]) => c));
    expect(MENU_COMMANDS.filter((c) => !covered.has(c))).toEqual(['file:open-path']);
  });

  it('Open Recent opens each path; Clear empties the list', () => {
    const { template, sent, cleared } = build('linux');
    const recent = find(template, 'File', 'Open Recent').submenu as MenuItemConstructorOptions[];
    expect(recent.slice(0, 2).map((i) => i.label)).toEqual(['a.yaml', 'b.yml']);
    click(recent[1]!);
    expect(sent).toEqual([{ command: 'file:open-path', path: '/w/b.yml' }]);
    click(find(template, 'File', 'Open Recent', 'Clear Recently Opened'));
    expect(cleared()).toBe(1);
    const empty = find(build('linux', []).template, 'File', 'Open Recent')
      .submenu as MenuItemConstructorOptions[];
    expect(empty[0]).toMatchObject({ label: 'No Recent Files', enabled: false });
  });

  it('Edit uses native roles for clipboard and selection, with accelerators', () => {
    const edit = find(build('win32').template, 'Edit').submenu as MenuItemConstructorOptions[];
    const roles = edit.filter((i) => i.role).map((i) => [i.role, i.accelerator]);
    expect(roles).toEqual([
      ['cut', 'CmdOrCtrl+X'],
      ['copy', 'CmdOrCtrl+C'],
      ['paste', 'CmdOrCtrl+V'],
      ['selectAll', 'CmdOrCtrl+A'],
    ]);
  });

  it('macOS gets the app menu and the mac redo shortcut; help opens the docs externally', () => {
    const { template, external } = build('darwin');
    expect(template[0]!.label).toBe('Fanout Studio');
    expect(find(template, 'Edit', 'Redo').accelerator).toBe('Shift+CmdOrCtrl+Z');
    click(find(template, 'Help', 'The Edge Agent Documentation'));
    expect(external).toEqual([HELP_URL]);
  });
});
