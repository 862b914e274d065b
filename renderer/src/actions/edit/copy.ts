import { needsNodes } from '../conditions.ts';
import { defineAction } from '../define.ts';
import { selectionYaml, writeClipboard } from './clipboard.ts';

export const copy = defineAction('edit:copy', {
  enabled: (ctx) => needsNodes(ctx, 'copy'),
  perform: async (ctx) => {
    const yaml = selectionYaml(ctx);
    if (yaml !== null) await writeClipboard(yaml);
  },
});
