import { defineAction } from '../define.ts';

/** Flips "Use recorded responses" (the toolbar's Recorded toggle shows its state). */
export const toggleRecorded = defineAction('run:toggle-recorded', {
  enabled: () => true,
  perform: (ctx) => {
    const { controller } = ctx.run;
    controller.setUseRecorded(!controller.store.getState().useRecorded);
  },
});
