import { defineAction } from '../define.ts';
import { addNodeAction } from './add-node.ts';

export const addLua = defineAction('graph:add-lua', addNodeAction('lua', 'Lua node'));
