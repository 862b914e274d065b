import { togglePanelAction } from './toggle-panel.ts';

export const toggleInspector = togglePanelAction('view:toggle-inspector', 'inspector');
