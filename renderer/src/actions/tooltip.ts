// A toolbar button's tooltip from the registry: its title (or a longer text) and its shortcut.
import { actionSpec, type ActionId } from '../../../electron/shared/actions.ts';
import { formatKeys } from './keys.ts';

export function actionTooltip(id: ActionId, mac: boolean, text?: string): string {
  const spec = actionSpec(id);
  const keys = spec.keys?.[0];
  return keys ? `${text ?? spec.title} (${formatKeys(keys, mac)})` : (text ?? spec.title);
}
