// What the command palette lists: the app's commands, New from each template, Open for each file of
// the current folder and Jump to each node. Pure: the App maps a chosen item's id back to an action.
import type { DocumentTemplate } from '../documents/templates.ts';
import { formatKeys } from './app-shortcuts.ts';
import type { PaletteItem } from './rank.ts';

export type CommandId =
  | 'save'
  | 'save-as'
  | 'open'
  | 'export'
  | 'run'
  | 'cancel'
  | 'rerun'
  | 'continue'
  | 'toggle-breakpoint'
  | 'clear-breakpoints'
  | 'run-from-selected'
  | 'run-selected-alone'
  | 'edit-input'
  | 'undo'
  | 'redo'
  | 'toggle-yaml'
  | 'toggle-problems'
  | 'toggle-inspector'
  | 'toggle-theme'
  | 'auto-layout'
  | 'add-parallel'
  | 'shortcuts';

export type PaletteTarget =
  | { kind: 'command'; command: CommandId }
  | { kind: 'new'; template: string }
  | { kind: 'open'; path: string }
  | { kind: 'node'; name: string };

export interface PaletteContext {
  opened: boolean;
  /** A run of the open file is starting, running or paused. */
  running: boolean;
  /** The open file's run waits at a breakpoint. */
  paused?: boolean;
  /** The open file has breakpoints set. */
  hasBreakpoints?: boolean;
  canUndo: boolean;
  canRedo: boolean;
  /** Exactly one node selected (Add parallel branches after it). */
  singleSelection: boolean;
  /** Electron can show an open dialog; the browser host opens by path only. */
  canOpenDialog: boolean;
  mac: boolean;
  templates: readonly DocumentTemplate[];
  files: readonly { path: string; name: string; kind: 'file' | 'dir' }[];
  nodes: readonly { name: string; kind: string }[];
}

interface CommandSpec {
  command: CommandId;
  title: string;
  keys?: string;
  keywords?: string;
  enabled: (c: PaletteContext) => boolean;
}

const COMMANDS: readonly CommandSpec[] = [
  { command: 'save', title: 'Save', keys: 'Mod+S', enabled: (c) => c.opened },
  { command: 'save-as', title: 'Save As…', keys: 'Mod+Shift+S', enabled: (c) => c.opened },
  {
    command: 'open',
    title: 'Open…',
    keys: 'Mod+O',
    keywords: 'file dialog',
    enabled: (c) => c.canOpenDialog,
  },
  {
    command: 'export',
    title: 'Export portable YAML',
    keywords: 'tea portable rewrite',
    enabled: (c) => c.opened,
  },
  {
    command: 'run',
    title: 'Run',
    keys: 'Mod+Enter',
    keywords: 'execute start',
    enabled: (c) => c.opened && !c.running,
  },
  {
    command: 'cancel',
    title: 'Cancel run',
    keys: 'Mod+.',
    keywords: 'stop abort kill',
    enabled: (c) => c.running,
  },
  {
    command: 'rerun',
    title: 'Re-run (same mode, node and input)',
    keys: 'Mod+Shift+Enter',
    keywords: 'again repeat run',
    enabled: (c) => c.opened && !c.running,
  },
  {
    command: 'continue',
    title: 'Continue paused run',
    keywords: 'resume breakpoint debug',
    enabled: (c) => !!c.paused,
  },
  {
    command: 'toggle-breakpoint',
    title: 'Toggle breakpoint on selected node',
    keys: 'F9',
    keywords: 'debug pause interrupt_before',
    enabled: (c) => c.opened && c.singleSelection,
  },
  {
    command: 'clear-breakpoints',
    title: 'Clear breakpoints',
    keywords: 'debug remove',
    enabled: (c) => c.opened && !!c.hasBreakpoints,
  },
  {
    command: 'run-from-selected',
    title: 'Run from selected node',
    keywords: 'run from here start at recorded state debug',
    enabled: (c) => c.opened && c.singleSelection && !c.running,
  },
  {
    command: 'run-selected-alone',
    title: 'Run selected node alone',
    keywords: 'run this node only single debug',
    enabled: (c) => c.opened && c.singleSelection && !c.running,
  },
  {
    command: 'edit-input',
    title: 'Edit run input',
    keys: 'Mod+I',
    keywords: 'json initial_state state arguments',
    enabled: (c) => c.opened,
  },
  { command: 'undo', title: 'Undo', keys: 'Mod+Z', enabled: (c) => c.canUndo },
  { command: 'redo', title: 'Redo', keys: 'Mod+Shift+Z', enabled: (c) => c.canRedo },
  {
    command: 'toggle-yaml',
    title: 'Toggle YAML panel',
    keywords: 'show hide text source',
    enabled: (c) => c.opened,
  },
  {
    command: 'toggle-problems',
    title: 'Toggle Problems panel',
    keywords: 'errors warnings',
    enabled: (c) => c.opened,
  },
  {
    command: 'toggle-inspector',
    title: 'Toggle Inspector panel',
    keywords: 'properties',
    enabled: (c) => c.opened,
  },
  { command: 'toggle-theme', title: 'Toggle theme', keywords: 'dark light', enabled: () => true },
  {
    command: 'auto-layout',
    title: 'Auto-layout',
    keys: 'Mod+Shift+L',
    keywords: 'arrange',
    enabled: (c) => c.opened,
  },
  {
    command: 'add-parallel',
    title: 'Add parallel branches',
    keys: 'Mod+Shift+P',
    keywords: 'fan-out fan-in',
    enabled: (c) => c.opened && c.singleSelection,
  },
  {
    command: 'shortcuts',
    title: 'Show keyboard shortcuts',
    keys: '?',
    keywords: 'help cheat sheet keys',
    enabled: () => true,
  },
];

