import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { ACTION_SPECS, DOCS_URL } from '../shared/actions.ts';
import { MENU_COMMANDS, type MenuCommandMessage } from '../shared/channels.ts';
import { buildMenuTemplate } from './menu.ts';

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
  [['File', 'Save As…'], 'file:save-as', 'CmdOrCtrl+Shift+S'],
  [['File', 'Export Portable YAML…'], 'file:export', 'CmdOrCtrl+E'],
  [['File', 'Close'], 'file:close', 'CmdOrCtrl+W'],
  [['Edit', 'Undo'], 'edit:undo', 'CmdOrCtrl+Z'],
  [['Edit', 'Redo'], 'edit:redo', 'CmdOrCtrl+Shift+Z'],
  [['Edit', 'Delete'], 'edit:delete', 'Delete'],
  [['Edit', 'Duplicate'], 'edit:duplicate', 'CmdOrCtrl+D'],
  [['Edit', 'Rename Node'], 'edit:rename', 'F2'],
  [['Edit', 'Add Parallel Branches'], 'graph:add-parallel', 'CmdOrCtrl+Shift+P'],
  [['Edit', 'Auto-Layout'], 'graph:auto-layout', 'CmdOrCtrl+Shift+L'],
  [['Run', 'Run'], 'run:run', 'CmdOrCtrl+Enter'],
  [['Run', 'Cancel Run'], 'run:cancel', 'CmdOrCtrl+.'],
  [['Run', 'Toggle Breakpoint'], 'run:toggle-breakpoint', 'F9'],
  [['View', 'Zoom In'], 'view:zoom-in', 'CmdOrCtrl+='],
  [['View', 'Zoom Out'], 'view:zoom-out', 'CmdOrCtrl+-'],
  [['View', 'Actual Size'], 'view:zoom-reset', 'CmdOrCtrl+1'],
  [['View', 'Fit to Window'], 'view:fit', 'CmdOrCtrl+0'],
  [['View', 'YAML'], 'view:toggle-yaml', 'CmdOrCtrl+B'],
  [['Help', 'Keyboard Shortcuts'], 'help:shortcuts', '?'],
  [['Help', 'About Fanout Studio'], 'help:about', undefined],
];

/** Every item of the template that sends a command, with its path of labels. */
function commandItems(template: MenuItemConstructorOptions[], path: string[] = []) {
  const out: { labels: string[]; item: MenuItemConstructorOptions }[] = [];
  for (const item of template) {
    const labels = [...path, item.label?.replace('&', '') ?? String(item.role)];
    if (Array.isArray(item.submenu)) out.push(...commandItems(item.submenu, labels));
    else if (item.click) out.push({ labels, item });
  }
  return out;
}

describe('menu template', () => {
  it.each(EXPECTED)('%j sends %s and shows its accelerator', (labels, command, accelerator) => {
    const { template, sent } = build('linux');
    const item = find(template, ...labels);
    expect(item.accelerator).toBe(accelerator);
    // The renderer performs keys itself (it knows where focus is); the menu only shows them.
    if (accelerator) expect(item.registerAccelerator).toBe(false);
    click(item);
    expect(sent).toEqual([{ command }]);
  });

  it('sends only ids the channel map allows, each an action of the registry manifest', () => {
    const { template, sent } = build('linux', []);
    for (const { item } of commandItems(template)) click(item);
    const commands = sent.map((m) => m.command);
    expect(commands.length).toBeGreaterThan(25);
    for (const c of commands) {
      expect(MENU_COMMANDS).toContain(c);
      expect(ACTION_SPECS.some((s) => s.id === c)).toBe(true);
    }
    // Every menu command has an item that sends it, but the path-opening one and the documentation
    // (opened by main itself, see the last test).
    expect(MENU_COMMANDS.filter((c) => !commands.includes(c))).toEqual(['help:docs', 'file:open-path']);
  });

  it('macOS: the menu performs the window-wide keys and shows none that would steal a text key', () => {
    const { template } = build('darwin');
    expect(find(template, 'File', 'Save').accelerator).toBe('CmdOrCtrl+S');
    expect(find(template, 'File', 'Save').registerAccelerator).toBeUndefined();
    expect(find(template, 'Edit', 'Delete').accelerator).toBeUndefined();
    expect(find(template, 'Help', 'Keyboard Shortcuts').accelerator).toBeUndefined();
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

  it('macOS gets the app menu; the documentation opens externally from main', () => {
    const { template, external, sent } = build('darwin');
    expect(template[0]!.label).toBe('Fanout Studio');
    click(find(template, 'Help', 'The Edge Agent Documentation'));
    expect(external).toEqual([DOCS_URL]);
    expect(sent).toEqual([]);
  });
});
