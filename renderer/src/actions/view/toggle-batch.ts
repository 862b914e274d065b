import { togglePanelAction } from './toggle-panel.ts';

/** The Batch tab (runs of the open workflow over a dataset; hosts without batches show no tab). */
export const toggleBatch = togglePanelAction('view:toggle-batch', 'batch');
