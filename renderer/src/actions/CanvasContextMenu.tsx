// The canvas's context menus (node, edge, selection, empty canvas): the registry's actions that apply,
// as context-menus.ts groups them, performed with the click's target (so "Add Lua node" lands there).
import { useMemo } from 'react';
import type { Position } from '../../../engine/workflow/types.ts';
import type { ActionsApi } from './actions-context.ts';
import { CONTEXT_MENUS } from './context-menus.ts';
import { ContextMenu } from './ContextMenu.tsx';
import { formatKeys } from './keys.ts';
import { actionState, getAction } from './registry.ts';
import type { MenuTarget } from './types.ts';

export interface OpenMenu {
  hit:
    { kind: 'node'; id: string } | { kind: 'edge'; id: string } | { kind: 'selection' } | { kind: 'canvas' };
  /** Viewport position of the click. */
  client: { x: number; y: number };
  /** Flow position of the click. */
  flow: Position;
}

const LABELS = { node: 'Node', edge: 'Edge', selection: 'Selection', canvas: 'Canvas', run: 'Run' } as const;

export function menuTarget(menu: OpenMenu): MenuTarget {
  const { hit, flow: at } = menu;
  if (hit.kind === 'node') return { kind: 'node', node: hit.id, at };
  if (hit.kind === 'edge') return { kind: 'edge', edge: hit.id, at };
  return { kind: hit.kind, at };
}

export function CanvasContextMenu({
  menu,
  actions,
  onClose,
}: {
  menu: OpenMenu;
  actions: ActionsApi;
  onClose: () => void;
}) {
  const target = useMemo(() => menuTarget(menu), [menu]);
  const ctx = actions.context(target);
  const groups = CONTEXT_MENUS[target.kind].map((group) => group.map((id) => actionState(id, ctx)));
  const name = target.kind === 'node' ? `${LABELS.node} ${target.node}` : LABELS[target.kind];
  return (
    <ContextMenu
      at={menu.client}
      label={`${name} actions`}
      groups={groups}
      keysOf={(id) => {
        const keys = getAction(id).keys?.[0];
        return keys ? formatKeys(keys, ctx.mac) : undefined;
      }}
      onChoose={(id) => void actions.perform(id, target)}
      onClose={onClose}
    />
  );
}
