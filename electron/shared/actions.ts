// The manifest of every user action: id, title, search keywords, keys and native-menu placement. Pure
// data, so Electron's main process (menu.ts) and the renderer (renderer/src/actions/, which attaches
// `enabled` and `perform` to each id) read the same titles and keys: a key is declared here once.

/** Where a key works: `global` also while typing (Mod+S in the Lua editor); `app` outside text fields;
 * `canvas` only while focus is on the canvas (Delete must not delete nodes from the file list). */
export type KeyScope = 'global' | 'app' | 'canvas';

export type MenuSection = 'File' | 'Edit' | 'Run' | 'View' | 'Help';

export interface MenuPlacement {
  section: MenuSection;
  /** Items of one section with different groups get a separator between them. */
  group: number;
  /** Native menus use Electron's text role for these (so they also work inside text fields). */
  role?: 'cut' | 'copy' | 'paste' | 'selectAll';
  /** Label in the native menu when it differs from the title ("About Fanout Studio"). */
  label?: string;
}

export interface ActionSpec {
  readonly id: string;
  readonly title: string;
  readonly keywords?: string;
  /** Key combinations, the first is the one menus and tooltips show. "Mod" is Ctrl (⌘ on macOS). */
  readonly keys?: readonly string[];
  readonly scope?: KeyScope;
  /** The browser's own copy/cut/paste event performs these (clipboard access without a permission
   * prompt): the key is listed but not dispatched. */
  readonly nativeKeys?: boolean;
  readonly menu?: MenuPlacement;
}

const spec = <const T extends ActionSpec>(s: T) => s;

