import { togglePanelAction } from './toggle-panel.ts';

export const toggleProblems = togglePanelAction('view:toggle-problems', 'problems');
