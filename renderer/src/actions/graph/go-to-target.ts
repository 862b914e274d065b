import { defineAction } from '../define.ts';
import { edgeEndAction } from './edge-ends.ts';

export const goToTarget = defineAction('graph:go-to-target', edgeEndAction('target'));
