// What the command palette lists: every registry action (disabled ones with the reason), New from each
// template, Open for each file of the current folder and Jump to each node. The App maps a chosen
// item's id back to a PaletteTarget.
import { isActionId, type ActionId } from '../../../electron/shared/actions.ts';
import { ACTIONS } from '../actions/registry.ts';
import { formatKeys } from '../actions/keys.ts';
import type { ActionContext } from '../actions/types.ts';
import type { DocumentTemplate } from '../documents/templates.ts';
import type { PaletteItem } from './rank.ts';

export type PaletteTarget =
  | { kind: 'action'; id: ActionId }
  | { kind: 'new'; template: string }
  | { kind: 'open'; path: string }
  | { kind: 'node'; name: string };

export interface PaletteSources {
  templates: readonly DocumentTemplate[];
  files: readonly { path: string; name: string; kind: 'file' | 'dir' }[];
  nodes: readonly { name: string; kind: string }[];
}

/** The palette does not list itself. */
const HIDDEN: ReadonlySet<ActionId> = new Set(['view:palette']);

const SEP = '\u0000';

export function itemId(target: PaletteTarget): string {
  switch (target.kind) {
    case 'action':
      return `action${SEP}${target.id}`;
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
  if (at < 0) return null;
  const kind = id.slice(0, at);
  const rest = id.slice(at + 1);
  if (kind === 'action') return isActionId(rest) ? { kind: 'action', id: rest } : null;
  if (kind === 'new') return { kind: 'new', template: rest };
  if (kind === 'open') return { kind: 'open', path: rest };
  if (kind === 'node') return { kind: 'node', name: rest };
  return null;
}

/** Everything the palette offers, in its default order: actions, New, Open, nodes. */
export function buildPaletteItems(ctx: ActionContext, sources: PaletteSources): PaletteItem[] {
  const items: PaletteItem[] = [];
  for (const action of ACTIONS) {
    if (HIDDEN.has(action.id)) continue;
    const enabled = action.enabled(ctx);
    const keys = action.keys?.[0];
    items.push({
      id: itemId({ kind: 'action', id: action.id }),
      title: action.title,
      group: 'Command',
      ...(keys ? { keys: formatKeys(keys, ctx.mac) } : {}),
      ...(action.keywords ? { keywords: action.keywords } : {}),
      ...(enabled === true ? {} : { disabled: true, reason: enabled }),
    });
  }
  for (const t of sources.templates) {
    items.push({
      id: itemId({ kind: 'new', template: t.id }),
      title: t.id === 'blank' ? 'New blank workflow' : `New from template: ${t.title}`,
      group: 'New',
      keywords: `${t.id} ${t.description}`,
    });
  }
  for (const f of sources.files) {
    if (f.kind !== 'file') continue;
    items.push({
      id: itemId({ kind: 'open', path: f.path }),
      title: `Open ${f.name}`,
      group: 'File',
      keywords: f.path,
    });
  }
  for (const n of sources.nodes) {
    items.push({
      id: itemId({ kind: 'node', name: n.name }),
      title: n.name,
      group: 'Node',
      keywords: `${n.kind} jump go to`,
    });
  }
  return items;
}
