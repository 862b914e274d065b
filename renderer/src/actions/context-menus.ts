// Which actions each context menu lists, in groups (a separator between groups). Right-click on a node
// selects it first, so node actions act on the selection like their keys do.
import type { ActionId } from '../../../electron/shared/actions.ts';
import type { MenuTarget } from './types.ts';

export type MenuKind = MenuTarget['kind'];

export const CONTEXT_MENUS: Record<MenuKind, readonly (readonly ActionId[])[]> = {
  node: [
    ['edit:rename', 'edit:duplicate', 'edit:copy', 'edit:cut', 'edit:delete'],
    ['run:toggle-breakpoint', 'run:from-here', 'run:node-alone'],
    ['graph:add-parallel'],
  ],
  edge: [['graph:go-to-source', 'graph:go-to-target'], ['edit:delete']],
  selection: [['edit:duplicate', 'edit:copy', 'edit:cut', 'edit:delete'], ['graph:auto-layout']],
  canvas: [
    ['graph:add-lua', 'graph:add-action', 'graph:add-while', 'graph:add-fanout', 'graph:add-note'],
    ['edit:paste', 'edit:select-all'],
    ['view:fit', 'view:zoom-reset', 'graph:auto-layout'],
    ['run:run'],
  ],
  run: [['run:rerun-recorded'], ['run:toggle-recorded']],
};
