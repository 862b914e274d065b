import { defineAction } from '../define.ts';
import { addNodeAction } from './add-node.ts';

export const addActionNode = defineAction('graph:add-action', addNodeAction('action', 'Action'));
