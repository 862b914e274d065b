import { togglePanelAction } from './toggle-panel.ts';

export const toggleYaml = togglePanelAction('view:toggle-yaml', 'yaml');
