import { defineAction } from '../define.ts';
import { addNodeAction } from './add-node.ts';

export const addWhile = defineAction('graph:add-while', addNodeAction('while', 'While loop'));