export const ACTION_SPECS = [
  // File
  spec({
    id: 'file:new',
    title: 'New blank workflow',
    keywords: 'create empty',
    keys: ['Mod+N'],
    scope: 'global',
    menu: { section: 'File', group: 0, label: 'New' },
  }),
  spec({
    id: 'file:open',
    title: 'Open…',
    keywords: 'file dialog load',
    keys: ['Mod+O'],
    scope: 'global',
    menu: { section: 'File', group: 0 },
  }),
  spec({
    id: 'file:save',
    title: 'Save',
    keys: ['Mod+S'],
    scope: 'global',
    menu: { section: 'File', group: 1 },
  }),
  spec({
    id: 'file:save-as',
    title: 'Save As…',
    keys: ['Mod+Shift+S'],
    scope: 'global',
    menu: { section: 'File', group: 1 },
  }),
  spec({
    id: 'file:export',
    title: 'Export portable YAML',
    keywords: 'tea portable another file download copy clipboard',
    keys: ['Mod+E'],
    scope: 'global',
    menu: { section: 'File', group: 1, label: 'Export Portable YAML…' },
  }),
  spec({
    id: 'file:copy-portable',
    title: 'Copy portable YAML',
    keywords: 'tea portable clipboard export',
    scope: 'global',
    menu: { section: 'File', group: 1, label: 'Copy Portable YAML' },
  }),
  spec({
    id: 'file:close',
    title: 'Close document',
    keys: ['Mod+W'],
    scope: 'global',
    menu: { section: 'File', group: 2, label: 'Close' },
  }),
  // Edit
  spec({
    id: 'edit:undo',
    title: 'Undo',
    keys: ['Mod+Z'],
    scope: 'app',
    menu: { section: 'Edit', group: 0 },
  }),
  spec({
    id: 'edit:redo',
    title: 'Redo',
    keys: ['Mod+Shift+Z', 'Mod+Y'],
    scope: 'app',
    menu: { section: 'Edit', group: 0 },
  }),
  spec({
    id: 'edit:cut',
    title: 'Cut',
    keywords: 'clipboard yaml',
    keys: ['Mod+X'],
    scope: 'canvas',
    nativeKeys: true,
    menu: { section: 'Edit', group: 1, role: 'cut' },
  }),
  spec({
    id: 'edit:copy',
    title: 'Copy',
    keywords: 'clipboard yaml',
    keys: ['Mod+C'],
    scope: 'canvas',
    nativeKeys: true,
    menu: { section: 'Edit', group: 1, role: 'copy' },
  }),
  spec({
    id: 'edit:paste',
    title: 'Paste',
    keywords: 'clipboard yaml',
    keys: ['Mod+V'],
    scope: 'canvas',
    nativeKeys: true,
    menu: { section: 'Edit', group: 1, role: 'paste' },
  }),
  spec({
    id: 'edit:delete',
    title: 'Delete',
    keywords: 'remove',
    keys: ['Delete', 'Backspace'],
    scope: 'canvas',
    menu: { section: 'Edit', group: 2 },
  }),
  spec({
    id: 'edit:duplicate',
    title: 'Duplicate',
    keywords: 'clone copy',
    keys: ['Mod+D'],
    scope: 'canvas',
    menu: { section: 'Edit', group: 2 },
  }),
  spec({
    id: 'edit:rename',
    title: 'Rename node',
    keywords: 'name title',
    keys: ['F2'],
    scope: 'canvas',
    menu: { section: 'Edit', group: 2, label: 'Rename Node' },
  }),
  spec({
    id: 'edit:select-all',
    title: 'Select all nodes',
    keys: ['Mod+A'],
    scope: 'canvas',
    menu: { section: 'Edit', group: 3, role: 'selectAll', label: 'Select All' },
  }),
  // Graph
  spec({
    id: 'graph:add-parallel',
    title: 'Add parallel branches',
    keywords: 'fan-out fan-in branch',
    keys: ['Mod+Shift+P'],
    scope: 'app',
    menu: { section: 'Edit', group: 4, label: 'Add Parallel Branches' },
  }),
  spec({
    id: 'graph:add-lua',
    title: 'Add Lua node',
    keywords: 'new node script',
    menu: { section: 'Edit', group: 4, label: 'Add Lua Node' },
  }),
  spec({ id: 'graph:add-action', title: 'Add action node', keywords: 'new node uses' }),
  spec({
    id: 'graph:add-fanout',
    title: 'Add fan-out block (3 branches and a join)',
    keywords: 'parallel new node fan-in',
  }),
  spec({ id: 'graph:add-while', title: 'Add while loop', keywords: 'new node loop' }),
  spec({
    id: 'graph:add-note',
    title: 'Add sticky note',
    keywords: 'comment annotation text memo',
    keys: ['Shift+S'],
    scope: 'canvas',
  }),
  spec({
    id: 'graph:auto-layout',
    title: 'Auto-layout',
    keywords: 'arrange tidy',
    keys: ['Mod+Shift+L'],
    scope: 'app',
    menu: { section: 'Edit', group: 4, label: 'Auto-Layout' },
  }),
  // Settings (Edit's last group, where Linux and Windows apps keep their preferences)
  spec({
    id: 'settings:providers',
    title: 'Providers and API keys…',
    keywords: 'settings preferences openai anthropic azure ollama litellm secrets credentials llm model',
    keys: ['Mod+,'], // the settings shortcut of most desktop apps
    scope: 'global',
    menu: { section: 'Edit', group: 5, label: 'Providers and API Keys…' },
  }),
  spec({ id: 'graph:go-to-source', title: 'Go to source node', keywords: 'edge from jump' }),
  spec({ id: 'graph:go-to-target', title: 'Go to target node', keywords: 'edge to jump' }),
  // Run
  spec({
    id: 'run:run',
    title: 'Run',
    keywords: 'execute start',
    keys: ['Mod+Enter'],
    scope: 'global',
    menu: { section: 'Run', group: 0 },
  }),
  spec({
    id: 'run:rerun',
    title: 'Re-run (same mode, node and input)',
    keywords: 'again repeat',
    keys: ['Mod+Shift+Enter'],
    scope: 'global',
    menu: { section: 'Run', group: 0, label: 'Re-run' },
  }),
  spec({
    id: 'run:rerun-recorded',
    title: 'Re-run with recorded responses',
    keywords: 'replay cassette deterministic llm model calls offline again',
    menu: { section: 'Run', group: 0, label: 'Re-run with Recorded Responses' },
  }),
  spec({
    id: 'run:toggle-recorded',
    title: 'Use recorded responses (on / off)',
    keywords: 'replay cassette deterministic llm model calls offline run from here',
    menu: { section: 'Run', group: 0, label: 'Use Recorded Responses' },
  }),
  spec({
    id: 'run:cancel',
    title: 'Cancel run',
    keywords: 'stop abort kill',
    keys: ['Mod+.'],
    scope: 'global',
    menu: { section: 'Run', group: 0, label: 'Cancel Run' },
  }),
  spec({
    id: 'run:continue',
    title: 'Continue paused run',
    keywords: 'resume breakpoint debug',
    keys: ['F8'],
    scope: 'app',
    menu: { section: 'Run', group: 0, label: 'Continue' },
  }),
  spec({
    id: 'run:from-here',
    title: 'Run from selected node',
    keywords: 'run from here start at recorded state debug',
    menu: { section: 'Run', group: 1, label: 'Run from Selected Node' },
  }),
  spec({
    id: 'run:node-alone',
    title: 'Run selected node alone',
    keywords: 'only single debug',
    menu: { section: 'Run', group: 1, label: 'Run Selected Node Alone' },
  }),
  spec({
    id: 'run:toggle-breakpoint',
    title: 'Toggle breakpoint',
    keywords: 'debug pause interrupt_before',
    keys: ['F9'],
    scope: 'app',
    menu: { section: 'Run', group: 2, label: 'Toggle Breakpoint' },
  }),
  spec({
    id: 'run:clear-breakpoints',
    title: 'Clear breakpoints',
    keywords: 'debug remove',
    menu: { section: 'Run', group: 2, label: 'Clear Breakpoints' },
  }),
  spec({
    id: 'run:edit-input',
    title: 'Edit run input',
    keywords: 'json initial_state state arguments',
    keys: ['Mod+I'],
    scope: 'global',
    menu: { section: 'Run', group: 2, label: 'Edit Run Input…' },
  }),
  // View
  spec({
    id: 'view:zoom-in',
    title: 'Zoom in',
    keys: ['Mod+='],
    scope: 'app',
    menu: { section: 'View', group: 0, label: 'Zoom In' },
  }),
  spec({
    id: 'view:zoom-out',
    title: 'Zoom out',
    keys: ['Mod+-'],
    scope: 'app',
    menu: { section: 'View', group: 0, label: 'Zoom Out' },
  }),
  spec({
    id: 'view:zoom-reset',
    title: 'Actual size (100%)',
    keywords: 'zoom reset 100',
    keys: ['Mod+1'],
    scope: 'app',
    menu: { section: 'View', group: 0, label: 'Actual Size' },
  }),
  spec({
    id: 'view:fit',
    title: 'Fit the graph in view',
    keywords: 'zoom fit whole',
    keys: ['Mod+0'],
    scope: 'app',
    menu: { section: 'View', group: 0, label: 'Fit to Window' },
  }),
  spec({
    id: 'view:toggle-inspector',
    title: 'Toggle Inspector panel',
    keywords: 'properties show hide',
    menu: { section: 'View', group: 1, label: 'Inspector' },
  }),
  spec({
    id: 'view:toggle-problems',
    title: 'Toggle Problems panel',
    keywords: 'errors warnings show hide',
    menu: { section: 'View', group: 1, label: 'Problems' },
  }),
  spec({
    id: 'view:toggle-batch',
    title: 'Toggle Batch panel',
    keywords: 'dataset rows jsonl csv test set run many inputs',
    menu: { section: 'View', group: 1, label: 'Batch' },
  }),
  spec({
    id: 'view:toggle-yaml',
    title: 'Toggle YAML panel',
    keywords: 'show hide text source',
    keys: ['Mod+B'],
    scope: 'app',
    menu: { section: 'View', group: 1, label: 'YAML' },
  }),
  spec({
    id: 'view:toggle-theme',
    title: 'Toggle theme',
    keywords: 'dark light',
    menu: { section: 'View', group: 2, label: 'Toggle Light/Dark Theme' },
  }),
  spec({
    id: 'view:palette',
    title: 'Command palette',
    keywords: 'commands search',
    keys: ['Mod+K'],
    scope: 'global',
    menu: { section: 'View', group: 2, label: 'Command Palette…' },
  }),
  // Help
  spec({
    id: 'help:shortcuts',
    title: 'Show keyboard shortcuts',
    keywords: 'help cheat sheet keys',
    keys: ['?'],
    scope: 'app',
    menu: { section: 'Help', group: 0, label: 'Keyboard Shortcuts' },
  }),
  spec({
    id: 'help:docs',
    title: 'The Edge Agent documentation',
    keywords: 'help tea docs',
    menu: { section: 'Help', group: 0, label: 'The Edge Agent Documentation' },
  }),
  spec({
    id: 'help:about',
    title: 'About Fanout Studio',
    keywords: 'version',
    menu: { section: 'Help', group: 1 },
  }),
] as const satisfies readonly ActionSpec[];

