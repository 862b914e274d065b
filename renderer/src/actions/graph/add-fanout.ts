import { defineAction } from '../define.ts';
import { addNodeAction } from './add-node.ts';

export const addFanout = defineAction('graph:add-fanout', addNodeAction('parallel', 'Parallel branches'));
