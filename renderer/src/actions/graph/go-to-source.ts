import { defineAction } from '../define.ts';
import { edgeEndAction } from './edge-ends.ts';

export const goToSource = defineAction('graph:go-to-source', edgeEndAction('source'));