export type ActionId = (typeof ACTION_SPECS)[number]['id'];

export const HELP_URL = 'https://github.com/fabceolin/the_edge_agent';
export const DOCS_URL = 'https://github.com/fabceolin/the_edge_agent/tree/main/docs';

const BY_ID = new Map<string, ActionSpec>(ACTION_SPECS.map((s) => [s.id, s]));

export function actionSpec(id: ActionId): ActionSpec {
  return BY_ID.get(id)!;
}

export function isActionId(id: string): id is ActionId {
  return BY_ID.has(id);
}

/** Ids the native menu sends (every placed action except Electron's own text roles). */
export const MENU_ACTION_IDS: readonly ActionId[] = ACTION_SPECS.filter(
  (s): boolean => 'menu' in s && !(s.menu as MenuPlacement).role,
).map((s) => s.id);

/** "Mod+Shift+S" as an Electron accelerator: "CmdOrCtrl+Shift+S". */
export function toAccelerator(combo: string): string {
  return combo
    .split('+')
    .map((part, i, all) => {
      if (i < all.length - 1) return part === 'Mod' ? 'CmdOrCtrl' : part;
      if (part === '') return 'Plus'; // "Mod++"
      return part.length === 1 ? part.toUpperCase() : part;
    })
    .join('+');
}