const SEP = '\u0000';

export function itemId(target: PaletteTarget): string {
  switch (target.kind) {
    case 'command':
      return `command${SEP}${target.command}`;
    case 'new':
      return `new${SEP}${target.template}`;
    case 'open':
      return `open${SEP}${target.path}`;
    case 'node':
      return `node${SEP}${target.name}`;
  }
}

export function parseItemId(id: string): PaletteTarget | null {
  const at = id.indexOf(SEP);
  const kind = id.slice(0, at);
  const rest = id.slice(at + 1);
  if (at < 0) return null;
  if (kind === 'command' && COMMANDS.some((c) => c.command === rest)) {
    return { kind: 'command', command: rest as CommandId };
  }
  if (kind === 'new') return { kind: 'new', template: rest };
  if (kind === 'open') return { kind: 'open', path: rest };
  if (kind === 'node') return { kind: 'node', name: rest };
  return null;
}

/** Everything the palette offers, in its default order: commands, New, Open, nodes. */
export function buildPaletteItems(c: PaletteContext): PaletteItem[] {
  const items: PaletteItem[] = [];
  for (const spec of COMMANDS) {
    items.push({
      id: itemId({ kind: 'command', command: spec.command }),
      title: spec.title,
      group: 'Command',
      ...(spec.keys ? { keys: formatKeys(spec.keys, c.mac) } : {}),
      ...(spec.keywords ? { keywords: spec.keywords } : {}),
      ...(spec.enabled(c) ? {} : { disabled: true }),
    });
  }
  for (const t of c.templates) {
    items.push({
      id: itemId({ kind: 'new', template: t.id }),
      title: t.id === 'blank' ? 'New blank workflow' : `New from template: ${t.title}`,
      group: 'New',
      keywords: `${t.id} ${t.description}`,
    });
  }
  for (const f of c.files) {
    if (f.kind !== 'file') continue;
    items.push({
      id: itemId({ kind: 'open', path: f.path }),
      title: `Open ${f.name}`,
      group: 'File',
      keywords: f.path,
    });
  }
  for (const n of c.nodes) {
    items.push({
      id: itemId({ kind: 'node', name: n.name }),
      title: n.name,
      group: 'Node',
      keywords: `${n.kind} jump go to`,
    });
  }
  return items;
}
